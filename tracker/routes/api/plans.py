"""API: plans, with their areas, recommendations and actions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields

from tracker.exchange.spreadsheets.importing import import_spreadsheet
from tracker.exchange.spreadsheets.reading import SpreadsheetLimits
from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    LanguageArgument,
    PageRequest,
    created,
    error_response,
    json_body,
    refuse,
    request_body,
    require_staff,
    stored_values,
    today,
)
from tracker.schemas.action import ActionInput
from tracker.schemas.base import List, id_field
from tracker.schemas.messages import N_
from tracker.schemas.output import (
    ActionOutput,
    AreaOutput,
    PlanDetailOutput,
    PlanOutput,
    RecommendationOutput,
)
from tracker.schemas.plan import AreaInput, PlanInput
from tracker.schemas.recommendation import RecommendationInput
from tracker.schemas.report import ActionChoiceInput, AssignInput
from tracker.services import api_queries
from tracker.services.actions import assign_actions, create_action
from tracker.services.errors import Forbidden, ValidationFailed
from tracker.services.permissions import is_staff
from tracker.services.plans import create_area, create_plan, find_area, save_area, update_plan
from tracker.services.recommendations import create_recommendation
from tracker.services.transaction import Actor
from tracker.services.validation import validated
from tracker.services.workspace import plan_actions

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


@bp.route("/plans", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(PlanInput, {
    "slug": "open-data-2027", "title": "Open data action plan 2027", "country": "Mexico",
    "period_start": "2027-01-01", "period_end": "2028-12-31", "published": False,
    "reporting_cadence": "quarterly"}))
@bp.errors(400, 401, 403, 415, 422)
@bp.response(201, PlanDetailOutput, headers=LOCATION_HEADER)
def new_plan():
    """Create a plan

    For the secretariat. Its slug must be new and never changes; the plan stays private
    unless `published` is true (the default, as in imports; the page's box starts unticked).
    """
    user = signed_caller()
    require_staff(user, N_("Only the secretariat creates plans."))
    plan = create_plan(json_body(), now=datetime.now(UTC))
    return created(api_queries.summarize(user, [plan], today())[0], url_for(".get_plan", slug=plan.slug))


@bp.route("/plans/<slug>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(PlanInput, {"reporting_cadence": "quarterly", "published": True}))
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
        raise Forbidden(_("Only the secretariat changes plans."))
    data = request.get_json()
    if not isinstance(data, dict):
        refuse("json", {"_schema": [N_("Send a JSON object with named fields.")]})
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


@bp.route("/plans/<slug>/areas", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(AreaInput, {"code": "USE", "name": "Use and impact", "position": 3}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, AreaOutput, headers=LOCATION_HEADER)
def new_area(slug: str):
    """Add an area to a plan

    For the secretariat; the code must be new in the plan.
    """
    plan = _staff_plan(slug)
    area = create_area(plan, json_body())
    return created(area, url_for(".get_area", slug=plan.slug, code=area.code))


@bp.route("/plans/<slug>/areas/<code>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, AreaOutput)
def get_area(slug: str, code: str):
    """Get an area of a plan"""
    return _area(api_queries.visible_plan(caller(), slug), code)


@bp.route("/plans/<slug>/areas/<code>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(AreaInput, {"name": "Governance and leadership"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, AreaOutput)
def change_area(slug: str, code: str):
    """Rename or reorder an area

    For the secretariat. Send only the fields to change; the code stays, since
    recommendations and imports refer to it.
    """
    plan = _staff_plan(slug)
    area = _area(plan, code)
    return save_area(plan, {**stored_values(area, AreaInput), **json_body(), "code": area.code})[0]


def _area(plan, code: str):
    area = find_area(plan, code)
    if area is None:
        abort(404, message=_("No area %(code)r in this plan.", code=code))
    return area


def _staff_plan(slug: str):
    """The plan, for an operation of the secretariat's (403 for anyone else)."""
    user = signed_caller()
    require_staff(user)
    return api_queries.visible_plan(user, slug)


@bp.route("/plans/<slug>/recommendations", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(RecommendationInput, {
    "code": "R7", "text": "Publish procurement data in the Open Contracting Data Standard.", "area": "GOV",
    "status": "pending", "timeframe": "medium", "priority": "high", "response": "accepted",
    "institutions": ["MOF"]}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, RecommendationOutput, headers=LOCATION_HEADER)
def new_recommendation(slug: str):
    """Record a recommendation

    For the secretariat, with its source, timeframe, priority and the government's
    response; the code must be new in the plan.
    """
    plan = _staff_plan(slug)
    rec = create_recommendation(plan, json_body(), actor=Actor.of(caller()), now=datetime.now(UTC))
    return created(rec, url_for("api_recommendations.get_recommendation", recommendation_id=rec.id))


@bp.route("/plans/<slug>/actions", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(ActionInput, {
    "code": "A9", "title": "Open the procurement portal", "area": "GOV", "lead_agency": "MOF",
    "supporting_agencies": ["MIN"], "start_date": "2027-01-01", "due_date": "2027-12-31",
    "status": "pending", "recommendations": ["R7"],
    "milestones": [{"title": "Tender published", "due_date": "2027-04-30"}]}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, ActionOutput, headers=LOCATION_HEADER)
def new_action(slug: str):
    """Record an action

    For the secretariat: its lead and supporting agencies, dates, milestones and the
    recommendations it serves; the code must be new in the plan.
    """
    plan = _staff_plan(slug)
    action = create_action(plan, json_body(), actor=Actor.of(caller()), now=datetime.now(UTC))
    shown = api_queries.visible_action(caller(), action.id)
    return shown, 201, {"Location": url_for("api_actions.get_action", action_id=action.id),
                        "ETag": f'"{shown.version}"'}


class AssignRequest(AssignInput):
    """The actions to assign, by id, and the agency that leads them from now on."""

    actions = List(id_field(), max_items=10_000, noun="actions", required=True)


@bp.route("/plans/<slug>/assign", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(AssignRequest, {
    "actions": [12, 13], "lead_agency": "MOF", "reason": "The ministry took over the portal."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, ActionOutput(many=True))
def assign(slug: str):
    """Assign actions to an agency

    For the secretariat: one agency becomes the lead of every listed action of the plan
    (ids of other plans are ignored); supporting agencies stay unless given. A former
    lead's unfinished reports are withdrawn.
    """
    plan = _staff_plan(slug)
    data = json_body()
    chosen = validated(ActionChoiceInput(), {"actions": data.pop("actions", [])})["actions"]
    assigned = assign_actions(plan_actions(plan, chosen), data, actor=Actor.of(caller()), now=datetime.now(UTC))
    return [api_queries.visible_action(caller(), a.id) for a in assigned]


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
        abort(404, message=_("No plan %(slug)r.", slug=slug))
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


IMPORT_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "A plan as CSV or XLSX, in the spreadsheet format (docs/spreadsheet-format.md)."},
        "mode": {"type": "string", "enum": ["check", "import"], "default": "check",
                 "description": "check: a dry run that stores nothing; import: all or nothing."},
        "publish": {"type": "boolean", "default": False,
                    "description": "Publish the plan if the import creates it."},
        "create_agencies": {"type": "boolean", "default": False,
                            "description": "Create the agencies the file names that do not exist yet."},
    }},
    "encoding": {"file": {"contentType": "application/octet-stream"}},
}}}


