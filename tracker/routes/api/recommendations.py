"""API: one recommendation; editing it, setting its validated status, adding indicators."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _

from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    created,
    json_body,
    request_body,
    require_staff,
)
from tracker.schemas.indicator import IndicatorInput
from tracker.schemas.output import IndicatorOutput, RecommendationOutput
from tracker.schemas.recommendation import RecommendationInput, StatusChangeInput
from tracker.services import api_queries
from tracker.services.indicators import create_indicator
from tracker.services.recommendations import (
    current_input,
    save_recommendation,
    set_recommendation_status,
)
from tracker.services.transaction import Actor

bp = ApiBlueprint("api_recommendations", __name__, url_prefix="/api/v1",
                  description="Recommendations of a review, with their validated status.")


@bp.route("/recommendations/<int:recommendation_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, RecommendationOutput)
def get_recommendation(recommendation_id: int):
    """Get a recommendation"""
    return api_queries.visible_recommendation(caller(), recommendation_id)


@bp.route("/recommendations/<int:recommendation_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(
    RecommendationInput, {"text": "Publish the budget as open data every quarter.", "priority": "high"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, RecommendationOutput)
def change_recommendation(recommendation_id: int):
    """Change a recommendation

    For the secretariat, as on its edit page: send only the fields to change. Its code
    identifies it and its validated status changes only through `POST .../status`, which
    asks why; both are kept whatever is sent.
    """
    user = signed_caller()
    require_staff(user)
    rec = api_queries.visible_recommendation(user, recommendation_id)
    current = current_input(rec)
    data = {**current, **json_body(), "code": current["code"], "status": current["status"]}
    save_recommendation(rec.plan, data, actor=Actor.of(user), now=datetime.now(UTC),
                        reason=_("Edited by the secretariat."))
    return rec


@bp.route("/recommendations/<int:recommendation_id>/status", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    StatusChangeInput, {"status": "fully_achieved", "reason": "The portal publishes every quarter since March."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, RecommendationOutput)
def set_status(recommendation_id: int):
    """Set a recommendation's validated status

    For the secretariat, with the reason, into its status history; the scorecard counts it.
    """
    user = signed_caller()
    require_staff(user)
    rec = api_queries.visible_recommendation(user, recommendation_id)
    return set_recommendation_status(rec, json_body(), actor=Actor.of(user), now=datetime.now(UTC))


@bp.route("/recommendations/<int:recommendation_id>/indicators", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(IndicatorInput, {
    "code": "IND-2", "name": "Share of budget lines published", "kind": "percent", "direction": "up",
    "target_value": 100, "target_date": "2027-12-31"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, IndicatorOutput, headers=LOCATION_HEADER)
def add_recommendation_indicator(recommendation_id: int):
    """Add an indicator measuring a recommendation

    For the secretariat; the code must be new in the plan.
    """
    user = signed_caller()
    require_staff(user)
    rec = api_queries.visible_recommendation(user, recommendation_id)
    indicator = create_indicator(rec, json_body(), actor=Actor.of(user), now=datetime.now(UTC))
    return created(indicator, url_for("api_indicators.get_indicator", indicator_id=indicator.id))
