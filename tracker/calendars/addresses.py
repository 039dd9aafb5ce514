"""Secret calendar addresses: one per user, shown on the account page, rotated or revoked there.

Calendar programs cannot sign in, so the address itself is the key: whoever has it reads
the feeds its owner may read. It stops working when it is rotated or revoked, and when its
owner's account is deactivated.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import CalendarFeed, User
from tracker.services.transaction import atomic


def calendar_feed(user: User) -> CalendarFeed | None:
    """The user's calendar address, if they have one."""
    return db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).first()


def issue_calendar_feed(user: User, *, now: datetime) -> CalendarFeed:
    """Give the user a new secret address; the previous one, if any, stops working."""
    with atomic():
        feed = calendar_feed(user)
        if feed is None:
            feed = CalendarFeed(user_id=user.id)
            db.session.add(feed)
        feed.token, feed.created_at = secrets.token_urlsafe(32), now
    return feed


def revoke_calendar_feed(user: User) -> bool:
    """Stop the user's calendar address working; False if they had none."""
    with atomic():
        feed = calendar_feed(user)
        if feed is None:
            return False
        db.session.delete(feed)
    return True


def feed_owner(token: str) -> User | None:
    """The active user whose calendar address holds ``token``, or None."""
    if not token or len(token) > 64:
        return None
    feed = db.session.scalars(select(CalendarFeed).where(CalendarFeed.token == token)).first()
    if feed is None or not feed.user.active:
        return None
    return feed.user
