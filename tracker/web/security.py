"""HTTP hardening: security headers on every response, Secure cookies behind HTTPS, proxies."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, g, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from tracker.models.types import MAX_INTEGER

# Scripts only from this site (there are none inline); inline *styles* are allowed
# because status colours are data, set per element.
CONTENT_SECURITY_POLICY = "; ".join(  # noqa: FLY002 (one directive per line reads better)
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
# The embeds (``@embeddable``): any site may frame them. Everything else stays as strict;
# X-Frame-Options is left out, since it cannot say "anyone" and would override nothing
# in browsers that know frame-ancestors.
EMBED_HEADERS = {
    **{name: value for name, value in HEADERS.items() if name != "X-Frame-Options"},
    "Content-Security-Policy": CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *"),
}
EMBEDDABLE = "tracker.web.security.embeddable"


def embeddable(view):
    """Let any site show this view's page in a frame (the plan embeds); no other page may be."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.setdefault(EMBEDDABLE, True)
        return view(*args, **kwargs)

    return wrapper


# The largest id the database's integer columns hold (PostgreSQL ``integer``).
MAX_ID = MAX_INTEGER


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: at most ``MAX_ID``, so a larger number matches no route (404)
    rather than overflowing the database's integers in a query (a 500); the API's
    OpenAPI document gives it as the parameter's maximum."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or config says always)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Add the headers, the session interface and, if configured, trust the proxy's headers.

    ``TRUSTED_PROXIES`` (e.g. ``TRACKER_TRUSTED_PROXIES=1``) is how many proxies in
    front of the app may set X-Forwarded-*; 0 trusts none, so clients cannot fake HTTPS.
    """
    app.session_interface = SessionInterface()
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store or compare text containing NUL, and would answer a
        # query carrying one with an error (a 500); no real input needs it.
        values = list(request.args.values())
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            abort(400, description="Text may not contain NUL characters (\\x00).")

    @app.after_request
    def security_headers(response):
        for name, value in (EMBED_HEADERS if g.get(EMBEDDABLE) else HEADERS).items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
