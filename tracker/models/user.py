"""User accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models.agency import Agency
from tracker.models.translations import N_
from tracker.models.types import UTCDateTime

ROLES = ("admin", "secretariat", "agency", "assessor")
# The roles' names as pages show them (``_(role.capitalize())``), for the catalogue.
ROLE_NAMES = (N_("Admin"), N_("Secretariat"), N_("Agency"), N_("Assessor"))

# werkzeug's scrypt, slow on purpose: what the service always stores. Only the test suite
# lowers it (tests/fixtures/passwords.py), for the thousands of accounts its factories make;
# tests/services/test_users.py checks that this default is scrypt.
PASSWORD_HASH_METHOD = "scrypt"


def password_hash(password: str) -> str:
    """A salted hash of ``password``, made with ``PASSWORD_HASH_METHOD``."""
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


class User(UserMixin, db.Model):
    """Someone who signs in. Agency focal points belong to exactly one agency."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sessions are signed cookies that the server cannot delete; each one names the
    # generation it was issued in, and moving this on ends every session of the user
    # (signing out, changing the password). See services.users.user_for_session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Two-factor authentication (services.two_factor): the TOTP secret (RFC 6238) once
    # confirmed, and the last time step accepted, so a code seen once cannot be replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The language of the pages (unless this browser chose another) and of every email to
    # the user (tracker.web.languages); None: the browser's, and English in emails.
    locale: Mapped[str | None] = mapped_column(String(16))

    agency: Mapped[Agency | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        """Flask-Login's session identity: the user and the session generation it belongs to."""
        return f"{self.id}:{self.session_generation}"

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` (werkzeug's scrypt), never the password."""
        self.password_hash = password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
