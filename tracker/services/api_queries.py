"""Read-only queries for the JSON API: what a caller may see, filtered and counted in SQL.

The rules are those of the pages (``services.permissions``), written as SQL conditions
so that lists can be filtered, counted and paged by the database:

- the public (no token) and assessors see published plans and everything in them,
  but of progress reports only the accepted ones;
- an agency focal point sees the same, plus its own agency's actions (lead or
  supporting) even in unpublished plans;
- the secretariat and admins see every plan;
- progress reports follow ``services.access`` (lists and the loader are there): a
  report's agency sees it in every state, the secretariat and the action's agencies
  once submitted, everyone once accepted on a published plan; and the reviewer's comment
  only as ``access.visible_review_comment`` allows (``shown_report``).

Nothing here writes. Callers pass ``today`` (time is a parameter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import gettext
from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.orm import contains_eager, selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingRound,
    Status,
    User,
    recommendation_actions,
)
from tracker.services.access import visible_review_comment
from tracker.services.agencies import find_agency
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.permissions import (
    agency_actions_query,
    agency_of,
    is_staff,
)
from tracker.services.plans import find_area
from tracker.services.statuses import require_status

# ---------------------------------------------------------------- visibility


def _agency_action_ids(agency_id: int) -> Select:
    return agency_actions_query(agency_id).with_only_columns(Action.id)


def plan_visible(user: User | None) -> ColumnElement[bool]:
    """Plans the caller may see at all."""
    if is_staff(user):
        return true()
    agency_id = agency_of(user)
    published = Plan.published.is_(True)
    if agency_id is None:
        return published
    own = select(Action.plan_id).where(Action.id.in_(_agency_action_ids(agency_id)))
    return or_(published, Plan.id.in_(own))


def action_visible(user: User | None) -> ColumnElement[bool]:
    """Actions the caller may see (the query must join ``Plan``)."""
    return _action_visible(is_staff(user), agency_of(user))


def _action_visible(staff: bool, agency_id) -> ColumnElement[bool]:
    # agency_id: an agency's id, None for a caller of no agency, or a bind parameter.
    if staff:
        return true()
    published = Plan.published.is_(True)
    if agency_id is None:
        return published
    return or_(published, Action.id.in_(_agency_action_ids(agency_id)))


def recommendation_visible(user: User | None) -> ColumnElement[bool]:
    """Recommendations the caller may see (the query must join ``Plan``).

    In an unpublished plan an agency sees only the recommendations its actions implement.
    """
    if is_staff(user):
        return true()
    agency_id = agency_of(user)
    published = Plan.published.is_(True)
    if agency_id is None:
        return published
    answered = select(recommendation_actions.c.recommendation_id).where(
        recommendation_actions.c.action_id.in_(_agency_action_ids(agency_id))
    )
    return or_(published, Recommendation.id.in_(answered))


# ---------------------------------------------------------------- plans


@dataclass(frozen=True)
class PlanCounts:
    areas: int = 0
    recommendations: int = 0
    actions: int = 0
    overdue_actions: int = 0


@dataclass(frozen=True)
class PlanSummary:
    """A plan with the counts of what the caller can see in it."""

    plan: Plan
    counts: PlanCounts


def plans_query(user: User | None) -> Select:
    """The plans the caller may see, by country, period and title."""
    return (
        select(Plan)
        .where(plan_visible(user))
        .order_by(Plan.country, Plan.period_start, Plan.title, Plan.id)
    )


def visible_plan(user: User | None, slug: str) -> Plan:
    """The plan with ``slug``, or ``NotFound`` if there is none the caller may see."""
    plan = db.session.scalars(select(Plan).where(Plan.slug == slug, plan_visible(user))).first()
    if plan is None:
        raise NotFound(gettext("No plan %(slug)r.", slug=slug))
    return plan


def summarize(user: User | None, plans: Iterable[Plan], today: date) -> list[PlanSummary]:
    """Each plan with its counts, in four grouped queries whatever the number of plans."""
    plans = list(plans)
    ids = [plan.id for plan in plans]

    def grouped(query: Select) -> dict[int, int]:
        return dict(db.session.execute(query).all())

    areas = grouped(
        select(Area.plan_id, func.count()).where(Area.plan_id.in_(ids)).group_by(Area.plan_id)
    )
    recommendations = grouped(
        select(Recommendation.plan_id, func.count())
        .join(Plan, Recommendation.plan_id == Plan.id)
        .where(Recommendation.plan_id.in_(ids), recommendation_visible(user))
        .group_by(Recommendation.plan_id)
    )
    actions_base = (
        select(Action.plan_id, func.count())
        .join(Plan, Action.plan_id == Plan.id)
        .where(Action.plan_id.in_(ids), action_visible(user))
        .group_by(Action.plan_id)
    )
    actions = grouped(actions_base)
    overdue = grouped(
        actions_base.join(Status, Action.status_key == Status.key).where(_overdue(today))
    )
    return [
        PlanSummary(
            plan,
            PlanCounts(
                areas=areas.get(plan.id, 0),
                recommendations=recommendations.get(plan.id, 0),
                actions=actions.get(plan.id, 0),
                overdue_actions=overdue.get(plan.id, 0),
            ),
        )
        for plan in plans
    ]


def areas_query(plan: Plan) -> Select:
    """The plan's areas in report order (a visible plan shows all its areas)."""
    return select(Area).where(Area.plan_id == plan.id).order_by(Area.position, Area.id)


