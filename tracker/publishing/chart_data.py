"""The public dashboard's numbers: read-only queries that turn a plan into the charts' plain data.

Every function here reads (never writes) and returns the dataclasses of
``tracker.charts.data``; the chart functions draw them and ``tracker.charts.tables``
turns the same objects into the CSV and HTML tables, so the three always agree.
Queries load what they need in a few statements (joins, ``selectinload``), never one
per row. Only validated, public data is used: draft reports, and reports not yet
accepted, change nothing here except the count of reports submitted in a round.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from dateutil.relativedelta import relativedelta
from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from tracker.charts import tables
from tracker.charts.data import (
    AgencyData,
    AgencyRow,
    GanttData,
    GanttMilestone,
    GanttRow,
    ReadinessCell,
    ReadinessData,
    ReadinessRow,
    RoundCounts,
    RoundsData,
    ScorecardBar,
    ScorecardData,
    StatusStyle,
    Table,
    TimelineData,
    TimelineItem,
    TimelineLane,
    ranked,
)
from tracker.exchange.csv_files import csv_bytes
from tracker.extensions import db
from tracker.formats import day
from tracker.models import (
    REPORTED_STATES,
    Action,
    Agency,
    Area,
    AssessmentRound,
    OutboxMessage,
    Plan,
    ProgressReport,
    Recommendation,
    RecommendationAssessment,
    Reminder,
    ReportingRound,
    Status,
    StatusChange,
)
from tracker.models.translations import ORIGINAL_LANGUAGE, language_of, localized, status_text
from tracker.models.types import within_date_range
from tracker.publishing import chart_words
from tracker.publishing.chart_words import NO_TIMEFRAME, TIMEFRAME_LANES
from tracker.publishing.scorecards import plan_scorecard
from tracker.reminders.log import DELIVERED
from tracker.services.errors import ValidationFailed
from tracker.services.plans import find_area
from tracker.services.readiness import plan_readiness
from tracker.services.statuses import status_vocabulary

# Reminders an agency answers with a report (the same rules as reminder_log.agency_stats).
ANSWERABLE_RULES = ("due_soon", "overdue", "missing_report")


def status_styles(language: str = ORIGINAL_LANGUAGE) -> tuple[StatusStyle, ...]:
    """The status vocabulary as the charts need it, in display order, labelled for ``language``."""
    return tuple(_style(s, language) for s in status_vocabulary())


def _style(status: Status, language: str) -> StatusStyle:
    # The pages' rule for a status's label (``models.translations.status_text``).
    return StatusStyle(key=status.key, label=status_text(status, language, gettext), colour=status.colour,
                       is_final=status.is_final)


def shown(item, field: str, language: str) -> tuple[str, bool]:
    """``field`` of ``item`` for a reader of ``language``, and whether it is the original left
    untranslated for a reader of another language (which a page marks)."""
    text = localized(item, field, language)
    return text.text, text.is_original and language != ORIGINAL_LANGUAGE


def area_heading(area, language: str) -> tuple[str, bool]:
    """An area as a chart heads its group: "G  Governance", in ``language`` where it has a translation."""
    name, original = shown(area, "name", language)
    return f"{area.code}  {name}", original


# --- Gantt ------------------------------------------------------------------------


# The Gantt's lead-agency filter is ``lead`` on every Gantt (the HTML page and the images);
# ``agency``, the images' first name for it, is still accepted. ``lead`` wins if both are sent.
LEAD_PARAMETERS = ("lead", "agency")


def lead_parameter(args: Mapping[str, str]) -> str:
    """The lead agency a Gantt's query parameters ask for (``LEAD_PARAMETERS``), or ""."""
    for name in LEAD_PARAMETERS:
        value = (args.get(name) or "").strip()
        if value:
            return value
    return ""


def plan_leads(plan: Plan) -> list[Agency]:
    """The agencies leading at least one of the plan's actions, by name."""
    return list(db.session.scalars(
        select(Agency).where(Agency.id.in_(
            select(Action.lead_agency_id).where(Action.plan_id == plan.id, Action.lead_agency_id.is_not(None))
        )).order_by(Agency.name)
    ))


