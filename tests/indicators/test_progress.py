"""Open SDG's progress rating on the edge cases a plan's indicators meet (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.indicators.progress import Measure, Point, Rating, growth, rate

TODAY = date(2026, 12, 3)
BASE = Point(date(2020, 1, 1), 100.0)
TARGET = Point(date(2030, 1, 1), 200.0)


def measure(*values, kind="number", direction="up", baseline=BASE, target=TARGET):
    return Measure(kind, direction, baseline, target, [Point(day, value) for day, value in values])


def needed_value(fraction: float, day: date) -> float:
    """The value at ``day`` that makes ``fraction`` of the growth per year the target needs."""
    years = (day - BASE.day).days / 365.25
    needed = growth(TARGET.value, BASE.value, (TARGET.day - BASE.day).days / 365.25)
    return BASE.value * (1 + fraction * needed) ** years


def test_no_values_is_not_rated():
    result = rate(measure(), TODAY)
    assert result.rating == Rating.NOT_AVAILABLE
    assert "No value" in result.reason


@pytest.mark.parametrize(("fraction", "expected"), [
    (1.0, Rating.SUBSTANTIAL), (0.96, Rating.SUBSTANTIAL), (0.94, Rating.MODERATE), (0.61, Rating.MODERATE),
    (0.59, Rating.LIMITED), (0.01, Rating.LIMITED), (-0.2, Rating.MOVING_AWAY),
])
def test_open_sdg_thresholds_on_the_ratio_of_growth_made_to_growth_needed(fraction, expected):
    day = date(2024, 1, 1)
    result = rate(measure((day, needed_value(fraction, day))), TODAY)
    assert result.rating == expected
    assert result.ratio == pytest.approx(fraction, abs=1e-6)


def test_reaching_the_target_is_achieved_whatever_the_pace():
    assert rate(measure((date(2021, 1, 1), 250.0)), TODAY).rating == Rating.TARGET_ACHIEVED


def test_down_direction_rates_a_fall_as_progress_and_a_rise_as_moving_away():
    falling = measure((date(2024, 1, 1), 70.0), direction="down", target=Point(date(2030, 1, 1), 50.0))
    assert rate(falling, TODAY).rating == Rating.SUBSTANTIAL
    rising = measure((date(2024, 1, 1), 120.0), direction="down", target=Point(date(2030, 1, 1), 50.0))
    assert rate(rising, TODAY).rating == Rating.MOVING_AWAY
    reached = measure((date(2024, 1, 1), 45.0), direction="down", target=Point(date(2030, 1, 1), 50.0))
    assert rate(reached, TODAY).rating == Rating.TARGET_ACHIEVED


def test_baseline_equal_to_target_is_achieved_while_it_holds_and_moving_away_after():
    same = Point(date(2030, 1, 1), 100.0)
    assert rate(measure((date(2022, 1, 1), 100.0), target=same), TODAY).rating == Rating.TARGET_ACHIEVED
    assert rate(measure((date(2022, 1, 1), 90.0), target=same), TODAY).rating == Rating.MOVING_AWAY


def test_past_the_target_date_without_the_target_is_rated_on_the_pace_not_achieved():
    target = Point(date(2022, 1, 1), 200.0)
    result = rate(measure((date(2025, 1, 1), 150.0), target=target), TODAY)
    assert result.rating == Rating.LIMITED  # half the needed pace over three years


def test_values_after_today_do_not_count_yet():
    result = rate(measure((date(2024, 1, 1), 120.0), (date(2027, 1, 1), 250.0)), TODAY)
    assert result.latest.value == 120.0
    assert result.rating != Rating.TARGET_ACHIEVED


def test_a_value_on_the_baseline_date_alone_is_not_enough():
    assert rate(measure((BASE.day, 120.0)), TODAY).rating == Rating.NOT_AVAILABLE


def test_without_a_baseline_the_earliest_value_stands_in():
    result = rate(measure((date(2020, 1, 1), 100.0), (date(2024, 1, 1), needed_value(1.0, date(2024, 1, 1))),
                          baseline=None), TODAY)
    assert result.rating == Rating.SUBSTANTIAL


def test_a_zero_baseline_is_taken_as_a_thousandth_like_open_sdg():
    result = rate(measure((date(2024, 1, 1), 50.0), baseline=Point(date(2020, 1, 1), 0.0)), TODAY)
    assert result.rating in (Rating.SUBSTANTIAL, Rating.MODERATE)


def test_without_a_target_the_growth_itself_is_rated():
    assert rate(measure((date(2024, 1, 1), 110.0), target=None), TODAY).rating == Rating.SUBSTANTIAL
    assert rate(measure((date(2024, 1, 1), 101.0), target=None), TODAY).rating == Rating.LIMITED
    assert rate(measure((date(2024, 1, 1), 90.0), target=None), TODAY).rating == Rating.MOVING_AWAY


def test_yes_no_is_done_or_not_done_by_the_latest_value():
    yes_no = {"kind": "yes_no", "baseline": Point(BASE.day, 0.0), "target": Point(TARGET.day, 1.0)}
    assert rate(measure((date(2023, 1, 1), 0.0), **yes_no), TODAY).rating == Rating.NOT_DONE
    assert rate(measure((date(2023, 1, 1), 0.0), (date(2024, 1, 1), 1.0), **yes_no), TODAY).rating == Rating.DONE


def test_text_indicators_and_opposite_signs_are_not_rated():
    assert rate(measure((date(2023, 1, 1), 1.0), kind="text"), TODAY).rating == Rating.NOT_AVAILABLE
    assert rate(measure((date(2023, 1, 1), -5.0)), TODAY).rating == Rating.NOT_AVAILABLE


def test_extreme_values_over_a_few_days_do_not_crash():
    result = rate(measure((date(2020, 1, 2), 1e15), baseline=Point(date(2020, 1, 1), 1e-3),
                          target=Point(date(2020, 1, 3), 1e15 * 2)), TODAY)
    assert result.rating == Rating.NOT_AVAILABLE
