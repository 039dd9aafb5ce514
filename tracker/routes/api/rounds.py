"""API: reporting rounds (when agencies report) and assessment rounds (assessors' independent
statuses, opened, closed and reopened with their history)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AssessmentRound, Plan, ReportingRound
from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    PageRequest,
    created,
    json_body,
    request_body,
    require_staff,
)
from tracker.schemas.messages import N_
from tracker.schemas.output import AssessmentOutput, AssessmentRoundOutput, RoundOutput
from tracker.schemas.readiness import AssessmentRoundInput, RoundCloseInput, RoundReopenInput
from tracker.schemas.report import AssessorInput, RoundInput
from tracker.services import api_queries
from tracker.services.assessments import (
    close_assessment_round,
    open_assessment_round,
    record_assessor_status,
    reopen_assessment_round,
)
from tracker.services.errors import NotFound
from tracker.services.rounds import open_reporting_round

bp = ApiBlueprint(
    "api_rounds", __name__, url_prefix="/api/v1",
    description=(
        "Reporting rounds, in which agencies report on their actions by a deadline; and assessment "
        "rounds, in which independent assessors record a status per recommendation. A closed "
        "assessment round is a record: only the secretariat reopens it, saying why."
    ),
)


@bp.route("/plans/<slug>/rounds")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, RoundOutput(many=True))
@bp.paginated()
def list_rounds(slug: str, page: PageRequest):
    """List a plan's reporting rounds

    Newest first.
    """
    plan = api_queries.visible_plan(caller(), slug)
    return page.items(select(ReportingRound).where(ReportingRound.plan_id == plan.id)
                      .order_by(ReportingRound.opens_on.desc(), ReportingRound.id.desc()))


@bp.route("/plans/<slug>/rounds", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    RoundInput, {"name": "2027 Q1", "opens_on": "2027-01-01", "deadline": "2027-03-31"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, RoundOutput)
def open_round(slug: str):
    """Open a reporting round

    For the secretariat: a name, an opening date and a deadline after it. Agencies'
    reports join the round that is open when they are written; webhooks hear of it.
    """
    user = signed_caller()
    require_staff(user)
    plan = api_queries.visible_plan(user, slug)
    return open_reporting_round(plan, json_body(), now=datetime.now(UTC)), 201


def _shown(round_: AssessmentRound) -> dict:
    plan = db.session.get(Plan, round_.plan_id)
    return {"id": round_.id, "plan": plan.slug, "name": round_.name, "assessed_on": round_.assessed_on,
            "state": round_.state}


def _visible_round(user, round_id: int) -> AssessmentRound:
    """The assessment round if the caller may see its plan; 404 otherwise, as if there were none."""
    round_ = db.session.get(AssessmentRound, round_id)
    plan = db.session.get(Plan, round_.plan_id) if round_ is not None else None
    try:
        if plan is None:
            raise NotFound
        api_queries.visible_plan(user, plan.slug)
    except NotFound:
        raise NotFound(_("No assessment round %(id)s.", id=round_id)) from None
    return round_


@bp.route("/plans/<slug>/assessment-rounds")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, AssessmentRoundOutput(many=True))
@bp.paginated()
def list_assessment_rounds(slug: str, page: PageRequest):
    """List a plan's assessment rounds

    Newest first, open or closed.
    """
    plan = api_queries.visible_plan(caller(), slug)
    rounds = page.items(select(AssessmentRound).where(AssessmentRound.plan_id == plan.id)
                        .order_by(AssessmentRound.assessed_on.desc(), AssessmentRound.id.desc()))
    return [_shown(r) for r in rounds]


@bp.route("/plans/<slug>/assessment-rounds", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    AssessmentRoundInput, {"name": "Independent review 2027", "assessed_on": "2027-06-30"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(201, AssessmentRoundOutput, headers=LOCATION_HEADER)
def open_assessment(slug: str):
    """Open an assessment round

    For assessors (and admins), on the plans they may assess; the name must be new in the plan.
    """
    user = signed_caller()
    plan = api_queries.visible_plan(user, slug)
    round_ = open_assessment_round(plan, json_body(), user=user, now=datetime.now(UTC))
    return created(_shown(round_), url_for(".get_assessment_round", round_id=round_.id))


@bp.route("/assessment-rounds/<int:round_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, AssessmentRoundOutput)
def get_assessment_round(round_id: int):
    """Get an assessment round"""
    return _shown(_visible_round(caller(), round_id))


@bp.route("/assessment-rounds/<int:round_id>/close", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(RoundCloseInput, {"reason": "All recommendations assessed."},
                                                     required=False))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, AssessmentRoundOutput)
def close_assessment(round_id: int):
    """Close an assessment round

    For the plan's assessors and the secretariat: its statuses become a record. The
    reason is optional; a round closed already is refused (422, `round`).
    """
    user = signed_caller()
    round_ = _visible_round(user, round_id)
    close_assessment_round(round_, json_body(optional=True), user=user, now=datetime.now(UTC))
    return _shown(round_)


@bp.route("/assessment-rounds/<int:round_id>/reopen", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    RoundReopenInput, {"reason": "The assessor's status for R3 cited the wrong report."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, AssessmentRoundOutput)
def reopen_assessment(round_id: int):
    """Reopen a closed assessment round

    For the secretariat only, with a reason: a closed round is a record.
    """
    user = signed_caller()
    require_staff(user, N_("Only the secretariat can reopen an assessment round."))
    round_ = _visible_round(user, round_id)
    reopen_assessment_round(round_, json_body(), user=user, now=datetime.now(UTC))
    return _shown(round_)


@bp.route("/assessment-rounds/<int:round_id>/recommendations/<int:recommendation_id>", methods=["PUT"])
@bp.doc(security=SECURITY, requestBody=request_body(
    AssessorInput, {"status": "ongoing", "justification": "The portal is live but covers two ministries of nine."}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, AssessmentOutput)
def assess(round_id: int, recommendation_id: int):
    """Record an assessor's status for a recommendation

    For assessors, in an open round: the status and its justification, kept apart from
    the secretariat's validated status. Sending it again changes it.
    """
    user = signed_caller()
    round_ = _visible_round(user, round_id)
    rec = api_queries.visible_recommendation(user, recommendation_id)
    return record_assessor_status(round_, rec, json_body(), assessor=user, now=datetime.now(UTC))