# ---------------------------------------------------------------- recommendations and actions


@dataclass(frozen=True)
class Filters:
    """Filters of a list of recommendations or actions, resolved to records."""

    agency: Agency | None = None
    status: Status | None = None
    area: Area | None = None
    overdue: bool | None = None


def resolve_filters(plan: Plan, args: dict) -> Filters:
    """Turn filter arguments (agency acronym, name or id; status key; area code) into records.

    Raises ``ValidationFailed`` naming every argument that matches nothing.
    """
    errors: dict[str, list[str]] = {}
    agency = status = area = None
    key = args.get("agency")
    if key:
        # An id is ASCII digits of a size the database's integers hold ("²" passes isdigit()
        # but not int(); a 30-digit number overflows); anything else is a name or acronym.
        is_id = key.isascii() and key.isdigit() and len(key) <= 18
        agency = db.session.get(Agency, int(key)) if is_id else find_agency(plan.country, key)
        if agency is None:
            errors["agency"] = [gettext("Unknown agency %(key)r in %(country)s; use an acronym, a name or an id.", key=key, country=plan.country)]
    if args.get("status"):
        try:
            status = require_status(args["status"], "status")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if args.get("area"):
        area = find_area(plan, args["area"])
        if area is None:
            known = ", ".join(a.code for a in plan.areas) or "none"
            errors["area"] = [gettext("Unknown area %(area)r in this plan; its areas are: %(known)s.", area=args['area'], known=known)]
    if errors:
        raise ValidationFailed(errors)
    return Filters(agency=agency, status=status, area=area, overdue=args.get("overdue"))


def recommendations_query(user: User | None, plan: Plan, filters: Filters = Filters()) -> Select:
    """The plan's recommendations the caller may see, in report order."""
    query = (
        select(Recommendation)
        .join(Plan, Recommendation.plan_id == Plan.id)
        .where(Recommendation.plan_id == plan.id, recommendation_visible(user))
        .options(
            selectinload(Recommendation.status),
            selectinload(Recommendation.area),
            selectinload(Recommendation.institutions),
            selectinload(Recommendation.actions),
            selectinload(Recommendation.plan),
        )
        .order_by(Recommendation.position, Recommendation.id)
    )
    if filters.status is not None:
        query = query.where(Recommendation.status_key == filters.status.key)
    if filters.area is not None:
        query = query.where(Recommendation.area_id == filters.area.id)
    return query


def visible_recommendation(user: User | None, recommendation_id: int) -> Recommendation:
    """The recommendation with ``recommendation_id``, or ``NotFound`` if the caller may not see it."""
    rec = db.session.scalars(
        select(Recommendation)
        .join(Plan, Recommendation.plan_id == Plan.id)
        .where(Recommendation.id == recommendation_id, recommendation_visible(user))
    ).first()
    if rec is None:
        raise NotFound(f"No recommendation {recommendation_id}.")
    return rec


def actions_query(user: User | None, plan: Plan, filters: Filters, today: date) -> Select:
    """The plan's actions the caller may see, filtered, in plan order.

    ``agency`` keeps the actions the agency leads or supports; ``overdue`` compares the
    due date with ``today`` and leaves out actions in a final status.
    """
    query = (
        select(Action)
        .join(Plan, Action.plan_id == Plan.id)
        .join(Status, Action.status_key == Status.key)
        .where(Action.plan_id == plan.id, action_visible(user))
        .options(*_action_loads())
        .order_by(Action.position, Action.id)
    )
    if filters.agency is not None:
        query = query.where(Action.id.in_(_agency_action_ids(filters.agency.id)))
    if filters.status is not None:
        query = query.where(Action.status_key == filters.status.key)
    if filters.area is not None:
        query = query.where(Action.area_id == filters.area.id)
    if filters.overdue is True:
        query = query.where(_overdue(today))
    elif filters.overdue is False:
        query = query.where(~_overdue(today))
    return query


