"""Personal API tokens: shown once, stored as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.schemas.user import TokenInput
from tracker.services.errors import NotFound
from tracker.services.permissions import require
from tracker.services.transaction import atomic
from tracker.services.validation import validated

TOKEN_PREFIX = "trk_"


def _hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, data: dict, *, now: datetime) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns (record, the token itself, to show once)."""
    require(user.role in ("secretariat", "admin", "agency"), "Your role has no API access.")
    fields = validated(TokenInput(), data)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with atomic():
        token = ApiToken(
            user_id=user.id, name=fields["name"], token_hash=_hash(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 4], created_at=now,
        )
        db.session.add(token)
        db.session.flush()
        return token, secret


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))
    )


def revoke_token(user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    with atomic():
        if token.revoked_at is None:
            token.revoked_at = now
        return token


def user_for_token(secret: str, *, now: datetime) -> User | None:
    """The active user a presented token belongs to, or None; notes when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(secret))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    # Record use at most once a minute, so reads do not turn into writes on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with atomic():
            token.last_used_at = now
    return token.user
