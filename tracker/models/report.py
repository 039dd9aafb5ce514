"""Reporting rounds and the progress reports agencies submit in them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.action import Action
from tracker.models.status import Status
from tracker.models.types import UTCDateTime
from tracker.models.user import User

if TYPE_CHECKING:
    from tracker.models.evidence import Evidence

REPORT_STATES = ("draft", "submitted", "accepted", "returned")


class ReportingRound(db.Model):
    """A period with a deadline by which every open action of a plan must have a report."""

    __tablename__ = "reporting_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)


class ProgressReport(db.Model):
    """An agency's dated report on an action; it changes the public status only once accepted."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("reporting_rounds.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    narrative: Mapped[str] = mapped_column(Text)
    percent_complete: Mapped[int] = mapped_column(Integer)
    proposed_status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    reviewer_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[Action] = relationship()
    round: Mapped[ReportingRound | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    proposed_status: Mapped[Status] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="report", order_by="Evidence.id", cascade="all, delete-orphan"
    )

    @property
    def is_editable(self) -> bool:
        """Agencies may change a report until it is submitted, and again once returned."""
        return self.state in ("draft", "returned")

    __table_args__ = (
        # "Has this action a report for this round?" (missing-report reminders, digests):
        # with only round_id to go on, SQLite scanned a whole round's reports per action.
        Index("ix_progress_reports_action_id_round_id", "action_id", "round_id"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(
            "state IN ('draft', 'submitted', 'accepted', 'returned')", name="state_known"
        ),
    )
