"""Actions that implement recommendations, and their milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.agency import Agency
from tracker.models.recommendation import recommendation_actions
from tracker.models.source import SourceMixin
from tracker.models.status import Status
from tracker.models.translations import translations_column
from tracker.models.types import UTCDateTime

if TYPE_CHECKING:
    from tracker.models.indicator import Indicator
    from tracker.models.plan import Area, Plan
    from tracker.models.recommendation import Recommendation

action_supporting_agencies = Table(
    "action_supporting_agencies",
    db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)


def is_overdue(due_date: date | None, final: bool, today: date) -> bool:
    """An action is overdue when past its due date and not in a final status: the rule for
    an ``Action``, a table's row of one and an action as it stood on a past day."""
    return bool(due_date and due_date < today and not final)


class Action(SourceMixin, db.Model):
    """What an agency does to implement one or more recommendations."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed with ``position`` (below): a plan's actions in plan order.
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    title_translations: Mapped[dict] = translations_column()
    description: Mapped[str] = mapped_column(Text, default="")
    description_translations: Mapped[dict] = translations_column()
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    # How much the action counts in its recommendations' percent complete
    # (``publishing.completion``); empty counts as 1, so no weights means a plain mean.
    weight: Mapped[int | None] = mapped_column(Integer)
    status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A paused action gets no reminders until it is resumed.
    paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Optimistic locking: a save based on an older version is refused, not silently merged.
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    area: Mapped[Area | None] = relationship()
    status: Mapped[Status] = relationship()
    lead_agency: Mapped[Agency | None] = relationship()
    supporting_agencies: Mapped[list[Agency]] = relationship(
        secondary=action_supporting_agencies, order_by="Agency.name"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=recommendation_actions, back_populates="actions", order_by="Recommendation.position"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="action", order_by="Milestone.due_date", cascade="all, delete-orphan"
    )
    # The indicators that measure the action (written through ``services.indicators``).
    indicators: Mapped[list[Indicator]] = relationship(
        order_by="[Indicator.position, Indicator.id]", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        # A page of a plan's actions in plan order reads 50 entries, not the whole plan sorted.
        Index("ix_actions_plan_id_position", "plan_id", "position", "id"),
        # On PostgreSQL the word search's generated column ``search_text`` and its trigram index
        # (migration 0026), which no model maps: ``models.types.SEARCH_TEXT``.
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint("weight IS NULL OR weight BETWEEN 1 AND 1000", name="weight_range"),
        CheckConstraint(
            "start_date IS NULL OR due_date IS NULL OR start_date <= due_date", name="dates_order"
        ),
    )

    def is_overdue(self, today: date) -> bool:
        """Past its due date and not in a final status."""
        return is_overdue(self.due_date, self.status.is_final, today)

    def __repr__(self) -> str:
        return f"<Action {self.code}>"


class Milestone(db.Model):
    """A dated step of an action."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    title_translations: Mapped[dict] = translations_column()
    due_date: Mapped[date] = mapped_column(Date)
    achieved_on: Mapped[date | None] = mapped_column(Date)

    action: Mapped[Action] = relationship(back_populates="milestones")
