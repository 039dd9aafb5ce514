"""Plain chart data built by hand: a Mongolia-like 24-month plan, and helpers to read SVGs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from tracker.charts.data import GanttData, GanttMilestone, GanttRow, StatusStyle

STATUSES = (
    StatusStyle("fully_achieved", "Fully achieved", "#1a7f37", is_final=True),
    StatusStyle("ongoing", "Ongoing", "#2f81f7"),
    StatusStyle("under_discussion", "Under discussion", "#d4a72c"),
    StatusStyle("pending", "Pending", "#cf222e"),
)
# Annex D of the Mongolian assessment: (start month, months) of A1..A15, capped at month 24.
ANNEX_D = [(1, 1), (1, 2), (1, 24), (2, 3), (3, 22), (2, 23), (3, 12), (3, 22), (5, 20), (6, 12),
           (2, 12), (6, 19), (3, 12), (9, 6), (22, 2)]
AREAS = ["D1", "D1", "D2", "D2", "D4", "D5", "D3", "D4", "D5", "D3", "D7", "D4", "D5", "D6", "D1"]
PLAN_START = date(2019, 1, 1)


def month_start(n: int) -> date:
    return date(2019 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


def month_end(n: int) -> date:
    return month_start(n + 1) - timedelta(days=1)


def svg_texts(svg: bytes) -> list[str]:
    """Every text of an SVG (it must parse as XML), in document order."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.fixture
def mongolia_gantt() -> GanttData:
    """The Mongolian action plan's shape: 15 actions over 24 months, some done, some overdue."""
    today = date(2019, 10, 15)
    rows = []
    for index, ((start, months), area) in enumerate(zip(ANNEX_D, AREAS, strict=True), start=1):
        due = month_end(start + months - 1)
        status = ("fully_achieved", "ongoing", "pending")[index % 3]
        rows.append(GanttRow(
            code=f"A{index}", title=f"Action {index} of the open data action plan",
            status_key=status, start=month_start(start), due=due,
            percent=100 if status == "fully_achieved" else 40,
            area=f"{area} Dimension {area[1]}", lead="ODWG",
            overdue=due < today and status != "fully_achieved",
            milestones=(GanttMilestone("Half way", month_end(start), None),),
        ))
    return GanttData(
        title="Mongolia open data action plan", statuses=STATUSES, rows=tuple(rows), today=today,
        period_start=PLAN_START, period_end=date(2020, 12, 31),
    )
