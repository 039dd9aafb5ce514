"""Who is calling the API: a personal API token sent as ``Authorization: Bearer <token>``.

The API never looks at the session cookie, so being signed in to the pages in the same
browser changes nothing here; without a token a caller is the public.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, request

from tracker.models import User
from tracker.services.tokens import user_for_token

REALM = 'Bearer realm="tracker"'
SECURITY = [{"bearerAuth": []}]  # OpenAPI: this operation needs a token
SECURITY_OPTIONAL = [{}, {"bearerAuth": []}]  # OpenAPI: anonymous, or with a token

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "A personal API token (it starts with trk_), created on your account page and "
        "sent as `Authorization: Bearer <token>`. Without a token you read what the public "
        "sees. A missing token where one is needed, or an unknown or revoked token, is 401."
    ),
}


class Unauthenticated(Exception):
    """The request needs a valid token and has none; answered with 401 and WWW-Authenticate."""

    def __init__(self, message: str, *, invalid_token: bool = False):
        super().__init__(message)
        self.challenge = REALM + (', error="invalid_token"' if invalid_token else "")


def authenticate() -> None:
    """``before_request`` of every API blueprint: find the caller from the bearer token.

    No ``Authorization`` header means an anonymous caller; a header that is not a
    valid, unrevoked token of an active account is refused rather than ignored, so a
    client with a broken token learns it at once instead of reading public data.
    """
    g.api_caller = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(
            "Send a personal API token as 'Authorization: Bearer <token>'.", invalid_token=True
        )
    user = user_for_token(token, now=datetime.now(UTC))
    if user is None:
        raise Unauthenticated(
            "This token is not valid: it is unknown or revoked, or its account is disabled.",
            invalid_token=True,
        )
    g.api_caller = user


def caller() -> User | None:
    """The user the request's token belongs to, or None for an anonymous caller."""
    return g.get("api_caller")


def signed_caller() -> User:
    """The caller, for operations that change data: anonymous callers get 401."""
    user = caller()
    if user is None:
        raise Unauthenticated("This operation needs a personal API token (Authorization: Bearer).")
    return user
