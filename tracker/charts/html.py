"""The row charts as HTML: the Gantt, the timeline and the agency ranking, server-rendered.

Pure functions: the charts' plain data (``charts.data``) in, ``Markup`` out. No
matplotlib and no template per row: a 5,000-action plan is one pass of string
building. Bars are absolutely placed by percentages of the time axis
(``charts.calendar``), so the layout needs no script; the stylesheet is
``static/charts.css``.

What a reader gets without seeing colour or running a script: every bar is a link
whose text (shown on hover and focus, read by screen readers) gives the action's code,
title, lead agency, dates, status and percent; an overdue action says "Overdue" in its
label and its bar is hatched; milestones differ by shape (filled, hollow, crossed);
groups fold with ``<details>``; and the same rows come as a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from html import escape as _escape
from typing import NamedTuple

from markupsafe import Markup

from tracker.charts import calendar
from tracker.charts.data import (
    MONTH_NAMES,
    AgencyData,
    GanttData,
    StatusStyle,
    TimelineData,
    ranked,
)

FALLBACK_COLOUR = "#8c959f"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass(frozen=True)
class Words:
    """The generic words of the HTML charts (English defaults a caller may translate)."""

    today: str = "Today"
    overdue: str = "Overdue"
    lead: str = "Lead"
    no_lead: str = "no lead agency"
    no_dates: str = "no dates"
    milestone_due: str = "Milestone due"
    milestone_achieved: str = "Milestone achieved"
    milestone_missed: str = "Milestone missed"
    complete: str = "complete"
    # A group's number of rows, "(3 actions)": a function, as plurals differ by language.
    count: Callable[[int], str] = lambda n: f"({n} actions)"
    plan_month: str = "Plan month"
    label_column: str = "Action"
    today_outside: str = "Today (%(today)s) is outside the period shown."
    scroll_hint: str = "Chart: scrolls sideways; each bar links to its page"
    empty: str = "No actions to show."
    months: tuple[str, ...] = MONTH_NAMES
    quarter: str = calendar.QUARTER
    # A day as the reader writes it ("2 de diciembre de 2026"); ISO by default. Called for
    # every date of every row, so it should be cheap (``formats.day`` keeps its results).
    day: Callable[[date | None], str] = _iso
    # After a title shown in the original to a reader of another language, e.g. "(original in
    # English)" in the reader's language; "" when nothing needs marking (an English reader).
    original_marker: str = ""
    # The language content that has no translation is written in (agencies' names, titles left in
    # the original), marked with ``lang`` where it sits among the reader's words; "" for an
    # English reader, whose page is all one language.
    content_language: str = ""
    due: str = "due"
    # The Gantt table's and the ranking's column headings.
    area: str = "Area"
    lead_agency: str = "Lead agency"
    start: str = "Start"
    due_column: str = "Due"
    status: str = "Status"
    complete_column: str = "Complete"
    milestones: str = "Milestones"
    achieved: str = "achieved"
    rank: str = "Rank"
    agency: str = "Agency"
    actions_led: str = "Actions led"
    reports_on_time: str = "Reports on time"
    reminders_unanswered: str = "Reminders unanswered"


def escape(text) -> str:
    """``text`` safe inside HTML and attributes, as a plain ``str``: the stdlib's escape, which
    is cheaper than building a ``Markup`` per value (a 5,000-row chart escapes ~50,000)."""
    return _escape(str(text), quote=True)


class Mark(NamedTuple):
    """A milestone on a bar."""

    on: date
    state: str  # "achieved", "missed" or "due"
    text: str


class Row(NamedTuple):
    """One bar and its label, in chart-neutral terms (a tuple: thousands are made per page)."""

    href: str
    code: str
    title: str
    details: str  # everything else about the row, in words, for the tip: HTML, escaped
    start: date | None
    end: date | None
    colour: str
    fill: int = 0  # percent
    overdue: bool = False
    marks: tuple[Mark, ...] = ()
    original: bool = False  # the title is the untranslated original (``marked``)


class Group(NamedTuple):
    label: str
    rows: tuple[Row, ...]
    original: bool = False  # the label is the untranslated original


def css_colour(value: str | None) -> str:
    """``value`` if it is a hex colour; status colours are data an administrator edits."""
    return value if value and _HEX.fullmatch(value) else FALLBACK_COLOUR


def content(text: str, words: Words) -> str:
    """``text``, content with no translation, escaped and marked with its language where the
    page is in another one (``Words.content_language``)."""
    if not words.content_language:
        return escape(text)
    return f'<span lang="{escape(words.content_language)}">{escape(text)}</span>'


def marked(text: str, original: bool, marker: str) -> str:
    """``text`` escaped; when ``original`` (untranslated for this reader) and there is a
    ``marker``, tagged as English and followed by the marker, as ``web.content_language.content_html``
    writes it on every other page."""
    if original and marker:
        return f'<span lang="en">{escape(text)}</span> <span class="original-language">{escape(marker)}</span>'
    return escape(text)


# --- The Gantt -----------------------------------------------------------------------


def gantt_groups(data: GanttData, action_href: Callable[[str], str], words: Words = Words()) -> tuple[Group, ...]:
    """The Gantt's rows under their areas, in the data's order (areas come sorted)."""
    labels = {s.key: s.label for s in data.statuses}
    colours = {s.key: css_colour(s.colour) for s in data.statuses}  # once per status, not per row
    day = words.day
    groups: dict[str, list[Row]] = {}
    originals: set[str] = set()
    today = data.today
    for row in data.rows:
        status = labels.get(row.status_key, row.status_key)
        dates = f"{day(row.start)} – {day(row.due)}" if row.start or row.due else words.no_dates
        lead = content(row.lead, words) if row.lead else escape(words.no_lead)
        details = (
            f"{escape(words.lead)}: {lead} · {escape(dates)} · {escape(status)} · "
            f"{row.percent}% {escape(words.complete)}{' · ' + escape(words.overdue) if row.overdue else ''}"
        )
        marks = []
        for m in row.milestones:
            if m.achieved_on:
                state, what = "achieved", f"{words.milestone_achieved} {day(m.achieved_on)}"
            elif m.due_date < today:
                state, what = "missed", f"{words.milestone_missed}, {words.due} {day(m.due_date)}"
            else:
                state, what = "due", f"{words.milestone_due} {day(m.due_date)}"
            marks.append(Mark(on=m.achieved_on or m.due_date, state=state, text=f"{what}: {m.title}"))
        label = row.area or data.labels.no_area
        if row.area_original:
            originals.add(label)
        groups.setdefault(label, []).append(Row(
            href=action_href(row.code), code=row.code, title=row.title, details=details,
            start=row.start, end=row.due, colour=colours.get(row.status_key, FALLBACK_COLOUR),
            fill=row.percent, overdue=row.overdue, marks=tuple(marks), original=row.title_original,
        ))
    return tuple(Group(label, tuple(rows), label in originals) for label, rows in groups.items())


def gantt_html(data: GanttData, *, zoom: str, action_href: Callable[[str], str],
               words: Words = Words(), period: tuple[date | None, date | None] | None = None) -> Markup:
    """The Gantt of ``data`` as HTML: areas as folding groups, one linked bar per action.

    ``period`` (the plan's start and end) widens the axis to the whole plan and numbers
    its months ("M1" ...) at month zoom; by default the data's own period is used.
    """
    period_start, period_end = period if period is not None else (data.period_start, data.period_end)
    return rows_html(gantt_groups(data, action_href, words), today=data.today, zoom=zoom, words=words,
                     statuses=data.statuses, period_start=period_start, period_end=period_end)


def gantt_zoom(data: GanttData, period: tuple[date | None, date | None] | None = None) -> str:
    """The zoom ``gantt_html`` fits ``data`` best at: by the span its axis covers (the rows'
    dates, their milestones and ``period``, by default the data's own), see ``calendar.fitting_zoom``."""
    period_start, period_end = period if period is not None else (data.period_start, data.period_end)
    days = [period_start, period_end]
    for row in data.rows:
        days += [row.start, row.due, *(d for m in row.milestones for d in (m.due_date, m.achieved_on))]
    return calendar.fitting_zoom(days, today=data.today)


def gantt_table_html(data: GanttData, action_href: Callable[[str], str], caption: str,
                     words: Words = Words()) -> Markup:
    """The Gantt's rows as a table (the same facts as the bars), each action linked."""
    labels = {s.key: s.label for s in data.statuses}
    headings = (words.label_column, words.area, words.lead_agency, words.start, words.due_column, words.status,
                words.complete_column, words.milestones)
    out = [
        f'<table class="data hchart-table"><caption>{escape(caption)}</caption><thead><tr>'
        + "".join(f'<th scope="col">{escape(heading)}</th>' for heading in headings)
        + "</tr></thead><tbody>"
    ]
    overdue_html = f' <strong class="overdue">{escape(words.overdue)}</strong>'
    marker = words.original_marker
    day = words.day
    for row in data.rows:
        overdue = overdue_html if row.overdue else ""
        milestones = "; ".join(
            f"{m.title} ({day(m.due_date)}{f', {words.achieved} ' + day(m.achieved_on) if m.achieved_on else ''})"
            for m in row.milestones
        )
        out.append(
            f'<tr><th scope="row"><a href="{escape(action_href(row.code))}">{escape(row.code)}</a> '
            f"{marked(row.title, row.title_original, marker)}</th>"
            f"<td>{marked(row.area or '', row.area_original, marker)}</td><td>{content(row.lead, words) if row.lead else ''}</td>"
            f"<td>{day(row.start)}</td><td>{day(row.due)}{overdue}</td>"
            f"<td>{escape(labels.get(row.status_key, row.status_key))}</td><td>{row.percent}%</td>"
            f"<td>{escape(milestones)}</td></tr>"
        )
    out.append("</tbody></table>")
    return Markup("".join(out))


# --- The timeline by timeframe --------------------------------------------------------


def timeline_groups(data: TimelineData, rec_href: Callable[[str], str]) -> tuple[Group, ...]:
    """The timeline's lanes as groups; each recommendation a bar across its lane's window."""
    styles = {s.key: s for s in data.statuses}
    groups = []
    for lane in data.lanes:
        if not lane.items:
            continue
        window = (lane.window or f"{_iso(lane.start)} – {_iso(lane.end)}") if lane.start else ""
        rows = []
        for item in lane.items:
            style = styles.get(item.status_key)
            status = style.label if style else item.status_key
            rows.append(Row(
                href=rec_href(item.code), code=item.code, title=item.text,
                details=escape(" · ".join(part for part in (lane.label, window, status) if part)),
                start=lane.start, end=lane.end, colour=css_colour(style.colour if style else None),
                fill=100, original=item.text_original,
            ))
        label = f"{lane.label} ({window})" if window else lane.label
        groups.append(Group(label, tuple(rows)))
    return tuple(groups)


def timeline_html(data: TimelineData, *, zoom: str, rec_href: Callable[[str], str],
                  words: Words = Words(label_column="Recommendation", count=lambda n: f"({n} recommendations)",
                                       empty="No recommendations to show.")) -> Markup:
    """The timeline of ``data`` as HTML: a folding group per timeframe, one linked bar per recommendation."""
    return rows_html(timeline_groups(data, rec_href), today=data.today, zoom=zoom, words=words,
                     statuses=data.statuses, period_start=data.plan_start, period_end=None)


# --- Rows on a time axis, shared by both -------------------------------------------------


def rows_html(groups: tuple[Group, ...], *, today: date, zoom: str, words: Words,
              statuses: tuple[StatusStyle, ...], period_start: date | None = None,
              period_end: date | None = None) -> Markup:
    """Groups of linked bars on a time axis of ``zoom`` (``calendar.ZOOMS``), with a today line."""
    if zoom not in calendar.ZOOMS:
        raise ValueError(f"zoom must be one of {', '.join(calendar.ZOOMS)}")
    rows = [row for group in groups for row in group.rows]
    if not rows:
        return Markup(f'<p class="hchart-empty">{escape(words.empty)}</p>')
    days = [d for row in rows for d in (row.start, row.end)]
    days += [m.on for row in rows for m in row.marks]
    span = calendar.span_of([*days, period_start, period_end], zoom=zoom, today=today)
    today_in = span.start <= today <= span.end
    at = calendar.scale(span)
    today_at = at(today) if today_in else -10.0

    out = [_legend(rows, statuses, words, today, today_in)]
    # The few words every row repeats, escaped once.
    escaped = replace(words, overdue=escape(words.overdue), no_dates=escape(words.no_dates))
    out.append(
        f'<div class="hchart-scroll" role="region" tabindex="0" aria-label="{escape(words.scroll_hint)}">'
        f'<div class="hchart-grid zoom-{zoom}" style="--units:{calendar.units(span, zoom)};--today:{today_at:.3f}%">'
    )
    out.append(_axis(span, zoom, period_start, words, today_in, today_at))
    for group in groups:
        out.append(
            f'<details class="hchart-group" open><summary><span class="hchart-group-label">'
            f'{marked(group.label, group.original, words.original_marker)}'
            f' <span class="hchart-count">{escape(words.count(len(group.rows)))}</span></span></summary><ol class="hchart-rows">'
        )
        out.extend(_row(row, span, at, escaped) for row in group.rows)
        out.append("</ol></details>")
    out.append("</div></div>")
    return Markup("".join(out))


def _axis(span: calendar.Span, zoom: str, period_start: date | None, words: Words,
          today_in: bool, today_at: float) -> str:
    """The axis: the plan's months (month zoom), then the calendar units; hidden from screen readers,
    which read every date in the bars' text instead."""
    out = ['<div class="hchart-axis" aria-hidden="true">']
    bands = []
    if zoom == "month" and period_start is not None:
        bands.append(("hchart-plan-months", calendar.plan_months(span, period_start), words.plan_month))
    if zoom == "month":
        bands.append(("hchart-years", calendar.ticks(span, "year"), ""))
    bands.append(("hchart-units", calendar.ticks(span, zoom, words.months, words.quarter), ""))
    for css, ticks, title in bands:
        out.append(f'<div class="hchart-band {css}"><span class="hchart-label">{escape(title)}</span><span class="hchart-track">')
        out.extend(
            f'<span class="hchart-tick" style="left:{t.left:.3f}%;width:{t.width:.3f}%">{escape(t.label)}</span>'
            for t in ticks
        )
        if today_in and css == "hchart-units":
            out.append(f'<span class="hchart-today-label" style="left:{today_at:.3f}%">{escape(words.today)}</span>')
        out.append("</span></div>")
    out.append("</div>")
    return "".join(out)


def _row(row: Row, span: calendar.Span, at, words: Words) -> str:
    """One row's HTML; ``words.overdue`` and ``words.no_dates`` come escaped (``rows_html``)."""
    code = escape(row.code)
    tip = f"{code} {content(row.title, words) if row.original else escape(row.title)} · {row.details}"
    title = marked(row.title, row.original, words.original_marker)
    overdue = f' <strong class="hchart-overdue">{words.overdue}</strong>' if row.overdue else ""
    start, end = row.start or row.end, row.end or row.start
    if start is None:
        bar = (f'<a class="hchart-bar is-undated" href="{escape(row.href)}"><span class="hchart-undated">'
               f'{words.no_dates}</span><span class="hchart-tip">{tip}</span></a>')
    else:
        left, width = calendar.extent(start, end, span, at)
        bar = (
            f'<a class="hchart-bar{" is-overdue" if row.overdue else ""}" href="{escape(row.href)}" '
            f'style="left:{left:.3f}%;width:{width:.3f}%;--c:{row.colour}">'
            f'<span class="hchart-fill" style="width:{min(max(row.fill, 0), 100)}%"></span>'
            f'<span class="hchart-tip">{tip}</span></a>'
        )
    marks = "".join(
        f'<span class="hchart-mark is-{m.state}" style="left:{at(m.on):.3f}%" '
        f'title="{text}"><span class="visually-hidden">{text}</span></span>'
        for m in row.marks for text in (escape(m.text),)
    ) if row.marks else ""
    return (
        f'<li class="hchart-row{" is-overdue" if row.overdue else ""}"><span class="hchart-label">'
        f'<span class="hchart-code">{code}</span> {title}{overdue}</span>'
        f'<span class="hchart-track">{bar}{marks}</span></li>'
    )


def _legend(rows: list[Row], statuses: tuple[StatusStyle, ...], words: Words, today: date, today_in: bool) -> str:
    """What the colours and marks mean; only what the chart shows."""
    used = {row.colour for row in rows}
    items = [
        f'<li><span class="hchart-swatch" style="--c:{css_colour(s.colour)}"></span>{escape(s.label)}</li>'
        for s in statuses if css_colour(s.colour) in used
    ]
    if any(row.overdue for row in rows):
        items.append(f'<li><span class="hchart-swatch is-overdue"></span>{escape(words.overdue)}</li>')
    states = {m.state for row in rows for m in row.marks}
    for state, label in (("achieved", words.milestone_achieved), ("due", words.milestone_due),
                         ("missed", words.milestone_missed)):
        if state in states:
            items.append(f'<li><span class="hchart-mark is-{state}"></span>{escape(label)}</li>')
    if today_in:
        items.append(f'<li><span class="hchart-today-key"></span>{escape(words.today)} '
                     f'({escape(words.day(today))})</li>')
    outside = words.today_outside % {"today": words.day(today)}
    note = "" if today_in else f'<p class="hchart-note">{escape(outside)}</p>'
    return f'<ul class="hchart-legend">{"".join(items)}</ul>{note}'


# --- The agency ranking ----------------------------------------------------------------


def ranking_html(data: AgencyData, agency_href: Callable[[str], str | None], caption: str,
                 words: Words = Words()) -> Markup:
    """The lead agencies in ranking order as a table, each with a bar of its actions by outcome.

    ``agency_href(name)`` is the agency's page, or None when it has none to link to.
    """
    rows = ranked(data.rows)
    if not rows:
        return Markup(f'<p class="hchart-empty">{escape(data.labels.empty)}</p>')
    widest = max(row.actions for row in rows) or 1
    labels = data.labels
    parts = (("on_time", labels.on_time), ("late", labels.late), ("overdue", labels.overdue), ("open", labels.open))
    out = [
        '<ul class="hchart-legend">'
        + "".join(f'<li><span class="hchart-swatch is-{key}"></span>{escape(text)}</li>' for key, text in parts)
        + "</ul>",
        (f'<div class="hchart-table-scroll" role="region" tabindex="0" aria-label="{escape(caption)}">'
        f'<table class="data hchart-ranking"><caption>{escape(caption)}</caption><thead><tr>'
        + "".join(f'<th scope="col">{escape(heading)}</th>' for heading in (
            words.rank, words.agency, words.actions_led, labels.on_time, labels.late, labels.overdue,
            labels.open, words.reports_on_time, words.reminders_unanswered))
        + "</tr></thead><tbody>"),
    ]
    for rank, row in enumerate(rows, start=1):
        name = escape(f"{row.name} ({row.acronym})" if row.acronym else row.name)
        href = agency_href(row.name)
        link = f'<a href="{escape(href)}">{name}</a>' if href else name
        segments = "".join(
            f'<span class="is-{key}" style="width:{getattr(row, key) * 100 / widest:.2f}%"></span>'
            for key, _ in parts if getattr(row, key)
        )
        out.append(
            f'<tr><td>{rank}</td><th scope="row">{link}'
            f'<span class="hchart-stack" aria-hidden="true">{segments}</span></th>'
            f"<td>{row.actions}</td><td>{row.on_time}</td><td>{row.late}</td>"
            f"<td>{row.overdue}</td><td>{row.open}</td><td>{row.reports_on_time}/{row.reports}</td>"
            f"<td>{row.reminders_unanswered}/{row.reminders_sent}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return Markup("".join(out))