def visible_action(user: User | None, action_id: int, *, for_output: bool = True) -> Action:
    """The action with ``action_id``, or ``NotFound`` if the caller may not see it.

    ``for_output`` loads with it everything ``ActionOutput`` shows (in one query per
    relation); an operation on the action that answers with something else passes False
    and loads only the action and its plan.
    """
    agency_id = agency_of(user)
    statement = _action_by_id(is_staff(user), agency_id is not None, for_output)
    action = db.session.scalars(statement, {"action_id": action_id, "agency_id": agency_id}).first()
    if action is None:
        raise NotFound(gettext("No action %(action_id)s.", action_id=action_id))
    return action


def action_to_report_on(user: User, action_id: int, body) -> tuple[Action, tuple]:
    """``visible_action(user, action_id, for_output=False)`` for a new report, whose request
    ``body`` (the parsed JSON, or anything else) names a proposed status and a round: those
    are read in the same query and left in the session, where the report's own checks
    (``require_status``, the round's) find them instead of asking the database again.
    Returned: the action, and what else was read (None for what was not found), which the
    caller keeps until the report is stored, as the session holds loaded objects only
    while something else refers to them.

    Nothing is decided here: a status or round that is not found, or a body that does not
    parse, only means the checks look them up (and refuse them) as they always do. Two of
    a submission's round trips fewer (every agency report through the API comes this way).
    """
    fields = body if isinstance(body, dict) else {}
    status_key = fields.get("proposed_status")
    round_id = fields.get("round_id")
    agency_id = agency_of(user)
    statement = _action_with_report_refs(is_staff(user), agency_id is not None)
    row = db.session.execute(statement, {
        "action_id": action_id, "agency_id": agency_id,
        "status_key": status_key.strip() if isinstance(status_key, str) else None,
        # Only what an id column can hold: a bigger number would be the database's error.
        "round_id": round_id if type(round_id) is int and 0 < round_id < 2**31 else None,
    }).first()
    if row is None:
        raise NotFound(gettext("No action %(action_id)s.", action_id=action_id))
    return row[0], tuple(row[1:])


@cache
def _action_with_report_refs(staff: bool, of_agency: bool) -> Select:
    """``action_to_report_on``'s statement, built once per process: the action with its plan,
    and beside it (outer joins on bound keys, so never more than one row) the status and the
    round a report names."""
    return (
        _action_by_id(staff, of_agency, False)
        .add_columns(Status, ReportingRound)
        .outerjoin(Status, Status.key == bindparam("status_key", type_=Status.key.type))
        .outerjoin(ReportingRound, ReportingRound.id == bindparam("round_id", type_=ReportingRound.id.type))
    )


@cache
def _action_by_id(staff: bool, of_agency: bool, for_output: bool) -> Select:
    """``visible_action``'s statement for one kind of caller, built once per process: every
    API operation on an action runs it, and building it cost as much as its SQL. The action's
    and agency's ids are bound when it runs."""
    loads = _action_loads() if for_output else [contains_eager(Action.plan)]
    visible = _action_visible(staff, bindparam("agency_id") if of_agency else None)
    return (
        select(Action)
        .join(Plan, Action.plan_id == Plan.id)
        .where(Action.id == bindparam("action_id"), visible)
        .options(*loads)
    )


def _overdue(today: date) -> ColumnElement[bool]:
    # Same rule as Action.is_overdue; the query must join Status.
    return and_(Action.due_date.is_not(None), Action.due_date < today, Status.is_final.is_(False))


def _action_loads() -> list:
    return [
        selectinload(Action.plan),
        selectinload(Action.status),
        selectinload(Action.area),
        selectinload(Action.lead_agency),
        selectinload(Action.supporting_agencies),
        selectinload(Action.recommendations),
        selectinload(Action.milestones),
    ]


# ---------------------------------------------------------------- reports and agencies


class ShownReport:
    """A report as one caller may read it: the same fields, but the reviewer's comment only
    if the caller may read it (a return comment, or a private acceptance comment, is not
    for everyone who may see the accepted report)."""

    def __init__(self, report: ProgressReport, user: User | None):
        self._report = report
        self.reviewer_comment = visible_review_comment(user, report)

    def __getattr__(self, name: str):
        return getattr(self._report, name)


def shown_report(user: User | None, report: ProgressReport) -> ShownReport:
    """``report`` as ``user`` may read it (see ``ShownReport``)."""
    return ShownReport(report, user)


def agencies_query(country: str | None = None) -> Select:
    """Agencies (public bodies are public), by country and name."""
    query = select(Agency).order_by(Agency.country, Agency.name, Agency.id)
    if country:
        query = query.where(func.lower(Agency.country) == country.strip().lower())
    return query
