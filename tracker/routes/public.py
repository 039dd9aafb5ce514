"""Public pages: no sign-in, published data only (signed-in users may see a little more)."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, render_template, send_file
from flask_login import current_user

from tracker.routes.forms import now
from tracker.services.assessments import recommendation_status_views
from tracker.services.errors import NotFound
from tracker.services.evidence_files import evidence_path
from tracker.services.permissions import can_report_on, is_staff
from tracker.services.plans import get_plan, list_plans
from tracker.services.public_views import (
    accepted_evidence,
    get_evidence,
    is_public_report,
    may_see_report,
    published_action,
    published_recommendation,
    visible_proposals,
    visible_reports,
    visible_timeline,
)
from tracker.services.recommendations import recommendations_by_area
from tracker.services.scorecards import plan_scorecard

bp = Blueprint("public", __name__)


def _viewer():
    """The signed-in user, or None for the public (permission checks take None)."""
    return current_user if current_user.is_authenticated else None


@bp.route("/")
def index():
    """Every published plan, with its headline figures."""
    plans = list_plans(published_only=True)
    return render_template(
        "public/index.html", plans=[(plan, plan_scorecard(plan)) for plan in plans]
    )


@bp.route("/plans/<slug>")
def plan(slug: str):
    """A plan: its scorecard, its areas with their recommendations and statuses, its actions."""
    plan = get_plan(slug, published_only=True)
    return render_template(
        "public/plan.html",
        plan=plan,
        scorecard=plan_scorecard(plan),
        groups=recommendations_by_area(plan),
    )


@bp.route("/plans/<slug>/recommendations/<code>")
def recommendation(slug: str, code: str):
    """One recommendation: its statuses side by side, its actions, history and evidence."""
    rec = published_recommendation(slug, code)
    viewer = _viewer()
    views = recommendation_status_views(rec)
    proposals = visible_proposals(views, viewer)
    return render_template(
        "public/recommendation.html",
        plan=rec.plan,
        rec=rec,
        views=views,
        proposals=proposals,
        show_proposals=is_staff(viewer) or bool(proposals),
        timeline=visible_timeline(rec, viewer),
        evidence=accepted_evidence(rec.actions),
    )


@bp.route("/plans/<slug>/actions/<code>")
def action(slug: str, code: str):
    """One action: owners, dates, progress, milestones, history and its reports."""
    action = published_action(slug, code)
    viewer = _viewer()
    return render_template(
        "public/action.html",
        plan=action.plan,
        action=action,
        timeline=visible_timeline(action, viewer),
        reports=visible_reports(action, viewer),
        can_report=can_report_on(viewer, action),
        overdue=action.is_overdue(now().date()),
    )


@bp.route("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    """Download an evidence file: anyone once its report is accepted on a published plan,
    before that only those who may see the report; everyone else gets 404.

    Links are not redirected (they are shown as links on the pages).
    """
    item = get_evidence(evidence_id)
    if item.kind != "file" or not may_see_report(item.report, _viewer()):
        raise NotFound("No such evidence file.")
    path = evidence_path(current_app.config["UPLOAD_DIR"], item.stored_name)
    if not os.path.isfile(path):
        raise NotFound("The evidence file is missing.")
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
    # Never let a browser guess a type and render an upload as a page.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not is_public_report(item.report):
        response.headers["Cache-Control"] = "private, no-store"
    return response
