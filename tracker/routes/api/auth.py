"""Who is calling the API: a personal API token sent as ``Authorization: Bearer <token>``.

The API never looks at the session cookie, so being signed in to the pages in the same
browser changes nothing here; without a token a caller is the public.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, request
from flask_babel import gettext

from tracker.models import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, User
from tracker.services.errors import Forbidden
from tracker.services.tokens import TokenRefused, authenticate_token
from tracker.web.languages import use_account

REALM = 'Bearer realm="tracker"'
SECURITY = [{"bearerAuth": []}]  # OpenAPI: this operation needs a token
SECURITY_OPTIONAL = [{}, {"bearerAuth": []}]  # OpenAPI: anonymous, or with a token

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "A personal API token (it starts with trk_), created on your account page and "
        "sent as `Authorization: Bearer <token>`. Without a token you read what the public "
        "sees. A token has a scope: `read` tokens may only read (GET); any other request "
        "made with one is 403, naming the scope; `read_write` tokens may also change data. "
        f"A token expires after the number of days chosen when it was created ({TOKEN_DEFAULT_DAYS} "
        f"unless chosen, at most {TOKEN_MAX_DAYS}), and it works only while its owner keeps the "
        "role and agency it was created under. A missing token where one is needed, or a token "
        "that is unknown, revoked or expired, or whose owner's account was disabled or whose "
        "owner's role or agency changed, is 401 with a message saying which."
    ),
}
# Requests a read token may make.
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class Unauthenticated(Exception):
    """The request needs a valid token and has none; answered with 401 and WWW-Authenticate."""

    def __init__(self, message: str, *, invalid_token: bool = False):
        super().__init__(message)
        self.challenge = REALM + (', error="invalid_token"' if invalid_token else "")


def authenticate() -> None:
    """``before_request`` of every API blueprint: find the caller from the bearer token.

    No ``Authorization`` header means an anonymous caller; a header that is not a
    working token (``services.tokens.authenticate_token``) is refused rather than
    ignored, so a client with a broken token learns it at once instead of reading
    public data. A read token is refused (403) for every request but a read, here,
    before any view runs, so no operation that writes can forget to check.
    """
    g.api_caller = None
    use_account(None)  # the session's user is nobody here, for the language too
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated(
            gettext("Send a personal API token as 'Authorization: Bearer <token>'."), invalid_token=True
        )
    try:
        found = authenticate_token(token, now=datetime.now(UTC))
    except TokenRefused as exc:
        raise Unauthenticated(str(exc), invalid_token=True) from exc
    use_account(found.user)  # the account's language, as the pages would use it
    if found.scope == "read" and request.method not in READ_METHODS:
        raise Forbidden(
            gettext("This token's scope is read: it may only read. Create a token with the read_write "
            "scope on your account page to make changes.")
        )
    g.api_caller = found.user


def caller() -> User | None:
    """The user the request's token belongs to, or None for an anonymous caller."""
    return g.get("api_caller")


def signed_caller() -> User:
    """The caller, for operations that change data: anonymous callers get 401."""
    user = caller()
    if user is None:
        raise Unauthenticated(gettext("This operation needs a personal API token (Authorization: Bearer)."))
    return user
