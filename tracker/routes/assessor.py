"""Independent assessors: a status per recommendation for an assessment round.

Assessors work on published plans only (there is no per-plan assignment of assessors
yet): the rounds of an unpublished plan answer 404 to them, as to the public. An open
round takes statuses until someone closes it; a closed round is shown with its
history and offers no form (only the secretariat reopens it, on its own pages).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.publishing.public_views import (
    assessment_rounds,
    get_recommendation,
    round_assessments,
    round_plan,
)
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.guards import require_roles
from tracker.services.assessments import (
    assessable_plan,
    assessable_plans,
    assessable_round,
    close_assessment_round,
    open_assessment_round,
    record_assessor_status,
    round_history,
)
from tracker.services.errors import ValidationFailed
from tracker.services.statuses import offered_statuses

bp = Blueprint("assessor", __name__, url_prefix="/assessor")
bp.before_request(require_roles("assessor", "admin"))


@bp.route("/", methods=["GET", "POST"])
def rounds():
    """Assessment rounds per plan, and a form to open a new one."""
    if request.method == "POST":
        plan = assessable_plan(request.form.get("plan", ""), current_user)
        data = form_data("name", "assessed_on")
        try:
            round_ = open_assessment_round(plan, data, user=current_user, now=now())
        except ValidationFailed as exc:
            return _rounds_page(errors=field_errors(exc), values={**data, "plan": plan.slug}), 422
        flash(_("Assessment round “%(name)s” opened.", name=round_.name), "success")
        return redirect(url_for(".round_page", round_id=round_.id))
    return _rounds_page()


@bp.route("/rounds/<int:round_id>")
def round_page(round_id: int):
    """Every recommendation of the round's plan, each with a form for an independent status."""
    return _round_page(assessable_round(round_id, current_user))


@bp.route("/rounds/<int:round_id>/recommendations/<int:recommendation_id>", methods=["POST"])
def assess(round_id: int, recommendation_id: int):
    """Record (or change) the assessor's status and justification for one recommendation."""
    round_ = assessable_round(round_id, current_user)
    rec = get_recommendation(recommendation_id)
    data = form_data("status", "justification")
    try:
        record_assessor_status(round_, rec, data, assessor=current_user, now=now())
    except ValidationFailed as exc:
        return _round_page(round_, errors=field_errors(exc), failed=rec.id, values=data), 422
    flash(_("Status of %(code)s recorded.", code=rec.code), "success")
    return redirect(url_for(".round_page", round_id=round_.id, _anchor=f"rec-{rec.id}"))


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
def close_round(round_id: int):
    """Close the round once its assessment is done: its statuses are then a record."""
    round_ = assessable_round(round_id, current_user)
    data = form_data("reason")
    try:
        close_assessment_round(round_, data, user=current_user, now=now())
    except ValidationFailed as exc:
        return _round_page(round_, errors=field_errors(exc), values=data), 422
    flash(_("Assessment round “%(name)s” closed.", name=round_.name), "success")
    return redirect(url_for(".round_page", round_id=round_.id))


def _rounds_page(errors: dict | None = None, values: dict | None = None):
    plans = assessable_plans(current_user)
    return render_template(
        "assessor/rounds.html",
        plans=[(plan, assessment_rounds(plan)) for plan in plans],
        plan_options=[(plan.slug, plan.title) for plan in plans],
        errors=errors or {},
        values=values or {},
    )


def _round_page(round_, errors: dict | None = None, failed: int | None = None, values: dict | None = None):
    plan = round_plan(round_)
    return render_template(
        "assessor/round.html",
        round=round_,
        plan=plan,
        recorded=round_assessments(round_),
        history=round_history(round_, current_user),
        statuses=[(s.key, _(s.label)) for s in offered_statuses()],
        errors=errors or {},
        failed=failed,
        values=values or {},
    )
