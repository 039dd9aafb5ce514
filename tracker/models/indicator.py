"""Indicators: the numbers that measure an action or a recommendation, and their reported values.

An indicator has a baseline and a target (each a value and a date) and a desired direction.
Its values are reported by agencies in their progress reports and count only once the
secretariat accepts the report; a value taken from a source document (a seed report) has
no report and counts as published with its source reference. Values are never overwritten:
each report carries its own, so an indicator's history is every value ever accepted.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.source import SourceMixin
from tracker.models.types import UTCDateTime

if TYPE_CHECKING:
    from tracker.models.action import Action
    from tracker.models.plan import Plan
    from tracker.models.recommendation import Recommendation
    from tracker.models.report import ProgressReport


class IndicatorKind(StrEnum):
    """What an indicator's values are: the only place the kinds are spelled."""

    NUMBER = "number"
    PERCENT = "percent"
    YES_NO = "yes_no"
    TEXT = "text"


class Direction(StrEnum):
    """Which way is progress: a number should go up (datasets published) or down (days to answer)."""

    UP = "up"
    DOWN = "down"


INDICATOR_KINDS = tuple(IndicatorKind)
DIRECTIONS = tuple(Direction)
# Kinds whose values are numbers (a yes is 1, a no 0), rated and charted.
NUMERIC_KINDS = (IndicatorKind.NUMBER, IndicatorKind.PERCENT, IndicatorKind.YES_NO)


def _known(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


class Indicator(SourceMixin, db.Model):
    """A measure of an action or a recommendation, with baseline and target.

    An indicator of neither measures the whole plan: an index score or a national figure a
    source report gives (the OURdata Index rank), which no single item owns.
    """

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    # Short and stable within the plan (I1, OURdata-2019): the spreadsheet and API name it by this.
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default=IndicatorKind.NUMBER)
    direction: Mapped[str] = mapped_column(String(10), default=Direction.UP)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[date | None] = mapped_column(Date)
    target_value: Mapped[float | None] = mapped_column(Float)
    target_date: Mapped[date | None] = mapped_column(Date)
    # Where the figures come from (a survey, a statistics office), as readers should see it.
    data_source: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship()
    action: Mapped[Action | None] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship()
    # Read-only: values are written through their report (or one by one from a source
    # document), and deleted with their indicator by the database (ON DELETE CASCADE).
    values: Mapped[list[IndicatorValue]] = relationship(
        order_by="[IndicatorValue.period_date, IndicatorValue.id]", viewonly=True,
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        CheckConstraint("action_id IS NULL OR recommendation_id IS NULL", name="one_subject"),
        CheckConstraint(_known("kind", INDICATOR_KINDS), name="kind_known"),
        CheckConstraint(_known("direction", DIRECTIONS), name="direction_known"),
    )

    @property
    def subject(self):
        """The action or recommendation the indicator measures, or its plan for a plan-wide one."""
        if self.action_id is not None:
            return self.action
        if self.recommendation_id is not None:
            return self.recommendation
        return self.plan

    @property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @property
    def counted_values(self) -> list[IndicatorValue]:
        """The values that count, oldest first (``IndicatorValue.counts``)."""
        return [value for value in self.values if value.counts]

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class IndicatorValue(SourceMixin, db.Model):
    """One value of an indicator for a date, from a progress report or from a source document.

    A value in a report shares the report's fate: it counts once the report is accepted.
    A value without a report was recorded from a source document (its source reference says
    where) and counts as it is.
    """

    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    # The day the value describes (the end of the period measured).
    period_date: Mapped[date] = mapped_column(Date)
    # Numbers, percents and yes/no (1 or 0) here; a text indicator's value in ``text``.
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    indicator: Mapped[Indicator] = relationship()
    report: Mapped[ProgressReport | None] = relationship(back_populates="indicator_values")

    __table_args__ = (UniqueConstraint("report_id", "indicator_id"),)

    @property
    def counts(self) -> bool:
        """Whether the value counts: from an accepted report, or from a source document.

        The same rule as SQL is ``counting_values()``; both are here so they cannot drift.
        """
        return self.report_id is None or self.report.state == "accepted"


def counting_values():
    """The SQL condition of ``IndicatorValue.counts`` (join ``ProgressReport`` on the value's report, outer)."""
    from tracker.models.report import ProgressReport, ReportState

    return or_(IndicatorValue.report_id.is_(None), ProgressReport.state == ReportState.ACCEPTED)
