"""Public pages: no sign-in, published data only."""

from __future__ import annotations

from flask import Blueprint, render_template

from tracker.services.plans import get_plan, list_plans
from tracker.services.recommendations import recommendations_by_area
from tracker.services.scorecards import plan_scorecard

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    """Every published plan, with its headline figures."""
    plans = list_plans(published_only=True)
    return render_template(
        "public/index.html", plans=[(plan, plan_scorecard(plan)) for plan in plans]
    )


@bp.route("/plans/<slug>")
def plan(slug: str):
    """A plan: its scorecard, and its areas with their recommendations and statuses."""
    plan = get_plan(slug, published_only=True)
    return render_template(
        "public/plan.html",
        plan=plan,
        scorecard=plan_scorecard(plan),
        groups=recommendations_by_area(plan),
    )
