"""How people sign in: the sign-in log, two-factor recovery codes, single sign-on domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.agency import Agency
from tracker.models.types import UTCDateTime

# How a sign-in attempt was made (the first factor, or the second one).
SIGN_IN_METHODS = ("password", "single_sign_on", "authenticator", "recovery_code", "remembered_device")
RECOVERY_CODE_COUNT = 10


class SignInEvent(db.Model):
    """One sign-in attempt, successful or not, kept for its user and for admins.

    ``user_id`` is None when the attempt named no account (an unknown email, an identity
    provider's account nobody may create); ``email`` says what was tried.
    """

    __tablename__ = "sign_in_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(
            "method IN ('password', 'single_sign_on', 'authenticator', 'recovery_code', 'remembered_device')",
            name="method_known",
        ),
    )


class RecoveryCode(db.Model):
    """A one-time two-factor recovery code: only its SHA-256 hash is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SingleSignOnDomain(db.Model):
    """An email domain whose people get an account at their first single sign-on, with this role."""

    __tablename__ = "single_sign_on_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    agency: Mapped[Agency | None] = relationship()
