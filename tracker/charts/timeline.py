"""Timeline of recommendations by timeframe, as in Annex A of the OECD's 2018 Mexico report.

Lanes for short (< 1 year), medium (1-2 years) and long (> 2 years) terms, counted
from the plan's start; each recommendation is a bar across its lane's window, coloured
by its validated status. Recommendations without a timeframe are listed last, undated.
"""

from __future__ import annotations

from matplotlib.patches import Patch

from tracker.charts.data import TimelineData
from tracker.charts.gantt import row_words
from tracker.charts.render import colour, message_figure, render, shorten
from tracker.charts.rows import LABEL_WIDTH, Bar, Group, draw_rows, page_count


def timeline_chart(data: TimelineData, fmt: str = "png", *, page: int = 1) -> bytes:
    """The timeframe timeline of ``data`` as PNG or SVG bytes; ``page`` as for the Gantt."""
    groups = _groups(data)

    def build():
        if not groups:
            return message_figure(data.title, data.labels.empty, data.subtitle)
        used = {item.status_key for lane in data.lanes for item in lane.items}
        legend = [
            Patch(facecolor=colour(s.colour), edgecolor=colour(s.colour), label=s.label)
            for s in data.statuses if s.key in used
        ]
        return draw_rows(
            title=data.title, subtitle=data.subtitle, groups=groups, today=data.today,
            words=row_words(data.labels), legend=legend, page=page, period_start=data.plan_start,
            show_overdue_legend=False,
        )

    return render(build, fmt, title=data.title)


def timeline_pages(data: TimelineData) -> int:
    """How many images the timeline of ``data`` takes."""
    return page_count(_groups(data))


def _groups(data: TimelineData) -> tuple[Group, ...]:
    styles = {s.key: s for s in data.statuses}
    groups = []
    for lane in data.lanes:
        if not lane.items:
            continue
        bars = []
        for item in lane.items:
            style = styles.get(item.status_key)
            bars.append(Bar(
                label=f"{item.code}  {shorten(item.text, LABEL_WIDTH)}",
                start=lane.start, end=lane.end,
                colour=colour(style.colour if style else None),
                fill=1.0,
                note=style.label if style else item.status_key,
            ))
        heading = lane.label
        if lane.start and lane.end:
            heading += f"  ({lane.window or f'{lane.start.isoformat()} – {lane.end.isoformat()}'})"
        groups.append(Group(heading, tuple(bars)))
    return tuple(groups)
