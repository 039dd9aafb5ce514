"""Public pages: no sign-in, published data only (signed-in users may see a little more)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from tracker.charts.palette import RATINGS
from tracker.exchange.csv_files import csv_bytes
from tracker.publishing.agencies import agencies_index, agency_reminder_log, public_agency
from tracker.publishing.as_of import (
    action_as_of,
    actions_as_of,
    end_of,
    recommendation_status_as_of,
    scorecard_as_of,
    statuses_as_of,
)
from tracker.publishing.changes import CSV_HEADER, change_rows, changes_page
from tracker.publishing.dashboard import (
    SearchFilters,
    agency_overview,
    filter_choices,
    headline_figures,
    headlines,
    plan_has_timeframes,
    plan_rounds_exist,
)
from tracker.publishing.dashboard import search as run_search
from tracker.publishing.data_version import current_data_version
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
from tracker.publishing.scorecards import Scorecard, scorecard_counts
from tracker.routes.forms import now
from tracker.services.access import can_view_report, is_public_report, visible_reports
from tracker.services.assessments import recommendation_status_views
from tracker.services.errors import NotFound
from tracker.services.evidence_files import evidence_path
from tracker.services.item_tables import (
    PER_PAGE,
    action_rows_page,
    filter_options,
    item_counts,
    read_page_number,
    read_table_request,
    recommendation_rows_page,
)
from tracker.services.permissions import can_report_on, is_staff
from tracker.services.plans import get_plan, list_plans
from tracker.services.readiness import readiness_views
from tracker.services.statuses import status_vocabulary
from tracker.web.content_language import reader_language
from tracker.web.public_cache import public_page
from tracker.web.response_cache import remembered, remembered_for_plan

bp = Blueprint("public", __name__)

# Up to this many actions the plan page embeds the HTML Gantt of them all; a larger plan links
# its Gantt page instead, so the plan page's cost does not grow with the plan.
EMBEDDED_GANTT_LIMIT = 50


@bp.app_template_global()
def this_page_with(params: dict, extra: dict | None = None, anchor: str | None = None) -> str:
    """This page's address with ``params`` (and ``extra``) as its query: the links of paged,
    sorted tables (``templates/_macros/tables.html``), public or signed-in.

    The address is what ``url_for(request.endpoint, **request.view_args, **extra, **params,
    _anchor=anchor)`` builds, but the path is built once per request: a page of two tables
    has some 40 such links, and ``url_for`` was a tenth of its rendering time.
    """
    path = request.environ.get(_THIS_PAGE)
    if path is None:
        path = request.environ[_THIS_PAGE] = url_for(request.endpoint, **request.view_args)
    query = [(name, value) for name, value in {**(extra or {}), **params}.items() if value is not None]
    if query:
        # As Werkzeug's URL builder writes a query: the same characters left unquoted.
        path = f"{path}?{urlencode(query, safe=QUERY_SAFE)}"
    return path if anchor is None else f"{path}#{quote(anchor, safe=ANCHOR_SAFE)}"


# The request's own path, kept in its WSGI environment (one per request) by this_page_with.
_THIS_PAGE = "tracker.this_page"
# The characters Werkzeug leaves unquoted in a built URL's query, and Flask in its anchor.
QUERY_SAFE, ANCHOR_SAFE = "!$'()*,/:;?@", "%!#$&'()*+,/:;=?@"


def _viewer():
    """The signed-in user, or None for the public (permission checks take None)."""
    return current_user if current_user.is_authenticated else None


@bp.route("/")
@public_page
def index():
    """Every published plan, with its headline figures."""
    version = current_data_version()
    plans = list_plans(published_only=True)
    today = now().date()
    ids = tuple(p.id for p in plans)
    # Every action of every published plan rolled up (most of the page's cost): read once per
    # data version and day, as the public's copy of the page is kept; a signed-in reader too.
    figures = remembered("home_headlines", (version, today, ids), lambda: headline_figures(ids, today))
    return render_template(
        "public/index.html", headlines=headlines(plans, today, figures), statuses=status_vocabulary()
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
    """A plan: contents, scorecard, charts, its recommendations and actions as paged, sortable,
    filterable tables (query parameters: ``services.item_tables``); or as it stood on ``as_of``."""
    plan = get_plan(slug, published_only=True)
    as_of, error = _date_arg("as_of")
    today = now().date()
    statuses = status_vocabulary()
    # What the page shows of the whole plan whatever the page asked, read once per data
    # version: with the rows, these were most of a page's statements.
    version = current_data_version()
    options = remembered_for_plan(plan, "filter_options", version, lambda: filter_options(plan))
    (recommendation_count, action_count), has_timeframes, has_rounds = remembered_for_plan(
        plan, "plan_page_counts", version,
        lambda: (item_counts(plan), plan_has_timeframes(plan), bool(plan_rounds_exist(plan))))
    table = read_table_request(request.args, statuses=[s.key for s in statuses],
                               areas=[code for code, _name in options["areas"]])
    readiness = remembered_for_plan(plan, "readiness", version, lambda: readiness_views(plan))
    if as_of:
        scorecard = scorecard_as_of(plan, as_of)
    else:
        # Whole-plan counts and percents: a scan of every action's link, the same on every page.
        rows, percent = remembered_for_plan(plan, "scorecard", version, lambda: scorecard_counts(plan))
        scorecard = Scorecard(statuses=statuses, rows=rows, percent=percent)
    # An unfiltered page's total is the plan's count: no count per page.
    actions = action_rows_page(plan, table, today, total=action_count)
    if as_of:
        # The page's actions as they stood then: status, percentage and dates; overdue then.
        # (The filters and the order read today's values.)
        actions = replace(actions, items=actions_as_of(plan, actions.items, as_of))
    # What the page shows of the whole plan (public/_plan_overview.html, _plan_directory.html).
    whole_plan = {
        "plan": plan, "scorecard": scorecard, "options": options, "action_count": action_count,
        "embedded_gantt_limit": EMBEDDED_GANTT_LIMIT, "has_timeframes": has_timeframes, "as_of": as_of,
        "has_readiness": bool(readiness), "readiness": readiness,
        "readiness_rated": any(d.rated for d in readiness),
        "readiness_questions": sum(len(d.questions) for d in readiness),
        "rating_styles": RATINGS, "has_rounds": has_rounds,
    }
    return render_template(
        "public/plan.html",
        **whole_plan,
        table=table,
        statuses=statuses,
        recommendations=recommendation_rows_page(plan, table, today, total=recommendation_count),
        actions=actions,
        as_of_error=error,
        statuses_then=statuses_as_of(plan, as_of) if as_of else None,
        vocabulary={s.key: s for s in statuses},
        today=as_of or today,
        plan_parts=None if as_of or error else plan_page_parts(plan, version, today, whole_plan),
    ), (400 if error else 200)


@dataclass(frozen=True)
class PlanPageParts:
    """The plan page's HTML of the whole plan, the same whatever the page asked."""

    overview: Markup  # contents, scorecard, charts, readiness
    directory: Markup  # agencies, downloads, "follow or reuse"


