"""User accounts: creation and sign-in checks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import SignInFailure, User
from tracker.schemas.user import PasswordChangeInput, UserInput, UserUpdateInput
from tracker.services.agencies import find_agency_anywhere
from tracker.services.errors import Throttled, ValidationFailed
from tracker.services.permissions import require
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


# Sign-in throttling: after this many failures for one email (or one address) within
# the window, further attempts are refused until the window has passed.
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)


def sign_in(email: str, password: str, *, remote_addr: str | None, now: datetime) -> User | None:
    """Check credentials, refusing while throttled; failures are recorded, success clears them.

    Raises ``Throttled`` during a lock-out, even for the right password, so guessing
    gains nothing from a lock-out's end being probed.
    """
    folded = email.strip().lower()
    since = now - FAILURE_WINDOW
    recent = select(SignInFailure.failed_at).where(SignInFailure.failed_at > since)
    by_email = db.session.scalars(recent.where(SignInFailure.email == folded).order_by(SignInFailure.failed_at)).all()
    by_address = (
        db.session.scalars(recent.where(SignInFailure.remote_addr == remote_addr).order_by(SignInFailure.failed_at)).all()
        if remote_addr else []
    )
    for failures, limit in ((by_email, MAX_FAILURES_PER_EMAIL), (by_address, MAX_FAILURES_PER_ADDRESS)):
        if len(failures) >= limit:
            unlock = failures[-limit] + FAILURE_WINDOW
            raise Throttled(int((unlock - now).total_seconds()))
    user = authenticate(email, password)
    with atomic():
        if user is None:
            db.session.add(SignInFailure(email=folded, remote_addr=remote_addr, failed_at=now))
        else:
            db.session.execute(delete(SignInFailure).where(SignInFailure.email == folded))
    return user


def change_password(user: User, data: dict) -> None:
    """Change one's own password, given the current one."""
    fields = validated(PasswordChangeInput(), data)
    if not user.check_password(fields["current_password"]):
        raise ValidationFailed({"current_password": ["This is not your current password."]})
    with atomic():
        user.set_password(fields["new_password"])


def update_user(user: User, data: dict, *, acting_admin: User | None) -> User:
    """An admin changes a user's role, agency or whether the account is active.

    ``acting_admin`` None means the site's operator, from the command line.
    """
    require(acting_admin is None or acting_admin.role == "admin", "Only administrators manage users.")
    fields = validated(UserUpdateInput(), data)
    agency = None
    if fields["agency"]:
        agency = find_agency_anywhere(fields["agency"])
        if agency is None:
            raise ValidationFailed({"agency": [f"Unknown agency {fields['agency']!r}."]})
    if acting_admin is not None and user.id == acting_admin.id and (fields["role"] != "admin" or not fields["active"]):
        raise ValidationFailed({"role": ["You cannot remove your own administrator access."]})
    with atomic():
        user.role = fields["role"]
        user.agency = agency if fields["role"] == "agency" else None
        user.active = fields["active"]
        return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
