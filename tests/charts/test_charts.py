"""The chart functions: plain data in, PNG or SVG bytes out, readable and safe."""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PIL import Image

from tests.charts.conftest import STATUSES, svg_texts
from tracker.charts.agencies import agencies_chart, agencies_pages
from tracker.charts.data import (
    AgencyData,
    AgencyRow,
    GanttData,
    GanttRow,
    ReadinessCell,
    ReadinessData,
    ReadinessRow,
    RoundCounts,
    RoundsData,
    ScorecardBar,
    ScorecardData,
    TimelineData,
    TimelineItem,
    TimelineLane,
    ranked,
)
from tracker.charts.gantt import gantt_chart, gantt_pages
from tracker.charts.readiness import RATING_COLOURS, UNRATED_COLOUR, rating_colour, readiness_chart
from tracker.charts.render import DPI
from tracker.charts.rows import LEFT_IN, PLAN_MONTHS_IN, ROW_HEIGHT_IN, ROWS_PER_PAGE, TOP_IN
from tracker.charts.scorecard import rounds_chart, scorecard_chart
from tracker.charts.tables import agencies_table, rounds_table, scorecard_table
from tracker.charts.timeline import timeline_chart

# Drawing every chart with matplotlib (PNG and SVG) takes seconds per test: the full tier (make test).
pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HOSTILE = "<script>alert('x')</script> & co"


def is_svg(data: bytes) -> bool:
    head = data[:400].decode("utf-8")
    return data.lstrip().startswith(b"<?xml") and "<svg" in head or data.lstrip().startswith(b"<svg")


def mexico_scorecard(title: str = "Mexico 2016 review") -> ScorecardData:
    return ScorecardData(title=title, statuses=STATUSES, bars=(
        ScorecardBar("Governance: Building a pro-open-data public sector",
                     {"fully_achieved": 1, "ongoing": 4, "under_discussion": 1, "pending": 1}, "GOV"),
        ScorecardBar("Towards a demand- and value-driven data disclosure",
                     {"fully_achieved": 2, "ongoing": 1}, "DEM"),
        ScorecardBar("Open data at the local level", {"fully_achieved": 4}, "LOC"),
    ))


def readiness(title: str = "Readiness") -> ReadinessData:
    return ReadinessData(title=title, rows=(
        ReadinessRow("D1", "Senior Leadership", "GREEN", (
            ReadinessCell("1.1", "Political leadership", "GREEN"),
            ReadinessCell("1.2", "Policy", "YELLOW"),
        )),
        ReadinessRow("D2", "Policy/Legal Framework", None, (
            ReadinessCell("2.1", "Data protection", "RED"),
            ReadinessCell("2.2", "Right to information", None),
        )),
    ))


def agencies(title: str = "Agencies") -> AgencyData:
    return AgencyData(title=title, rows=(
        AgencyRow("Open Data Working Group", acronym="ODWG", on_time=1, overdue=3, open=1),
        AgencyRow("Cabinet Secretariat", acronym="CabSec", on_time=4, late=1, reports=3,
                  reports_on_time=2, reminders_sent=4, reminders_answered=1),
    ))


def timeline(title: str = "Timeline") -> TimelineData:
    return TimelineData(
        title=title, statuses=STATUSES, plan_start=date(2018, 1, 1), today=date(2019, 3, 1),
        lanes=(
            TimelineLane("short", "Short term (< 1 year)", date(2018, 1, 1), date(2018, 12, 31),
                         (TimelineItem("MON-1", "Publish data request formats", "ongoing"),)),
            TimelineLane("medium", "Medium term (1-2 years)", date(2019, 1, 1), date(2019, 12, 31),
                         (TimelineItem("INST-1", "Institutionalise the CDO", "pending"),)),
            TimelineLane("long", "Long term (> 2 years)", date(2020, 1, 1), date(2021, 12, 31),
                         (TimelineItem("LEGAL-1", "An open data law", "pending"),)),
            TimelineLane("none", "No timeframe given", None, None, ()),
        ),
    )