def lead_named(leads: Iterable[Agency], key: str) -> Agency | None:
    """The agency of ``leads`` whose acronym or name is ``key`` (any case), if any."""
    folded = key.strip().lower()
    return next((a for a in leads if folded in {(a.acronym or "").lower(), a.name.lower()}), None)


def unknown_lead(key: str) -> dict[str, list[str]]:
    """The refusal of a lead-agency filter that matches no lead of the plan."""
    return {"lead": [f"No action of this plan is led by {key!r}."]}


def gantt_data(plan: Plan, *, today: date, area: str | None = None, lead: str | None = None,
               locale=None) -> GanttData:
    """The plan's actions for the Gantt, grouped by area in area order, as of ``today``.

    ``area`` is an area code of the plan; ``lead`` the acronym or name of an agency
    leading actions of the plan, keeping those (as the HTML Gantt's filter does). An
    unknown filter is ``ValidationFailed`` naming it. Titles, names and words are in the
    language of ``locale`` where they have a translation (None: English).
    """
    language = language_of(locale)
    errors: dict[str, list[str]] = {}
    area_row = agency_row = None
    if area:
        area_row = find_area(plan, area)
        if area_row is None:
            errors["area"] = [gettext("Unknown area %(area)r in this plan.", area=area)]
    if lead:
        agency_row = lead_named(plan_leads(plan), lead)
        if agency_row is None:
            errors.update(unknown_lead(lead))
    if errors:
        raise ValidationFailed(errors)

    query = (
        select(Action)
        .outerjoin(Area, Action.area_id == Area.id)
        .where(Action.plan_id == plan.id)
        .options(
            selectinload(Action.status), selectinload(Action.area),
            selectinload(Action.lead_agency), selectinload(Action.milestones),
        )
        # Actions outside any area come last, as on the plan page.
        .order_by(Action.area_id.is_(None), Area.position, Action.position, Action.id)
    )
    if area_row is not None:
        query = query.where(Action.area_id == area_row.id)
    if agency_row is not None:
        query = query.where(Action.lead_agency_id == agency_row.id)

    rows = []
    for action in db.session.scalars(query):
        title, title_original = shown(action, "title", language)
        heading, area_original = area_heading(action.area, language) if action.area else (None, False)
        rows.append(GanttRow(
            code=action.code,
            title=title,
            status_key=action.status_key,
            start=action.start_date,
            due=action.due_date,
            percent=action.percent_complete,
            area=heading,
            lead=action.lead_agency.display_name if action.lead_agency else None,
            overdue=action.is_overdue(today),
            milestones=tuple(
                GanttMilestone(title=localized(m, "title", language).text, due_date=m.due_date,
                               achieved_on=m.achieved_on)
                for m in action.milestones
            ),
            title_original=title_original,
            area_original=area_original,
        ))
    return GanttData(
        title=localized(plan, "title", language).text,
        subtitle=gantt_subtitle(area_row, agency_row, language),
        statuses=status_styles(language),
        rows=tuple(rows),
        today=today,
        period_start=plan.period_start,
        period_end=plan.period_end,
        labels=chart_words.gantt_labels(today, locale),
    )


def gantt_subtitle(area: Area | None, agency: Agency | None, language: str) -> str:
    """What a Gantt shows: "Actions by area", then the area and the lead agency it is kept to."""
    parts = [gettext("Actions by area")]
    if area is not None:
        parts.append(f"{area.code} {shown(area, 'name', language)[0]}")
    if agency is not None:
        parts.append(agency.display_name)
    return " · ".join(parts)


# --- Timeline by timeframe ------------------------------------------------------------


def plan_start(plan: Plan) -> date:
    """The day timeframes are counted from: the plan's start, or the day it was created.

    Within the accepted dates, so that "two years from the start" can be computed even for a
    start stored before dates were bounded (9999-12-31 has no year after it).
    """
    return within_date_range(plan.period_start or plan.created_at.date())


