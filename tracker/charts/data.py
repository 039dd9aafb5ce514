"""The plain data the charts draw: frozen dataclasses of strings, numbers and dates.

Nothing here knows about the database. ``publishing.chart_data`` builds these from a plan;
tests build them by hand. Every name a chart shows (titles, areas, agencies, statuses)
comes from these objects; the few generic words a chart needs ("Today", "Overdue", ...)
are in the ``*Labels`` dataclasses, with English defaults a caller may translate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Readiness ratings, as the World Bank method prints them; ``None`` means "not rated".
RATINGS = ("GREEN", "YELLOW", "RED")
# The month axis's names when the caller gives none (``formats.month_abbreviations`` gives them
# in the reader's language).
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class StatusStyle:
    """One value of the status vocabulary as a chart needs it (from a ``Status`` row), its
    label already in the reader's language (``publishing.chart_data.status_styles``)."""

    key: str
    label: str
    colour: str
    is_final: bool = False


# --- Gantt ----------------------------------------------------------------------


@dataclass(frozen=True)
class GanttMilestone:
    """A dated step of an action, drawn as a marker on its bar."""

    title: str
    due_date: date
    achieved_on: date | None = None


@dataclass(frozen=True)
class GanttRow:
    """One action: a bar from ``start`` to ``due`` (inclusive), filled to ``percent``.

    ``overdue`` is decided by the caller (past due and not in a final status, the same
    rule as ``Action.is_overdue``), so the chart never needs the status rules.
    """

    code: str
    title: str
    status_key: str
    start: date | None
    due: date | None
    percent: int = 0
    area: str | None = None  # the area's name (rows are grouped under it)
    lead: str | None = None
    overdue: bool = False
    milestones: tuple[GanttMilestone, ...] = ()
    # The title (and the area's name) shown in the original, English, to a reader of another
    # language: an HTML page marks it so (``web.content_language``).
    title_original: bool = False
    area_original: bool = False


@dataclass(frozen=True)
class GanttLabels:
    """Generic words of the Gantt and timeline charts."""

    today: str = "Today"
    overdue: str = "Overdue"
    milestone: str = "Milestone"
    milestone_achieved: str = "Milestone achieved"
    plan_month: str = "Plan month"
    no_dates: str = "no dates"
    no_area: str = "Other actions"
    page: str = "page %(page)d of %(pages)d"
    today_outside: str = "today (%(today)s) is outside the period shown"
    continued: str = "%(group)s (cont.)"
    empty: str = "No actions to show."
    months: tuple[str, ...] = MONTH_NAMES
    today_day: str = ""  # today as the reader writes a day; "" for ISO (2026-12-03)


@dataclass(frozen=True)
class GanttData:
    """Actions of a plan (or of one area or agency of it) on a calendar."""

    title: str
    statuses: tuple[StatusStyle, ...]
    rows: tuple[GanttRow, ...]
    today: date
    subtitle: str = ""
    period_start: date | None = None  # month 1 of the plan, for the "M1..Mn" axis
    period_end: date | None = None
    labels: GanttLabels = field(default_factory=GanttLabels)


# --- Timeline by timeframe (Annex A) ------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """A recommendation placed in a timeframe lane."""

    code: str
    text: str
    status_key: str
    text_original: bool = False  # as ``GanttRow.title_original``


@dataclass(frozen=True)
class TimelineLane:
    """A timeframe (short < 1 year, medium 1-2 years, long > 2 years) and its window.

    ``start``/``end`` are None for the lane of recommendations without a timeframe.
    """

    key: str
    label: str
    start: date | None
    end: date | None
    items: tuple[TimelineItem, ...]
    window: str = ""  # "start – end" as the reader writes days; "" for ISO days


@dataclass(frozen=True)
class TimelineData:
    """A plan's recommendations in lanes by timeframe, counted from the plan's start."""

    title: str
    statuses: tuple[StatusStyle, ...]
    lanes: tuple[TimelineLane, ...]
    plan_start: date
    today: date
    subtitle: str = ""
    labels: GanttLabels = field(default_factory=GanttLabels)


