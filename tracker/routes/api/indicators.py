"""API: indicators, the measures of actions and recommendations (their definitions)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from tracker.extensions import db
from tracker.models import Indicator, Plan
from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    ApiBlueprint,
    json_body,
    request_body,
    require_staff,
    stored_values,
)
from tracker.schemas.indicator import IndicatorInput
from tracker.schemas.output import IndicatorOutput
from tracker.services import api_queries
from tracker.services.errors import NotFound
from tracker.services.indicators import update_indicator
from tracker.services.transaction import Actor

bp = ApiBlueprint("api_indicators", __name__, url_prefix="/api/v1",
                  description="Indicators: what measures an action or a recommendation, with baseline and target.")


def _visible_indicator(user, indicator_id: int) -> Indicator:
    """The indicator if the caller may see its plan (404 otherwise, as if there were none)."""
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(_("No indicator %(id)s.", id=indicator_id))
    plan = db.session.get(Plan, indicator.plan_id)
    try:
        api_queries.visible_plan(user, plan.slug)
    except NotFound:
        raise NotFound(_("No indicator %(id)s.", id=indicator_id)) from None
    return indicator


@bp.route("/indicators/<int:indicator_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, IndicatorOutput)
def get_indicator(indicator_id: int):
    """Get an indicator

    Its definition and the values that count.
    """
    return _visible_indicator(caller(), indicator_id)


@bp.route("/indicators/<int:indicator_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(IndicatorInput, {"target_value": 450, "target_date": "2027-12-31"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, IndicatorOutput)
def change_indicator(indicator_id: int):
    """Change an indicator

    For the secretariat. Send only the fields to change; baseline and target changes go
    into its subject's history. Its kind cannot change once it has values.
    """
    user = signed_caller()
    require_staff(user)
    indicator = _visible_indicator(user, indicator_id)
    data = {**stored_values(indicator, IndicatorInput), **json_body()}
    return update_indicator(indicator, data, actor=Actor.of(user), now=datetime.now(UTC))
