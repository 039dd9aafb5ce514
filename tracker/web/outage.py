"""When the database cannot be reached: a clear 503, a clean session, and recovery on its own.

A request that fails because the database is down or restarting (connection refused,
"server closed the connection", the server shutting down or starting up) is answered
with 503 and ``Retry-After``: a short page, or under /api/ the API's JSON error. The
session is rolled back, and the connection that failed is invalidated with the rest of
its pool, so once the database is back the next requests open fresh connections
(``pool_pre_ping`` checks the pooled ones too); nobody has to restart the app.

If the request had already begun committing when the connection was lost (the COMMIT's
answer never came, or the response was being built from the saved rows), what was sent
may well be stored: then the answer says so, instead of inviting a duplicate.

A write that waited for another's lock longer than ``DATABASE_LOCK_TIMEOUT`` (SQLite's
"database is locked", PostgreSQL's lock timeout), or lost a deadlock or a serialization
conflict, is not an outage but contention: it is answered 503 with a short
``Retry-After``, its transaction rolled back, nothing stored.

While an upgrade is under way the database's schema can be older than this code (the
code was deployed first, or ``flask db upgrade`` is still running): a statement that
fails then is answered 503 "being upgraded", not 500, and the same page works again
once the migration has committed. Any other database error (a cancelled statement, a
broken query) stays a server error.
"""

from __future__ import annotations

import sqlite3

from flask import Flask, current_app, g, has_request_context, jsonify, request, url_for
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.extensions import db

try:  # the PostgreSQL driver; the app also runs on SQLite alone
    import psycopg
except ImportError:  # pragma: no cover
    psycopg = None

RETRY_AFTER_SECONDS = 30
MESSAGE = (
    "The service is briefly unavailable; nothing you submitted was lost if you saw no "
    "confirmation — try again in a minute."
)
MESSAGE_BUSY = (
    "The service is busy with other changes and could not store yours in time; nothing was "
    "stored — please try again in a moment."
)
BUSY_RETRY_AFTER_SECONDS = 5
MESSAGE_UPGRADING = (
    "The service is being upgraded and will be back in a minute; nothing you submitted "
    "was lost if you saw no confirmation — try again then."
)
# SQLSTATEs of contention: lock not available (lock_timeout), deadlock, serialization failure.
_BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
_SQLITE_BUSY = ("database is locked", "database table is locked")
# When a commit had started: it may have been stored, so sending it again could duplicate it.
MESSAGE_AFTER_COMMIT = (
    "The service became briefly unavailable while confirming your request; what you "
    "submitted may have been saved — check before you send it again, in a minute."
)

