"""The drawing shared by the Gantt and the timeline: grouped rows of dated bars on a month axis.

Both charts are lists of labelled bars under group headings (areas, timeframes), on a
calendar with a month axis below and, when the plan has a start, the plan's own month
numbers ("M1" ... "M24", as in the Mongolian action plan) above.

Readability at any size: each row gets a fixed height, so the figure grows with the
rows; past ``ROWS_PER_PAGE`` rows the chart is split into pages (one image each) that
share the same calendar, rather than squeezing 500 rows into one unreadable image.

Any date can be drawn: one outside the dates the tracker accepts (1900 to 2199; an older
database may hold 9999-12-31) is drawn at the edge of that range, so the calendar is
always computable and at most three centuries long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from tracker.charts.render import colour, page_bounds, shorten
from tracker.models.types import within_date_range

ROWS_PER_PAGE = 40  # bars per image; area headings come on top
ROW_HEIGHT_IN = 0.3  # inches per row: ~30 px at 100 dpi, room for 8-point labels
FIGURE_WIDTH_IN = 13.0
CHROME_HEIGHT_IN = 2.6  # title, both month axes and the legend
LABEL_WIDTH = 52  # characters of an action's title kept in its row label
HEADING_WIDTH = 120  # characters of a group heading, written across the chart
BAR_HEIGHT = 0.62
OVERDUE_COLOUR = "#cf222e"
TODAY_COLOUR = "#cf222e"
GRID_COLOUR = "#d0d7de"
HEADER_COLOUR = "#eaeef2"
TEXT_COLOUR = "#1f2328"
MUTED_COLOUR = "#57606a"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# (calendar months up to, months between labels): about 12 to 36 labels at any span. Up to 12
# years every month has a gridline; past that only the labelled ones do.
LABEL_STEPS = ((36, 1), (72, 3), (144, 6), (360, 12), (1200, 60), (None, 120))
GRIDLINE_MONTHS = 144


@dataclass(frozen=True)
class Marker:
    """A milestone on a bar."""

    on: date
    achieved: bool
    missed: bool  # due before today and not achieved


@dataclass(frozen=True)
class Bar:
    """One row: a bar from ``start`` to ``end`` (inclusive), ``fill`` of it solid."""

    label: str
    start: date | None
    end: date | None
    colour: str
    fill: float = 0.0
    overdue: bool = False
    note: str = ""
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Group:
    """A heading and the bars under it."""

    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Words:
    """The generic words the row chart writes."""

    today: str
    overdue: str
    milestone: str
    milestone_achieved: str
    plan_month: str
    no_dates: str
    page: str
    today_outside: str
    continued: str = "{group} (cont.)"


def page_count(groups: tuple[Group, ...]) -> int:
    """How many images the groups need at ``ROWS_PER_PAGE`` bars per image."""
    return page_bounds(sum(len(g.bars) for g in groups), 1, ROWS_PER_PAGE)[2]


def draw_rows(
    *,
    title: str,
    subtitle: str,
    groups: tuple[Group, ...],
    today: date,
    words: Words,
    legend: list,
    page: int = 1,
    period_start: date | None = None,
    period_end: date | None = None,
    show_overdue_legend: bool = True,
) -> Figure:
    """A figure of ``page`` (1-based) of ``groups``; ``ValueError`` if there is no such page.

    The calendar spans every bar of every page (and the plan's period), so pages line up.
    """
    all_bars = [bar for group in groups for bar in group.bars]
    first, last, pages = page_bounds(len(all_bars), page, ROWS_PER_PAGE)
    lines = _page_lines(groups, first, last, words)
    start, end = _calendar(all_bars, period_start, period_end, today)
    x0, x1 = mdates.date2num(start), mdates.date2num(end + timedelta(days=1))

    height = CHROME_HEIGHT_IN + ROW_HEIGHT_IN * max(len(lines), 3)
    figure = Figure(figsize=(FIGURE_WIDTH_IN, height), layout="constrained")
    figure.suptitle(title, fontsize=13, fontweight="bold", color=TEXT_COLOUR)
    ax = figure.add_subplot()
    ax.set_xlim(x0, x1)
    ax.set_ylim(len(lines) - 0.5 if lines else 0.5, -0.5)

    notes = blended_transform_factory(ax.transAxes, ax.transData)
    labels = []
    for y, line in enumerate(lines):
        if isinstance(line, str):  # a group heading, written across its shaded band
            ax.axhspan(y - 0.5, y + 0.5, color=HEADER_COLOUR, zorder=0.5, lw=0)
            ax.text(0.004, y, line, transform=notes, va="center", ha="left", fontsize=8.5,
                    fontweight="bold", color=TEXT_COLOUR, zorder=7)
            labels.append("")
            continue
        labels.append(line.label)
        _draw_bar(ax, y, line, x0, words)
        if line.note:
            ax.text(1.01, y, line.note, transform=notes, va="center", ha="left", fontsize=8,
                    color=OVERDUE_COLOUR if line.overdue else MUTED_COLOUR,
                    fontweight="bold" if line.overdue else "normal", clip_on=False)

    ax.set_yticks(range(len(lines)), labels=labels, fontsize=8)
    ax.tick_params(axis="y", length=0)

    _month_axis(ax, start, end, period_start, words)
    _today(ax, today, x0, x1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    parts = [subtitle] if subtitle else []
    if pages > 1:
        parts.append(words.page.format(page=page, pages=pages))
    if not x0 <= mdates.date2num(today) <= x1:
        parts.append(words.today_outside.format(today=today.isoformat()))
    if parts:
        ax.set_title(" · ".join(parts), fontsize=9, color=MUTED_COLOUR, loc="left", pad=22)

    handles = list(legend)
    if show_overdue_legend:
        handles.append(Patch(facecolor="white", edgecolor=OVERDUE_COLOUR, hatch="////", lw=1.5,
                             label=words.overdue))
    if any(bar.markers for bar in all_bars):
        handles += [
            Line2D([], [], ls="", marker="D", markersize=6, markerfacecolor="white",
                   markeredgecolor=TEXT_COLOUR, label=words.milestone),
            Line2D([], [], ls="", marker="D", markersize=6, markerfacecolor=TEXT_COLOUR,
                   markeredgecolor=TEXT_COLOUR, label=words.milestone_achieved),
        ]
    if x0 <= mdates.date2num(today) <= x1:
        handles.append(Line2D([], [], color=TODAY_COLOUR, ls="--", lw=1.2,
                              label=f"{words.today} ({today.isoformat()})"))
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6),
                  frameon=False, fontsize=8)
    return figure


def _page_lines(groups, first: int, last: int, words: Words) -> list:
    """Headings (str) and bars of the page's slice, repeating a heading a page breaks into."""
    lines: list = []
    index = 0
    for group in groups:
        shown = False
        for bar in group.bars:
            if first <= index < last:
                if not shown:
                    continued = index > 0 and index == first and group.bars[0] is not bar
                    label = words.continued.format(group=group.label) if continued else group.label
                    lines.append(shorten(label, HEADING_WIDTH))
                    shown = True
                lines.append(bar)
            index += 1
    return lines


def _calendar(bars, period_start, period_end, today) -> tuple[date, date]:
    """Whole months covering every bar and the plan's period."""
    days = [d for bar in bars for d in (bar.start, bar.end) if d]
    days += [d for d in (period_start, period_end) if d]
    if not days:
        days = [today - timedelta(days=180), today + timedelta(days=180)]
    low, high = within_date_range(min(days)), within_date_range(max(days))
    start = date(low.year, low.month, 1)
    end = _month_end(high)
    return start, end


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _months(start: date, end: date) -> list[date]:
    months, current = [], start
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _draw_bar(ax, y: int, bar: Bar, x_left: float, words: Words) -> None:
    if bar.start is None and bar.end is None:
        ax.text(x_left, y, f"  {words.no_dates}", va="center", fontsize=8, color=MUTED_COLOUR,
                style="italic")
        return
    start, end = within_date_range(bar.start or bar.end), within_date_range(bar.end or bar.start)
    b0 = mdates.date2num(start)
    width = mdates.date2num(end + timedelta(days=1)) - b0
    solid = colour(bar.colour)
    ax.barh(y, width, left=b0, height=BAR_HEIGHT, color=_tint(solid), edgecolor=solid, lw=0.8,
            zorder=2)
    if bar.fill > 0:
        ax.barh(y, width * min(bar.fill, 1.0), left=b0, height=BAR_HEIGHT, color=solid, lw=0,
                zorder=3)
    if bar.overdue:
        ax.barh(y, width, left=b0, height=BAR_HEIGHT, fill=False, edgecolor=OVERDUE_COLOUR,
                hatch="////", lw=1.5, zorder=4)
    for marker in bar.markers:
        face = TEXT_COLOUR if marker.achieved else "white"
        edge = OVERDUE_COLOUR if marker.missed else TEXT_COLOUR
        ax.plot(mdates.date2num(within_date_range(marker.on)) + 0.5, y, ls="", marker="D", markersize=6,
                markerfacecolor=face, markeredgecolor=edge, markeredgewidth=1.2, zorder=5)


def _tint(value: str) -> tuple[float, float, float]:
    """A pale version of ``value``: the part of a bar not yet done."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(value)
    return (0.3 * r + 0.7, 0.3 * g + 0.7, 0.3 * b + 0.7)


def _month_axis(ax, start: date, end: date, period_start: date | None, words: Words) -> None:
    """Gridlines at month starts; month names below, the plan's month numbers above."""
    months = _months(start, end)
    step = next(step for most, step in LABEL_STEPS if most is None or len(months) <= most)
    mids = [mdates.date2num(m) + (_month_end(m).day / 2) for m in months]
    # Labelled months: every step-th month of the year, or every step-th year in January.
    shown = [i for i, m in enumerate(months)
             if ((m.month - 1) % step == 0 if step <= 12 else m.month == 1 and m.year % (step // 12) == 0)]
    lined = range(len(months)) if len(months) <= GRIDLINE_MONTHS else shown
    starts = [mdates.date2num(months[i]) for i in lined]
    ax.set_xticks(starts, labels=[""] * len(starts))
    names = []
    for n, i in enumerate(shown):
        month = months[i]
        name = MONTH_NAMES[month.month - 1]
        names.append(f"{name}\n{month.year}" if n == 0 or month.month == 1 else name)
    ax.set_xticks([mids[i] for i in shown], labels=names, minor=True, fontsize=8)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.tick_params(axis="x", which="major", length=4, color=GRID_COLOUR)
    ax.grid(axis="x", which="major", color=GRID_COLOUR, lw=0.6, zorder=1)
    ax.set_axisbelow(True)

    if period_start is None:
        return
    period_start = within_date_range(period_start)
    first = date(period_start.year, period_start.month, 1)
    numbered = [(i, (m.year - first.year) * 12 + m.month - first.month + 1) for i, m in enumerate(months)]
    numbered = [(i, n) for i, n in numbered if n >= 1 and (n - 1) % step == 0]
    top = ax.secondary_xaxis("top")
    top.set_xticks([mids[i] for i, _ in numbered], labels=[f"M{n}" for _, n in numbered], fontsize=7,
                   color=MUTED_COLOUR)
    top.tick_params(length=0)
    top.set_xlabel(words.plan_month, fontsize=8, color=MUTED_COLOUR)
    top.spines["top"].set_visible(False)


def _today(ax, today: date, x0: float, x1: float) -> None:
    x = mdates.date2num(today) + 0.5
    if x0 <= x <= x1:
        ax.axvline(x, color=TODAY_COLOUR, ls="--", lw=1.2, zorder=6)
