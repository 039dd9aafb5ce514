"""API tokens and failed sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime
from tracker.models.user import User

# What a token may do: "read" tokens make only GET (HEAD, OPTIONS) requests.
TOKEN_SCOPES = ("read", "read_write")
# A token works for this many days unless its owner chooses otherwise, up to the maximum.
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


class ApiToken(db.Model):
    """A personal API token: only its SHA-256 hash is stored; the token is shown once.

    It works until it expires or is revoked, within its scope, and only while its owner
    keeps the role and agency it was created under (``services.tokens``).
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so people can tell their tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(20))
    # The owner's role and agency when the token was made: a token is a credential of that
    # role at that agency, not of whatever the account becomes.
    owner_role: Mapped[str] = mapped_column(String(20))
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("scope IN ('read', 'read_write')", name="scope_known"),
    )


class SignInFailure(db.Model):
    """A failed sign-in, counted to slow down password guessing (``services.throttling``).

    ``email`` is what was typed, folded to lower case, whether or not such an account exists.
    """

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
