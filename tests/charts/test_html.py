"""The row charts as HTML: every action a linked bar with its facts in words; no matplotlib."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from tests.charts.conftest import STATUSES
from tracker.charts import html
from tracker.charts.data import AgencyData, AgencyRow, GanttData, GanttRow

ROOT = Path(__file__).resolve().parents[2]


def href(code: str) -> str:
    return f"/plans/mongolia/actions/{code}"


def test_every_action_is_a_bar_linking_to_its_action(mongolia_gantt):
    page = str(html.gantt_html(mongolia_gantt, zoom="month", action_href=href))
    links = re.findall(r'<a class="hchart-bar[^"]*" href="([^"]+)"', page)
    assert sorted(links) == sorted(href(row.code) for row in mongolia_gantt.rows) and len(links) == 15
    # Grouped by area, each group folding, in the data's order of first appearance.
    assert page.count('<details class="hchart-group" open>') == len({r.area for r in mongolia_gantt.rows})
    # The plan's own months, M1 to M24, head the axis.
    assert re.findall(r">(M\d+)<", page) == [f"M{n}" for n in range(1, 25)]


def test_each_bar_says_code_title_lead_dates_status_and_percent_in_words(mongolia_gantt):
    page = str(html.gantt_html(mongolia_gantt, zoom="quarter", action_href=href))
    tip = re.search(r'href="/plans/mongolia/actions/A3"[^>]*>.*?<span class="hchart-tip">(.*?)</span>', page).group(1)
    assert tip == ("A3 Action 3 of the open data action plan · Lead: ODWG · 2019-01-01 – 2020-12-31 · "
                   "Fully achieved · 100% complete")


def test_overdue_is_written_and_hatched_not_only_coloured(mongolia_gantt):
    page = str(html.gantt_html(mongolia_gantt, zoom="month", action_href=href))
    overdue = [r for r in mongolia_gantt.rows if r.overdue]
    assert overdue
    assert page.count('<strong class="hchart-overdue">Overdue</strong>') == len(overdue)
    assert page.count('class="hchart-bar is-overdue"') == len(overdue)


def test_milestones_are_achieved_missed_or_due_by_shape_and_words(mongolia_gantt):
    page = str(html.gantt_html(mongolia_gantt, zoom="month", action_href=href))
    states = re.findall(r'class="hchart-mark is-(\w+)" style', page)
    assert set(states) <= {"achieved", "missed", "due"} and "missed" in states and "due" in states
    assert "Milestone missed, due 2019-01-31: Half way" in page


def test_the_today_line_and_a_note_when_today_is_outside(mongolia_gantt):
    page = str(html.gantt_html(mongolia_gantt, zoom="month", action_href=href))
    assert "--today:" in page and ">Today<" in page
    later = replace(mongolia_gantt, today=date(2026, 12, 3))
    page = str(html.gantt_html(later, zoom="month", action_href=href))
    assert "Today (2026-12-03) is outside the period shown." in page and ">Today<" not in page


def test_text_is_escaped_and_a_bad_colour_falls_back(mongolia_gantt):
    row = GanttRow(code="<A1>", title='"Quoted" & <b>', status_key="odd", start=None, due=None, lead="X")
    data = GanttData(title="t", statuses=(*STATUSES, replace(STATUSES[0], key="odd", colour="red;x:y")),
                     rows=(row,), today=date(2020, 1, 1))
    page = str(html.gantt_html(data, zoom="year", action_href=lambda c: "/a/" + c))
    assert "<b>" not in page and "&lt;A1&gt;" in page and "&quot;Quoted&quot; &amp; &lt;b&gt;" in page
    assert "red;x:y" not in page and "no dates" in page  # an undated action is still a linked bar
    assert html.css_colour("#12ab9F") == "#12ab9F" and html.css_colour("url(x)") == html.FALLBACK_COLOUR


def test_an_unknown_zoom_is_refused_and_no_rows_say_so(mongolia_gantt):
    with pytest.raises(ValueError, match="zoom"):
        html.gantt_html(mongolia_gantt, zoom="week", action_href=href)
    assert "No actions to show." in html.gantt_html(replace(mongolia_gantt, rows=()), zoom="month", action_href=href)


def test_the_table_has_the_same_actions_linked(mongolia_gantt):
    table = str(html.gantt_table_html(mongolia_gantt, href, "Actions"))
    assert table.count("<tr><th scope=\"row\">") == 15 and f'href="{href("A15")}"' in table


def test_the_ranking_links_each_agency_in_rank_order():
    data = AgencyData(title="p", rows=(
        AgencyRow(name="Slow", acronym="SL", overdue=3, open=1),
        AgencyRow(name="Fast", on_time=4),
    ))
    page = str(html.ranking_html(data, lambda name: {"Fast": "/agencies/1"}.get(name), "Ranking"))
    assert page.index("Fast") < page.index("Slow (SL)")
    assert '<a href="/agencies/1">Fast</a>' in page and "<a href" not in page.split("Slow (SL)")[0].rsplit("<tr>", 1)[1]


def test_drawing_html_never_imports_matplotlib():
    code = ("import sys; from tracker.charts import html, calendar; "
            "import tracker.publishing.chart_pages, tracker.routes.chart_pages; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.sqlite_only  # the app starts on a SQLite file of its own
def test_starting_the_app_does_not_import_matplotlib(tmp_path):
    """The CLI, the scheduler and each gunicorn master start the app and never draw:
    matplotlib (most of a second of CPU) waits for the first chart or meeting pack."""
    code = "import sys, wsgi; print('matplotlib' in sys.modules)"
    env = {**os.environ, "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
           "TRACKER_SECRET_KEY": "start"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT, env=env)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr
