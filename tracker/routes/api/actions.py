"""API: actions, with their owners, dates, progress and status; editing them with optimistic
locking (ETag and If-Match), pausing (retiring) and resuming them, and their indicators."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request, url_for
from marshmallow import Schema, fields

from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    created,
    error_response,
    json_body,
    refuse,
    request_body,
    require_staff,
)
from tracker.schemas.action import ActionInput
from tracker.schemas.indicator import IndicatorInput
from tracker.schemas.messages import N_
from tracker.schemas.output import ActionOutput, IndicatorOutput
from tracker.services import api_queries
from tracker.services.actions import set_paused, update_action
from tracker.services.errors import EditConflict
from tracker.services.indicators import create_indicator
from tracker.services.transaction import Actor

bp = ApiBlueprint(
    "api_actions", __name__, url_prefix="/api/v1",
    description=(
        "Actions: what an agency does to implement recommendations. Reading one answers an "
        "`ETag`; send it back as `If-Match` with a change, so an edit made meanwhile is not "
        "overwritten (412 if it was)."
    ),
)

ETAG_HEADER = {"ETag": {"description": "The action's version as an entity tag: send it back as If-Match "
                                       "with a change.", "schema": {"type": "string", "example": '"3"'}}}
IF_MATCH = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string", "example": '"3"'},
    "description": "The ETag of the action as you read it. A stale one is refused (412) and nothing is "
                   "written. Either this header or the `version` field is required (428 without both).",
}


def etag(action) -> str:
    """The action's entity tag: its version, which every saved edit moves on."""
    return f'"{action.version}"'


class PauseInput(Schema):
    reason = fields.String(required=True, metadata={"description": "Why the action is paused or resumed; "
                                                                   "it goes on the action's timeline."})


@bp.route("/actions/<int:action_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, ActionOutput, headers=ETAG_HEADER)
def get_action(action_id: int):
    """Get an action

    Its lead and supporting agencies, dates, milestones, percent complete and status, with
    its version as the `ETag` header.
    """
    action = api_queries.visible_action(caller(), action_id)
    return action, 200, {"ETag": etag(action)}


@bp.route("/actions/<int:action_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, parameters=[IF_MATCH], requestBody=request_body(
    ActionInput, {"weight": 2, "due_date": "2027-06-30", "reason": "The budget arrives in the spring."}))
@bp.errors(400, 401, 403, 404, 409, 412, 415, 422, 428)
@bp.response(200, ActionOutput, headers=ETAG_HEADER)
def change_action(action_id: int):
    """Change an action

    For the secretariat, with the same rules as the action's edit page. Send only the
    fields to change, with the action's `ETag` as `If-Match` (or, as before, the `version`
    it had when you read it in the body, e.g. `{"version": 3, "weight": 2}`). A change of
    dates, status or percent needs a `reason`. If the action changed since, nothing is
    written: 412 for a stale `If-Match`, 409 for a stale `version`; neither is 428. The
    code never changes; a new lead agency withdraws the former lead's unfinished reports.
    """
    user = signed_caller()
    require_staff(user, N_("Only the secretariat changes actions; agencies report progress instead."))
    action = api_queries.visible_action(user, action_id, for_output=False)
    data = json_body()
    data.pop("code", None)
    body_version = data.pop("version", None)
    by_header = "If-Match" in request.headers
    if by_header:
        if not (request.if_match.star_tag or request.if_match.contains(str(action.version))):
            return _stale(action)
        version = action.version
    elif body_version is None:
        return error_response(428, N_("Send the action's ETag as If-Match (or its version in the body)."),
                              {"json": {"version": [N_("Send the ETag as If-Match, or the version as you read it.")]}})
    elif not isinstance(body_version, int) or isinstance(body_version, bool):
        refuse("json", {"version": [N_("Send the action's version (an integer) as you read it.")]})
    else:
        version = body_version
    try:
        update_action(action, data, expected_version=version, actor=Actor.of(user), now=datetime.now(UTC))
    except EditConflict:
        if by_header:  # saved by someone else between our check and our write
            return _stale(action)
        raise
    shown = api_queries.visible_action(user, action_id)
    return shown, 200, {"ETag": etag(shown)}


def _stale(action):
    return error_response(412, N_("The action changed since you read it; read it again (its new ETag) and "
                                  "re-apply your change."), headers={"ETag": etag(action)})


@bp.route("/actions/<int:action_id>/pause", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(PauseInput, {"reason": "Superseded by action A7."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, ActionOutput, headers=ETAG_HEADER)
def pause_action(action_id: int):
    """Pause (retire) an action

    For the secretariat. A paused action gets no reminders and owes no reports until it is
    resumed; nothing is deleted (the history is never rewritten). The reason goes on its
    timeline.
    """
    return _set_paused(action_id, True)


@bp.route("/actions/<int:action_id>/resume", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(PauseInput, {"reason": "Back in the work plan."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, ActionOutput, headers=ETAG_HEADER)
def resume_action(action_id: int):
    """Resume a paused action

    For the secretariat; the reason goes on its timeline.
    """
    return _set_paused(action_id, False)


def _set_paused(action_id: int, paused: bool):
    user = signed_caller()
    require_staff(user, N_("Only the secretariat pauses and resumes actions."))
    action = api_queries.visible_action(user, action_id, for_output=False)
    reason = json_body().get("reason")
    if reason is not None and not isinstance(reason, str):
        refuse("json", {"reason": [N_("Not a valid string.")]})
    set_paused(action, paused, reason=reason, actor=Actor.of(user), now=datetime.now(UTC))
    shown = api_queries.visible_action(user, action_id)
    return shown, 200, {"ETag": etag(shown)}


@bp.route("/actions/<int:action_id>/indicators", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(IndicatorInput, {
    "code": "IND-4", "name": "Datasets published", "kind": "number", "unit": "datasets", "direction": "up",
    "baseline_value": 120, "baseline_date": "2026-01-01", "target_value": 400, "target_date": "2027-12-31"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, IndicatorOutput, headers=LOCATION_HEADER)
def add_action_indicator(action_id: int):
    """Add an indicator measuring an action

    For the secretariat; the code must be new in the plan.
    """
    user = signed_caller()
    require_staff(user)
    action = api_queries.visible_action(user, action_id, for_output=False)
    indicator = create_indicator(action, json_body(), actor=Actor.of(user), now=datetime.now(UTC))
    return created(indicator, url_for("api_indicators.get_indicator", indicator_id=indicator.id))