def plan_page_parts(plan, version: int, today: date, context: dict) -> PlanPageParts:
    """The plan page's parts that show the whole plan as it stands today, rendered once per
    data version, day (the embedded Gantt's today line) and language, and kept as plain HTML:
    a third of a page's rendering that no query parameter changes."""
    def render() -> PlanPageParts:
        return PlanPageParts(Markup(render_template("public/_plan_overview.html", **context)),
                             Markup(render_template("public/_plan_directory.html", **context)))

    # The path the app is mounted at is in the parts' links.
    what = ("page_parts", reader_language(), request.script_root)
    return remembered_for_plan(plan, what, (version, today), render)


def _page_arg() -> tuple[int, str | None]:
    """The ``page`` query argument (1 when not given), or an error message naming it."""
    text = request.args.get("page", "").strip()
    if not text:
        return 1, None
    if text.isascii() and text.isdigit() and len(text) <= 9 and int(text) >= 1:
        return int(text), None
    return 1, _("page: use a whole number from 1, e.g. 2.")


@bp.route("/changes")
@bp.route("/plans/<slug>/changes")
@public_page
def changes(slug: str | None = None):
    """What moved since a date, for working-group meetings (default: the last 30 days):
    paged, with the total, a summary by plan and by transition, and a CSV of it all."""
    plan = get_plan(slug, published_only=True) if slug else None
    since, error = _date_arg("since")
    page, page_error = _page_arg()
    since = since or (now().date() - timedelta(days=30))
    return render_template(
        "public/changes.html", plan=plan, since=since, error=error, page_error=page_error,
        changes=changes_page(since, plan=plan, viewer=_viewer(), page=page),
    ), (400 if error or page_error else 200)


@bp.route("/changes.csv")
@bp.route("/plans/<slug>/changes.csv")
def changes_csv(slug: str | None = None):
    """Every change since a date (default: the last 30 days), one row each, as CSV."""
    plan = get_plan(slug, published_only=True) if slug else None
    since, error = _date_arg("since")
    if error:
        return Response(error + "\n", status=400, mimetype="text/plain")
    since = since or (now().date() - timedelta(days=30))
    body = csv_bytes(CSV_HEADER, change_rows(since, plan=plan, viewer=_viewer()), for_spreadsheets=True)
    response = Response(body, mimetype="text/csv")
    response.charset = "utf-8"
    name = f"changes-{slug + '-' if slug else ''}since-{since.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Who did what is shown as the viewer may know it (staff see more): never shared.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


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


@bp.route("/agencies")
@public_page
def agencies():
    """Every agency with actions in published plans, with its figures, linked to its page."""
    today = now().date()
    return render_template("public/agencies.html", rows=_agencies_index(today), today=today)


