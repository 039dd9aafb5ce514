"""User accounts: creation, sign-in checks, sessions and passwords."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.models import User
from tracker.models.user import password_hash
from tracker.schemas.user import PasswordChangeInput, SignInInput, UserInput, UserUpdateInput
from tracker.services.agencies import find_agency_anywhere
from tracker.services.errors import ValidationFailed
from tracker.services.permissions import require
from tracker.services.throttling import check_not_throttled, record_failure, record_success
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
            errors["email"] = [gettext("A user with this email already exists.")]
        agency = None
        if fields["agency"]:
            agency = find_agency_anywhere(fields["agency"])
            if agency is None:
                errors["agency"] = [gettext("Unknown agency %(agency)r.", agency=fields['agency'])]
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


@cache
def _stand_in_hash() -> str:
    """A hash of the same kind and cost as those ``User.set_password`` stores, of no one's password.

    Checked when there is no account to check against, so a refusal takes as long whether
    or not the email has an account. Made on first use, not at import.
    """
    return password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    The password is hashed the same way whatever happens: against the account's hash, or
    a stand-in's when there is no such account, and an inactive account's too, so the time
    taken does not tell anyone which emails have (active) accounts.
    """
    user = find_user_by_email(email)
    stored = user.password_hash if user is not None else _stand_in_hash()
    matches = check_password_hash(stored, password)
    if user is None or not user.active or not matches:
        return None
    return user


def sign_in(data: dict, *, remote_addr: str | None, now: datetime) -> User | None:
    """Check an email and password (``SignInInput``), refusing while throttled.

    Raises ``Throttled`` while this account may not be tried from ``remote_addr`` (or that
    address may not try any), even for the right password; see ``services.throttling``.
    Failures are recorded; a success clears that account's failures at that address.
    """
    fields = validated(SignInInput(), data)
    folded = fields["email"].lower()
    check_not_throttled(folded, remote_addr, now=now)
    user = authenticate(fields["email"], fields["password"])
    if user is None:
        record_failure(folded, remote_addr, now=now)
    else:
        record_success(folded, remote_addr)
    return user


def user_for_session(identity: str) -> User | None:
    """The active user a session cookie names, if the session has not been ended.

    ``identity`` is ``User.get_id()`` as the session was issued with: "<id>:<generation>".
    """
    user_id, _, generation = identity.partition(":")
    if not (user_id.isdigit() and generation.isdigit() and len(user_id) < 19 and len(generation) < 19):
        return None  # a session from before generations existed, or not ours
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` on every device (signing out, for one)."""
    with atomic():
        _next_session_generation(user)


def _next_session_generation(user: User) -> None:
    # In SQL, so two requests ending sessions at once cannot both write the same value.
    user.session_generation = User.session_generation + 1
    db.session.flush()
    db.session.refresh(user, ["session_generation"])


def change_password(user: User, data: dict) -> None:
    """Change one's own password, given the current one; every session of the user ends.

    The caller starts a new session for the device the change was made on.
    """
    fields = validated(PasswordChangeInput(), data)
    if not user.check_password(fields["current_password"]):
        raise ValidationFailed({"current_password": [gettext("This is not your current password.")]})
    with atomic():
        user.set_password(fields["new_password"])
        _next_session_generation(user)


def set_language(user: User, code: str | None, *, languages: list[str]) -> None:
    """The language of the user's pages and emails: one of ``languages``, or empty (the browser's)."""
    code = (code or "").strip().lower() or None
    if code is not None and code not in languages:
        raise ValidationFailed({"locale": [gettext("Choose one of the languages offered.")]})
    with atomic():
        user.locale = code


def update_user(user: User, data: dict, *, acting_admin: User | None) -> User:
    """An admin changes a user's role, agency or whether the account is active.

    ``acting_admin`` None means the site's operator, from the command line.
    """
    require(acting_admin is None or acting_admin.role == "admin", lazy_gettext("Only administrators manage users."))
    fields = validated(UserUpdateInput(), data)
    agency = None
    if fields["agency"]:
        agency = find_agency_anywhere(fields["agency"])
        if agency is None:
            raise ValidationFailed({"agency": [gettext("Unknown agency %(agency)r.", agency=fields['agency'])]})
    if acting_admin is not None and user.id == acting_admin.id and (fields["role"] != "admin" or not fields["active"]):
        raise ValidationFailed({"role": [gettext("You cannot remove your own administrator access.")]})
    with atomic():
        user.role = fields["role"]
        user.agency = agency if fields["role"] == "agency" else None
        user.active = fields["active"]
        return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
