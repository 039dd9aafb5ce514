"""The OpenID Connect client (Authlib's) for single sign-on, when an issuer is configured.

Authlib does the protocol: it reads the provider's discovery document, sends people to
its authorization endpoint with a state, a nonce and a PKCE challenge (S256) kept in the
session, exchanges the code for tokens, and checks the ID token: its signature against the
provider's published keys, issuer, audience, expiry and nonce. What the claims mean for
our accounts is decided in ``services.single_sign_on``.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

_EXTENSION = "tracker.oidc"


def init_app(app: Flask) -> None:
    """Register the provider from the ``OIDC_*`` settings; nothing when no issuer is set.

    The discovery document is fetched at the first sign-in, not here: the app starts even
    while the provider is unreachable.
    """
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    # One registry per app (not a module-level one): its clients keep per-app settings.
    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": app.config["OIDC_TIMEOUT"],
        },
    )
    app.extensions[_EXTENSION] = oauth


def enabled() -> bool:
    """Whether single sign-on is configured for the current app."""
    return _EXTENSION in current_app.extensions


def client():
    """The current app's OpenID Connect client (single sign-on must be enabled)."""
    return current_app.extensions[_EXTENSION].provider