def timeline_data(plan: Plan, *, today: date, locale=None) -> TimelineData:
    """The plan's recommendations in short / medium / long lanes (Annex A), then those without one.

    Windows count whole years from the plan's start: short is its first year, medium its
    second, long from the third year to the plan's end (at least a year). Texts and words
    in the language of ``locale`` where they have a translation (None: English).
    """
    language = language_of(locale)
    start = plan_start(plan)
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id)
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    by_timeframe: dict[str | None, list[TimelineItem]] = defaultdict(list)
    for rec in recs:
        key = rec.timeframe if rec.timeframe in {k for k, *_ in TIMEFRAME_LANES} else None
        text, original = shown(rec, "text", language)
        by_timeframe[key].append(TimelineItem(code=rec.code, text=text, status_key=rec.status_key,
                                              text_original=original))
    lanes = []
    for key, label, first_year, last_year in TIMEFRAME_LANES:
        lane_start = start + relativedelta(years=first_year)
        lane_end = start + relativedelta(years=last_year, days=-1)
        if key == "long" and plan.period_end and plan.period_end > lane_end:
            lane_end = plan.period_end
        lanes.append(TimelineLane(key=key, label=str(label), start=lane_start, end=lane_end,
                                  items=tuple(by_timeframe[key]),
                                  window=chart_words.span(lane_start, lane_end, locale)))
    lanes.append(TimelineLane(key="none", label=str(NO_TIMEFRAME), start=None, end=None,
                              items=tuple(by_timeframe[None])))
    return TimelineData(
        title=localized(plan, "title", language).text,
        subtitle=gettext("Recommendations by timeframe, counted from %(day)s", day=day(start, locale)),
        statuses=status_styles(language),
        lanes=tuple(lanes),
        plan_start=start,
        today=today,
        labels=chart_words.gantt_labels(today, locale, recommendations=True),
    )


# --- Scorecards ---------------------------------------------------------------------


def scorecard_data(plan: Plan, locale=None) -> ScorecardData:
    """Recommendations per area and validated status (``publishing.scorecards.plan_scorecard``),
    names and words in the language of ``locale`` where they have a translation (None: English)."""
    language = language_of(locale)
    scorecard = plan_scorecard(plan)
    return ScorecardData(
        title=localized(plan, "title", language).text,
        subtitle=gettext("Recommendations by area and validated status"),
        statuses=tuple(_style(s, language) for s in scorecard.statuses),
        bars=tuple(
            ScorecardBar(label=localized(row.area, "name", language).text if row.area else gettext("(no area)"),
                         code=row.code, counts=dict(row.counts), percent=row.percent)
            for row in scorecard.rows
        ),
        percent=scorecard.percent,
        labels=chart_words.scorecard_labels(),
    )


def rounds_data(plan: Plan, *, today: date, locale=None) -> RoundsData:
    """Status counts of each assessment round, oldest first, then the validated statuses of ``today``.

    E.g. the Mexico 2016 plan: the OECD follow-up of 2017-12-31 against the statuses now.
    Words and days as the language of ``locale`` writes them (None: English).
    """
    language = language_of(locale)
    rounds = db.session.scalars(
        select(AssessmentRound)
        .where(AssessmentRound.plan_id == plan.id)
        .order_by(AssessmentRound.assessed_on, AssessmentRound.id)
    ).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    for round_id, status_key, n in db.session.execute(
        select(RecommendationAssessment.round_id, RecommendationAssessment.status_key, func.count())
        .join(AssessmentRound, RecommendationAssessment.round_id == AssessmentRound.id)
        .where(AssessmentRound.plan_id == plan.id)
        .group_by(RecommendationAssessment.round_id, RecommendationAssessment.status_key)
    ):
        counts[round_id][status_key] += n
    now = Counter(dict(db.session.execute(
        select(Recommendation.status_key, func.count())
        .where(Recommendation.plan_id == plan.id)
        .group_by(Recommendation.status_key)
    ).all()))
    series = [
        RoundCounts(label=f"{r.name} ({day(r.assessed_on, locale)})", counts=dict(counts[r.id]),
                    assessed_on=r.assessed_on)
        for r in rounds
    ]
    series.append(RoundCounts(label=gettext("Validated status (%(day)s)", day=day(today, locale)),
                              counts=dict(now), assessed_on=today))
    return RoundsData(
        title=localized(plan, "title", language).text,
        subtitle=gettext("Recommendations by status in each assessment round, and now"),
        statuses=status_styles(language),
        rounds=tuple(series),
        labels=chart_words.scorecard_labels(),
    )