class ImportOutput(Schema):
    """What an import did (or, checked only, would do)."""

    ok = fields.Boolean()
    dry_run = fields.Boolean()
    plan = fields.String(allow_none=True, metadata={"description": "The plan's slug."})
    created = fields.Dict(keys=fields.String(), values=fields.Integer())
    updated = fields.Dict(keys=fields.String(), values=fields.Integer())
    unchanged = fields.Dict(keys=fields.String(), values=fields.Integer())
    agencies_created = fields.List(fields.String())


@bp.route("/plans/import", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=IMPORT_BODY)
@bp.errors(400, 401, 403, 413, 415, 422)
@bp.response(200, ImportOutput)
def import_plan():
    """Import a plan from a spreadsheet

    For the secretariat, as the import page: a CSV or XLSX file as `multipart/form-data`,
    checked (`mode=check`, the default: nothing is stored) or imported (`mode=import`),
    all or nothing. A file with problems is refused (422) with each one by row and column
    in `problems`, and nothing is stored.
    """
    user = signed_caller()
    require_staff(user, N_("Only the secretariat imports plans."))
    if not request.mimetype.startswith("multipart/form-data"):
        abort(415, message=N_("Send the file as multipart/form-data, in a field named file."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        refuse("files", {"file": [N_("Choose a CSV or XLSX file.")]})
    mode = request.form.get("mode", "check")
    if mode not in ("check", "import"):
        refuse("form", {"mode": [N_("Use check or import.")]})
    flags = {}
    for name in ("publish", "create_agencies"):
        value = request.form.get(name, "false").lower()
        if value not in ("true", "false", "1", "0", ""):
            refuse("form", {name: [N_("Use true or false.")]})
        flags[name] = value in ("true", "1")
    result = import_spreadsheet(upload.filename, upload.read(), actor=Actor.of(user), now=datetime.now(UTC),
                                limits=SpreadsheetLimits.from_config(current_app.config),
                                dry_run=mode == "check", **flags)
    problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems]
    if problems:
        return error_response(422, N_("The file has problems: nothing was stored."),
                              {"files": {"file": [str(p) for p in result.problems]}}, problems=problems)
    summary = result.summary
    body = {
        "ok": result.ok, "dry_run": mode == "check", "plan": summary.slug if summary else None,
        "created": dict(summary.created) if summary else {}, "updated": dict(summary.updated) if summary else {},
        "unchanged": dict(summary.unchanged) if summary else {},
        "agencies_created": list(summary.agencies_created) if summary else [],
    }
    return body
