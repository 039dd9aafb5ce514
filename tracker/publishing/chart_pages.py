"""The data of the HTML chart pages: a plan's Gantt, timeline and agency ranking, filtered.

Read-only. The Gantt's rows come from one query of plain columns (actions joined to their
status; areas and lead agencies read once per plan, a few rows each) plus one for the
plan's milestones, never one per action: a 5,000-action plan must render in well under
half a second. The rows are the same ``charts.data.GanttRow`` the image Gantt draws.

Filters arrive as query parameters (strings); ``gantt_filters`` checks their form and
``gantt_page`` checks them against the plan, and both refuse a bad one with
``ValidationFailed`` naming the parameter, so the page can answer 400 and say which.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from types import SimpleNamespace

from flask_babel import gettext
from sqlalchemy import String, func, select, type_coerce

from tracker.charts.calendar import ZOOMS
from tracker.charts.data import AgencyData, GanttData, GanttMilestone, GanttRow, TimelineData
from tracker.charts.html import gantt_zoom
from tracker.extensions import db
from tracker.models import Action, Agency, Area, Milestone, Plan
from tracker.models.translations import ORIGINAL_LANGUAGE, language_of, localized
from tracker.publishing import chart_words
from tracker.publishing.chart_data import (
    agency_data,
    area_heading,
    gantt_subtitle,
    lead_named,
    lead_parameter,
    plan_leads,
    shown,
    status_styles,
    timeline_data,
    unknown_lead,
)
from tracker.services.errors import ValidationFailed


def _raw_date(column):
    """A date column read without SQLAlchemy's per-value conversion; see ``_day``."""
    return type_coerce(column, String)


def _day(value) -> date | None:
    """A date from ``_raw_date``: SQLite gives ISO text (parsed here in C, ten times faster
    than SQLAlchemy's regular expression), PostgreSQL a ``date`` already."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _raw_json(column):
    """A JSON column read without SQLAlchemy's per-value decoding; see ``_translations``."""
    return type_coerce(column, String)


def _translations(value) -> dict | None:
    """Translations from ``_raw_json``: most rows hold none ("{}"), which needs no decoding;
    PostgreSQL's driver gives a dict already."""
    if value is None or isinstance(value, dict):
        return value
    return None if value == "{}" else json.loads(value)


# What ``?overdue=`` accepts: the checkbox sends "1"; a link may say "0" for "all".
OVERDUE_VALUES = {"": False, "0": False, "1": True}
VIEWS = ("chart", "table")


@dataclass(frozen=True)
class Choice:
    """One option of a filter: the value sent, the words shown."""

    value: str
    label: str


@dataclass(frozen=True)
class GanttFilters:
    """The Gantt page's query parameters, checked for form (not yet against the plan)."""

    area: str = ""
    lead: str = ""
    status: str = ""
    overdue: bool = False
    zoom: str = ""  # "": the zoom that fits the plan's span (GanttPage.zoom)
    view: str = "chart"  # or "table": the same rows as a table

    @property
    def active(self) -> bool:
        """Whether any filter narrows the rows (zoom does not)."""
        return bool(self.area or self.lead or self.status or self.overdue)

    def query(self, **changes) -> dict[str, str]:
        """The parameters that differ from the defaults, for links that keep the filters."""
        values = replace(self, **changes)
        out = {"area": values.area, "lead": values.lead, "status": values.status,
               "overdue": "1" if values.overdue else "", "zoom": values.zoom,
               "view": "" if values.view == "chart" else values.view}
        return {key: value for key, value in out.items() if value}


def gantt_filters(args: Mapping[str, str]) -> GanttFilters:
    """``GanttFilters`` from query parameters; ``ValidationFailed`` naming each bad one."""
    errors: dict[str, list[str]] = {}
    zoom = (args.get("zoom") or "").strip()
    if zoom and zoom not in ZOOMS:
        errors["zoom"] = [gettext("Unknown zoom %(zoom)r; use one of: %(value)s.", zoom=zoom, value=', '.join(ZOOMS))]
    overdue = (args.get("overdue") or "").strip()
    if overdue not in OVERDUE_VALUES:
        errors["overdue"] = [gettext("Unknown value %(overdue)r; use 1 for overdue actions only, or leave it out.", overdue=overdue)]
    view = (args.get("view") or "chart").strip()
    if view not in VIEWS:
        errors["view"] = [gettext("Unknown view %(view)r; use one of: %(value)s.", view=view, value=', '.join(VIEWS))]
    if errors:
        raise ValidationFailed(errors)
    return GanttFilters(view=view, 
        area=(args.get("area") or "").strip(), lead=lead_parameter(args),
        status=(args.get("status") or "").strip(), overdue=OVERDUE_VALUES[overdue], zoom=zoom,
    )


