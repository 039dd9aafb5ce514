"""The sign-in log: every attempt, its user's to read and admins', and new-address notices.

Each attempt is recorded with when, from which client address, how (password, single
sign-on, the second factor) and whether it worked. A successful sign-in from an address
the user never signed in from before can send them an email through the outbox, so
someone using a stolen password or session is noticed by the account's owner.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import SIGN_IN_METHODS, OutboxMessage, SignInEvent, User
from tracker.services.transaction import atomic

METHOD_NAMES = {
    "password": "Password",
    "single_sign_on": "Single sign-on",
    "authenticator": "Authenticator code",
    "recovery_code": "Recovery code",
    "remembered_device": "Remembered device",
}
assert set(METHOD_NAMES) == set(SIGN_IN_METHODS)


@dataclass(frozen=True)
class NoticeSettings:
    """Where a new-address notice comes from: the app's address (for the link and Message-ID)."""

    base_url: str


def record_attempt(
    *, user: User | None, email: str, remote_addr: str | None, method: str, succeeded: bool, now: datetime,
    detail: str | None = None, notice: NoticeSettings | None = None,
) -> SignInEvent:
    """Log one sign-in attempt; with ``notice``, a success from a new address emails the user.

    A first sign-in ever sends nothing: every address is new then, and the person has just
    been given the account.
    """
    with atomic():
        new_address = (
            succeeded and user is not None and notice is not None and _is_new_address(user, remote_addr)
        )
        event = SignInEvent(
            user_id=user.id if user is not None else None, email=(user.email if user is not None else email)[:254],
            at=now, remote_addr=remote_addr, method=method, succeeded=succeeded,
            detail=detail[:200] if detail else None,
        )
        db.session.add(event)
        if new_address:
            db.session.add(_new_address_notice(user, event, notice))
        return event


def _is_new_address(user: User, remote_addr: str | None) -> bool:
    earlier = select(func.count()).where(SignInEvent.user_id == user.id, SignInEvent.succeeded.is_(True))
    if not db.session.scalar(earlier):
        return False
    address = SignInEvent.remote_addr.is_(None) if remote_addr is None else SignInEvent.remote_addr == remote_addr
    return not db.session.scalar(earlier.where(address))


def _new_address_notice(user: User, event: SignInEvent, notice: NoticeSettings) -> OutboxMessage:
    host = notice.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "tracker.local"
    account = notice.base_url.rstrip("/") + "/account/"
    body = (
        f"Someone signed in to your tracker account {user.email} from an address not seen before.\n\n"
        f"When: {event.at.strftime('%Y-%m-%d %H:%M UTC')}\n"
        f"Address: {event.remote_addr or 'unknown'}\n"
        f"How: {METHOD_NAMES[event.method]}\n\n"
        "If this was you, there is nothing to do. If not, change your password now and sign out "
        f"everywhere, and tell an administrator. Your sign-in log: {account}\n"
    )
    return OutboxMessage(
        recipient=user.email, recipient_user_id=user.id, kind="sign_in_notice",
        subject="Sign-in to your tracker account from a new address", body_text=body,
        message_id=f"<{secrets.token_hex(16)}@{host}>", state="pending", attempts=0,
        next_attempt_at=event.at, created_at=event.at,
    )


def events_for_user(user: User, limit: int = 50) -> list[SignInEvent]:
    """The user's latest sign-in attempts, most recent first."""
    return list(db.session.scalars(
        select(SignInEvent).where(SignInEvent.user_id == user.id)
        .order_by(SignInEvent.at.desc(), SignInEvent.id.desc()).limit(limit)
    ))


def recent_events(*, email: str | None = None, limit: int = 200) -> list[SignInEvent]:
    """For admins: the latest attempts of everyone (or of one email, as typed), most recent first."""
    query = select(SignInEvent)
    if email:
        query = query.where(func.lower(SignInEvent.email) == email.strip().lower())
    return list(db.session.scalars(query.order_by(SignInEvent.at.desc(), SignInEvent.id.desc()).limit(limit)))
