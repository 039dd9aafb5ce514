"""Agency scorecard: per lead agency, actions on time / late / overdue, ranked.

A horizontal bar per agency, stacked: finished on time, finished late, overdue (hatched,
so it reads without colour), still open and not yet due; beside it, reports on time and
reminders left unanswered. Agencies are ranked as ``tracker.charts.data.rank_key`` says.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from tracker.charts.data import AgencyData, ranked
from tracker.charts.palette import BLUISH_GREEN, NEUTRAL, ORANGE, OVERDUE_COLOUR
from tracker.charts.render import message_figure, page_bounds, render, shorten

ROWS_PER_PAGE = 40
SEGMENTS = (  # (attribute, colour, hatch)
    ("on_time", BLUISH_GREEN, None),
    ("late", ORANGE, "\\\\"),
    ("overdue", OVERDUE_COLOUR, "////"),
    ("open", NEUTRAL, None),
)
MUTED_COLOUR = "#57606a"


def agencies_chart(data: AgencyData, fmt: str = "png", *, page: int = 1) -> bytes:
    """The ranked agency scorecard as PNG or SVG bytes; ``page`` of ``agencies_pages(data)``."""
    rows = ranked(data.rows)
    first, last, pages = page_bounds(len(rows), page, ROWS_PER_PAGE)

    def build() -> Figure:
        if not rows:
            return message_figure(data.title, data.labels.empty, data.subtitle)
        shown = rows[first:last]
        figure = Figure(figsize=(12, 2.3 + 0.4 * len(shown)), layout="constrained")
        figure.suptitle(data.title, fontsize=13, fontweight="bold")
        ax = figure.add_subplot()
        ys = list(range(len(shown)))
        lefts = [0] * len(shown)
        for attribute, fill, hatch in SEGMENTS:
            values = [getattr(row, attribute) for row in shown]
            bars = ax.barh(ys, values, left=lefts, height=0.62, color=fill, edgecolor="white",
                           hatch=hatch, lw=0.6, label=getattr(data.labels, attribute))
            # A small box of the bar's own colour keeps the count readable over the hatching.
            ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center",
                         fontsize=8, color="white" if attribute != "open" else "#1f2328",
                         fontweight="bold",
                         bbox={"boxstyle": "round,pad=0.2", "facecolor": fill, "edgecolor": "none"})
            lefts = [a + b for a, b in zip(lefts, values, strict=True)]
        notes = blended_transform_factory(ax.transAxes, ax.transData)
        for y, row in zip(ys, shown, strict=True):
            parts = []
            if row.reports:
                parts.append(data.labels.reports % {"on_time": row.reports_on_time, "total": row.reports})
            if row.reminders_sent:
                parts.append(data.labels.reminders % {"unanswered": row.reminders_unanswered})
            if parts:
                ax.text(1.01, y, " · ".join(parts), transform=notes, va="center", fontsize=8,
                        color=MUTED_COLOUR, clip_on=False)
        names = []
        for rank, row in enumerate(shown, start=first + 1):
            name = shorten(row.name, 44)
            if row.acronym and row.acronym != row.name:
                name += f" ({row.acronym})"
            names.append(f"{rank}. {name}")
        ax.set_yticks(ys, labels=names, fontsize=8)
        ax.set_ylim(len(shown) - 0.5, -0.5)
        ax.set_xlim(0, max(max(lefts), 1) * 1.05)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(data.labels.axis, fontsize=9)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#eaeef2")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        parts = [data.subtitle] if data.subtitle else []
        if pages > 1:
            parts.append(data.labels.page % {"page": page, "pages": pages})
        if parts:
            ax.set_title(" · ".join(parts), fontsize=9, color=MUTED_COLOUR, loc="left")
        handles = [Patch(facecolor=fill, hatch=hatch, edgecolor="white",
                         label=getattr(data.labels, attribute)) for attribute, fill, hatch in SEGMENTS]
        figure.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=9)
        return figure

    return render(build, fmt, title=data.title)


def agencies_pages(data: AgencyData) -> int:
    """How many images the agency scorecard takes."""
    return page_bounds(len(data.rows), 1, ROWS_PER_PAGE)[2]