@dataclass(frozen=True)
class GanttPage:
    """A plan's Gantt as filtered, the filters' choices, and how many actions the plan has."""

    data: GanttData
    filters: GanttFilters
    areas: tuple[Choice, ...]
    leads: tuple[Choice, ...]
    statuses: tuple[Choice, ...]
    total: int
    zoom: str  # the one asked for, else the one that fits the chart's span (charts.html.gantt_zoom)


def gantt_page(plan: Plan, *, today: date, filters: GanttFilters = GanttFilters(), locale=None) -> GanttPage:
    """Every action of ``plan`` (or those the filters keep), grouped by area, as of ``today``.

    ``area`` is an area code of the plan, ``lead`` the acronym or name of an agency leading
    one of its actions (``chart_data.lead_named``, the image Gantt's rule too), ``status`` a key of the status vocabulary; ``overdue`` keeps the
    actions past due and not in a final status (``Action.is_overdue``). Titles, names and
    status labels are in the language of ``locale`` where they have a translation (None:
    English); the translations come in the same rows, no query more.
    """
    language = language_of(locale)
    styles = status_styles(language)
    areas = db.session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.position, Area.id)).all()
    leads = plan_leads(plan)

    errors: dict[str, list[str]] = {}
    area = next((a for a in areas if a.code == filters.area), None)
    if filters.area and area is None:
        errors["area"] = [gettext("Unknown area %(area)r in this plan.", area=filters.area)]
    lead = lead_named(leads, filters.lead) if filters.lead else None
    if filters.lead and lead is None:
        errors.update(unknown_lead(filters.lead))
    if filters.status and filters.status not in {s.key for s in styles}:
        errors["status"] = [gettext("Unknown status %(status)r; use one of: %(value)s.", status=filters.status, value=', '.join(s.key for s in styles))]
    if errors:
        raise ValidationFailed(errors)

    # An English reader needs no translation: the JSON columns are read (and decoded, a few
    # microseconds a row) only for the readers of another language.
    translating = language != ORIGINAL_LANGUAGE
    query = (
        select(Action.id, Action.code, Action.title, Action.status_key, _raw_date(Action.start_date),
               _raw_date(Action.due_date), Action.percent_complete, Action.area_id, Action.lead_agency_id,
               *((_raw_json(Action.title_translations),) if translating else ()))
        .outerjoin(Area, Action.area_id == Area.id)
        .where(Action.plan_id == plan.id)
        # Actions outside any area come last, as on the plan page.
        .order_by(Action.area_id.is_(None), Area.position, Action.position, Action.id)
    )
    if area is not None:
        query = query.where(Action.area_id == area.id)
    if lead is not None:
        query = query.where(Action.lead_agency_id == lead.id)
    if filters.status:
        query = query.where(Action.status_key == filters.status)
    found = db.session.execute(query).all()

    milestones: dict[int, list[GanttMilestone]] = defaultdict(list)
    # A row's title and its translations, for the plan page's rule (``models.translations.localized``).
    text = SimpleNamespace(title=None, title_translations=None)
    for milestone in db.session.execute(
        select(Milestone.action_id, Milestone.title, _raw_date(Milestone.due_date).label("due"),
               _raw_date(Milestone.achieved_on).label("achieved"),
               *((_raw_json(Milestone.title_translations).label("translations"),) if translating else ()))
        .join(Action, Milestone.action_id == Action.id)
        .where(Action.plan_id == plan.id)
        .order_by(Milestone.due_date, Milestone.id)
    ):
        title = milestone.title
        if translating:
            text.title, text.title_translations = title, _translations(milestone.translations)
            title = localized(text, "title", language).text
        milestones[milestone.action_id].append(GanttMilestone(
            title=title,
            due_date=_day(milestone.due),
            achieved_on=_day(milestone.achieved)))

    area_names = {a.id: area_heading(a, language) for a in areas}
    no_area = (None, False)
    lead_names = {a.id: a.display_name for a in leads}
    final = {s.key: s for s in styles}
    probe = SimpleNamespace(due_date=None, status=None)  # the row's columns, for Action.is_overdue
    rows = []
    for action in found:
        action_id, code, title, status_key, start, due, percent, area_id, lead_id = action[:9]
        # The overdue rule is Action.is_overdue's own, asked of the row's columns.
        start, due = _day(start), _day(due)
        probe.due_date, probe.status = due, final[status_key]
        overdue = Action.is_overdue(probe, today)
        if filters.overdue and not overdue:
            continue
        # The plan page's rule for a title (``models.translations.localized``), on the row's own columns.
        title_original = False
        if translating:
            text.title, text.title_translations = title, _translations(action[9])
            title, title_original = shown(text, "title", language)
        area_name, area_original = area_names.get(area_id, no_area)
        rows.append(GanttRow(
            code=code, title=title, status_key=status_key, start=start, due=due, percent=percent,
            area=area_name, lead=lead_names.get(lead_id), overdue=overdue,
            milestones=tuple(milestones.get(action_id, ())),
            title_original=title_original, area_original=area_original,
        ))

    data = GanttData(
        title=localized(plan, "title", language).text, subtitle=gantt_subtitle(area, lead, language),
        statuses=styles, rows=tuple(rows), today=today, period_start=plan.period_start,
        period_end=plan.period_end, labels=chart_words.gantt_labels(today, locale),
    )
    return GanttPage(
        data=data,
        filters=filters,
        areas=tuple(Choice(a.code, f"{a.code} {shown(a, 'name', language)[0]}") for a in areas),
        leads=tuple(Choice(a.acronym or a.name, a.display_name) for a in leads),
        statuses=tuple(Choice(s.key, s.label) for s in styles),
        total=plan_action_count(plan) if filters.active else len(rows),
        zoom=filters.zoom or gantt_zoom(data),
    )


