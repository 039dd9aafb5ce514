"""Readiness heat map: dimensions (rows) by question areas (cells), coloured by rating.

The World Bank method rates each question area GREEN, YELLOW or RED; unrated ones are
grey. The first column is the dimension's overall rating; each cell shows its question's
code, so the chart can be read against the report, and its rating's letter (G, Y, R),
so it can be read without telling the colours apart (tracker/charts/palette.py).
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from tracker.charts.data import ReadinessData
from tracker.charts.palette import RATING_COLOURS, RATING_LETTERS, UNRATED_COLOUR
from tracker.charts.render import message_figure, render, text_colour, wrap

CELLS_PER_LINE = 12  # a dimension with more question areas continues on another line
NAME_WIDTH = 30
MUTED_COLOUR = "#57606a"


def rating_colour(rating: str | None) -> str:
    """The fill of a cell rated ``rating`` (grey when unrated or unknown)."""
    return RATING_COLOURS.get((rating or "").upper(), UNRATED_COLOUR)


def rating_letter(rating: str | None) -> str:
    """The letter a cell rated ``rating`` carries: G, Y or R ("" when unrated or unknown)."""
    return RATING_LETTERS.get((rating or "").upper(), "")


def readiness_chart(data: ReadinessData, fmt: str = "png") -> bytes:
    """The heat map of ``data`` as PNG or SVG bytes."""

    def build() -> Figure:
        if not data.rows:
            return message_figure(data.title, data.labels.empty, data.subtitle)
        columns = min(CELLS_PER_LINE, max((len(r.cells) for r in data.rows), default=1)) or 1
        lines = sum(max(1, -(-len(r.cells) // CELLS_PER_LINE)) for r in data.rows)
        figure = Figure(figsize=(4.2 + 0.62 * (columns + 1.5), 2.4 + 0.5 * lines),
                        layout="constrained")
        figure.suptitle(data.title, fontsize=13, fontweight="bold")
        ax = figure.add_subplot()

        y, ticks, names = 0, [], []
        for row in data.rows:
            ticks.append(y)
            # The code is in the overall cell beside the name.
            names.append(wrap(row.name, NAME_WIDTH))
            _cell(ax, 0, y, row.code, row.rating)
            for index, cell in enumerate(row.cells):
                _cell(ax, 1.3 + index % CELLS_PER_LINE, y + index // CELLS_PER_LINE, cell.code, cell.rating)
            y += max(1, -(-len(row.cells) // CELLS_PER_LINE))

        ax.set_xlim(-0.1, 1.3 + columns + 0.05)
        ax.set_ylim(y + 0.05, -0.75)
        ax.set_yticks([t + 0.45 for t in ticks], labels=names, fontsize=8)
        ax.set_xticks([0.45, 1.3 + columns / 2], labels=[data.labels.overall, data.labels.questions],
                      fontsize=9, fontweight="bold")
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if data.subtitle:
            ax.set_title(data.subtitle, fontsize=9, color=MUTED_COLOUR, loc="left", pad=24)
        ratings = data.labels.ratings
        handles = [Patch(facecolor=RATING_COLOURS[key], label=f"{RATING_LETTERS[key]}  {ratings.get(key, key)}")
                   for key in RATING_COLOURS]
        handles.append(Patch(facecolor=UNRATED_COLOUR, label=ratings.get("", "—")))
        figure.legend(handles=handles, loc="outside lower center", ncols=4, frameon=False, fontsize=9)
        return figure

    return render(build, fmt, title=data.title)


def _cell(ax, x: float, y: float, code: str, rating: str | None) -> None:
    fill = rating_colour(rating)
    ax.add_patch(Rectangle((x, y), 0.9, 0.9, facecolor=fill, edgecolor="white", lw=1.5))
    letter = rating_letter(rating)
    ax.text(x + 0.45, y + 0.45, f"{code}\n{letter}" if letter else code, ha="center", va="center",
            fontsize=7.5, color=text_colour(fill), fontweight="bold")
