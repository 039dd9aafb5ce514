"""API: plans, with their areas, recommendations and actions."""

from __future__ import annotations

from flask import request
from flask_smorest import abort
from marshmallow import Schema, fields

from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import ApiBlueprint, LanguageArgument, PageRequest, refuse, today
from tracker.schemas.output import (
    ActionOutput,
    AreaOutput,
    PlanDetailOutput,
    PlanOutput,
    RecommendationOutput,
)
from tracker.schemas.plan import PlanInput
from tracker.services import api_queries
from tracker.services.errors import Forbidden, ValidationFailed
from tracker.services.permissions import is_staff
from tracker.services.plans import update_plan

bp = ApiBlueprint(
    "api_plans", __name__, url_prefix="/api/v1",
    description="Plans, their areas, recommendations and actions. The public sees published plans only.",
)


class RecommendationFilters(LanguageArgument):
    status = fields.String(metadata={"description": "A status key, e.g. ongoing."})
    area = fields.String(metadata={"description": "An area code of the plan, e.g. GOV."})


class ActionFilters(RecommendationFilters):
    agency = fields.String(
        metadata={"description": "An agency's acronym, name or id: the actions it leads or supports."}
    )
    overdue = fields.Boolean(
        metadata={"description": "true: only actions past their due date (as of today, UTC) and "
                                 "not in a final status; false: only the others."}
    )


def _filters(plan, args: dict) -> api_queries.Filters:
    try:
        return api_queries.resolve_filters(plan, args)
    except ValidationFailed as exc:
        refuse("query", exc.errors)


@bp.route("/plans")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401)
@bp.response(200, PlanOutput(many=True))
@bp.paginated()
def list_plans(page: PageRequest):
    """List plans

    Each with its slug, title, country, period and the counts of what the caller can see.
    """
    plans = page.items(api_queries.plans_query(caller()))
    return api_queries.summarize(caller(), plans, today())


@bp.route("/plans/<slug>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, PlanDetailOutput)
def get_plan(slug: str):
    """Get a plan

    With its areas and headline figures.
    """
    plan = api_queries.visible_plan(caller(), slug)
    return api_queries.summarize(caller(), [plan], today())[0]


@bp.route("/plans/<slug>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody={"required": True, "content": {"application/json": {"schema": PlanInput}}})
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, PlanDetailOutput)
def change_plan(slug: str):
    """Change a plan

    For the secretariat. Send only the fields to change, e.g. `{"reporting_cadence":
    "quarterly"}`: with a cadence the scheduler opens a reporting round on the first day
    of each period (monthly, quarterly, half-yearly or yearly); `manual` stops it. The
    slug never changes. Every refused field is named at once (422).
    """
    user = signed_caller()
    plan = api_queries.visible_plan(user, slug)
    if not is_staff(user):
        raise Forbidden("Only the secretariat changes plans.")
    data = request.get_json()
    if not isinstance(data, dict):
        refuse("json", {"_schema": ["Send a JSON object with named fields."]})
    update_plan(plan, {"title": plan.title, "country": plan.country, **data})
    return api_queries.summarize(user, [plan], today())[0]


@bp.route("/plans/<slug>/areas")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, AreaOutput(many=True))
@bp.paginated()
def list_areas(slug: str, page: PageRequest):
    """List a plan's areas

    The pillars or dimensions the plan's recommendations and actions are filed under.
    """
    plan = api_queries.visible_plan(caller(), slug)
    return page.items(api_queries.areas_query(plan))


@bp.route("/plans/<slug>/recommendations")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.arguments(RecommendationFilters, location="query")
@bp.response(200, RecommendationOutput(many=True))
@bp.paginated()
def list_recommendations(args: dict, slug: str, page: PageRequest):
    """List a plan's recommendations

    In the order of the source report, each with its validated status.
    """
    plan = api_queries.visible_plan(caller(), slug)
    query = api_queries.recommendations_query(caller(), plan, _filters(plan, args))
    return page.items(query)


@bp.route("/plans/<slug>/actions")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.arguments(ActionFilters, location="query")
@bp.response(200, ActionOutput(many=True))
@bp.paginated()
def list_actions(args: dict, slug: str, page: PageRequest):
    """List a plan's actions

    Filters combine: e.g. `?agency=MOF&overdue=true` lists what MOF has let slip.
    An unknown agency, status or area is refused (422) rather than matching nothing.
    """
    plan = api_queries.visible_plan(caller(), slug)
    query = api_queries.actions_query(caller(), plan, _filters(plan, args), today())
    return page.items(query)


class ScorecardArgs(LanguageArgument):
    as_of = fields.Date(metadata={"description": "Rebuild the scorecard from the status history as it stood "
                                                "at the end of this date (YYYY-MM-DD)."})


class ScorecardAreaOutput(Schema):
    code = fields.String(allow_none=True, metadata={"description": "The area's code; null for recommendations filed under no area."})
    name = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "Recommendations per status key (every key present, zeros included)."})
    total = fields.Integer()
    percent = fields.Float(allow_none=True, metadata={
        "description": "Percent complete of the area, rolled up from its actions (weighted mean per "
                       "recommendation, then the mean of its recommendations); null when no action measures it."})


class ScorecardOutput(Schema):
    plan = fields.String(metadata={"description": "The plan's slug."})
    as_of = fields.Date(allow_none=True)
    statuses = fields.List(fields.Dict(), metadata={"description": "The status vocabulary in order: key and label."})
    areas = fields.List(fields.Nested(ScorecardAreaOutput))
    totals = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()
    percent = fields.Float(allow_none=True, metadata={
        "description": "Percent complete of the plan: the mean of its measured recommendations' percents."})


@bp.route("/plans/<slug>/scorecard")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.arguments(ScorecardArgs, location="query")
@bp.response(200, ScorecardOutput)
def get_scorecard(args: dict, slug: str):
    """Get a plan's scorecard

    Recommendations counted per area and validated status, with totals: Table 2.1 of
    the OECD's Mexico follow-up, for any plan. `as_of` rebuilds it from the history.
    """
    from tracker.publishing.as_of import scorecard_as_of
    from tracker.publishing.scorecards import plan_scorecard
    from tracker.services.permissions import is_staff

    plan = api_queries.visible_plan(caller(), slug)
    if not plan.published and not is_staff(caller()):
        abort(404, message=f"No plan {slug!r}.")
    as_of = args.get("as_of")
    card = scorecard_as_of(plan, as_of) if as_of else plan_scorecard(plan)
    keys = [s.key for s in card.statuses]
    return {
        "plan": plan.slug,
        "as_of": as_of,
        "statuses": [{"key": s.key, "label": s.label} for s in card.statuses],
        "areas": [
            {"code": row.code, "name": row.name, "counts": {k: row.counts[k] for k in keys}, "total": row.total,
             "percent": _rounded(row.percent)}
            for row in card.rows
        ],
        "totals": {k: card.totals[k] for k in keys},
        "total": card.total,
        "percent": _rounded(card.percent),
    }


def _rounded(percent: float | None) -> float | None:
    return None if percent is None else round(percent, 1)