def plan_action_count(plan: Plan) -> int:
    """How many actions the plan has, whatever the filters."""
    return db.session.scalar(select(func.count()).select_from(Action).where(Action.plan_id == plan.id)) or 0


# --- Timeline and ranking -------------------------------------------------------------


TIMEFRAME_KEYS = ("short", "medium", "long", "none")


@dataclass(frozen=True)
class TimelinePage:
    data: TimelineData
    status: str
    timeframe: str
    statuses: tuple[Choice, ...]
    timeframes: tuple[Choice, ...]


def timeline_page(plan: Plan, *, today: date, args: Mapping[str, str], locale=None) -> TimelinePage:
    """The plan's recommendations by timeframe, kept to ``?status=`` and ``?timeframe=`` if given,
    in the language of ``locale`` (``chart_data.timeline_data``)."""
    data = timeline_data(plan, today=today, locale=locale)
    status = (args.get("status") or "").strip()
    timeframe = (args.get("timeframe") or "").strip()
    errors: dict[str, list[str]] = {}
    if status and status not in {s.key for s in data.statuses}:
        errors["status"] = [gettext("Unknown status %(status)r; use one of: %(value)s.", status=status, value=', '.join(s.key for s in data.statuses))]
    if timeframe and timeframe not in TIMEFRAME_KEYS:
        errors["timeframe"] = [gettext("Unknown timeframe %(timeframe)r; use one of: %(value)s.", timeframe=timeframe, value=', '.join(TIMEFRAME_KEYS))]
    if errors:
        raise ValidationFailed(errors)
    lanes = tuple(
        replace(lane, items=tuple(i for i in lane.items if not status or i.status_key == status))
        for lane in data.lanes if not timeframe or lane.key == timeframe
    )
    return TimelinePage(
        data=replace(data, lanes=lanes), status=status, timeframe=timeframe,
        statuses=tuple(Choice(s.key, s.label) for s in data.statuses),
        timeframes=tuple(Choice(lane.key, lane.label) for lane in data.lanes),
    )


@dataclass(frozen=True)
class RankingPage:
    data: AgencyData
    agency_ids: dict[str, int]  # agency name -> id, for links to the agencies' pages
    overdue_only: bool


def ranking_page(plan: Plan, *, today: date, args: Mapping[str, str], locale=None) -> RankingPage:
    """The plan's lead agencies, ranked; ``?overdue=1`` keeps those with an overdue action."""
    overdue = (args.get("overdue") or "").strip()
    if overdue not in OVERDUE_VALUES:
        raise ValidationFailed({"overdue": [gettext("Unknown value %(overdue)r; use 1 for agencies with overdue actions only.", overdue=overdue)]})
    data = agency_data(plan, today=today, locale=locale)
    if OVERDUE_VALUES[overdue]:
        data = replace(data, rows=tuple(row for row in data.rows if row.overdue))
    ids = dict(db.session.execute(
        select(Agency.name, Agency.id).where(Agency.id.in_(
            select(Action.lead_agency_id).where(Action.plan_id == plan.id)
        ))
    ).all())
    return RankingPage(data=data, agency_ids=ids, overdue_only=OVERDUE_VALUES[overdue])
