"""User accounts: creation and sign-in checks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import User
from tracker.schemas.user import UserInput
from tracker.services.agencies import find_agency_anywhere
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(
        select(User).where(func.lower(User.email) == email.strip().lower())
    ).first()


def create_user(data: dict, *, now: datetime) -> User:
    """Create a user with a hashed password; agency focal points must name their agency."""
    fields = validated(UserInput(), data)
    with atomic():
        errors: dict[str, list[str]] = {}
        if find_user_by_email(fields["email"]):
            errors["email"] = ["A user with this email already exists."]
        agency = None
        if fields["agency"]:
            agency = find_agency_anywhere(fields["agency"])
            if agency is None:
                errors["agency"] = [f"Unknown agency {fields['agency']!r}."]
        if errors:
            raise ValidationFailed(errors)
        user = User(
            email=fields["email"].lower(),
            role=fields["role"],
            agency=agency if fields["role"] == "agency" else None,
            created_at=now,
        )
        user.set_password(fields["password"])
        db.session.add(user)
        db.session.flush()
        return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
