"""API: one action, with its owners, dates, progress and status."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from flask_babel import gettext

from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import ApiBlueprint, refuse
from tracker.schemas.action import ActionInput
from tracker.schemas.output import ActionOutput
from tracker.services import api_queries
from tracker.services.actions import update_action
from tracker.services.errors import Forbidden
from tracker.services.permissions import is_staff
from tracker.services.transaction import Actor

bp = ApiBlueprint(
    "api_actions", __name__, url_prefix="/api/v1",
    description="Actions: what an agency does to implement recommendations.",
)


@bp.route("/actions/<int:action_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, ActionOutput)
def get_action(action_id: int):
    """Get an action

    Its lead and supporting agencies, dates, milestones, percent complete and status.
    """
    return api_queries.visible_action(caller(), action_id)


@bp.route("/actions/<int:action_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody={"required": True, "content": {"application/json": {"schema": ActionInput}}})
@bp.errors(400, 401, 403, 404, 409, 415, 422)
@bp.response(200, ActionOutput)
def change_action(action_id: int):
    """Change an action

    For the secretariat. Send the `version` the action had when you read it and only the
    fields to change, e.g. `{"version": 3, "weight": 2}`: the weight is how much the
    action counts in its recommendations' percent complete (null counts as 1). A change
    of dates, status or percent needs a `reason`. If the action changed since that version,
    nothing is written (409). The code never changes.
    """
    user = signed_caller()
    action = api_queries.visible_action(user, action_id, for_output=False)
    if not is_staff(user):
        raise Forbidden(gettext("Only the secretariat changes actions; agencies report progress instead."))
    data = request.get_json()
    if not isinstance(data, dict):
        refuse("json", {"_schema": ["Send a JSON object with named fields."]})
    data = dict(data)
    version = data.pop("version", None)
    if not isinstance(version, int) or isinstance(version, bool):
        refuse("json", {"version": ["Send the action's version (an integer) as you read it."]})
    data.pop("code", None)
    update_action(action, data, expected_version=version, actor=Actor.of(user), now=datetime.now(UTC))
    return api_queries.visible_action(user, action_id)
