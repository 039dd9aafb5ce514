"""Reporting rounds (opening them) and assessment rounds (closing and reopening them)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import filled, page, submitted
from tracker.services.assessments import (
    close_assessment_round,
    plan_assessment_round,
    plan_round_records,
    reopen_assessment_round,
)
from tracker.services.errors import ValidationFailed
from tracker.services.plans import get_plan
from tracker.services.rounds import open_reporting_round
from tracker.services.workspace import rounds_overview


@bp.route("/plans/<slug>/rounds", methods=["GET", "POST"])
def rounds(slug: str):
    """A plan's reporting rounds with the reports each still misses, and a form to open one."""
    plan = get_plan(slug)
    values: dict = {}
    if request.method == "POST":
        values = submitted()
        try:
            round_ = open_reporting_round(plan, filled("name", "opens_on", "deadline"), now=now())
        except ValidationFailed as exc:
            return page("secretariat/rounds.html", 422, plan=plan, overview=rounds_overview(plan),
                         values=values, errors=field_errors(exc), today=now().date())
        flash(_("Reporting round “%(name)s” opened; reports are due by %(deadline)s.",
                name=round_.name, deadline=round_.deadline.isoformat()), "success")
        return redirect(url_for(".rounds", slug=plan.slug))
    return page("secretariat/rounds.html", plan=plan, overview=rounds_overview(plan), values=values,
                 errors={}, today=now().date())


@bp.route("/plans/<slug>/assessments")
def assessment_rounds(slug: str):
    """A plan's assessment rounds with their state and history; close open ones, reopen closed ones."""
    return _assessments_page(get_plan(slug))


@bp.route("/plans/<slug>/assessments/<int:round_id>/close", methods=["POST"])
def close_assessment(slug: str, round_id: int):
    """Close an open round: its statuses become a record (the reason is optional)."""
    return _change_round_state(slug, round_id, close_assessment_round, _("Assessment round “%(name)s” closed."))


@bp.route("/plans/<slug>/assessments/<int:round_id>/reopen", methods=["POST"])
def reopen_assessment(slug: str, round_id: int):
    """Reopen a closed round so assessors can record statuses again; the reason is required."""
    return _change_round_state(
        slug, round_id, reopen_assessment_round, _("Assessment round “%(name)s” reopened.")
    )


def _change_round_state(slug: str, round_id: int, operation, message: str):
    plan = get_plan(slug)
    round_ = plan_assessment_round(plan, round_id)
    data = form_data("reason")
    try:
        operation(round_, data, user=current_user, now=now())
    except ValidationFailed as exc:
        return _assessments_page(plan, failed=round_.id, values=data, errors=field_errors(exc), status=422)
    flash(message % {"name": round_.name}, "success")
    return redirect(url_for(".assessment_rounds", slug=plan.slug, _anchor=f"round-{round_.id}"))


def _assessments_page(plan, *, failed: int | None = None, values: dict | None = None,
                      errors: dict | None = None, status: int = 200):
    return page(
        "secretariat/assessments.html", status, plan=plan, records=plan_round_records(plan, current_user),
        failed=failed, values=values or {}, errors=errors or {},
    )
