"""Reminders: rules as data, one claimed record per reminder, and the outbox that delivers them.

A ``Reminder`` is one thing someone must be told (an action due in 7 days, a report
missing for a round), identified by a unique key (rule, recipient, item, period).
Inserting that key is how a scheduler claims it: two runners cannot both insert it,
so nothing is sent twice. Reminders for one recipient in one pass travel together in
one ``OutboxMessage``, which is delivered (or retried with back-off) by the outbox.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.types import UTCDateTime

# What the rules can ask for; ``days`` means something different per kind (see RULE_KINDS docs).
RULE_KINDS = {
    "due_soon": "Tell the lead agency an action is due within `days` days.",
    "overdue": "Tell the lead agency an action is overdue, again every `days` days.",
    "missing_report": "Tell the lead agency a report is missing `days` days before a round's deadline.",
    "escalate_overdue": "Tell the secretariat an action is `days` days overdue.",
    "escalate_late_report": "Tell the secretariat a report is `days` days late for a round.",
    "agency_digest": "Send each agency one weekly message listing all its open items.",
    "secretariat_summary": "Send the secretariat one weekly summary.",
}
MESSAGE_STATES = ("pending", "sending", "sent", "kept", "cancelled", "failed")


class ReminderRule(db.Model):
    """One reminder rule; rules with no plan are the defaults for plans without their own."""

    __tablename__ = "reminder_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    days: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (CheckConstraint("days >= 0", name="days_not_negative"),)


class OutboxMessage(db.Model):
    """One email to one recipient: pending until delivered (sent), or kept in the app's outbox."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Extra mail headers, e.g. List-Unsubscribe on a subscriber's digest.
    headers: Mapped[dict | None] = mapped_column(JSON)
    # The Message-ID header, fixed at creation: a retry of the same message carries the
    # same id, so a receiving system can recognise a duplicate after a crash mid-send.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts that failed through the message's own fault (it could not be built, the
    # server refused it); at ``reminders.outbox.MAX_FAILURES`` it is marked failed.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reminders: Mapped[list[Reminder]] = relationship(back_populates="message", order_by="Reminder.id")

    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'kept', 'cancelled', 'failed')", name="state_known"
        ),
    )


class Reminder(db.Model):
    """One claimed reminder; its ``key`` makes it unique across every scheduler process."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    rule: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(254))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(Date)
    period: Mapped[str] = mapped_column(String(40))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True)

    message: Mapped[OutboxMessage | None] = relationship(back_populates="reminders")
