"""Embeds: a published plan's scorecard and Gantt, made to sit in an <iframe> on any site.

``/embed/plans/<slug>/scorecard`` and ``/embed/plans/<slug>/gantt``. Only these pages may
be framed by other sites (``web.security.embeddable``); they set no cookie, carry no form
and open every link in a new tab, so a framing site cannot act through them.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from markupsafe import escape

from tracker.publishing.scorecards import plan_scorecard
from tracker.routes.chart_pages import plan_gantt
from tracker.services.plans import get_plan
from tracker.web.public_cache import public_page
from tracker.web.security import embeddable

bp = Blueprint("embeds", __name__, url_prefix="/embed")


@bp.route("/plans/<slug>/scorecard")
@embeddable
@public_page
def scorecard(slug: str):
    """A published plan's recommendations by area and status, as a card."""
    plan = get_plan(slug, published_only=True)
    return render_template("embed/scorecard.html", plan=plan, scorecard=plan_scorecard(plan))


@bp.route("/plans/<slug>/gantt")
@embeddable
@public_page
def gantt(slug: str):
    """A published plan's actions as a Gantt."""
    plan = get_plan(slug, published_only=True)
    return render_template("embed/gantt.html", plan=plan, chart=plan_gantt(plan))


def snippets(plan) -> dict[str, str]:
    """The copy-paste HTML that puts each embed of ``plan`` on another site.

    The address is the site's public one (``BASE_URL``), whatever host this request came by.
    """
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        name: (f'<iframe src="{base}{url_for(f"embeds.{name}", slug=plan.slug)}" title="{escape(title)}" '
               f'width="100%" height="{height}" style="border:0" loading="lazy"></iframe>')
        for name, title, height in (
            ("scorecard", f"{plan.title}: scorecard", 420),
            ("gantt", f"{plan.title}: Gantt", 600),
        )
    }


@bp.app_template_global()
def embed_snippets(plan) -> dict[str, str]:
    """``snippets`` for the plan page's "Use this plan elsewhere" box (``public/_elsewhere.html``)."""
    return snippets(plan)