# --- Readiness ----------------------------------------------------------------------


def readiness_data(plan: Plan, locale=None) -> ReadinessData:
    """The plan's readiness dimensions and question areas with their ratings (``plan_readiness``);
    the chart's words in the language of ``locale`` (the method's names stay as recorded)."""
    return ReadinessData(
        title=localized(plan, "title", language_of(locale)).text,
        subtitle=gettext("Readiness ratings by dimension and question area"),
        labels=chart_words.readiness_labels(),
        rows=tuple(
            ReadinessRow(
                code=d.code, name=d.name, rating=d.rating,
                cells=tuple(ReadinessCell(code=q.code, title=q.title, rating=q.rating) for q in d.questions),
            )
            for d in plan_readiness(plan)
        ),
    )


# --- Agency performance -----------------------------------------------------------------


def lead_agency_counts(plan_ids, *, today: date) -> dict[int, Counter]:
    """Per lead agency of the actions of the plans ``plan_ids`` (ids, or a query of them): actions
    on time, late, overdue and open; reports, and those on time; reminders sent and answered.

    An action in a final status finished when the latest status change *into* a final
    status was made: on time if that was on or before its due date (or it has none), late
    otherwise. An open action is overdue past its due date. A report is on time when it
    was submitted (or then accepted) on or before its reporting round's deadline. A
    reminder counts as answered when a report on its action was submitted after it went
    out, as in ``reminder_log.agency_stats``, but counting these plans' reminders only.
    """
    rows: dict[int, dict[str, int]] = defaultdict(Counter)

    finished = _finished_on(plan_ids)
    for action_id, agency_id, due, is_final in db.session.execute(
        select(Action.id, Action.lead_agency_id, Action.due_date, Status.is_final)
        .join(Status, Action.status_key == Status.key)
        .where(Action.plan_id.in_(plan_ids), Action.lead_agency_id.is_not(None))
    ):
        if is_final:
            done = finished.get(action_id)
            late = due is not None and done is not None and done.date() > due
            rows[agency_id]["late" if late else "on_time"] += 1
        elif due is not None and due < today:
            rows[agency_id]["overdue"] += 1
        else:
            rows[agency_id]["open"] += 1

    for agency_id, submitted_at, deadline in db.session.execute(
        select(Action.lead_agency_id, ProgressReport.submitted_at, ReportingRound.deadline)
        .join(Action, ProgressReport.action_id == Action.id)
        .join(ReportingRound, ProgressReport.round_id == ReportingRound.id)
        .where(
            Action.plan_id.in_(plan_ids), Action.lead_agency_id.is_not(None),
            ProgressReport.state.in_(REPORTED_STATES), ProgressReport.submitted_at.is_not(None),
        )
    ):
        rows[agency_id]["reports"] += 1
        if submitted_at.date() <= deadline:
            rows[agency_id]["reports_on_time"] += 1

    answered = (
        select(ProgressReport.id)
        .where(ProgressReport.action_id == Reminder.action_id, ProgressReport.submitted_at >= OutboxMessage.sent_at)
        .exists()
    )
    for agency_id, sent, answered_count in db.session.execute(
        select(Reminder.agency_id, func.count(Reminder.id), func.count(Reminder.id).filter(answered))
        .join(OutboxMessage, and_(Reminder.message_id == OutboxMessage.id, OutboxMessage.state.in_(DELIVERED)))
        .where(
            Reminder.plan_id.in_(plan_ids), Reminder.agency_id.is_not(None),
            Reminder.rule.in_(ANSWERABLE_RULES), Reminder.cancelled.is_(False),
        )
        .group_by(Reminder.agency_id)
    ):
        rows[agency_id]["reminders_sent"] += sent
        rows[agency_id]["reminders_answered"] += answered_count

    return rows


