"""API: one action, with its owners, dates, progress and status."""

from __future__ import annotations

from tracker.routes.api.auth import SECURITY_OPTIONAL, caller
from tracker.routes.api.base import ApiBlueprint
from tracker.schemas.output import ActionOutput
from tracker.services import api_queries

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
