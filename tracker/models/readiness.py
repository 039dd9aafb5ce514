"""Readiness assessments (World Bank ODRA method): dimensions, questions, rated evidence."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.plan import Area
from tracker.models.recommendation import Recommendation
from tracker.models.source import SourceMixin

RATINGS = ("GREEN", "YELLOW", "RED")
MARKS = ("+", "-", "0")

# The recommendations a dimension's findings gave rise to.
dimension_recommendations = Table(
    "readiness_dimension_recommendations",
    db.metadata,
    Column("dimension_id", ForeignKey("readiness_dimensions.id", ondelete="CASCADE"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
)


class ReadinessDimension(SourceMixin, db.Model):
    """One dimension of a readiness assessment, e.g. "Senior Leadership", with its overall rating.

    A dimension is also an area of its plan, so the actions filed under that area
    are the ones it gave rise to.
    """

    __tablename__ = "readiness_dimensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    importance: Mapped[str | None] = mapped_column(String(40))
    rating: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)

    area: Mapped[Area | None] = relationship()
    questions: Mapped[list[ReadinessQuestion]] = relationship(
        back_populates="dimension", order_by="ReadinessQuestion.position", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=dimension_recommendations, order_by="Recommendation.position"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        CheckConstraint("rating IN ('GREEN', 'YELLOW', 'RED')", name="rating_known"),
    )


class ReadinessQuestion(SourceMixin, db.Model):
    """A question area of a dimension, with its rating."""

    __tablename__ = "readiness_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_dimensions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(String(10))
    importance: Mapped[str | None] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)

    dimension: Mapped[ReadinessDimension] = relationship(back_populates="questions")
    evidence: Mapped[list[ReadinessEvidence]] = relationship(
        back_populates="question", order_by="ReadinessEvidence.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("dimension_id", "code"),
        CheckConstraint("rating IN ('GREEN', 'YELLOW', 'RED')", name="rating_known"),
    )


class ReadinessEvidence(SourceMixin, db.Model):
    """One evidence statement, marked + (supports readiness), - (against) or 0 (neutral)."""

    __tablename__ = "readiness_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("readiness_questions.id", ondelete="CASCADE"), index=True
    )
    mark: Mapped[str | None] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    question: Mapped[ReadinessQuestion] = relationship(back_populates="evidence")

    __table_args__ = (CheckConstraint("mark IN ('+', '-', '0')", name="mark_known"),)