def agency_data(plan: Plan, *, today: date, locale=None) -> AgencyData:
    """Per lead agency of the plan's actions: actions on time, late, overdue and open; reports
    on time; reminders unanswered; ranked (``tracker.charts.data.rank_key``); the counts are
    ``lead_agency_counts``'s. Words and days in the language of ``locale`` (None: English)."""
    rows = lead_agency_counts([plan.id], today=today)
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(list(rows))))}
    return AgencyData(
        title=localized(plan, "title", language_of(locale)).text,
        subtitle=gettext("Lead agencies ranked by their actions, reports and reminders, as of %(day)s",
                         day=day(today, locale)),
        labels=chart_words.agency_labels(),
        rows=ranked(
            AgencyRow(name=agencies[agency_id].name, acronym=agencies[agency_id].acronym, **counts)
            for agency_id, counts in rows.items()
        ),
    )


def _finished_on(plan_ids) -> dict:
    """Action id -> when its latest change into a final status (from a non-final one) was made."""
    new, old = aliased(Status), aliased(Status)
    return dict(db.session.execute(
        select(StatusChange.subject_id, func.max(StatusChange.changed_at))
        .join(new, StatusChange.new_status_key == new.key)
        .outerjoin(old, StatusChange.old_status_key == old.key)
        .where(
            StatusChange.plan_id.in_(plan_ids), StatusChange.subject_type == "action",
            new.is_final.is_(True), or_(old.key.is_(None), old.is_final.is_(False)),
        )
        .group_by(StatusChange.subject_id)
    ).all())


# --- CSV ------------------------------------------------------------------------------


def table_csv(table: Table) -> bytes:
    """A chart's table as a CSV file for spreadsheet programs (``exchange.csv_files``)."""
    return csv_bytes(table.columns, (*table.rows, *((table.total,) if table.total else ())), for_spreadsheets=True)


# --- One entry point per chart, for the routes and the plan page -----------------------

CHART_NAMES = ("gantt", "timeline", "scorecard", "rounds", "readiness", "agencies")
# The query arguments each chart takes besides ``page``.
CHART_FILTERS = {"gantt": ("area", "lead")}
# Other names a filter is still accepted under (see LEAD_PARAMETERS).
FILTER_ALIASES = {"lead": LEAD_PARAMETERS[1:]}


def chart_data(plan: Plan, name: str, *, today: date, area: str | None = None, lead: str | None = None,
               locale=None):
    """The plain data of chart ``name`` (one of ``CHART_NAMES``) for ``plan``, in the language
    of ``locale`` (None: English).

    ``area`` and ``lead`` filter the Gantt only; an unknown one is ``ValidationFailed``.
    """
    if name == "gantt":
        return gantt_data(plan, today=today, area=area, lead=lead, locale=locale)
    if name == "timeline":
        return timeline_data(plan, today=today, locale=locale)
    if name == "scorecard":
        return scorecard_data(plan, locale)
    if name == "rounds":
        return rounds_data(plan, today=today, locale=locale)
    if name == "readiness":
        return readiness_data(plan, locale)
    if name == "agencies":
        return agency_data(plan, today=today, locale=locale)
    raise ValueError(f"Unknown chart {name!r}.")


def chart_table(name: str, data) -> Table:
    """The numbers of chart ``name`` drawn from ``data`` (from ``chart_data``), as a ``Table``."""
    return getattr(tables, f"{name}_table")(data)
