"""Recommendations: what a review asked for, and the government's response."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.agency import Agency
from tracker.models.source import SourceMixin
from tracker.models.status import Status
from tracker.models.translations import translations_column

if TYPE_CHECKING:
    from tracker.models.action import Action
    from tracker.models.indicator import Indicator
    from tracker.models.plan import Area, Plan

TIMEFRAMES = ("short", "medium", "long")
PRIORITIES = ("high", "medium", "low")
RESPONSES = ("accepted", "partially_accepted", "noted", "rejected")

# An action may answer several recommendations; a recommendation may need several actions.
recommendation_actions = Table(
    "recommendation_actions",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
)

# The institutions a recommendation names (not necessarily owners of any action).
recommendation_agencies = Table(
    "recommendation_agencies",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)

# Links between recommendations of different plans, e.g. a 2023 proposal following up
# a finding of the earlier assessment of the same country.
recommendation_links = Table(
    "recommendation_links",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
)


class Recommendation(SourceMixin, db.Model):
    """One recommendation of a review, with its validated status."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    text_translations: Mapped[dict] = translations_column()
    timeframe: Mapped[str | None] = mapped_column(String(10))
    priority: Mapped[str | None] = mapped_column(String(10))
    response: Mapped[str | None] = mapped_column(String(20))
    status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    actions_taken: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="recommendations")
    area: Mapped[Area | None] = relationship()
    status: Mapped[Status] = relationship()
    institutions: Mapped[list[Agency]] = relationship(
        secondary=recommendation_agencies, order_by="Agency.name"
    )
    actions: Mapped[list[Action]] = relationship(
        secondary=recommendation_actions, back_populates="recommendations"
    )

    related: Mapped[list[Recommendation]] = relationship(
        secondary=recommendation_links,
        primaryjoin=lambda: Recommendation.id == recommendation_links.c.recommendation_id,
        secondaryjoin=lambda: Recommendation.id == recommendation_links.c.related_id,
    )
    # The indicators that measure the recommendation (written through ``services.indicators``).
    indicators: Mapped[list[Indicator]] = relationship(
        order_by="[Indicator.position, Indicator.id]", viewonly=True
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        # On PostgreSQL the word search's generated column ``search_text`` and its trigram index
        # (migration 0026), which no model maps: ``models.types.SEARCH_TEXT``.
    )

    def __repr__(self) -> str:
        return f"<Recommendation {self.code}>"
