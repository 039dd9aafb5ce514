"""The timeline of everything that happens to a recommendation or an action, besides status.

Status changes have their own table (``StatusChange``); events record the rest:
reassignments, date changes, edits, and each step of a progress report's review.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime

EVENT_KINDS = (
    "edited",
    "reassigned",
    "dates_changed",
    "report_submitted",
    "report_accepted",
    "report_returned",
    "report_withdrawn",
    "assessed",
)
# Events the public may read (summary and reason): the rest concern reports that are not
# public (a submission, a return, a withdrawn draft) and stay with those who may see them.
PUBLIC_EVENT_KINDS = ("edited", "reassigned", "dates_changed", "report_accepted", "assessed")


class Event(db.Model):
    """One thing that happened to a recommendation or action: who, when, what and why."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # "recommendation" | "action"
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    # Before and after values, e.g. {"due_date": ["2026-06-30", "2026-09-30"]}.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    __table_args__ = (db.Index("ix_events_subject", "subject_type", "subject_id"),)