# --- Scorecards -------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardBar:
    """One area's recommendation counts by status key."""

    label: str
    counts: dict[str, int]
    code: str | None = None
    percent: float | None = None  # percent complete, rolled up (``publishing.completion``)

    @property
    def total(self) -> int:
        """Recommendations in the area, whatever their status."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class ScorecardLabels:
    total: str = "Total"
    axis: str = "Recommendations"
    change: str = "change"
    empty: str = "No recommendations to show."
    percent: str = "Percent complete"


@dataclass(frozen=True)
class ScorecardData:
    """Recommendations per area, stacked by status (Table 2.1 / Figures 2.3, 2.5-2.9)."""

    title: str
    statuses: tuple[StatusStyle, ...]
    bars: tuple[ScorecardBar, ...]
    subtitle: str = ""
    labels: ScorecardLabels = field(default_factory=ScorecardLabels)
    percent: float | None = None  # the plan's percent complete

    @property
    def totals(self) -> dict[str, int]:
        """Counts summed over every area, for every status of the vocabulary."""
        return {s.key: sum(bar.counts.get(s.key, 0) for bar in self.bars) for s in self.statuses}


@dataclass(frozen=True)
class RoundCounts:
    """How many recommendations one assessment round (or "now") gave each status."""

    label: str
    counts: dict[str, int]
    assessed_on: date | None = None


@dataclass(frozen=True)
class RoundsData:
    """Status counts of several assessment rounds, oldest first; the change is last vs. the one before."""

    title: str
    statuses: tuple[StatusStyle, ...]
    rounds: tuple[RoundCounts, ...]
    subtitle: str = ""
    labels: ScorecardLabels = field(default_factory=ScorecardLabels)


# --- Readiness heat map ----------------------------------------------------------


@dataclass(frozen=True)
class ReadinessCell:
    """One question area: its code (shown in the cell), title and rating."""

    code: str
    title: str
    rating: str | None


@dataclass(frozen=True)
class ReadinessRow:
    """One dimension: its overall rating and its question areas in report order."""

    code: str
    name: str
    rating: str | None
    cells: tuple[ReadinessCell, ...]


@dataclass(frozen=True)
class ReadinessLabels:
    overall: str = "Overall"
    questions: str = "Question areas"
    ratings: dict[str, str] = field(
        default_factory=lambda: {"GREEN": "Green", "YELLOW": "Yellow", "RED": "Red", "": "Not rated"}
    )
    empty: str = "No readiness assessment recorded."


@dataclass(frozen=True)
class ReadinessData:
    """Dimensions (rows) by question areas (cells), coloured by rating."""

    title: str
    rows: tuple[ReadinessRow, ...]
    subtitle: str = ""
    labels: ReadinessLabels = field(default_factory=ReadinessLabels)


# --- Agency scorecard --------------------------------------------------------------


@dataclass(frozen=True)
class AgencyRow:
    """One lead agency's record on a plan.

    Actions: ``on_time`` (finished by the due date, or finished with none), ``late``
    (finished after it), ``overdue`` (open past it), ``open`` (open, not yet due).
    Reports: of the submitted or accepted reports in a round, how many came by its
    deadline. Reminders: delivered about its actions, and how many a report answered.
    """

    name: str
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    reports: int = 0
    reports_on_time: int = 0
    reminders_sent: int = 0
    reminders_answered: int = 0
    acronym: str | None = None

    @property
    def actions(self) -> int:
        """Actions the agency leads."""
        return self.on_time + self.late + self.overdue + self.open

    @property
    def reminders_unanswered(self) -> int:
        """Reminders delivered that no report has answered yet."""
        return self.reminders_sent - self.reminders_answered


def rank_key(row: AgencyRow) -> tuple:
    """Sort key of the agency ranking, best first.

    Shares rather than counts, so an agency leading many actions is not punished for
    its size: the smallest share of overdue actions first, then of late ones, then of
    unanswered reminders; then the largest share on time and of reports on time; then name.
    """

    def share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    return (
        share(row.overdue, row.actions),
        share(row.late, row.actions),
        share(row.reminders_unanswered, row.reminders_sent),
        -share(row.on_time, row.actions),
        -share(row.reports_on_time, row.reports),
        row.name.lower(),
    )


def ranked(rows) -> tuple[AgencyRow, ...]:
    """``rows`` in ranking order (see ``rank_key``)."""
    return tuple(sorted(rows, key=rank_key))


@dataclass(frozen=True)
class AgencyLabels:
    on_time: str = "On time"
    late: str = "Finished late"
    overdue: str = "Overdue"
    open: str = "Open, not yet due"
    axis: str = "Actions led"
    reports: str = "reports on time %(on_time)d/%(total)d"
    reminders: str = "reminders unanswered %(unanswered)d"
    page: str = "page %(page)d of %(pages)d"
    empty: str = "No actions with a lead agency."


@dataclass(frozen=True)
class AgencyData:
    """Lead agencies of a plan, ranked (see ``rank_key``)."""

    title: str
    rows: tuple[AgencyRow, ...]
    subtitle: str = ""
    labels: AgencyLabels = field(default_factory=AgencyLabels)


# --- Tables: the same numbers as the charts, for CSV and HTML -------------------------


@dataclass(frozen=True)
class Table:
    """A chart's numbers as a table: the CSV download and the HTML table beside the chart.

    ``rows`` hold strings, numbers or None (an empty cell); ``total`` is an optional last
    row that the HTML shows as a footer.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    total: tuple | None = None


# --- Indicators -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLabels:
    """The generic words of an indicator chart (English defaults; callers may translate)."""

    baseline: str = "Baseline"
    target: str = "Target"
    values: str = "Values"
    empty: str = "No value has been accepted yet."
    yes: str = "Yes"
    no: str = "No"


@dataclass(frozen=True)
class IndicatorSeries:
    """One indicator's accepted values over time, with its baseline and target."""

    title: str
    unit: str
    kind: str  # number | percent | yes_no
    points: tuple[tuple[date, float], ...]
    baseline: tuple[date | None, float] | None = None
    target: tuple[date | None, float] | None = None
    labels: IndicatorLabels = field(default_factory=IndicatorLabels)