def _agencies_index(today: date):
    """``agencies_index(today)``, read again when the data or the day changes: every action
    of every published plan, their status changes, reports and reminders."""
    return remembered("agencies_index", (current_data_version(), today), lambda: agencies_index(today))


@bp.route("/agencies/reminders")
@public_page
def reminders():
    """Reminders sent to each agency about published plans, and how many a report answered."""
    rows = [row for row in _agencies_index(now().date()) if row.reminders_sent]
    return render_template("public/reminders.html", rows=rows)


@bp.route("/agencies/<int:agency_id>/reminders")
@public_page
def agency_reminders(agency_id: int):
    """One agency's reminders about published plans, newest first: when, about what, answered when."""
    agency = public_agency(agency_id)
    if agency is None:
        raise NotFound(_("No such agency with public actions."))
    number, problems = read_page_number(request.args)
    log = agency_reminder_log(agency.id, number, PER_PAGE)
    return render_template("public/agency_reminders.html", agency=agency, log=log,
                           problems=problems + log.problems)


@bp.route("/agencies/<int:agency_id>")
@public_page
def agency(agency_id: int):
    """An agency's public record: its actions in published plans, on time, late and overdue."""
    overview = agency_overview(agency_id, now().date())
    if overview is None or not overview.actions:
        raise NotFound(_("No such agency with public actions."))
    return render_template("public/agency.html", overview=overview)


@bp.route("/plans/<slug>/recommendations/<code>")
@public_page
def recommendation(slug: str, code: str):
    """One recommendation: its statuses side by side, its actions, history and evidence."""
    rec = published_recommendation(slug, code)
    viewer = _viewer()
    as_of, error = _date_arg("as_of")
    views = recommendation_status_views(rec)
    proposals = visible_proposals(views, viewer)
    timeline = visible_timeline(rec, viewer)
    actions = list(rec.actions)
    status_then = None
    if as_of:
        # As it stood then: the status, the rounds held by then, its actions then, and
        # no proposal or evidence (those are about now).
        status_then = recommendation_status_as_of(rec, as_of)
        views = replace(views, assessed=[a for a in views.assessed if a.round.assessed_on <= as_of])
        proposals = []
        timeline = [entry for entry in timeline if entry.day <= as_of]
        actions = actions_as_of(rec.plan, actions, as_of)
    return render_template(
        "public/recommendation.html",
        plan=rec.plan,
        rec=rec,
        views=views,
        proposals=proposals,
        show_proposals=not as_of and (is_staff(viewer) or bool(proposals)),
        timeline=timeline,
        evidence=[] if as_of else accepted_evidence(rec.actions),
        actions=actions,
        as_of=as_of,
        as_of_error=error,
        status_then=status_then,
        # Indicators as they stand today: their values are not rebuilt for a past day.
        indicators=[] if as_of else indicator_views(rec, now().date()),
    ), (400 if error else 200)


@bp.route("/plans/<slug>/actions/<code>")
@public_page
def action(slug: str, code: str):
    """One action: owners, dates, progress, milestones, history and its reports."""
    action = published_action(slug, code)
    viewer = _viewer()
    as_of, error = _date_arg("as_of")
    reports = visible_reports(action, viewer)  # the public: accepted ones
    timeline = visible_timeline(action, viewer)
    shown, recorded, recommendation_statuses = action, True, None
    if as_of:
        # As it stood then: status, percentage and dates then, overdue then, and only the
        # history and reports from before the end of that day.
        then = action_as_of(action, as_of)
        recorded = then is not None
        shown = then or action
        cut = end_of(as_of)
        reports = [r for r in reports if (r.reviewed_at or r.submitted_at or r.created_at) < cut]
        timeline = [entry for entry in timeline if entry.day <= as_of]
        vocabulary = {s.key: s for s in status_vocabulary()}
        recommendation_statuses = {
            rec_id: vocabulary.get(key) for rec_id, key in statuses_as_of(action.plan, as_of).items()
        }
    return render_template(
        "public/action.html",
        plan=action.plan,
        action=shown,
        timeline=timeline,
        reports=reports,
        comments=review_comments(reports, viewer),
        can_report=not as_of and can_report_on(viewer, action),
        overdue=recorded and shown.is_overdue(as_of or now().date()),
        as_of=as_of,
        as_of_error=error,
        recorded_then=recorded,
        recommendation_statuses=recommendation_statuses,
        indicators=[] if as_of else indicator_views(action, now().date()),
    ), (400 if error else 200)


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
        raise NotFound(_("No such evidence file."))
    path = evidence_path(current_app.config["UPLOAD_DIR"], item.stored_name)
    if not os.path.isfile(path):
        raise NotFound(_("The evidence file is missing."))
    response = send_file(
        path, mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
    # Never let a browser guess a type and render an upload as a page.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not is_public_report(item.report):
        response.headers["Cache-Control"] = "private, no-store"
    return response
