"""Public pages: no sign-in, published data only (signed-in users may see a little more)."""

from __future__ import annotations

import os
from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from tracker.charts.palette import RATINGS
from tracker.publishing.dashboard import (
    SearchFilters,
    agency_overview,
    changes_since,
    filter_choices,
    headlines,
    plan_actions,
    plan_rounds_exist,
    scorecard_as_of,
    statuses_as_of,
)
from tracker.publishing.dashboard import search as run_search
from tracker.publishing.indicators import indicator_views, plan_indicator_views
from tracker.publishing.public_views import (
    accepted_evidence,
    get_evidence,
    published_action,
    published_recommendation,
    review_comments,
    visible_proposals,
    visible_timeline,
)
from tracker.publishing.scorecards import plan_scorecard
from tracker.routes.forms import now
from tracker.services.access import can_view_report, is_public_report, visible_reports
from tracker.services.assessments import recommendation_status_views
from tracker.services.errors import NotFound
from tracker.services.evidence_files import evidence_path
from tracker.services.permissions import can_report_on, is_staff
from tracker.services.plans import get_plan, list_plans
from tracker.services.readiness import plan_readiness
from tracker.services.recommendations import recommendations_by_area
from tracker.services.statuses import status_vocabulary
from tracker.web.public_cache import public_page

bp = Blueprint("public", __name__)


def _viewer():
    """The signed-in user, or None for the public (permission checks take None)."""
    return current_user if current_user.is_authenticated else None


@bp.route("/")
@public_page
def index():
    """Every published plan, with its headline figures."""
    plans = list_plans(published_only=True)
    return render_template(
        "public/index.html", headlines=headlines(plans, now().date()), statuses=status_vocabulary()
    )


def _date_arg(name: str) -> tuple[date | None, str | None]:
    """A YYYY-MM-DD query argument, or an error message naming it."""
    text = request.args.get(name, "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, _("%(name)s: use a date written YYYY-MM-DD, e.g. 2026-06-30.", name=name.replace("_", " "))


@bp.route("/plans/<slug>")
@public_page
def plan(slug: str):
    """A plan: scorecard, charts, recommendations by area, actions; or as it stood on ``as_of``."""
    plan = get_plan(slug, published_only=True)
    as_of, error = _date_arg("as_of")
    statuses = statuses_as_of(plan, as_of) if as_of else None
    groups = recommendations_by_area(plan)
    readiness = plan_readiness(plan)
    return render_template(
        "public/plan.html",
        plan=plan,
        scorecard=scorecard_as_of(plan, as_of) if as_of else plan_scorecard(plan),
        groups=groups,
        has_timeframes=any(rec.timeframe for _, recs in groups for rec in recs),
        as_of=as_of,
        as_of_error=error,
        statuses_then=statuses,
        vocabulary={s.key: s for s in status_vocabulary()},
        actions=plan_actions(plan),
        has_readiness=bool(readiness),
        readiness=readiness,
        rating_styles=RATINGS,
        has_rounds=bool(plan_rounds_exist(plan)),
        today=now().date(),
    ), (400 if error else 200)


@bp.route("/changes")
@bp.route("/plans/<slug>/changes")
@public_page
def changes(slug: str | None = None):
    """What moved since a date, for working-group meetings (default: the last 30 days)."""
    plan = get_plan(slug, published_only=True) if slug else None
    since, error = _date_arg("since")
    since = since or (now().date() - timedelta(days=30))
    return render_template(
        "public/changes.html", plan=plan, since=since, error=error,
        changes=changes_since(since, plan=plan, viewer=_viewer()),
    ), (400 if error else 200)


@bp.route("/search")
@public_page
def search():
    """Search and filter recommendations and actions across published plans."""
    args = request.args
    agency = args.get("agency", "").strip()
    filters = SearchFilters(
        q=args.get("q", "").strip()[:200] or None,
        country=args.get("country") or None,
        plan=args.get("plan") or None,
        area=args.get("area") or None,
        status=args.get("status") or None,
        # Only ASCII digits of a size an id can have: "²" is a digit to str.isdigit() but not
        # to int(), and a 30-digit number overflows the database's integers.
        agency=int(agency) if agency.isascii() and agency.isdigit() and len(agency) <= 18 else None,
        overdue=args.get("overdue") == "1",
    )
    searched = any(v for v in (filters.q, filters.country, filters.plan, filters.area, filters.status,
                               filters.agency, filters.overdue))
    return render_template(
        "public/search.html", filters=filters, choices=filter_choices(),
        results=run_search(filters, now().date()) if searched else None, today=now().date(),
    )


@bp.route("/agencies/<int:agency_id>")
@public_page
def agency(agency_id: int):
    """An agency's public record: its actions in published plans, on time, late and overdue."""
    overview = agency_overview(agency_id, now().date())
    if overview is None or not overview.actions:
        raise NotFound("No such agency with public actions.")
    return render_template("public/agency.html", overview=overview)


@bp.route("/plans/<slug>/recommendations/<code>")
@public_page
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
        indicators=indicator_views(rec, now().date()),
    )


@bp.route("/plans/<slug>/actions/<code>")
@public_page
def action(slug: str, code: str):
    """One action: owners, dates, progress, milestones, history and its reports."""
    action = published_action(slug, code)
    viewer = _viewer()
    reports = visible_reports(action, viewer)  # the public: accepted ones
    return render_template(
        "public/action.html",
        plan=action.plan,
        action=action,
        timeline=visible_timeline(action, viewer),
        reports=reports,
        comments=review_comments(reports, viewer),
        can_report=can_report_on(viewer, action),
        overdue=action.is_overdue(now().date()),
        indicators=indicator_views(action, now().date()),
    )


@bp.route("/plans/<slug>/indicators")
@public_page
def plan_indicators(slug: str):
    """A plan's indicators (plan-wide ones in full, those of its items listed with their rating)
    and the headline figures its source reports give, each with its source reference."""
    plan = get_plan(slug, published_only=True)
    views = plan_indicator_views(plan, now().date())
    return render_template(
        "public/indicators.html", plan=plan,
        plan_wide=[v for v in views if v.indicator.subject is plan],
        of_items=[v for v in views if v.indicator.subject is not plan],
    )


@bp.route("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    """Download an evidence file: anyone once its report is accepted on a published plan,
    before that only those who may see the report; everyone else gets 404.

    Links are not redirected (they are shown as links on the pages).
    """
    item = get_evidence(evidence_id)
    if item.kind != "file" or not can_view_report(_viewer(), item.report):
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
