"""Read-only queries for the secretariat's pages: a plan's workspace and the items it links to.

Nothing here writes; the operations themselves live in plans, recommendations, actions,
rounds and reports. Items are always looked up *within* a plan, so a URL naming one
plan can never reach another plan's recommendation or action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    Plan,
    Recommendation,
    ReportingRound,
)
from tracker.services.errors import NotFound
from tracker.services.rounds import MissingReport, missing_reports, plan_rounds


@dataclass(frozen=True)
class WorkspaceFilter:
    """What the secretariat narrowed a plan's workspace to; empty values mean "any"."""

    area: str | None = None  # area code
    agency: int | None = None  # agency id: lead or supporting agency, or named institution
    status: str | None = None  # status key
    overdue: bool = False

    @property
    def active(self) -> bool:
        return bool(self.area or self.agency or self.status or self.overdue)


@dataclass
class Workspace:
    recommendations: list[Recommendation]
    actions: list[Action]
    overdue: set[int]  # ids of overdue actions (past due, status not final)


def plan_workspace(plan: Plan, wanted: WorkspaceFilter, today: date) -> Workspace:
    """The plan's recommendations and actions that match ``wanted``, in report order.

    Actions match on their own area, lead or supporting agency, status and due date.
    Recommendations match on their area and status; for the agency they match when
    they name it or when one of their actions is its; "overdue" keeps the
    recommendations with an overdue action.
    """
    actions = db.session.scalars(
        select(Action)
        .where(Action.plan_id == plan.id)
        .options(
            selectinload(Action.status), selectinload(Action.area), selectinload(Action.lead_agency),
            selectinload(Action.supporting_agencies), selectinload(Action.recommendations),
        )
        .order_by(Action.position, Action.id)
    ).all()
    recommendations = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id)
        .options(
            selectinload(Recommendation.status), selectinload(Recommendation.area),
            selectinload(Recommendation.institutions), selectinload(Recommendation.actions),
        )
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    overdue = {a.id for a in actions if a.is_overdue(today)}

    def agency_of_action(action: Action) -> bool:
        return action.lead_agency_id == wanted.agency or any(
            a.id == wanted.agency for a in action.supporting_agencies
        )

    def keep_action(action: Action) -> bool:
        return (
            (not wanted.area or (action.area is not None and action.area.code == wanted.area))
            and (not wanted.agency or agency_of_action(action))
            and (not wanted.status or action.status_key == wanted.status)
            and (not wanted.overdue or action.id in overdue)
        )

    def keep_recommendation(rec: Recommendation) -> bool:
        return (
            (not wanted.area or (rec.area is not None and rec.area.code == wanted.area))
            and (
                not wanted.agency
                or any(a.id == wanted.agency for a in rec.institutions)
                or any(agency_of_action(a) for a in rec.actions)
            )
            and (not wanted.status or rec.status_key == wanted.status)
            and (not wanted.overdue or any(a.id in overdue for a in rec.actions))
        )

    return Workspace(
        recommendations=[r for r in recommendations if keep_recommendation(r)],
        actions=[a for a in actions if keep_action(a)],
        overdue=overdue,
    )


def country_agencies(country: str) -> list[Agency]:
    """The agencies of ``country``, by name: the choices for owners and institutions."""
    return list(
        db.session.scalars(
            select(Agency).where(func.lower(Agency.country) == country.lower()).order_by(Agency.name)
        )
    )


def agency_key(agency: Agency) -> str:
    """The key the services look an agency up by: its acronym, or its name."""
    return agency.acronym or agency.name


def plan_area(plan: Plan, area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None or area.plan_id != plan.id:
        raise NotFound("No such area in this plan.")
    return area


def plan_recommendation(plan: Plan, rec_id: int) -> Recommendation:
    rec = db.session.get(Recommendation, rec_id)
    if rec is None or rec.plan_id != plan.id:
        raise NotFound("No such recommendation in this plan.")
    return rec


def plan_action(plan: Plan, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.plan_id != plan.id:
        raise NotFound("No such action in this plan.")
    return action


def plan_actions(plan: Plan, action_ids: list[int]) -> list[Action]:
    """The plan's actions among ``action_ids`` (ids of other plans are ignored), in plan order."""
    if not action_ids:
        return []
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id, Action.id.in_(action_ids))
            .order_by(Action.position, Action.id)
        )
    )


def next_position(items: list) -> int:
    """A position after every existing item, so a new one is listed last."""
    return max((item.position for item in items), default=0) + 1


@dataclass
class RoundOverview:
    round: ReportingRound
    missing: list[MissingReport]


def rounds_overview(plan: Plan) -> list[RoundOverview]:
    """The plan's reporting rounds, latest first, each with the reports still missing."""
    return [RoundOverview(r, missing_reports(r)) for r in plan_rounds(plan)]
