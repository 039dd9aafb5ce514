"""The drawing shared by the Gantt and the timeline: grouped rows of dated bars on a month axis.

Both charts are lists of labelled bars under group headings (areas, timeframes), on a
calendar with a month axis below and, when the plan has a start, the plan's own month
numbers ("M1" ... "M24", as in the Mongolian action plan) above.

Readability at any size: each row gets a fixed height, so the figure grows with the
rows: a plan of 500 actions is one tall image that reads like a short one. Asked for a
page, the chart shows ``ROWS_PER_PAGE`` rows of it; the pages share the same calendar.

Speed: the bars are three collections and the milestones one scatter, and each column
of words (labels, notes) is one multi-line text, so drawing grows with the pixels, not
with one matplotlib artist per row.

Any date can be drawn: one outside the dates the tracker accepts (1900 to 2199; an older
database may hold 9999-12-31) is drawn at the edge of that range, so the calendar is
always computable and at most three centuries long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import ScaledTranslation
from PIL import Image, ImageDraw, ImageFont

from tracker.charts.data import MONTH_NAMES
from tracker.charts.palette import OVERDUE_COLOUR
from tracker.charts.render import colour, page_bounds, shorten
from tracker.models.types import within_date_range

ROWS_PER_PAGE = 40  # bars per image when paged; area headings come on top
ROW_HEIGHT_IN = 0.3  # inches per row: 30 px at 100 dpi, room for 8-point labels
FIGURE_WIDTH_IN = 13.0
# The fixed layout, in inches: the row labels left of the bars, their notes right of them;
# above, the title, the subtitle and the plan's month numbers; below, the month names and
# the legend (LEGEND_ROW_IN a row of it, LEGEND_COLUMNS entries to a row).
LEFT_IN, RIGHT_IN = 4.1, 1.2
TITLE_IN, SUBTITLE_IN = 0.3, 0.62
TOP_IN, PLAN_MONTHS_IN = 1.3, 0.45
BOTTOM_IN, LEGEND_ROW_IN, LEGEND_MARGIN_IN = 0.55, 0.25, 0.1
LEGEND_COLUMNS = 6
TEXT_BLOCK_ROWS = 100  # rows of labels Pillow draws at a time into a PNG
LABEL_WIDTH = 52  # characters of an action's title kept in its row label
HEADING_WIDTH = 120  # characters of a group heading, written across the chart
BAR_HEIGHT = 0.62
TODAY_COLOUR = "#1f2328"  # dashed, and named in the legend: not to be mistaken for overdue
GRID_COLOUR = "#d0d7de"
HEADER_COLOUR = "#eaeef2"
TEXT_COLOUR = "#1f2328"
MUTED_COLOUR = "#57606a"
# (calendar months up to, months between labels): about 12 to 36 labels at any span. Up to 12
# years every month has a gridline; past that only the labelled ones do.
LABEL_STEPS = ((36, 1), (72, 3), (144, 6), (360, 12), (1200, 60), (None, 120))
GRIDLINE_MONTHS = 144
# The month axis, as matplotlib draws ticks: marks TICK_PT long, labels LABEL_PAD_PT from the
# axes' edge, a line of text LINE_HEIGHT times its size.
TICK_PT, LABEL_PAD_PT, LINE_HEIGHT = 4, 3.5, 1.2
# Days on the x axis are matplotlib's date numbers (days since its epoch, 1970-01-01), computed
# from ordinals: mdates.date2num goes through numpy for each date.
_EPOCH_ORDINAL = date(2000, 1, 1).toordinal() - round(mdates.date2num(date(2000, 1, 1)))


def _day(day: date) -> float:
    """``mdates.date2num(day)``: the x of the start of ``day``."""
    return float(day.toordinal() - _EPOCH_ORDINAL)


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
    continued: str = "%(group)s (cont.)"
    months: tuple[str, ...] = MONTH_NAMES
    today_day: str = ""  # today as the reader writes a day; "" for ISO


def page_count(groups: tuple[Group, ...]) -> int:
    """How many images the groups need at ``ROWS_PER_PAGE`` bars per image, when paged."""
    return page_bounds(sum(len(g.bars) for g in groups), 1, ROWS_PER_PAGE)[2]


def draw_rows(
    *,
    title: str,
    subtitle: str,
    groups: tuple[Group, ...],
    today: date,
    words: Words,
    legend: list,
    page: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    show_overdue_legend: bool = True,
) -> Figure:
    """A figure of every row, or of ``page`` (1-based) when given; ``ValueError`` if there is no such page.

    The calendar spans every bar of every page (and the plan's period), so pages line up.
    """
    all_bars = [bar for group in groups for bar in group.bars]
    if page is None:
        first, last, pages = 0, len(all_bars), 1
    else:
        first, last, pages = page_bounds(len(all_bars), page, ROWS_PER_PAGE)
    lines = _page_lines(groups, first, last, words)
    start, end = _calendar(all_bars, period_start, period_end, today)
    x0, x1 = _day(start), _day(end + timedelta(days=1))

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
    if x0 <= _day(today) <= x1:
        handles.append(Line2D([], [], color=TODAY_COLOUR, ls="--", lw=1.2,
                              label=f"{words.today} ({words.today_day or today.isoformat()})"))
    columns = max(1, min(len(handles), LEGEND_COLUMNS))
    legend_rows = -(-len(handles) // columns)

    # A fixed layout, worked out here in inches: each row is exactly ROW_HEIGHT_IN tall, so
    # the row labels can be one multi-line text per column (see _row_texts), and no layout
    # engine has to measure hundreds of labels.
    n = max(len(lines), 3)
    top = TOP_IN if period_start is not None else TOP_IN - PLAN_MONTHS_IN
    bottom = BOTTOM_IN + LEGEND_ROW_IN * legend_rows
    height = top + ROW_HEIGHT_IN * n + bottom
    figure = Figure(figsize=(FIGURE_WIDTH_IN, height))
    figure.suptitle(title, fontsize=13, fontweight="bold", color=TEXT_COLOUR,
                    y=1 - TITLE_IN / height, va="center")
    ax = figure.add_axes((LEFT_IN / FIGURE_WIDTH_IN, bottom / height,
                          1 - (LEFT_IN + RIGHT_IN) / FIGURE_WIDTH_IN, ROW_HEIGHT_IN * n / height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks([])
    ax.patch.set_visible(False)  # the figure is white already: no second fill of 10 million pixels

    _draw_bars(ax, lines, x0, words)
    _row_texts(ax, lines, words)

    _month_axis(ax, start, end, period_start, words)
    _today(ax, today, x0, x1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    parts = [subtitle] if subtitle else []
    if pages > 1:
        parts.append(words.page % {"page": page, "pages": pages})
    if not x0 <= _day(today) <= x1:
        parts.append(words.today_outside % {"today": words.today_day or today.isoformat()})
    if parts:
        figure.text(LEFT_IN / FIGURE_WIDTH_IN, 1 - SUBTITLE_IN / height, shorten(" · ".join(parts), 160),
                    fontsize=9, color=MUTED_COLOUR, ha="left", va="center")

    figure.legend(handles=handles, loc="lower center", ncols=columns, frameon=False, fontsize=8,
                  bbox_to_anchor=(0.5, LEGEND_MARGIN_IN / height))
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
                    label = words.continued % {"group": group.label} if continued else group.label
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


def _draw_bars(ax, lines: list, x_left: float, words: Words) -> None:
    """Every bar of ``lines`` as three collections (plan, progress, overdue hatching) and
    every milestone as one scatter: a few artists whatever the number of rows."""
    plan, plan_faces, plan_edges, done, done_faces, overdue = [], [], [], [], [], []
    marks, mark_faces, mark_edges = [], [], []
    half = BAR_HEIGHT / 2
    for y, line in enumerate(lines):
        if isinstance(line, str):  # a group heading, written across its shaded band
            ax.axhspan(y - 0.5, y + 0.5, color=HEADER_COLOUR, zorder=0.5, lw=0)
            ax.text(0.004, y, line, transform=ax.get_yaxis_transform(), va="center", ha="left",
                    fontsize=8.5, fontweight="bold", color=TEXT_COLOUR, zorder=7)
            continue
        if line.start is None and line.end is None:
            continue  # "no dates" is written by _row_texts
        start = within_date_range(line.start or line.end)
        end = within_date_range(line.end or line.start)
        b0 = _day(start)
        b1 = _day(end + timedelta(days=1))
        solid = colour(line.colour)
        plan.append(_rectangle(b0, b1, y, half))
        plan_faces.append(_tint(solid))
        plan_edges.append(solid)
        if line.fill > 0:
            done.append(_rectangle(b0, b0 + (b1 - b0) * min(line.fill, 1.0), y, half))
            done_faces.append(solid)
        if line.overdue:
            overdue.append(_rectangle(b0, b1, y, half))
        for marker in line.markers:
            marks.append((_day(within_date_range(marker.on)) + 0.5, y))
            mark_faces.append(TEXT_COLOUR if marker.achieved else "white")
            mark_edges.append(OVERDUE_COLOUR if marker.missed else TEXT_COLOUR)
    if plan:
        ax.add_collection(PolyCollection(plan, facecolors=plan_faces, edgecolors=plan_edges,
                                         linewidths=0.8, zorder=2), autolim=False)
    if done:
        ax.add_collection(PolyCollection(done, facecolors=done_faces, linewidths=0, zorder=3),
                          autolim=False)
    if overdue:
        ax.add_collection(PolyCollection(overdue, facecolors="none", edgecolors=OVERDUE_COLOUR,
                                         hatch="////", linewidths=1.5, zorder=4), autolim=False)
    if marks:
        xs, ys = zip(*marks, strict=True)
        ax.scatter(xs, ys, s=36, marker="D", facecolors=mark_faces, edgecolors=mark_edges,
                   linewidths=1.2, zorder=5)


def _rectangle(x0: float, x1: float, y: float, half: float) -> list[tuple[float, float]]:
    return [(x0, y - half), (x1, y - half), (x1, y + half), (x0, y + half)]


def _row_texts(ax, lines: list, words: Words) -> None:
    """The words of every row: labels left of the axis, notes right of it, "no dates" in it.

    Each column is one multi-line text whose line spacing is exactly one row, so 500 rows
    cost four text artists rather than a thousand (matplotlib still writes one SVG
    <text> per line). A row with nothing in a column gets an empty line there.
    """
    labels, notes, alarms, undated = [], [], [], []
    for line in lines:
        is_bar = not isinstance(line, str)
        labels.append(line.label if is_bar else "")
        note = line.note if is_bar else ""
        notes.append("" if is_bar and line.overdue else note)
        alarms.append(note if is_bar and line.overdue else "")
        undated.append(f"  {words.no_dates}" if is_bar and line.start is None and line.end is None else "")
    columns = (
        (labels, -0.01, "right", {"fontsize": 8, "color": TEXT_COLOUR}),
        (notes, 1.01, "left", {"fontsize": 8, "color": MUTED_COLOUR}),
        (alarms, 1.01, "left", {"fontsize": 8, "color": OVERDUE_COLOUR, "fontweight": "bold"}),
        (undated, 0.0, "left", {"fontsize": 8, "color": MUTED_COLOUR, "style": "italic"}),
    )
    for texts, x, align, style in columns:
        if not any(texts):
            continue
        ax.add_artist(RowText(
            x, 1.0, "\n".join(texts), transform=ax.transAxes, ha=align, va="top", multialignment=align,
            linespacing=_row_linespacing(style["fontsize"], style.get("fontweight", "normal"),
                                         style.get("style", "normal")),
            clip_on=False, zorder=7, **style,
        ))


class RowText(Text):
    """One line of text per row, top-aligned on the first row: a column of row labels.

    In an SVG it is an ordinary matplotlib text (one <text> element per line, spaced one
    row apart by its ``linespacing``). In a PNG, Pillow rasterises it: since matplotlib
    3.11 the Agg renderer draws text one glyph at a time from Python, some 80 µs a glyph,
    which made the labels of a 500-row Gantt (30,000 glyphs) most of its drawing time;
    Pillow draws the same font with the same FreeType about twenty times faster. Each
    line is centred on its row, as matplotlib centres a one-line label.
    """

    def draw(self, renderer) -> None:
        if not isinstance(renderer, RendererAgg) or not self.get_visible() or not self.get_text():
            super().draw(renderer)
            return
        dpi = renderer.dpi
        pitch = ROW_HEIGHT_IN * dpi
        properties = self.get_fontproperties()
        font = _pillow_font(findfont(properties), properties.get_size_in_points() * dpi / 72)
        lines = self.get_text().split("\n")
        right = self.get_horizontalalignment() == "right"
        width = math.ceil(max(font.getlength(line) for line in lines)) + 4
        red, green, blue, alpha = to_rgba(self.get_color(), self.get_alpha())
        ink = np.array([round(red * 255), round(green * 255), round(blue * 255)], np.uint8)
        x, top = self.get_transform().transform(self.get_unitless_position())
        gc = renderer.new_gc()
        # A block of rows at a time keeps the scratch images small whatever the plan's size.
        for first in range(0, len(lines), TEXT_BLOCK_ROWS):
            block = lines[first:first + TEXT_BLOCK_ROWS]
            if not any(block):
                continue
            height = math.ceil(pitch * len(block)) + 2
            mask = Image.new("L", (width, height), 0)
            pen = ImageDraw.Draw(mask)
            for n, line in enumerate(block):
                if line:
                    pen.text((width - 2 if right else 2, pitch * (n + 0.5)), line, font=font, fill=255,
                             anchor="rm" if right else "lm")
            coverage = np.asarray(mask)[::-1]  # draw_image takes rows bottom first: the display's y runs up
            image = np.empty((height, width, 4), np.uint8)
            image[..., :3] = ink
            image[..., 3] = coverage if alpha == 1 else (coverage * alpha).astype(np.uint8)
            renderer.draw_image(gc, round(x - width + 2 if right else x - 2), round(top - first * pitch - height),
                                image)
        gc.restore()
        self.stale = False


@cache
def _pillow_font(path: str, pixels: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=pixels)


@cache
def _row_linespacing(size: float, weight: str, style: str) -> float:
    """The ``linespacing`` that makes one line of text exactly one row high.

    matplotlib spaces the lines of a text with a fixed line spacing at ``linespacing``
    times the font's ascent plus descent (from its OS/2 or hhea table), whatever the
    characters; this is the same arithmetic, in points.
    """
    properties = FontProperties(size=size, weight=weight, style=style)
    font = get_font(findfont(properties))
    units = font.get_sfnt_table("head")["unitsPerEm"]
    for table, ascent, descent in (("OS/2", "sTypoAscender", "sTypoDescender"), ("hhea", "ascent", "descent")):
        metrics = font.get_sfnt_table(table)
        if metrics is not None:
            return ROW_HEIGHT_IN * 72 / ((metrics[ascent] - metrics[descent]) / units * size)
    return ROW_HEIGHT_IN * 72 / (1.164 * size)  # DejaVu Sans's ascent plus descent


def _tint(value: str) -> tuple[float, float, float]:
    """A pale version of ``value``: the part of a bar not yet done."""
    r, g, b = to_rgb(value)
    return (0.3 * r + 0.7, 0.3 * g + 0.7, 0.3 * b + 0.7)


def _month_axis(ax, start: date, end: date, period_start: date | None, words: Words) -> None:
    """Gridlines at month starts; month names below, the plan's month numbers above.

    Drawn as one collection of gridlines, one row of tick marks and a text per label
    rather than through matplotlib's axis ticks: a tick is five artists made by deep
    copies, and the ~50 months of a plan's calendar cost a fifth of a 500-row Gantt's
    time. Placed as matplotlib places tick labels (sizes and pads in points).
    """
    months = _months(start, end)
    step = next(step for most, step in LABEL_STEPS if most is None or len(months) <= most)
    mids = [_day(m) + (_month_end(m).day / 2) for m in months]
    # Labelled months: every step-th month of the year, or every step-th year in January.
    shown = [i for i, m in enumerate(months)
             if ((m.month - 1) % step == 0 if step <= 12 else m.month == 1 and m.year % (step // 12) == 0)]
    lined = range(len(months)) if len(months) <= GRIDLINE_MONTHS else shown
    starts = [_day(months[i]) for i in lined]
    ax.set_xticks([])
    along = ax.get_xaxis_transform()  # x in days, y in the axes' height (0 bottom, 1 top)
    ax.add_collection(LineCollection([((x, 0), (x, 1)) for x in starts], transform=along, colors=GRID_COLOUR,
                                     linewidths=0.6, antialiased=False, zorder=0.6),
                      autolim=False)
    ax.add_line(Line2D(starts, [0] * len(starts), transform=along, ls="", marker=TICKDOWN, markersize=TICK_PT,
                       markeredgewidth=0.8, color=GRID_COLOUR, clip_on=False, zorder=2.5))
    points = ax.figure.dpi_scale_trans

    def label(x: float, y: float, text: str, above: float, base=along, **style) -> None:
        # ``above`` points above (or below, if negative) the axes' top or bottom edge.
        ax.text(x, y, text, transform=base + ScaledTranslation(0, above / 72, points), clip_on=False,
                ha="center", va="bottom" if above > 0 else "top", **style)

    for n, i in enumerate(shown):
        month = months[i]
        name = words.months[month.month - 1]
        label(mids[i], 0, f"{name}\n{month.year}" if n == 0 or month.month == 1 else name, -LABEL_PAD_PT,
              fontsize=8, color="black")

    if period_start is None:
        return
    period_start = within_date_range(period_start)
    first = date(period_start.year, period_start.month, 1)
    numbered = [(i, (m.year - first.year) * 12 + m.month - first.month + 1) for i, m in enumerate(months)]
    numbered = [(i, n) for i, n in numbered if n >= 1 and (n - 1) % step == 0]
    for i, n in numbered:
        label(mids[i], 1, f"M{n}", LABEL_PAD_PT, fontsize=7, color=MUTED_COLOUR)
    # Above the numbers (a 7-point line), as an axis label sits its pad above its tick labels.
    label(0.5, 1, words.plan_month, LABEL_PAD_PT + 7 * LINE_HEIGHT + 4, base=ax.transAxes, fontsize=8,
          color=MUTED_COLOUR)


def _today(ax, today: date, x0: float, x1: float) -> None:
    x = _day(today) + 0.5
    if x0 <= x <= x1:
        ax.axvline(x, color=TODAY_COLOUR, ls="--", lw=1.2, zorder=6)
