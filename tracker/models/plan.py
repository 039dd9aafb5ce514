"""Plans, the container a secretariat works in, and their areas."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.source import SourceMixin
from tracker.models.translations import translations_column
from tracker.models.types import UTCDateTime

if TYPE_CHECKING:
    from tracker.models.action import Action
    from tracker.models.indicator import Indicator
    from tracker.models.recommendation import Recommendation


# How a plan's reporting rounds are opened: by hand, or one per period.
REPORTING_CADENCES = ("manual", "monthly", "quarterly", "half-yearly", "yearly")


class Plan(SourceMixin, db.Model):
    """A plan made from one source: a review, an assessment or an action plan."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_translations: Mapped[dict] = translations_column()
    country: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    description_translations: Mapped[dict] = translations_column()
    # The bibliographic reference of the source, e.g. "OECD (2018), ..., Chapter 2".
    citation: Mapped[str | None] = mapped_column(String(500))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # monthly | quarterly | half-yearly | yearly | manual (``REPORTING_CADENCES``): how reporting
    # rounds are opened; the scheduler opens one per period (``services.rounds.open_scheduled_rounds``).
    reporting_cadence: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    # The public sees only published plans.
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    areas: Mapped[list[Area]] = relationship(
        back_populates="plan", order_by="[Area.position, Area.id]", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="plan", order_by="[Recommendation.position, Recommendation.id]", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="plan", order_by="[Action.position, Action.id]", cascade="all, delete-orphan"
    )
    figures: Mapped[list[PlanFigure]] = relationship(
        order_by="PlanFigure.position", cascade="all, delete-orphan"
    )
    # Every indicator of the plan, its items' included (written through ``services.indicators``).
    indicators: Mapped[list[Indicator]] = relationship(
        order_by="[Indicator.position, Indicator.code]", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Plan {self.slug}>"


class PlanFigure(SourceMixin, db.Model):
    """A headline number a source report gives, e.g. datasets on a national portal."""

    __tablename__ = "plan_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(60))
    year: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Area(SourceMixin, db.Model):
    """A pillar or dimension of a plan, e.g. "Governance"."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    name_translations: Mapped[dict] = translations_column()
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="areas")

    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    def __repr__(self) -> str:
        return f"<Area {self.code}>"
