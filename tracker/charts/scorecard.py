"""Scorecards: recommendations per area stacked by status, and the change between rounds.

The first reproduces the OECD follow-up's Table 2.1 as a chart (its Figures 2.3 and
2.5-2.9 are the same counts per area); the second compares assessment rounds status
by status, e.g. the 2017 follow-up against today's validated statuses.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from tracker.charts.data import RoundsData, ScorecardData, StatusStyle
from tracker.charts.render import colour, message_figure, render, text_colour, wrap

AREA_LABEL_WIDTH = 36
MUTED_COLOUR = "#57606a"


def scorecard_chart(data: ScorecardData, fmt: str = "png") -> bytes:
    """Per-area stacked horizontal bars of recommendation counts by status, with a total bar."""

    def build() -> Figure:
        if not any(bar.total for bar in data.bars):
            return message_figure(data.title, data.labels.empty, data.subtitle)
        statuses = _statuses(data.statuses, (bar.counts for bar in data.bars))
        rows = [(wrap(bar.label, AREA_LABEL_WIDTH, 3), bar.counts) for bar in data.bars]
        rows.append((data.labels.total, data.totals | _unknown(statuses, data.statuses, data.bars)))
        ys = [float(i) for i in range(len(rows) - 1)] + [len(rows) - 1 + 0.4]

        figure = Figure(figsize=(11, 2.2 + 0.55 * len(rows)), layout="constrained")
        figure.suptitle(data.title, fontsize=13, fontweight="bold")
        ax = figure.add_subplot()
        lefts = [0] * len(rows)
        for status in statuses:
            values = [counts.get(status.key, 0) for _, counts in rows]
            fill = colour(status.colour)
            bars = ax.barh(ys, values, left=lefts, height=0.66, color=fill, edgecolor="white",
                           lw=0.8, label=status.label)
            ax.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center",
                         color=text_colour(fill), fontsize=9, fontweight="bold")
            lefts = [a + b for a, b in zip(lefts, values, strict=True)]
        widest = max(lefts)
        for y, total in zip(ys, lefts, strict=True):
            ax.text(total + widest * 0.01, y, str(total), va="center", fontsize=9, color=MUTED_COLOUR)
        ax.axhline(len(rows) - 1.45, color="#d0d7de", lw=0.8)
        ax.set_yticks(ys, labels=[label for label, _ in rows], fontsize=9)
        ax.get_yticklabels()[-1].set_fontweight("bold")
        ax.invert_yaxis()
        ax.set_xlim(0, widest * 1.08)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(data.labels.axis, fontsize=9)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#eaeef2")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if data.subtitle:
            ax.set_title(data.subtitle, fontsize=9, color=MUTED_COLOUR, loc="left")
        figure.legend(loc="outside lower center", ncols=min(len(statuses), 5), frameon=False,
                      fontsize=9)
        return figure

    return render(build, fmt, title=data.title)


def rounds_chart(data: RoundsData, fmt: str = "png") -> bytes:
    """Grouped bars per status, one bar per round (oldest palest); the last change under each status."""

    def build() -> Figure:
        if not data.rounds or not any(sum(r.counts.values()) for r in data.rounds):
            return message_figure(data.title, data.labels.empty, data.subtitle)
        statuses = _statuses(data.statuses, (r.counts for r in data.rounds))
        n = len(data.rounds)
        width = 0.8 / n
        figure = Figure(figsize=(max(8, 1.6 * len(statuses) * max(1, n / 2) + 2), 5.2),
                        layout="constrained")
        figure.suptitle(data.title, fontsize=13, fontweight="bold")
        ax = figure.add_subplot()
        highest = 0
        for j, round_ in enumerate(data.rounds):
            strength = 0.35 + 0.65 * (j + 1) / n  # older rounds paler, the latest solid
            xs = [i - 0.4 + width * (j + 0.5) for i in range(len(statuses))]
            values = [round_.counts.get(s.key, 0) for s in statuses]
            highest = max([highest, *values])
            bars = ax.bar(xs, values, width=width * 0.92,
                          color=[_fade(colour(s.colour), strength) for s in statuses],
                          edgecolor=[colour(s.colour) for s in statuses], lw=1.0,
                          hatch=None if j == n - 1 else "//")
            ax.bar_label(bars, labels=[str(v) for v in values], fontsize=9, padding=2)
        labels = []
        for status in statuses:
            label = status.label
            if n >= 2:
                change = (data.rounds[-1].counts.get(status.key, 0)
                          - data.rounds[-2].counts.get(status.key, 0))
                label += f"\n{data.labels.change}: {change:+d}"
            labels.append(label)
        ax.set_xticks(range(len(statuses)), labels=labels, fontsize=9)
        ax.set_ylim(0, highest * 1.15 + 1)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(data.labels.axis, fontsize=9)
        ax.tick_params(axis="x", length=0)
        ax.grid(axis="y", color="#eaeef2")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if data.subtitle:
            ax.set_title(data.subtitle, fontsize=9, color=MUTED_COLOUR, loc="left")
        handles = [
            Patch(facecolor=_fade("#57606a", 0.35 + 0.65 * (j + 1) / n), edgecolor="#57606a",
                  hatch=None if j == n - 1 else "//", label=r.label)
            for j, r in enumerate(data.rounds)
        ]
        figure.legend(handles=handles, loc="outside lower center", ncols=min(n, 3), frameon=False,
                      fontsize=9)
        return figure

    return render(build, fmt, title=data.title)


def _statuses(vocabulary, counts_list) -> list[StatusStyle]:
    """The vocabulary, plus any key the counts use that it lacks (drawn grey, named by key)."""
    known = {s.key for s in vocabulary}
    extra = sorted({key for counts in counts_list for key, n in counts.items() if n and key not in known})
    return list(vocabulary) + [StatusStyle(key=key, label=key, colour=colour(None)) for key in extra]


def _unknown(statuses, vocabulary, bars) -> dict[str, int]:
    known = {s.key for s in vocabulary}
    return {s.key: sum(b.counts.get(s.key, 0) for b in bars) for s in statuses if s.key not in known}


def _fade(value: str, strength: float) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(value)
    return (strength * r + 1 - strength, strength * g + 1 - strength, strength * b + 1 - strength)
