"""Gantt of actions: bars from start to due date, coloured by status, filled to percent complete.

Rows are grouped by area (in the order the rows come), milestones are diamonds, a
dashed line marks today, and overdue actions are hatched in red with "Overdue" beside
them. Large plans are paged: see ``tracker.charts.rows`` for the sizes.
"""

from __future__ import annotations

from matplotlib.patches import Patch

from tracker.charts.data import GanttData, GanttLabels, GanttRow
from tracker.charts.render import colour, message_figure, render, shorten
from tracker.charts.rows import LABEL_WIDTH, Bar, Group, Marker, Words, draw_rows, page_count


def gantt_chart(data: GanttData, fmt: str = "png", *, page: int | None = None) -> bytes:
    """The Gantt of ``data`` as PNG or SVG bytes; ``page`` (1-based) of ``gantt_pages(data)``.

    Raises ``ValueError`` for an unknown format or a page that does not exist.
    """
    groups = _groups(data)

    def build():
        if not data.rows:
            return message_figure(data.title, data.labels.empty, data.subtitle)
        styles = {s.key: s for s in data.statuses}
        used = {row.status_key for row in data.rows}
        legend = [
            Patch(facecolor=colour(s.colour), edgecolor=colour(s.colour), label=s.label)
            for s in data.statuses if s.key in used
        ]
        legend += [
            Patch(facecolor=colour(styles[key].colour) if key in styles else colour(None), label=key)
            for key in sorted(used - set(styles))
        ]
        return draw_rows(
            title=data.title, subtitle=data.subtitle, groups=groups, today=data.today,
            words=row_words(data.labels), legend=legend, page=page, period_start=data.period_start,
            period_end=data.period_end,
            show_overdue_legend=any(row.overdue for row in data.rows),
        )

    return render(build, fmt, title=data.title)


def gantt_pages(data: GanttData) -> int:
    """How many images the Gantt of ``data`` takes."""
    return page_count(_groups(data))


def _groups(data: GanttData) -> tuple[Group, ...]:
    styles = {s.key: s for s in data.statuses}
    order: dict[str | None, list[GanttRow]] = {}
    for row in data.rows:
        order.setdefault(row.area, []).append(row)
    return tuple(
        Group(area if area is not None else data.labels.no_area,
              tuple(_bar(row, styles, data) for row in rows))
        for area, rows in order.items()
    )


def _bar(row: GanttRow, styles: dict, data: GanttData) -> Bar:
    style = styles.get(row.status_key)
    note = f"{row.percent}%"
    if row.overdue:
        note += f"  {data.labels.overdue}"
    return Bar(
        label=f"{row.code}  {shorten(row.title, LABEL_WIDTH)}",
        start=row.start,
        end=row.due,
        colour=colour(style.colour if style else None),
        fill=max(0, min(row.percent, 100)) / 100,
        overdue=row.overdue,
        note=note,
        markers=tuple(
            Marker(on=m.due_date, achieved=m.achieved_on is not None,
                   missed=m.achieved_on is None and m.due_date < data.today)
            for m in row.milestones
        ),
    )


def row_words(labels: GanttLabels) -> Words:
    """The generic words of the row chart, from the caller's (translatable) labels."""
    return Words(
        today=labels.today, overdue=labels.overdue, milestone=labels.milestone,
        milestone_achieved=labels.milestone_achieved, plan_month=labels.plan_month,
        no_dates=labels.no_dates, page=labels.page, today_outside=labels.today_outside,
        continued=labels.continued, months=labels.months, today_day=labels.today_day,
    )
