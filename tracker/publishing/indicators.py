"""What the public sees of indicators: the values that count, the rating, the chart's data.

Published plans only (the loaders below go through ``get_plan(published_only=True)``);
values count once their report is accepted (``IndicatorValue.counts``), and only values
dated on or before ``today``. The rating is ``indicators.progress.rate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import select

from tracker.charts.data import IndicatorLabels, IndicatorSeries
from tracker.extensions import db
from tracker.indicators.progress import Measure, Point, Result, rate
from tracker.models import Indicator, IndicatorValue
from tracker.services.errors import NotFound
from tracker.services.plans import get_plan


@dataclass(frozen=True)
class IndicatorView:
    """An indicator as a page shows it."""

    indicator: Indicator
    values: list[IndicatorValue]  # counted, dated on or before today, oldest first
    result: Result

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[-1] if self.values else None


def indicator_view(indicator: Indicator, today: date) -> IndicatorView:
    """``indicator`` with its counted values up to ``today`` and its rating as of then."""
    values = [v for v in indicator.counted_values if v.period_date <= today]
    return IndicatorView(indicator, values, rate(measure_of(indicator, values), today))


def indicator_views(subject, today: date) -> list[IndicatorView]:
    """The views of every indicator of an action or a recommendation."""
    return [indicator_view(indicator, today) for indicator in subject.indicators]


def measure_of(indicator: Indicator, values: list[IndicatorValue]) -> Measure:
    """What ``rate`` needs of an indicator (pure data)."""
    return Measure(
        kind=indicator.kind, direction=indicator.direction,
        baseline=_point(indicator.baseline_date, indicator.baseline_value),
        target=_point(indicator.target_date, indicator.target_value),
        values=[Point(v.period_date, v.value) for v in values if v.value is not None],
    )


def _point(day: date | None, value: float | None) -> Point | None:
    if value is None or day is None:
        return None
    return Point(day, value)


def indicator_series(view: IndicatorView, labels: IndicatorLabels | None = None) -> IndicatorSeries:
    """The chart's data for ``view``."""
    indicator = view.indicator
    return IndicatorSeries(
        title=f"{indicator.code}: {indicator.name}",
        unit=indicator.unit or "",
        kind=indicator.kind,
        points=tuple((v.period_date, v.value) for v in view.values if v.value is not None),
        baseline=(indicator.baseline_date, indicator.baseline_value) if indicator.baseline_value is not None else None,
        target=(indicator.target_date, indicator.target_value) if indicator.target_value is not None else None,
        labels=labels or IndicatorLabels(),
    )


def published_indicator(slug: str, code: str) -> Indicator:
    """The indicator ``code`` of the published plan ``slug``, or ``NotFound``."""
    plan = get_plan(slug, published_only=True)
    indicator = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == code)
    ).first()
    if indicator is None:
        raise NotFound(gettext("No indicator %(code)r in this plan.", code=code))
    return indicator


def plan_indicator_views(plan, today: date) -> list[IndicatorView]:
    """Every indicator of a plan (seeded figures included), by subject then position."""
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id)
        .order_by(Indicator.action_id.is_(None), Indicator.position, Indicator.code)
    )
    return [indicator_view(indicator, today) for indicator in indicators]
