"""What the public dashboard reads: headline figures, search, and agency overviews (a plan
as of a date: ``publishing.as_of``; changes since a date: ``publishing.changes``). Published plans only; read-only; one query per kind of row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    Plan,
    Recommendation,
    Status,
    StatusChange,
    action_supporting_agencies,
)
from tracker.publishing.completion import plans_completion
from tracker.services.statuses import status_vocabulary

# --- headline figures ---------------------------------------------------------


@dataclass(frozen=True)
class HeadlineFigures:
    """A plan's headline figures, plain values: they may be kept across requests and threads
    (the home page's), so nothing changes them once made."""

    recommendations: Counter = field(default_factory=Counter)  # by status key
    actions: int = 0
    overdue: int = 0
    percent: float | None = None  # percent complete, rolled up; None: no action measures it

    @property
    def total_recommendations(self) -> int:
        return sum(self.recommendations.values())


@dataclass(frozen=True)
class Headline:
    plan: Plan
    figures: HeadlineFigures


def action_counts(plan_ids: Iterable[int], today: date) -> dict[int, tuple[int, int]]:
    """Per plan id: its actions, and how many of them are overdue (past due and not in a
    final status). A plan without actions is left out."""
    overdue = and_(Action.due_date < today, Status.is_final.is_(False))
    return {plan_id: (n, late) for plan_id, n, late in db.session.execute(
        select(Action.plan_id, func.count(), func.count().filter(overdue))
        .join(Status, Action.status_key == Status.key)
        .where(Action.plan_id.in_(list(plan_ids)))
        .group_by(Action.plan_id)
    )}


def headline_figures(plan_ids: Iterable[int], today: date) -> dict[int, HeadlineFigures]:
    """Per plan id: recommendations by status, actions, overdue actions and percent complete
    (rolled up from the actions, ``publishing.completion``)."""
    plan_ids = list(plan_ids)
    if not plan_ids:
        return {}
    recommendations: dict[int, Counter] = {plan_id: Counter() for plan_id in plan_ids}
    for plan_id, status_key, n in db.session.execute(
        select(Recommendation.plan_id, Recommendation.status_key, func.count())
        .where(Recommendation.plan_id.in_(plan_ids))
        .group_by(Recommendation.plan_id, Recommendation.status_key)
    ):
        recommendations[plan_id][status_key] = n
    actions = action_counts(plan_ids, today)
    completion = plans_completion(plan_ids)
    return {
        plan_id: HeadlineFigures(recommendations[plan_id], *actions.get(plan_id, (0, 0)),
                                 percent=completion[plan_id].percent)
        for plan_id in plan_ids
    }


def headlines(plans: list[Plan], today: date, figures: dict[int, HeadlineFigures] | None = None) -> list[Headline]:
    """Each of ``plans`` with its headline figures: ``figures`` (by plan id, e.g. remembered),
    or read now (``headline_figures``)."""
    if figures is None:
        figures = headline_figures([p.id for p in plans], today)
    return [Headline(plan, figures[plan.id]) for plan in plans]


def plan_has_timeframes(plan: Plan) -> bool:
    """Whether any recommendation of the plan has a timeframe (short, medium or long term)."""
    return db.session.scalar(
        select(func.count()).where(Recommendation.plan_id == plan.id, Recommendation.timeframe.is_not(None))
    ) > 0


def plan_rounds_exist(plan: Plan) -> bool:
    """Whether the plan has an assessment round to compare with."""
    from tracker.models import AssessmentRound

    return db.session.scalar(select(func.count()).where(AssessmentRound.plan_id == plan.id)) > 0


# --- search ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None
    country: str | None = None
    plan: str | None = None
    area: str | None = None
    status: str | None = None
    agency: int | None = None
    overdue: bool = False


@dataclass
class SearchResults:
    recommendations: list[Recommendation]
    actions: list[Action]
    total_recommendations: int
    total_actions: int


def search(filters: SearchFilters, today: date, limit: int = 100) -> SearchResults:
    """Recommendations and actions of published plans matching the words and filters.

    Words are matched as plain text (bound parameters; no pattern characters from the user).
    """
    recs = select(Recommendation).join(Plan).where(Plan.published.is_(True))
    actions = select(Action).join(Plan).join(Status, Action.status_key == Status.key).where(Plan.published.is_(True))
    if filters.q:
        pattern = "%" + _escape_like(filters.q) + "%"
        recs = recs.where(or_(Recommendation.text.ilike(pattern, escape="\\"), Recommendation.code.ilike(pattern, escape="\\")))
        actions = actions.where(or_(Action.title.ilike(pattern, escape="\\"), Action.code.ilike(pattern, escape="\\"),
                                    Action.description.ilike(pattern, escape="\\")))
    if filters.country:
        recs = recs.where(Plan.country == filters.country)
        actions = actions.where(Plan.country == filters.country)
    if filters.plan:
        recs = recs.where(Plan.slug == filters.plan)
        actions = actions.where(Plan.slug == filters.plan)
    if filters.area:
        recs = recs.join(Area, Recommendation.area_id == Area.id).where(Area.code == filters.area)
        actions = actions.join(Area, Action.area_id == Area.id).where(Area.code == filters.area)
    if filters.status:
        recs = recs.where(Recommendation.status_key == filters.status)
        actions = actions.where(Action.status_key == filters.status)
    if filters.agency is not None:
        supported = select(action_supporting_agencies.c.action_id).where(action_supporting_agencies.c.agency_id == filters.agency)
        actions = actions.where(or_(Action.lead_agency_id == filters.agency, Action.id.in_(supported)))
        recs = recs.where(Recommendation.institutions.any(Agency.id == filters.agency))
    if filters.overdue:
        actions = actions.where(Action.due_date < today, Status.is_final.is_(False))
        recs = recs.where(False)  # overdue is a property of actions
    count = lambda q: db.session.scalar(select(func.count()).select_from(q.subquery()))
    return SearchResults(
        recommendations=list(db.session.scalars(
            recs.options(selectinload(Recommendation.plan), selectinload(Recommendation.status))
            .order_by(Plan.slug, Recommendation.position).limit(limit))),
        actions=list(db.session.scalars(
            actions.options(selectinload(Action.plan), selectinload(Action.status), selectinload(Action.lead_agency))
            .order_by(Action.due_date, Action.id).limit(limit))),
        total_recommendations=count(recs),
        total_actions=count(actions),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_choices() -> dict:
    """The values the search filters offer: countries, plans, areas, statuses, agencies."""
    published = select(Plan).where(Plan.published.is_(True)).order_by(Plan.country, Plan.title)
    plans = db.session.scalars(published).all()
    return {
        "countries": sorted({p.country for p in plans}),
        "plans": [(p.slug, p.title) for p in plans],
        "areas": sorted({code for (code,) in db.session.execute(
            select(Area.code).join(Plan).where(Plan.published.is_(True)).distinct())}),
        "statuses": [(s.key, s.label) for s in status_vocabulary()],
        "agencies": [(a.id, a.display_name) for a in db.session.scalars(
            select(Agency).where(Agency.id.in_(select(Action.lead_agency_id).join(Plan).where(Plan.published.is_(True))))
            .order_by(Agency.country, Agency.name))],
    }


# --- agencies ----------------------------------------------------------------------


@dataclass
class AgencyOverview:
    agency: Agency
    actions: list[Action]
    overdue: set[int]
    on_time: int
    late: int

    @property
    def open(self) -> int:
        return sum(1 for a in self.actions if not a.status.is_final)


def agency_overview(agency_id: int, today: date) -> AgencyOverview | None:
    """An agency's public record: the actions it leads or supports in published plans."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        return None
    supported = select(action_supporting_agencies.c.action_id).where(action_supporting_agencies.c.agency_id == agency_id)
    actions = db.session.scalars(
        select(Action).join(Plan)
        .where(Plan.published.is_(True), or_(Action.lead_agency_id == agency_id, Action.id.in_(supported)))
        .options(selectinload(Action.plan), selectinload(Action.status))
        .order_by(Action.due_date, Action.id)
    ).all()
    finished_on = _finished_on([a.id for a in actions if a.status.is_final])
    on_time = sum(1 for a in actions if a.id in finished_on and (a.due_date is None or finished_on[a.id] <= a.due_date))
    late = sum(1 for a in actions if a.id in finished_on and a.due_date is not None and finished_on[a.id] > a.due_date)
    return AgencyOverview(agency, list(actions), {a.id for a in actions if a.is_overdue(today)}, on_time, late)


def _finished_on(action_ids: list[int]) -> dict[int, date]:
    """When each finished action reached its final status (its last change into one)."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(StatusChange.subject_id, func.max(StatusChange.changed_at))
        .join(Status, StatusChange.new_status_key == Status.key)
        .where(StatusChange.subject_type == "action", StatusChange.subject_id.in_(action_ids), Status.is_final.is_(True))
        .group_by(StatusChange.subject_id)
    ).all()
    return {action_id: (at if at.tzinfo else at.replace(tzinfo=UTC)).date() for action_id, at in rows}
