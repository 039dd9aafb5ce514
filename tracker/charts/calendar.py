"""The time axis of the HTML charts: whole months, quarters or years, and where a day falls on it.

Pure functions of dates. A chart spans whole units of its zoom (a month zoom starts on
the 1st of a month and ends on the last day of one), and every position is a
percentage of that span, so the browser lays bars out without any script and the same
HTML prints at any width.

Dates outside the range the tracker accepts (1900 to 2199) are drawn at its edge, as in
the image charts, so a span is always computable and at most three centuries long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.charts.data import MONTH_NAMES
from tracker.models.types import within_date_range

ZOOMS = ("month", "quarter", "year")
MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}
QUARTER = "Q%(quarter)s %(year)s"  # a quarter's label when the caller gives none
DEFAULT_HALF_SPAN = timedelta(days=180)  # a chart with no dates at all shows a year around today
# The zoom a chart opens at, by the months it spans: a column per month stays readable up
# to about three years (36 columns), a column per quarter up to ten (40); beyond, years.
FITTING_ZOOMS = ((36, "month"), (120, "quarter"))


@dataclass(frozen=True)
class Span:
    """The first and last day (inclusive) a chart shows."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Tick:
    """One unit of the axis: its label, where it starts and how wide it is (percent of the span)."""

    label: str
    start: date
    left: float
    width: float


def span_of(days, *, zoom: str = "month", today: date) -> Span:
    """Whole units of ``zoom`` covering every day in ``days`` (None ignored), or a year around ``today``."""
    known = [within_date_range(d) for d in days if d is not None]
    if not known:
        known = [today - DEFAULT_HALF_SPAN, today + DEFAULT_HALF_SPAN]
    return Span(_unit_start(min(known), zoom), _unit_end(max(known), zoom))


def fitting_zoom(days, *, today: date) -> str:
    """The zoom that fits a chart covering ``days`` (None ignored): month for up to about
    three years, quarter for up to ten, year beyond (``FITTING_ZOOMS``)."""
    months = units(span_of(days, zoom="month", today=today), "month")
    return next((zoom for most, zoom in FITTING_ZOOMS if months <= most), "year")


def position(day: date, span: Span) -> float:
    """Where the start of ``day`` falls on ``span``, in percent (0 to 100, clamped)."""
    return scale(span)(day)


def scale(span: Span):
    """``position`` for one span as a fast function of a day: a Gantt asks it thousands of times."""
    first, factor = span.start.toordinal(), 100.0 / span.days

    def at(day: date) -> float:
        # Any date, even outside the accepted range, lands inside the clamp.
        offset = (day.toordinal() - first) * factor
        return 0.0 if offset < 0.0 else min(offset, 100.0)

    return at


def extent(start: date, end: date, span: Span, at=None) -> tuple[float, float]:
    """Left edge and width (percent) of a bar from ``start`` to ``end``, both days included.

    ``at`` is ``scale(span)``, when the caller places many bars on the same span.
    """
    at = at or scale(span)
    left = at(start)
    right = at(end) + 100.0 / span.days if end < span.end else 100.0
    return left, max(min(right, 100.0) - left, 0.0)


def ticks(span: Span, zoom: str, months: tuple[str, ...] = MONTH_NAMES, quarter: str = QUARTER) -> tuple[Tick, ...]:
    """The units of ``zoom`` in ``span``, labelled "Jan" / "Q1 2019" / "2019"; a unit the span
    cuts (a year on a month axis) is kept to the part inside it. ``months`` (the twelve
    short names) and ``quarter`` ("Q%(quarter)s %(year)s", as the catalogue writes it) are the reader's words."""
    out = []
    current = span.start
    while current <= span.end:
        following = _add_months(_unit_start(current, zoom), MONTHS_PER_UNIT[zoom])
        left = position(current, span)
        right = position(following, span) if following <= span.end else 100.0
        out.append(Tick(_label(current, zoom, months, quarter), current, left, right - left))
        current = following
    return tuple(out)


def plan_months(span: Span, period_start: date | None) -> tuple[Tick, ...]:
    """The plan's own months ("M1", "M2", ...) from ``period_start``, for month zoom only.

    Annex D of the Mongolian assessment numbers its 24 months this way; months before
    the plan's start are not numbered.
    """
    if period_start is None:
        return ()
    first = within_date_range(period_start).replace(day=1)
    return tuple(
        Tick(f"M{(t.start.year - first.year) * 12 + t.start.month - first.month + 1}", t.start, t.left, t.width)
        for t in ticks(span, "month")
        if t.start >= first
    )


def units(span: Span, zoom: str) -> int:
    """How many units of ``zoom`` the span holds (the chart's width is this many columns)."""
    months = (span.end.year - span.start.year) * 12 + span.end.month - span.start.month + 1
    return -(-months // MONTHS_PER_UNIT[zoom])


def _label(day: date, zoom: str, months: tuple[str, ...], quarter: str) -> str:
    if zoom == "year":
        return str(day.year)
    if zoom == "quarter":
        return quarter % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}
    return months[day.month - 1]  # the year is on a band of its own


def _unit_start(day: date, zoom: str) -> date:
    step = MONTHS_PER_UNIT[zoom]
    return date(day.year, (day.month - 1) // step * step + 1, 1)


def _unit_end(day: date, zoom: str) -> date:
    following = _add_months(_unit_start(day, zoom), MONTHS_PER_UNIT[zoom])
    return following - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    """The 1st of the month ``months`` after ``day``'s month (``day`` is a 1st)."""
    index = day.year * 12 + day.month - 1 + months
    if index // 12 > 2199:  # past the last year accepted: stop at its end
        return date(2200, 1, 1)
    return date(index // 12, index % 12 + 1, 1)
