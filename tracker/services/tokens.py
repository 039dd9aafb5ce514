"""Personal API tokens: shown once, stored as a hash, revocable, expiring, scoped.

A token works until it expires or is revoked, and only while its owner is active and
keeps the role and agency the token was made under: moving someone to another agency,
or to a role without API access, ends their tokens. A "read" token makes no changes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.schemas.user import TokenInput
from tracker.services.errors import NotFound, ServiceError
from tracker.services.permissions import require
from tracker.services.transaction import atomic
from tracker.services.validation import validated

TOKEN_PREFIX = "trk_"
# Roles that may hold API tokens; assessors work on the pages only.
TOKEN_ROLES = ("secretariat", "admin", "agency")

# Why a token does not work, for its owner's page and the API's 401.
REVOKED, EXPIRED, DISABLED, MOVED = "revoked", "expired", "disabled", "moved"
# In the caller's language (the API's 401 message); %(expires)s is the day it expired.
REFUSALS = {
    REVOKED: lazy_gettext("This token was revoked."),
    EXPIRED: lazy_gettext("This token expired on %(expires)s."),
    DISABLED: lazy_gettext("This token's account is disabled."),
    MOVED: lazy_gettext("This token no longer works: its owner's role or agency changed since it was created."),
}


class TokenRefused(ServiceError):
    """A presented token that does not work; the message says why."""


def _hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, data: dict, *, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user`` (``TokenInput``); returns (record, the token itself, to show once)."""
    require(user.role in TOKEN_ROLES, lazy_gettext("Your role has no API access."))
    fields = validated(TokenInput(), data)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with atomic():
        token = ApiToken(
            user_id=user.id, name=fields["name"], token_hash=_hash(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 4], created_at=now,
            expires_at=now + timedelta(days=fields["days"]), scope=fields["scope"],
            owner_role=user.role, owner_agency_id=user.agency_id,
        )
        db.session.add(token)
        db.session.flush()
        return token, secret


def refusal(token: ApiToken, *, now: datetime) -> str | None:
    """Why ``token`` does not work at ``now`` (one of ``REFUSALS``' keys), or None if it does."""
    owner = token.user
    if token.revoked_at is not None:
        return REVOKED
    if token.expires_at <= now:
        return EXPIRED
    if not owner.active:
        return DISABLED
    if (owner.role, owner.agency_id) != (token.owner_role, token.owner_agency_id) or owner.role not in TOKEN_ROLES:
        return MOVED
    return None


@dataclass(frozen=True)
class TokenView:
    """A token as its owner's account page lists it: the record and why it no longer works."""

    token: ApiToken
    refusal: str | None


def token_views(user: User, *, now: datetime) -> list[TokenView]:
    """The user's tokens, newest first, each with whether it works at ``now``."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [TokenView(token, refusal(token, now=now)) for token in tokens]


def revoke_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("No such token."))
    with atomic():
        if token.revoked_at is None:
            token.revoked_at = now
        return token


# Built once: every API call with a token runs it, and building the statement cost about as
# much as running it.
_BY_HASH = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash")).options(joinedload(ApiToken.user))


def authenticate_token(secret: str, *, now: datetime) -> ApiToken:
    """The working token ``secret`` is, or ``TokenRefused`` saying why not; notes its use."""
    token = None
    if secret.startswith(TOKEN_PREFIX):
        token = db.session.scalars(_BY_HASH, {"token_hash": _hash(secret)}).first()
    if token is None:
        raise TokenRefused(gettext("This token is not valid: no such token was ever issued."))
    reason = refusal(token, now=now)
    if reason is not None:
        raise TokenRefused(str(REFUSALS[reason]) % {"expires": token.expires_at.date().isoformat()})
    # Record use at most once a minute, so reads do not turn into writes on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with atomic():
            token.last_used_at = now
    return token
