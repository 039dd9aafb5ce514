"""The tracker application: ``create_app`` builds and wires it."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.config import DEFAULTS, engine_options, instance_secret_key, role_list, sqlite_url
from tracker.extensions import babel, csrf, db, login_manager, migrate
from tracker.services.private_files import private_directory
from tracker.web import citations, content_language, languages, oidc, public_cache, table_rows
from tracker.web import input as web_input
from tracker.web import metrics as web_metrics
from tracker.web import security as web_security

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


class TrackerFlask(Flask):
    """Flask whose absolute URLs always start with ``BASE_URL``.

    An absolute URL built from the request would take its host and scheme from what the
    client sent (a forged ``Host``, a ``X-Forwarded-Proto`` nobody vouched for) and carry
    them into open data, feeds and emails that others reuse; the configured address
    where people reach the app is the only one to trust.
    """

    def url_for(self, endpoint: str, /, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values: Any) -> str:
        if not (_external and has_request_context()):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        # BASE_URL already names the path the app is mounted at.
        path = path.removeprefix(request.script_root)
        return self.config["BASE_URL"].rstrip("/") + path


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application.

    Configuration: the defaults in ``tracker.config``, then ``TRACKER_*`` environment
    variables, then ``config`` (tests pass their overrides here).
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = TrackerFlask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("TRACKER")
    if config:
        app.config.from_mapping(config)

    # The instance folder holds the secret key, the SQLite database and the uploads.
    private_directory(app.instance_path)
    app.config.setdefault("SEED_DIR", None)
    if not app.config["SEED_DIR"]:
        app.config["SEED_DIR"] = os.path.join(root, "seed")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = os.path.join(app.instance_path, "uploads")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or sqlite_url(
        app.instance_path
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    app.config["REQUIRE_2FA_ROLES"] = role_list(app.config["REQUIRE_2FA_ROLES"])

    web_input.init_app(app)  # first: an oversized body is refused before anything reads it
    _init_extensions(app)
    public_cache.init_app(app)  # first, so a proxy fix (web_security) wraps it
    web_security.init_app(app)
    oidc.init_app(app)
    content_language.init_app(app)
    citations.init_app(app)
    table_rows.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_error_handlers(app)
    web_metrics.init_app(app)  # last: counts every request, those the public cache answers too
    return app


def _init_extensions(app: Flask) -> None:
    from tracker.publishing import data_version  # noqa: F401 (its session events move the counter)

    db.init_app(app)
    # render_as_batch lets Alembic alter SQLite tables by copying them.
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=languages.select_for_request)
    _install_template_gettext(app)
    languages.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(identity: str):
        # Refuses sessions that were ended (sign-out, password change) and inactive users.
        from tracker.services.users import user_for_session

        return user_for_session(identity)

    from tracker import formats

    formats.init_app(app)  # dates, numbers and percentages in the reader's language

    @app.context_processor
    def inject_globals():
        from flask import has_request_context

        from tracker.routes.nav import navigation

        # Emails are rendered by the scheduler, outside any request: no navigation there.
        return {"navigation": navigation()} if has_request_context() else {}


def _install_template_gettext(app: Flask) -> None:
    """Templates translate through the context's translations, looked up once per context.

    Flask-Babel looks them up again for every string (about 13 µs): a plan page of 500
    actions translates 3,000 strings, which was half its rendering time.
    """
    from flask import g
    from flask_babel import get_translations

    def translations():
        # Kept per app context (one per request, one per scheduler job) and per locale:
        # an email rendered under force_locale in the recipient's language changes the
        # locale object Flask-Babel keeps, and with it the translations to use.
        found = g.get("tracker_translations")
        babel_context = g.get("_flask_babel")
        if found is None or found[0] is not getattr(babel_context, "babel_locale", None):
            fresh = get_translations()  # selects the locale first if none is yet
            found = g.tracker_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), fresh)
        return found[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def _register_blueprints(app: Flask) -> None:
    from tracker.routes import (
        account,
        admin,
        agency,
        assessor,
        auth,
        calendars,
        chart_pages,
        charts,
        embeds,
        meeting_pack,
        open_data,
        operations,
        public,
        reminders_admin,
        report_links,
        secretariat,
        subscriptions,
        webhooks_admin,
    )

    for blueprint in (
        public.bp, auth.bp, secretariat.bp, agency.bp, assessor.bp, admin.bp, account.bp,
        reminders_admin.bp, report_links.bp, charts.bp, chart_pages.bp, open_data.bp, operations.bp,
        webhooks_admin.bp, calendars.bp, calendars.account_bp, embeds.bp, subscriptions.bp, meeting_pack.bp,
    ):
        app.register_blueprint(blueprint)

    from tracker.routes import api

    api.init_app(app)


def _register_cli(app: Flask) -> None:
    from tracker import cli
    from tracker.cli_help import speak_the_operators_language

    speak_the_operators_language()
    for group in cli.groups:
        app.cli.add_command(group)


def _register_error_handlers(app: Flask) -> None:
    from tracker.routes import errors

    errors.register(app)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """Make SQLite behave like a real database: enforce foreign keys, honour SAVEPOINTs.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; turning it
    off and emitting BEGIN ourselves (below) is SQLAlchemy's documented recipe. How long
    a writer waits for the lock is the driver's ``timeout`` (``config.engine_options``).
    """
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    if conn.dialect.name == "sqlite":
        # A transaction that reads and then writes while another process writes must
        # take the write lock up front, or SQLite refuses its write ("database is
        # locked") instead of waiting; see services.transaction.write_transaction.
        immediate = conn.get_execution_options().get("write_transaction") or _in_write_request()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _in_write_request() -> bool:
    """Whether this is a request that may write (anything but GET, HEAD, OPTIONS).

    Such a request reads (the user, the item) before it writes; on SQLite with several
    web workers, the write would be refused if another worker committed in between.
    """
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
