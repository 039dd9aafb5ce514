"""Assessment rounds: dated, frozen scorecards of recommendation statuses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.recommendation import Recommendation
from tracker.models.source import SourceMixin
from tracker.models.status import Status
from tracker.models.types import UTCDateTime


class AssessmentRound(SourceMixin, db.Model):
    """A dated assessment of a plan's recommendations, e.g. the OECD's 2017 follow-up."""

    __tablename__ = "assessment_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    assessed_on: Mapped[date] = mapped_column(Date)

    assessments: Mapped[list[RecommendationAssessment]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("plan_id", "name"),)


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
