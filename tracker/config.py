"""Configuration defaults.

Order of precedence, lowest first: these defaults, then ``TRACKER_*`` environment
variables (``TRACKER_DATABASE_URL`` becomes ``DATABASE_URL``), then the mapping
passed to ``create_app`` (tests use it). Nothing here is read at import time.
"""

from __future__ import annotations

import os
import secrets

DEFAULTS = {
    # None means "the SQLite file in the instance folder"; resolved in create_app.
    "DATABASE_URL": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Seconds a write waits for another's lock (SQLite's single writer, a PostgreSQL row
    # lock) before it is refused with 503 and Retry-After, nothing stored.
    "DATABASE_LOCK_TIMEOUT": 30,
    "BABEL_DEFAULT_LOCALE": "en",
    # The interface's languages (tracker/translations; docs/translating.md adds one).
    "LANGUAGES": ["en", "es", "fr", "ru"],
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Secure is added automatically on HTTPS requests; True forces it everywhere.
    "SESSION_COOKIE_SECURE": False,
    # How many reverse proxies may set X-Forwarded-For/-Proto/-Host (0: trust none).
    "TRUSTED_PROXIES": 0,
    "SEED_DIR": None,
    # Uploads: whole requests above this are refused before they are read.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Every other request body (JSON, plain forms) is refused above this before it is read,
    # and so is each field of an upload's form other than its files (MAX_FORM_MEMORY_SIZE):
    # the largest real form, a report with its narrative and 50 links, is a tenth of it.
    "MAX_FORM_AND_JSON_BYTES": 512 * 1024,
    # Evidence links one progress report may carry: more than any real report cites
    # (25,000 links took 19 s to store and blocked other agencies' writes meanwhile).
    "MAX_REPORT_LINKS": 50,
    "MAX_SPREADSHEET_BYTES": 10 * 1024 * 1024,
    # An XLSX is a zip archive: before it is read, all its parts together may declare at
    # most this many bytes, and no part over 1 MiB may expand more than this ratio (zip bombs).
    "SPREADSHEET_MAX_UNCOMPRESSED_BYTES": 50 * 1024 * 1024,
    "SPREADSHEET_MAX_COMPRESSION_RATIO": 100,
    # The JSON API (flask-smorest): its OpenAPI document is served at /api/openapi.json.
    "API_TITLE": "Action-plan tracker API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    # No Swagger UI: it would load its scripts from a CDN; the JSON document is enough.
    "OPENAPI_SWAGGER_UI_PATH": None,
    # Mail: with no MAIL_SERVER, messages are kept in the app's outbox for admins to read.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "tracker@localhost",
    "MAIL_TIMEOUT": 10,
    # Links in emails are absolute; this is where people reach the app.
    "BASE_URL": "http://127.0.0.1:5000",
    # Reminder links to a report form stop working after this many seconds (21 days).
    "REPORT_LINK_MAX_AGE": 21 * 24 * 3600,
    # Evidence files: None means "uploads" in the instance folder (outside the web root);
    # resolved in create_app.
    "UPLOAD_DIR": None,
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    # Webhooks: seconds to wait for a receiver, and whether loopback/private addresses may
    # be called (off: a webhook must not reach the internal network; tracker.webhooks.addresses).
    "WEBHOOK_TIMEOUT": 10,
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": False,
    # Signing in (README, "Signing in"). Single sign-on with OpenID Connect is on when an
    # issuer is set; its discovery document is read from <issuer>/.well-known/openid-configuration.
    "OIDC_ISSUER": None,
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_SCOPES": "openid email profile",
    "OIDC_EMAIL_CLAIM": "email",
    "OIDC_REQUIRE_VERIFIED_EMAIL": True,
    # What the sign-in button calls the provider: "Sign in with <this>".
    "OIDC_PROVIDER_NAME": "single sign-on",
    "OIDC_TIMEOUT": 10,
    # False: only single sign-on (the password form is gone, password sign-ins refused).
    "PASSWORD_SIGN_IN": True,
    # Roles that must turn two-factor authentication on before doing anything else, e.g.
    # "secretariat,admin" (a list, or a comma-separated string from the environment).
    "REQUIRE_2FA_ROLES": (),
    # "Remember this device" spares the second factor on that browser for this many days (0: never).
    "REMEMBER_DEVICE_DAYS": 30,
    # Email users when they sign in from an address they never signed in from before.
    "SIGN_IN_NOTICES": False,
    # The name authenticator apps show next to the account.
    "TWO_FACTOR_ISSUER": "Action-plan tracker",
    # /healthz calls the scheduler dead when its last heartbeat (every 30 s) is older than this.
    "HEALTH_SCHEDULER_MAX_AGE": 120,
    # /metrics answers a scraper that sends "Authorization: Bearer <this>" (and signed-in
    # admins); None: admins only.
    "METRICS_TOKEN": None,
}


def role_list(value) -> tuple[str, ...]:
    """A setting naming roles: a list, or a comma-separated string (as the environment gives it)."""
    if not value:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(role).strip() for role in value if str(role).strip())


def engine_options(config) -> dict:
    """The engine options for the configured database: ``SQLALCHEMY_ENGINE_OPTIONS`` plus how
    long a statement waits for a lock (``DATABASE_LOCK_TIMEOUT``), in the driver's terms."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = dict(options.get("connect_args") or {})
    seconds = float(config["DATABASE_LOCK_TIMEOUT"])
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        connect_args.setdefault("timeout", seconds)  # sqlite3's busy timeout
    elif url.startswith("postgresql"):
        connect_args.setdefault("options", f"-c lock_timeout={round(seconds * 1000)}")
    options["connect_args"] = connect_args
    return options


def sqlite_url(instance_path: str) -> str:
    """The embedded default database: a SQLite file inside the instance folder."""
    return "sqlite:///" + os.path.join(instance_path, "tracker.sqlite")


def instance_secret_key(instance_path: str) -> str:
    """A secret key kept in the instance folder, created on first use.

    Development servers then keep their sessions across restarts without anyone
    having to choose a key; production sets ``TRACKER_SECRET_KEY``.
    """
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()