def rounds(title: str = "Rounds") -> RoundsData:
    return RoundsData(title=title, statuses=STATUSES, rounds=(
        RoundCounts("OECD follow-up (2017-12-31)", {"fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2}),
        RoundCounts("Now", {"fully_achieved": 15, "ongoing": 6, "under_discussion": 1, "pending": 2}),
    ))


def test_gantt_renders_png_and_svg(mongolia_gantt):
    assert gantt_chart(mongolia_gantt, "png").startswith(PNG_SIGNATURE)
    assert is_svg(gantt_chart(mongolia_gantt, "svg"))


def test_gantt_svg_shows_every_action_code_and_a_24_month_axis(mongolia_gantt):
    texts = svg_texts(gantt_chart(mongolia_gantt, "svg"))
    codes = {text.split()[0] for text in texts if text.strip()}
    assert {f"A{n}" for n in range(1, 16)} <= codes
    # The plan's own month numbers above, calendar months below, both years named.
    assert [t for t in texts if re.fullmatch(r"M\d+", t)] == [f"M{n}" for n in range(1, 25)]
    months = [t for t in texts if t in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}]
    assert len(months) == 24
    assert "2019" in texts and "2020" in texts
    # Areas head their groups; overdue work is named, not only coloured.
    assert "D1 Dimension 1" in texts
    assert any("Overdue" in t for t in texts)


def test_gantt_titles_come_from_the_data(mongolia_gantt):
    texts = svg_texts(gantt_chart(replace(mongolia_gantt, title="Plan d'action", subtitle="Agence X"), "svg"))
    assert "Plan d'action" in texts
    assert any("Agence X" in t for t in texts)


def test_a_500_action_gantt_is_paged_and_every_page_renders():
    start = date(2024, 1, 1)
    rows = tuple(
        GanttRow(code=f"X{n}", title=f"Action {n}", status_key="ongoing", start=start + timedelta(days=n),
                 due=start + timedelta(days=200 + n), percent=n % 100, area=f"Area {n // 40}")
        for n in range(500)
    )
    data = GanttData(title="Big plan", statuses=STATUSES, rows=rows, today=date(2024, 6, 1))
    pages = gantt_pages(data)
    assert pages == -(-500 // ROWS_PER_PAGE)
    first = svg_texts(gantt_chart(data, "svg", page=1))
    last = gantt_chart(data, "png", page=pages)
    assert last.startswith(PNG_SIGNATURE)
    assert "X0 Action 0".replace(" ", "  ", 1) in first and not any(t.startswith("X499") for t in first)
    assert any(f"page 1 of {pages}" in t for t in first)
    with pytest.raises(ValueError):
        gantt_chart(data, "png", page=pages + 1)


def big_plan(actions: int = 500) -> GanttData:
    start = date(2024, 1, 1)
    rows = tuple(
        GanttRow(code=f"X{n}", title=f"Action {n}", status_key="ongoing", start=start + timedelta(days=n),
                 due=start + timedelta(days=200 + n), percent=n % 100, area=f"Area {n // 40}",
                 overdue=n % 7 == 0)
        for n in range(actions)
    )
    return GanttData(title="Big plan", statuses=STATUSES, rows=rows, today=date(2024, 6, 1))


def test_a_500_action_gantt_is_one_image_holding_every_row_one_row_apart():
    data = big_plan()
    texts = svg_texts(gantt_chart(data, "svg"))
    labels = [t for t in texts if re.fullmatch(r"X\d+  Action \d+", t)]
    assert labels == [f"X{n}  Action {n}" for n in range(500)]
    assert not any("page" in t for t in texts)
    assert sum(t.startswith(f"{n}%") for t in texts for n in range(100)) == 500  # every row's note
    # One line of the labels' text per row: each label sits exactly one row below the last.
    svg = gantt_chart(data, "svg").decode()
    ys = [float(y) for y in re.findall(r'translate\([\d.]+ ([\d.]+)\)">X\d+  Action', svg)]
    gaps = {round(b - a, 2) for a, b in itertools.pairwise(ys)}
    assert gaps <= {round(ROW_HEIGHT_IN * 72, 2), round(2 * ROW_HEIGHT_IN * 72, 2)}  # a heading between


def test_the_whole_plan_png_writes_each_label_on_its_own_row():
    data = big_plan(120)
    png = Image.open(io.BytesIO(gantt_chart(data, "png")))
    lines = [None]  # the rows, top down: a heading (None) then the area's bars
    for n in range(120):
        if n % 40 == 0 and n:
            lines.append(None)
        lines.append(n)
    assert png.height >= len(lines) * ROW_HEIGHT_IN * DPI
    top = (TOP_IN - PLAN_MONTHS_IN) * DPI  # the test plan has no period: no plan months above
    grey = png.convert("L")
    for row, line in enumerate(lines):
        band = grey.crop((0, round(top + (row + 0.2) * ROW_HEIGHT_IN * DPI),
                          round(LEFT_IN * DPI) - 8, round(top + (row + 0.8) * ROW_HEIGHT_IN * DPI)))
        inked = band.getextrema()[0] < 128
        assert inked == (line is not None), f"row {row}"


def test_actions_without_dates_or_any_rows_still_render(mongolia_gantt):
    undated = replace(mongolia_gantt, rows=(GanttRow(code="B1", title="Undated", status_key="pending",
                                                     start=None, due=None),))
    assert "no dates" in " ".join(svg_texts(gantt_chart(undated, "svg")))
    empty = svg_texts(gantt_chart(replace(mongolia_gantt, rows=()), "svg"))
    assert "No actions to show." in empty and "Mongolia open data action plan" in empty


def test_an_unknown_format_is_refused(mongolia_gantt):
    with pytest.raises(ValueError):
        gantt_chart(mongolia_gantt, "pdf")


def test_the_other_charts_render_png_and_svg_with_the_names_from_their_data():
    cases = [
        (timeline_chart, timeline(), ["MON-1", "Short term (< 1 year)"]),
        (scorecard_chart, mexico_scorecard(), ["Total", "Open data at the local level"]),
        (rounds_chart, rounds(), ["OECD follow-up (2017-12-31)", "Now"]),
        (readiness_chart, readiness(), ["1.1", "2.2", "Overall"]),
        (agencies_chart, agencies(), ["1. Cabinet Secretariat (CabSec)", "2. Open Data Working Group (ODWG)"]),
    ]
    for draw, data, expected in cases:
        assert draw(data, "png").startswith(PNG_SIGNATURE)
        texts = svg_texts(draw(data, "svg"))
        for text in expected:
            assert any(text in t for t in texts), (draw.__name__, text)


def test_the_scorecard_shows_each_count_and_the_totals():
    texts = svg_texts(scorecard_chart(mexico_scorecard(), "svg"))
    # Totals of the three areas: 7, 3, 4 and 14 in all; fully achieved 7 in total.
    assert {"7", "3", "4", "14"} <= set(texts)
    table = scorecard_table(mexico_scorecard())
    assert table.total == ("Total", "", 7, 5, 1, 1, 14, "")  # no percent: no action measures it


def test_the_round_comparison_shows_the_change_per_status():
    texts = " ".join(svg_texts(rounds_chart(rounds(), "svg")))
    assert "change: +1" in texts and "change: -1" in texts and "change: +0" in texts
    table = rounds_table(rounds())
    assert table.columns[-1] == "Change"
    assert table.rows[0] == ("Fully achieved", 14, 15, 1)
    assert table.total == ("Total", 24, 24, 0)


def test_the_heat_map_colours_cells_by_rating_and_grey_when_unrated():
    svg = readiness_chart(readiness(), "svg").decode()
    fills = set(re.findall(r"fill:\s*(#[0-9a-f]{6})", svg))
    assert {RATING_COLOURS["GREEN"], RATING_COLOURS["YELLOW"], RATING_COLOURS["RED"], UNRATED_COLOUR} <= fills
    assert rating_colour("GREEN") == RATING_COLOURS["GREEN"]
    assert rating_colour(None) == rating_colour("purple") == UNRATED_COLOUR
    only_green = ReadinessData(title="All green", rows=(
        ReadinessRow("D1", "Leadership", "GREEN", (ReadinessCell("1.1", "q", "GREEN"),)),))
    cells = re.findall(r"fill:\s*(#[0-9a-f]{6})", readiness_chart(only_green, "svg").decode())
    # Red appears only in the legend's swatch, never as a cell.
    assert cells.count(RATING_COLOURS["RED"]) == 1 and cells.count(RATING_COLOURS["GREEN"]) >= 3


def test_agencies_are_ranked_by_shares_of_overdue_then_late_work():
    data = agencies()
    assert [row.acronym for row in ranked(data.rows)] == ["CabSec", "ODWG"]
    table = agencies_table(data)
    assert [row[0:3] for row in table.rows] == [(1, "Cabinet Secretariat", "CabSec"),
                                                  (2, "Open Data Working Group", "ODWG")]
    assert table.rows[0][-1] == 3  # reminders unanswered: 4 sent, 1 answered
    assert agencies_pages(data) == 1


def test_text_from_the_data_is_escaped_in_every_svg(mongolia_gantt):
    charts = [
        gantt_chart(replace(mongolia_gantt, title=HOSTILE), "svg"),
        timeline_chart(timeline(HOSTILE), "svg"),
        scorecard_chart(mexico_scorecard(HOSTILE), "svg"),
        rounds_chart(rounds(HOSTILE), "svg"),
        readiness_chart(readiness(HOSTILE), "svg"),
        agencies_chart(agencies(HOSTILE), "svg"),
    ]
    for svg in charts:
        assert b"<script" not in svg
        assert b"&lt;script&gt;alert(" in svg
        assert HOSTILE in svg_texts(svg)  # and it reads back as the very text given


def test_dollar_signs_in_names_are_text_not_formulas(mongolia_gantt):
    title = r"Budget $\foo{ and $x^$ for 2025"
    svg = gantt_chart(replace(mongolia_gantt, title=title), "svg")
    assert title in svg_texts(svg)
    assert scorecard_chart(mexico_scorecard(title), "png").startswith(PNG_SIGNATURE)


def test_control_characters_in_names_do_not_break_the_svg(mongolia_gantt):
    svg = gantt_chart(replace(mongolia_gantt, title="Plan\x00 with\x07 a bell\x1b"), "svg")
    assert "Plan with a bell" in svg_texts(svg)  # parses as XML, the text kept


def test_the_png_names_its_title_in_any_script_without_control_characters(mongolia_gantt):
    """The PNG's own Title (what an image viewer or a report shows) is the chart's, Cyrillic
    too; control characters, which a PNG's text may not hold, are left out."""
    for title, kept in (("Plan d'action\x00 with\x07 a bell\x85", "Plan d'action with a bell"),
                        ("План действий", "План действий")):
        image = Image.open(io.BytesIO(gantt_chart(replace(mongolia_gantt, title=title), "png")))
        image.load()
        assert image.info["Title"] == kept and image.mode == "RGB"


def test_a_bad_status_colour_falls_back_instead_of_failing(mongolia_gantt):
    broken = replace(mongolia_gantt, statuses=tuple(replace(s, colour="not-a-colour") for s in STATUSES))
    assert gantt_chart(broken, "png").startswith(PNG_SIGNATURE)


def test_the_same_data_renders_to_the_same_bytes(mongolia_gantt):
    # No dates or random ids in the output: a re-render can be compared byte for byte.
    assert gantt_chart(mongolia_gantt, "svg") == gantt_chart(mongolia_gantt, "svg")
