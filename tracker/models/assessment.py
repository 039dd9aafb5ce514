"""Assessment rounds: dated, frozen scorecards of recommendation statuses.

A round is open while assessors record statuses in it, and closed once it is the
record of what was found at its date: nothing in a closed round changes, so its
scorecard never moves again. Every change of a round's state is kept, with who,
when and why (``AssessmentRoundChange``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.recommendation import Recommendation
from tracker.models.source import SourceMixin
from tracker.models.status import Status
from tracker.models.types import UTCDateTime

ROUND_OPEN = "open"
ROUND_CLOSED = "closed"
ROUND_STATES = (ROUND_OPEN, ROUND_CLOSED)


class AssessmentRound(SourceMixin, db.Model):
    """A dated assessment of a plan's recommendations, e.g. the OECD's 2017 follow-up."""

    __tablename__ = "assessment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    assessed_on: Mapped[date] = mapped_column(Date)
    # "open": assessors record statuses; "closed": a record, frozen. The server default
    # is what rounds had before states existed (the migration then closes loaded ones).
    state: Mapped[str] = mapped_column(String(20), default=ROUND_OPEN, server_default=ROUND_OPEN)

    assessments: Mapped[list[RecommendationAssessment]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "name"),
        CheckConstraint("state IN ('open', 'closed')", name="state_known"),
    )

    @property
    def is_closed(self) -> bool:
        return self.state == ROUND_CLOSED


class AssessmentRoundChange(db.Model):
    """One change of a round's state: the round, old and new state, who, when and why.

    ``old_state`` is empty for the state a round was created in (opened by an assessor,
    or loaded closed as a historical record).
    """

    __tablename__ = "assessment_round_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True)
    old_state: Mapped[str | None] = mapped_column(String(20))
    new_state: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who, as shown to people: a user's email, or "seed" for loaded source data, kept
    # even if the account is later removed (as for status changes).
    changed_by_label: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("old_state IS NULL OR old_state IN ('open', 'closed')", name="old_state_known"),
        CheckConstraint("new_state IN ('open', 'closed')", name="new_state_known"),
    )


class RecommendationAssessment(db.Model):
    """The status one assessment round gave one recommendation, with its justification."""

    __tablename__ = "recommendation_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_rounds.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    justification: Mapped[str] = mapped_column(Text, default="")
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    round: Mapped[AssessmentRound] = relationship(back_populates="assessments")
    recommendation: Mapped[Recommendation] = relationship()
    status: Mapped[Status] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "recommendation_id"),)
