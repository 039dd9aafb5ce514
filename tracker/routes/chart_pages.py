"""The row charts as HTML pages: a plan's Gantt, its timeline by timeframe, its agency ranking.

``/plans/<slug>/gantt``     every action, by area; ``?area= &lead= &status= &overdue=1 &zoom= &view=table``
                            (without ``zoom`` the axis fits the plan's span: by month up to
                            about three years, by quarter up to ten, by year beyond)
``/plans/<slug>/timeline``  recommendations by timeframe; ``?status= &timeframe= &zoom=``
``/plans/<slug>/ranking``   lead agencies ranked; ``?overdue=1``

Published plans only, no sign-in; the public's copies are kept by the public cache like
every public page. Filters are query parameters read by plain GET forms, so they work
without JavaScript; a value the plan does not know is a 400 page naming the parameter.
The drawing is ``charts.html`` (pure string building), the data ``publishing.chart_pages``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from tracker.charts import html
from tracker.charts.calendar import ZOOMS
from tracker.publishing.chart_pages import gantt_filters, gantt_page, ranking_page, timeline_page
from tracker.publishing.chart_words import RANKING_RULE, html_words
from tracker.routes.forms import now
from tracker.services.errors import ValidationFailed
from tracker.services.plans import get_plan
from tracker.web.public_cache import public_page

bp = Blueprint("chart_pages", __name__)
# Codes that need no percent-encoding in a path (most do): quoting costs more than the row.
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]+").fullmatch


def _href_maker(endpoint: str, slug: str):
    """code -> URL of the item's page, built once: ``url_for`` per row would cost more than the row."""
    prefix = url_for(endpoint, slug=slug, code="X")[:-1]
    return lambda code: prefix + (code if _URL_SAFE(code) else quote(code, safe=""))


def _refused(exc: ValidationFailed) -> BadRequest:
    return BadRequest(gettext("Check the query parameters: %(problem)s", problem=exc))


@bp.route("/plans/<slug>/gantt")
@public_page
def gantt(slug: str):
    """Every action of a published plan as an HTML Gantt, with filters, zoom and a table."""
    plan = get_plan(slug, published_only=True)
    try:
        page = gantt_page(plan, today=now().date(), filters=gantt_filters(request.args), locale=get_locale())
    except ValidationFailed as exc:
        raise _refused(exc) from None
    action_href = _href_maker("public.action", plan.slug)
    words = html_words(get_locale())
    # One of the two at a time: a 5,000-action plan is megabytes of either.
    if page.filters.view == "table":
        caption = gettext("%(plan)s: actions", plan=page.data.title)
        chart, table = None, html.gantt_table_html(page.data, action_href, caption, words)
    else:
        chart, table = html.gantt_html(page.data, zoom=page.zoom, action_href=action_href, words=words), None
    return render_template("charts/gantt.html", plan=plan, page=page, zooms=ZOOMS, chart=chart, table=table)


@bp.route("/plans/<slug>/timeline")
@public_page
def timeline(slug: str):
    """A published plan's recommendations by timeframe as HTML, with filters and a table."""
    plan = get_plan(slug, published_only=True)
    zoom = request.args.get("zoom", "quarter").strip() or "quarter"
    try:
        if zoom not in ZOOMS:
            raise ValidationFailed({"zoom": [gettext("Unknown zoom %(zoom)r; use one of: %(value)s.", zoom=zoom, value=', '.join(ZOOMS))]})
        page = timeline_page(plan, today=now().date(), args=request.args, locale=get_locale())
    except ValidationFailed as exc:
        raise _refused(exc) from None
    return render_template(
        "charts/timeline.html", plan=plan, page=page, zoom=zoom, zooms=ZOOMS,
        chart=html.timeline_html(page.data, zoom=zoom,
                                 rec_href=_href_maker("public.recommendation", plan.slug),
                                 words=html_words(get_locale(), recommendations=True)),
    )


@bp.route("/plans/<slug>/ranking")
@public_page
def ranking(slug: str):
    """A published plan's lead agencies, ranked, each linked to its page; how it ranks in words."""
    plan = get_plan(slug, published_only=True)
    today = now().date()
    try:
        page = ranking_page(plan, today=today, args=request.args, locale=get_locale())
    except ValidationFailed as exc:
        raise _refused(exc) from None
    prefix = url_for("public.agency", agency_id=0)[:-1]

    def agency_href(name: str) -> str | None:
        agency_id = page.agency_ids.get(name)
        return f"{prefix}{agency_id}" if agency_id is not None else None

    return render_template(
        "charts/ranking.html", plan=plan, page=page, rule=RANKING_RULE,
        chart=html.ranking_html(page.data, agency_href,
                                gettext("%(plan)s: lead agencies, best first", plan=page.data.title),
                                html_words(get_locale())),
    )


@bp.app_template_global()
def plan_gantt(plan) -> Markup:
    """The whole plan's HTML Gantt for the plan page (``templates/charts/_plan_gantt.html``)."""
    page = gantt_page(plan, today=now().date(), locale=get_locale())
    return html.gantt_html(page.data, zoom=page.zoom, action_href=_href_maker("public.action", plan.slug),
                           words=html_words(get_locale()))
