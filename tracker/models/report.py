"""Reporting rounds and the progress reports agencies submit in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    false,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.action import Action
from tracker.models.agency import Agency
from tracker.models.status import Status
from tracker.models.types import UTCDateTime
from tracker.models.user import User

if TYPE_CHECKING:
    from tracker.models.evidence import Evidence
    from tracker.models.indicator import IndicatorValue

class ReportState(StrEnum):
    """Where a progress report is in its life: the only place its states are spelled.

    A draft is written by its agency and submitted to the secretariat, which accepts it
    or returns it for correction (a returned report is corrected and submitted again).
    A report whose action passed to another agency before it was accepted is withdrawn.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


REPORT_STATES = tuple(ReportState)
# The agency may still change these (a draft, or a report returned for correction).
EDITABLE_REPORT_STATES = (ReportState.DRAFT, ReportState.RETURNED)
# A report in progress: being written, waiting for review, or being corrected. At most one
# per action and reporting round (a unique index), so nobody files the same report twice.
# Accepted reports are done and withdrawn ones are out of play, so neither counts.
OPEN_REPORT_STATES = (ReportState.DRAFT, ReportState.SUBMITTED, ReportState.RETURNED)
# The agency has reported: its report is waiting for review or was accepted. A round's
# report is missing until one of these exists; an action's "latest reported" is one of these.
REPORTED_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED)
_open_outside_rounds = and_(
    literal_column("state").in_(OPEN_REPORT_STATES), literal_column("round_id").is_(None)
)


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
    # The agency that wrote the report: it owns its drafts, also after the action is
    # reassigned to another agency (the author may leave; the agency stays).
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    narrative: Mapped[str] = mapped_column(Text)
    percent_complete: Mapped[int] = mapped_column(Integer)
    proposed_status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    state: Mapped[str] = mapped_column(String(20), default=ReportState.DRAFT)
    # The latest review's comment: a return's (never public) or an acceptance's, which is
    # public only if the reviewer ticked ``comment_public``.
    reviewer_comment: Mapped[str | None] = mapped_column(Text)
    comment_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why and when a report left play without a review (its action was reassigned): shown
    # to its agency, which keeps it read-only.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # The reminder link that filed the report (a digest of its signed part): a link files
    # one report, ever.
    link_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    action: Mapped[Action] = relationship()
    agency: Mapped[Agency] = relationship()
    round: Mapped[ReportingRound | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    proposed_status: Mapped[Status] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="report", order_by="Evidence.id", cascade="all, delete-orphan"
    )
    indicator_values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="report", order_by="IndicatorValue.indicator_id", cascade="all, delete-orphan"
    )

    @property
    def is_editable(self) -> bool:
        """Agencies may change a report until it is submitted, and again once returned."""
        return self.state in EDITABLE_REPORT_STATES

    __table_args__ = (
        # "Has this action a report for this round?" (missing-report reminders, digests):
        # with only round_id to go on, SQLite scanned a whole round's reports per action.
        Index("ix_progress_reports_action_id_round_id", "action_id", "round_id"),
        # Reports in one state (those waiting for review, a few percent of all) per action:
        # the work dashboard, the review queue and the digest's count (migration 0027).
        Index("ix_progress_reports_state_action_id", "state", "action_id"),
        # One open report per action and round, enforced by the database whatever the
        # path (pages, links, API, concurrent requests). NULLs never collide in a unique
        # index, so a report outside any round (no round_id) has an index of its own.
        # (Two partial indexes rather than one on COALESCE(round_id, 0): SQLite cannot
        # reflect an expression index, which backups and migration checks rely on.)
        Index(
            "uq_progress_reports_open_per_round", "action_id", "round_id", unique=True,
            sqlite_where=literal_column("state").in_(OPEN_REPORT_STATES),
            postgresql_where=literal_column("state").in_(OPEN_REPORT_STATES),
        ),
        Index(
            "uq_progress_reports_open_outside_rounds", "action_id", unique=True,
            sqlite_where=_open_outside_rounds,
            postgresql_where=_open_outside_rounds,
        ),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(
            "state IN ({})".format(", ".join(f"'{state}'" for state in REPORT_STATES)), name="state_known"
        ),
    )
