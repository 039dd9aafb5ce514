"""The HTML charts' time axis: whole units, positions in percent, the plan's own months."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from tests.charts.conftest import ANNEX_D, PLAN_START, month_end, month_start
from tracker.charts import calendar

TODAY = date(2019, 10, 15)


def test_a_month_axis_covers_whole_months_and_a_quarter_or_year_axis_whole_quarters_or_years():
    days = [date(2019, 2, 10), date(2020, 5, 3)]
    assert calendar.span_of(days, zoom="month", today=TODAY) == calendar.Span(date(2019, 2, 1), date(2020, 5, 31))
    assert calendar.span_of(days, zoom="quarter", today=TODAY) == calendar.Span(date(2019, 1, 1), date(2020, 6, 30))
    assert calendar.span_of(days, zoom="year", today=TODAY) == calendar.Span(date(2019, 1, 1), date(2020, 12, 31))


def test_the_mongolian_plan_reads_over_24_months_numbered_m1_to_m24():
    days = [d for start, months in ANNEX_D for d in (month_start(start), month_end(start + months - 1))]
    span = calendar.span_of([*days, PLAN_START, date(2020, 12, 31)], zoom="month", today=TODAY)
    assert calendar.units(span, "month") == 24
    months = calendar.plan_months(span, PLAN_START)
    assert [t.label for t in months] == [f"M{n}" for n in range(1, 25)]
    assert [t.label for t in calendar.ticks(span, "year")] == ["2019", "2020"]
    assert [t.label for t in calendar.ticks(span, "quarter")][:2] == ["Q1 2019", "Q2 2019"]
    # A3 runs from month 1 to month 24: the whole axis; A15 its last two months.
    assert calendar.extent(month_start(1), month_end(24), span) == (0.0, 100.0)
    left, width = calendar.extent(month_start(22), month_end(23), span)
    assert left == pytest.approx(months[21].left) and left + width == pytest.approx(months[23].left)


def test_ticks_tile_the_axis_without_gaps():
    span = calendar.Span(date(2019, 3, 1), date(2021, 2, 28))
    for zoom in calendar.ZOOMS:
        ticks = calendar.ticks(span, zoom)
        assert ticks[0].left == 0.0
        assert sum(t.width for t in ticks) == pytest.approx(100.0)
        for before, after in pairwise(ticks):
            assert before.left + before.width == pytest.approx(after.left)
    # A year the axis cuts is kept to the part inside it.
    assert [t.label for t in calendar.ticks(span, "year")] == ["2019", "2020", "2021"]


def test_positions_are_clamped_and_any_stored_date_can_be_drawn():
    span = calendar.Span(date(2019, 1, 1), date(2019, 12, 31))
    assert calendar.position(date(2018, 6, 1), span) == 0.0
    assert calendar.position(date(2030, 6, 1), span) == 100.0
    far = calendar.span_of([date(9999, 12, 31), date(1, 1, 1)], zoom="year", today=TODAY)
    assert far.start.year == 1900 and far.end.year == 2199
    assert calendar.ticks(far, "year")[-1].label == "2199"


def test_a_chart_without_dates_shows_a_year_around_today():
    span = calendar.span_of([None, None], zoom="month", today=TODAY)
    assert span.start <= TODAY <= span.end and 12 <= calendar.units(span, "month") <= 14


@pytest.mark.parametrize(("first", "last", "zoom"), [
    (date(2019, 1, 1), date(2020, 12, 31), "month"),  # the Mongolian plan's 24 months
    (date(2019, 1, 1), date(2021, 12, 31), "month"),  # 36 months: still one column each
    (date(2019, 1, 1), date(2022, 1, 1), "quarter"),  # 37 months
    (date(2019, 1, 1), date(2028, 12, 31), "quarter"),  # ten years
    (date(2019, 1, 1), date(2029, 1, 1), "year"),
    (date(2000, 1, 1), date(2099, 12, 31), "year"),
])
def test_the_zoom_a_chart_opens_at_fits_its_span(first, last, zoom):
    assert calendar.fitting_zoom([first, None, last], today=date(2026, 12, 3)) == zoom


def test_a_chart_without_dates_opens_by_month():
    assert calendar.fitting_zoom([None], today=date(2026, 12, 3)) == "month"
