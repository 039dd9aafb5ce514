"""Webhooks: URLs admins register for chosen events, and one queued delivery per event and URL.

A delivery is written in the same transaction as the event it tells of, and sent later
by the scheduler (``tracker.webhooks.delivery``), claimed the way the mail outbox claims
its messages, so an event is delivered once even with several schedulers running.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime

# The events an endpoint may ask for, by the name the receiver sees in the payload.
WEBHOOK_EVENTS = (
    "report.submitted",
    "report.accepted",
    "report.returned",
    "status.changed",
    "action.overdue",
    "round.opened",
)
DELIVERY_STATES = ("pending", "sending", "delivered", "failed")


class WebhookEndpoint(db.Model):
    """A URL told of ``events``: those of one plan, or of every plan when ``plan_id`` is empty.

    The secret signs every delivery; it is kept (the signature needs it) but shown to
    the admin only once, when the endpoint is registered.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    plan = relationship("Plan")


class WebhookDelivery(db.Model):
    """One event for one endpoint: pending until the receiver answers 2xx (delivered)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    # The event's id, the same in every retry: receivers use it to drop a duplicate, and the
    # unique constraint keeps an event that is noticed twice (action.overdue) from being queued twice.
    event_id: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        CheckConstraint("state IN ('pending', 'sending', 'delivered', 'failed')", name="state_known"),
    )
