"""Read-only queries for the secretariat's pages: the items a plan's workspace links to (its
paged, filtered tables come from ``item_tables``, shared with the public plan page).

Nothing here writes; the operations themselves live in plans, recommendations, actions,
rounds and reports. Items are always looked up *within* a plan, so a URL naming one
plan can never reach another plan's recommendation or action.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import func, select

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
        raise NotFound(gettext("No such area in this plan."))
    return area


def plan_recommendation(plan: Plan, rec_id: int) -> Recommendation:
    rec = db.session.get(Recommendation, rec_id)
    if rec is None or rec.plan_id != plan.id:
        raise NotFound(gettext("No such recommendation in this plan."))
    return rec


def plan_action(plan: Plan, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.plan_id != plan.id:
        raise NotFound(gettext("No such action in this plan."))
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
