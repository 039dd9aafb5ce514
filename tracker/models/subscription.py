"""Followers: people who asked, by email, to hear when statuses change in a plan, an area or a
recommendation, and the secret calendar feeds of signed-in users.

A subscriber's address is private: it is shown to nobody, exported nowhere (open data and
the API know nothing of this table).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime


class Subscription(db.Model):
    """One address following one thing; mail goes only after the address confirmed it.

    ``token`` is the capability in the confirm and unsubscribe links. ``notified_until``
    is how far the status changes have been told in a digest: changes after it go in the next.
    """

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language the address subscribed in: its confirmation and digests are written in it.
    locale: Mapped[str | None] = mapped_column(String(16))

    plan = relationship("Plan")
    area = relationship("Area")
    recommendation = relationship("Recommendation")


class CalendarFeed(db.Model):
    """A user's secret calendar address: whoever has ``token`` reads that user's feeds.

    Rotating it gives a new token (the old address stops working); revoking deletes the row.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user = relationship("User")
