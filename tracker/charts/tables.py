"""Each chart's numbers as a ``Table``: the CSV download and the HTML table beside the chart.

Built from the very data the chart draws, so the picture, the table and the CSV can
never disagree.
"""

from __future__ import annotations

from tracker.charts.data import (
    AgencyData,
    GanttData,
    ReadinessData,
    RoundsData,
    ScorecardData,
    Table,
    TimelineData,
    ranked,
)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def gantt_table(data: GanttData) -> Table:
    """One row per action: area, code, title, lead, dates, status, percent, overdue, milestones."""
    labels = {s.key: s.label for s in data.statuses}
    rows = tuple(
        (
            row.area or "", row.code, row.title, row.lead or "", _iso(row.start), _iso(row.due),
            labels.get(row.status_key, row.status_key), row.percent, "yes" if row.overdue else "no",
            "; ".join(
                f"{m.title} ({m.due_date.isoformat()}{', achieved ' + m.achieved_on.isoformat() if m.achieved_on else ''})"
                for m in row.milestones
            ),
        )
        for row in data.rows
    )
    return Table(
        caption=data.title,
        columns=("Area", "Action", "Title", "Lead agency", "Start", "Due", "Status",
                 "Percent complete", "Overdue", "Milestones"),
        rows=rows,
    )


def timeline_table(data: TimelineData) -> Table:
    """One row per recommendation: its timeframe lane and window, code, text and status."""
    labels = {s.key: s.label for s in data.statuses}
    rows = tuple(
        (lane.label, _iso(lane.start), _iso(lane.end), item.code, item.text,
         labels.get(item.status_key, item.status_key))
        for lane in data.lanes for item in lane.items
    )
    return Table(
        caption=data.title,
        columns=("Timeframe", "From", "To", "Recommendation", "Text", "Status"),
        rows=rows,
    )


def scorecard_table(data: ScorecardData) -> Table:
    """Areas by status, with a total per area and a total row (Table 2.1's layout), and
    each area's and the plan's percent complete (empty when no action measures it)."""
    keys = [s.key for s in data.statuses]
    rows = tuple(
        (bar.label, bar.code or "", *(bar.counts.get(k, 0) for k in keys), bar.total, _percent(bar.percent))
        for bar in data.bars
    )
    totals = data.totals
    return Table(
        caption=data.title,
        columns=("Area", "Area code", *(s.label for s in data.statuses), data.labels.total, data.labels.percent),
        rows=rows,
        total=(data.labels.total, "", *(totals[k] for k in keys), sum(totals.values()), _percent(data.percent)),
    )


def _percent(percent: float | None) -> float | str:
    return "" if percent is None else round(percent, 1)


def rounds_table(data: RoundsData) -> Table:
    """Statuses by round, with the change from the one-but-last round to the last."""
    compare = len(data.rounds) >= 2

    def change(counts_of) -> tuple:
        if not compare:
            return ()
        return (counts_of(data.rounds[-1]) - counts_of(data.rounds[-2]),)

    rows = tuple(
        (s.label, *(r.counts.get(s.key, 0) for r in data.rounds),
         *change(lambda r, key=s.key: r.counts.get(key, 0)))
        for s in data.statuses
    )
    total = (data.labels.total, *(sum(r.counts.values()) for r in data.rounds),
             *change(lambda r: sum(r.counts.values())))
    return Table(
        caption=data.title,
        columns=("Status", *(r.label for r in data.rounds),
                 *((data.labels.change.capitalize(),) if compare else ())),
        rows=rows,
        total=total,
    )


def readiness_table(data: ReadinessData) -> Table:
    """One row per question area, with its dimension and both ratings."""
    rows = tuple(
        (row.code, row.name, row.rating or "", cell.code, cell.title, cell.rating or "")
        for row in data.rows for cell in row.cells
    )
    return Table(
        caption=data.title,
        columns=("Dimension code", "Dimension", "Dimension rating", "Question code",
                 "Question area", "Rating"),
        rows=rows,
    )


def agencies_table(data: AgencyData) -> Table:
    """One row per lead agency, in ranking order, with every number the chart uses."""
    rows = tuple(
        (rank, row.name, row.acronym or "", row.actions, row.on_time, row.late, row.overdue,
         row.open, row.reports, row.reports_on_time, row.reminders_sent, row.reminders_answered,
         row.reminders_unanswered)
        for rank, row in enumerate(ranked(data.rows), start=1)
    )
    return Table(
        caption=data.title,
        columns=("Rank", "Agency", "Acronym", "Actions led", "On time", "Finished late", "Overdue",
                 "Open, not yet due", "Reports in a round", "Reports on time", "Reminders sent",
                 "Reminders answered", "Reminders unanswered"),
        rows=rows,
    )
