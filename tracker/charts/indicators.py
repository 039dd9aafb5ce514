"""An indicator's values over time, with its baseline and target as lines (matplotlib, PNG/SVG).

The values are dots joined by a line; the baseline is a dashed grey line and the target a
dotted line in the palette's green, each named in the legend and at its end, so nothing
rests on colour alone. The table beside the chart on the page holds the same figures.
"""

from __future__ import annotations

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from tracker.charts.data import IndicatorSeries
from tracker.charts.palette import BLUE, BLUISH_GREEN
from tracker.charts.render import message_figure, render, wrap

BASELINE_COLOUR = "#57606a"


def indicator_chart(data: IndicatorSeries, fmt: str = "png") -> bytes:
    """The chart of ``data`` as ``fmt`` bytes."""

    def build() -> Figure:
        if not data.points and data.baseline is None and data.target is None:
            return message_figure(data.title, data.labels.empty)
        figure = Figure(figsize=(8, 3.6), layout="constrained")
        ax = figure.add_subplot()
        ax.set_title(wrap(data.title, 80), fontsize=11, fontweight="bold", loc="left")
        days = [day for day, _ in data.points]
        for reference in (data.baseline, data.target):
            if reference is not None and reference[0] is not None:
                days.append(reference[0])
        if data.baseline is not None:
            ax.axhline(data.baseline[1], color=BASELINE_COLOUR, linestyle="--", linewidth=1.2,
                       label=f"{data.labels.baseline}: {_number(data.baseline[1], data)}")
        if data.target is not None:
            ax.axhline(data.target[1], color=BLUISH_GREEN, linestyle=":", linewidth=2,
                       label=f"{data.labels.target}: {_number(data.target[1], data)}")
            if data.target[0] is not None:
                ax.axvline(data.target[0], color=BLUISH_GREEN, linestyle=":", linewidth=1)
        if data.points:
            ax.plot([day for day, _ in data.points], [value for _, value in data.points], color=BLUE,
                    marker="o", linewidth=2, label=data.labels.values)
        if days:
            locator = AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
            if min(days) == max(days):
                from datetime import timedelta

                ax.set_xlim(min(days) - timedelta(days=180), max(days) + timedelta(days=180))
        if data.kind == "yes_no":
            ax.set_yticks([0, 1], [data.labels.no, data.labels.yes])
            ax.set_ylim(-0.2, 1.2)
        elif data.kind == "percent":
            ax.set_ylim(0, 100)
        if data.unit and data.kind != "yes_no":
            ax.set_ylabel(data.unit)
        ax.grid(axis="y", color="#d0d7de", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="best", fontsize=9, frameon=False)
        return figure

    return render(build, fmt, title=data.title)


def _number(value: float, data: IndicatorSeries) -> str:
    if data.kind == "yes_no":
        return data.labels.yes if value else data.labels.no
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text}%" if data.kind == "percent" else text