# SQLSTATEs of a lost or refused connection: class 08 (connection exception), the
# server shutting down (57P01 admin, 57P02 crash), not accepting connections yet
# (57P03: starting up, shutting down, in recovery), or out of connection slots.
_OUTAGE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
# libpq and driver messages for the same, for errors that carry no SQLSTATE.
_OUTAGE_MESSAGES = (
    "server closed the connection",
    "terminating connection",
    "connection refused",
    "could not connect to server",
    "connection failed",
    "connection is closed",
    "connection is lost",
    "connection not open",
    "could not receive data from server",
    "could not send data to server",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "no connection to the server",
)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is unreachable (rather than a failed statement)."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig
    return _is_connection_loss(exc)


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` means the database was busy with other writers (contention, not an outage)."""
    error = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(_SQLITE_BUSY)
    if psycopg is not None and isinstance(error, psycopg.Error):
        return error.sqlstate in _BUSY_SQLSTATES
    return False


def _is_connection_loss(error: BaseException | None) -> bool:
    """The driver's own exception: a lost, refused or closing connection?"""
    if error is None or isinstance(error, sqlite3.Error):
        return False  # "database is locked" and friends: SQLite has no server to lose
    if psycopg is not None and isinstance(error, psycopg.Error):
        if not isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return False
        sqlstate = error.sqlstate
        if sqlstate is None:  # raised by libpq itself: the socket, not a statement
            return True
        return sqlstate.startswith("08") or sqlstate in _OUTAGE_SQLSTATES
    text = str(error).lower()
    return any(message in text for message in _OUTAGE_MESSAGES)


def code_revision(app: Flask) -> str:
    """The newest migration this code has (what ``flask db upgrade`` reaches), read once per app."""
    revision = app.extensions.get("tracker.code_revision")
    if revision is None:
        from tracker.exchange.backups import head_revision

        revision = head_revision(app.extensions["migrate"].migrate.get_config())
        app.extensions["tracker.code_revision"] = revision
    return revision


def _schema_behind() -> bool:
    """Whether the database's schema is not (yet) the one this code was written for.

    Asked only after a statement failed, on a connection of its own: the request's
    transaction may be aborted. Not knowing (no revision table, no answer) is not "behind".
    """
    try:
        with db.engine.connect() as connection:
            revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        return False
    return revision is not None and revision != code_revision(current_app)


def _mark_disconnect(context) -> None:
    """``handle_error`` hook: a connection loss the driver did not flag is still one.

    SQLAlchemy then invalidates that connection and every older one in the pool, so no
    request after the outage is handed a connection to a server that has gone.
    """
    if not context.is_disconnect and _is_connection_loss(context.original_exception):
        context.is_disconnect = True


def _commit_started(session) -> None:
    """``before_commit`` hook: note that this request has begun to store something.

    Releasing a savepoint stores nothing yet: only the outermost commit counts.
    """
    if has_request_context() and not session.in_nested_transaction():
        g.tracker_commit_started = True


def _wants_json() -> bool:
    return (
        request.path == "/api" or request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
    )


def _page(message: str) -> str:
    stylesheet = escape(url_for("static", filename="tracker.css"))
    # Self-contained on purpose: the site's layout reads the signed-in user, which needs
    # the database that is down.
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Service briefly unavailable</title>"
        f"<link rel=\"stylesheet\" href=\"{stylesheet}\"></head>"
        "<body><main><h1>503 Service briefly unavailable</h1>"
        f"<p>{escape(message)}</p></main></body></html>\n"
    )


def _discard_session() -> None:
    """Roll the session back and drop it, invalidating its connections if they are gone."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the server has rolled the transaction back
        current_app.logger.debug("rollback after a lost connection failed", exc_info=True)
    try:
        db.session.remove()
    except DBAPIError:
        db.session().invalidate()  # close without talking to the server; connections discarded
        db.session.remove()


def close_session(exc: BaseException | None) -> None:
    """``teardown_appcontext``, run before Flask-SQLAlchemy's: close the session, surviving an outage.

    Closing rolls back whatever transaction is left (often the read that built the
    response). If the server went away in the meantime that ROLLBACK fails, and the
    exception, raised after the response was made, would replace it with a bare 500:
    a report already committed would be answered as an error. The server has rolled the
    transaction back already, so the connection is invalidated and the answer stands.
    """
    try:
        db.session.remove()
    except DBAPIError as error:
        if not is_outage(error):
            raise
        current_app.logger.warning("Connection lost while closing the session: %s",
                                   str(error.orig).splitlines()[0] if error.orig else error)
        db.session().invalidate()
        db.session.remove()


def database_unavailable(exc: BaseException):
    """Error handler: 503 for an unreachable or busy database, or a schema being upgraded.

    Any other database error goes on.
    """
    busy = is_busy(exc)
    outage = not busy and is_outage(exc)
    if not (busy or outage):
        _discard_session()  # the failed transaction must end before the revision is read
        if not _schema_behind():
            raise exc
    _discard_session()
    cause = getattr(exc, "orig", None) or exc
    current_app.logger.warning(
        "Database %s (%s %s): %s", "busy" if busy else "unavailable" if outage else "schema behind this code",
        request.method, request.path,
        str(cause).splitlines()[0] if str(cause) else type(cause).__name__,
    )
    submitted = request.method not in ("GET", "HEAD", "OPTIONS")
    retry_after = BUSY_RETRY_AFTER_SECONDS if busy else current_app.config.get("OUTAGE_RETRY_AFTER", RETRY_AFTER_SECONDS)
    if busy:
        # The database answered, refusing the transaction: it was rolled back, whether the
        # refusal came at a statement or at the commit, and an operation is one transaction.
        message = MESSAGE_BUSY
    elif submitted and g.get("tracker_commit_started"):
        message = MESSAGE_AFTER_COMMIT  # the COMMIT's answer never came: it may be stored
    elif outage:
        message = MESSAGE
    else:
        message = MESSAGE_UPGRADING
    if _wants_json():
        response = jsonify(code=503, status="Service Unavailable", message=message)
    else:
        response = current_app.response_class(_page(message), mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Answer database outages with 503 and let the pool drop connections that were lost."""
    if not event.contains(Session, "before_commit", _commit_started):
        event.listen(Session, "before_commit", _commit_started)
    with app.app_context():
        for engine in db.engines.values():
            if not event.contains(engine, "handle_error", _mark_disconnect):
                event.listen(engine, "handle_error", _mark_disconnect)
    # Teardown functions run last-registered first: this one before Flask-SQLAlchemy's.
    app.teardown_appcontext(close_session)
    app.register_error_handler(DBAPIError, database_unavailable)
    if psycopg is not None:  # a driver error that escaped SQLAlchemy's wrapping
        app.register_error_handler(psycopg.Error, database_unavailable)
