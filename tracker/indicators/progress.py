"""How far an indicator has come towards its target: Open SDG's progress rating, as a pure function.

Open SDG (sdg-build, ``sdg/ProgressMeasure.py``; documented at
https://open-sdg.readthedocs.io/en/latest/progress-methodology/, after Statistics Canada's
progress measurement methodology) compares the change made per year with the change needed
per year, each as a compound annual growth rate::

    growth(v1, v0, t1, t0) = (v1 / v0) ** (1 / (t1 - t0)) - 1
    made   = growth(latest value, baseline, latest date, baseline date)
    needed = growth(target, baseline, target date, baseline date)
    ratio  = direction * made / |needed|          (direction +1 up, -1 down)

and rates the ratio with its default thresholds for a quantitative target
(``{'high': 0.95, 'med': 0.6, 'low': 0}``):

- target achieved: the latest value has reached the target (at or above it going up, at or
  below it going down), whatever the ratio;
- substantial progress: ratio >= 0.95;
- moderate progress: 0.6 <= ratio < 0.95;
- limited or no progress: 0 <= ratio < 0.6;
- moving away (Open SDG's "deterioration"): ratio < 0.

Without a target value it uses the growth itself with the thresholds
``{'high': 0.015, 'med': 0.005, 'low': 0}`` (its "qualitative" method). Like Open SDG, a
baseline or target of exactly 0 is taken as 0.001 (a growth rate from 0 is undefined),
and values of opposite signs cannot be rated. Where we differ, and why:

- Time is measured in days (years of 365.25 days), not whole calendar years: agencies
  report quarterly, and a value after three months must not count as a year's change.
- A baseline equal to the target needs no change: the rating is "target achieved" while the
  latest value meets it, and "moving away" once it does not (Open SDG divides by zero).
- No baseline: the earliest value stands in for it (Open SDG takes the first year with data).
- A yes/no indicator is "done" once its latest value is yes, "not done" otherwise; a text
  indicator is not rated.

Only values dated on or before ``today`` count, so a page "as of" a past day rates as it
would have then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Open SDG's default thresholds (sdg-build ``SeriesProgress.get_progress_thresholds``).
QUANTITATIVE_THRESHOLDS = {"high": 0.95, "med": 0.6, "low": 0.0}
QUALITATIVE_THRESHOLDS = {"high": 0.015, "med": 0.005, "low": 0.0}
ZERO_STAND_IN = 0.001
DAYS_PER_YEAR = 365.25


class Rating(StrEnum):
    """The ratings, in Open SDG's names where it has one."""

    TARGET_ACHIEVED = "target_achieved"
    SUBSTANTIAL = "substantial_progress"
    MODERATE = "moderate_progress"
    LIMITED = "limited_progress"
    MOVING_AWAY = "deterioration"
    DONE = "done"
    NOT_DONE = "not_done"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True)
class Point:
    """One value at one date."""

    day: date
    value: float


@dataclass(frozen=True)
class Measure:
    """What a rating needs to know of an indicator."""

    kind: str  # number | percent | yes_no | text
    direction: str  # up | down
    baseline: Point | None
    target: Point | None  # a target value without a date cannot be rated as a rate: give one
    values: Sequence[Point]  # the values that count, in any order


@dataclass(frozen=True)
class Result:
    """A rating and the figures it came from (shown beside the badge, so anyone can check it)."""

    rating: Rating
    latest: Point | None = None
    made_per_year: float | None = None
    needed_per_year: float | None = None
    ratio: float | None = None
    reason: str = ""


def growth(current: float, base: float, years: float) -> float:
    """Open SDG's compound annual growth rate from ``base`` to ``current`` over ``years``."""
    return (current / base) ** (1 / years) - 1


def rate(measure: Measure, today: date) -> Result:
    """The progress rating of ``measure`` as of ``today`` (pure: no database, no clock)."""
    try:
        return _rate(measure, today)
    except (OverflowError, ZeroDivisionError):
        # Growth over a few days between extreme values leaves the floats' range.
        return Result(Rating.NOT_AVAILABLE, reason="The values are too far apart to rate over so short a time.")


def _rate(measure: Measure, today: date) -> Result:
    values = sorted((p for p in measure.values if p.day <= today), key=lambda p: p.day)
    if measure.kind == "text":
        return Result(Rating.NOT_AVAILABLE, reason="Text indicators are not rated.")
    if not values:
        return Result(Rating.NOT_AVAILABLE, reason="No value has been accepted yet.")
    latest = values[-1]
    if measure.kind == "yes_no":
        return Result(Rating.DONE if latest.value >= 1 else Rating.NOT_DONE, latest)
    sign = 1 if measure.direction == "up" else -1
    target = measure.target
    if target is not None and (latest.value - target.value) * sign >= 0:
        return Result(Rating.TARGET_ACHIEVED, latest)
    base = measure.baseline if measure.baseline is not None else values[0]
    if latest.day <= base.day:
        return Result(Rating.NOT_AVAILABLE, latest, reason="A value later than the baseline is needed.")
    base_value = base.value or ZERO_STAND_IN
    if (base_value > 0) != (latest.value > 0) and latest.value != 0:
        return Result(Rating.NOT_AVAILABLE, latest, reason="The baseline and the latest value have opposite signs.")
    current = latest.value or ZERO_STAND_IN
    # The base's sign turns a growth of negative numbers the right way round (Open SDG's ``sign``).
    base_sign = -1 if base_value < 0 else 1
    made = growth(current, base_value, (latest.day - base.day).days / DAYS_PER_YEAR)
    if target is None:
        progress = base_sign * sign * made
        return Result(_by_thresholds(progress, QUALITATIVE_THRESHOLDS), latest, made_per_year=made, ratio=progress)
    if target.value == base.value:
        # Nothing needed changing, and the latest value no longer meets the target.
        return Result(Rating.MOVING_AWAY, latest, made_per_year=made, needed_per_year=0.0,
                      reason="The baseline met the target; the latest value does not.")
    if target.day <= base.day:
        return Result(Rating.NOT_AVAILABLE, latest, reason="The target date must be after the baseline's.")
    target_value = target.value or ZERO_STAND_IN
    if (target_value > 0) != (base_value > 0):
        return Result(Rating.NOT_AVAILABLE, latest, reason="The baseline and the target have opposite signs.")
    needed = growth(target_value, base_value, (target.day - base.day).days / DAYS_PER_YEAR)
    ratio = base_sign * sign * made / abs(needed)
    return Result(_by_thresholds(ratio, QUANTITATIVE_THRESHOLDS), latest, made, needed, ratio)


def _by_thresholds(value: float, thresholds: dict[str, float]) -> Rating:
    if value >= thresholds["high"]:
        return Rating.SUBSTANTIAL
    if value >= thresholds["med"]:
        return Rating.MODERATE
    if value >= thresholds["low"]:
        return Rating.LIMITED
    return Rating.MOVING_AWAY
