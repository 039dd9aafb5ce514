"""Secretariat pages: plans and areas, recommendations, actions and their owners, reporting
rounds, assessment rounds (closing and reopening them), the review of agency reports, and
bringing plans in from spreadsheets and out again.

Every form page follows one pattern: GET shows the form filled from the stored item;
POST reads the form, calls one service, and either redirects with a message or shows
the same form again, with what the user typed and a message per field (422), or with
the saved-versus-yours comparison when someone else saved first (409).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import Schema

from tracker.exchange.spreadsheets.columns import COLUMNS
from tracker.exchange.spreadsheets.importing import import_spreadsheet
from tracker.exchange.spreadsheets.reading import SpreadsheetLimits
from tracker.exchange.spreadsheets.writing import export_rows, to_csv, to_xlsx
from tracker.publishing.public_views import viewable_report
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.guards import require_roles
from tracker.schemas.action import ActionInput, milestone_text, parse_milestone
from tracker.schemas.plan import AreaInput, PlanInput
from tracker.schemas.recommendation import RecommendationInput
from tracker.schemas.report import ActionChoiceInput
from tracker.services.actions import assign_actions, create_action, update_action
from tracker.services.actors import ActorRef, shown_actor, shown_actors
from tracker.services.assessments import (
    close_assessment_round,
    plan_assessment_round,
    plan_round_records,
    reopen_assessment_round,
)
from tracker.services.errors import EditConflict, ValidationFailed
from tracker.services.permissions import STAFF_ROLES
from tracker.services.plans import (
    create_area,
    create_plan,
    get_plan,
    list_plans,
    save_area,
    update_plan,
)
from tracker.services.recommendations import (
    create_recommendation,
    save_recommendation,
    set_recommendation_status,
)
from tracker.services.reports import accept_report, reports_for_action, return_report, review_queue
from tracker.services.rounds import open_reporting_round
from tracker.services.statuses import history, status_vocabulary
from tracker.services.transaction import Actor
from tracker.services.validation import validated
from tracker.services.workspace import (
    WorkspaceFilter,
    agency_key,
    country_agencies,
    next_position,
    plan_action,
    plan_actions,
    plan_area,
    plan_recommendation,
    plan_workspace,
    rounds_overview,
)

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

EXPORTS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}

SOURCE_FIELDS = ("source_document", "source_section", "source_lines")
PLAN_FIELDS = (
    "slug", "title", "country", "description", "citation", "period_start", "period_end", *SOURCE_FIELDS,
)
AREA_FIELDS = ("code", "name", "position", *SOURCE_FIELDS)
RECOMMENDATION_FIELDS = (
    "code", "text", "area", "status", "timeframe", "priority", "response", "actions_taken", "position",
    *SOURCE_FIELDS,
)
ACTION_FIELDS = (
    "code", "title", "description", "area", "lead_agency", "start_date", "due_date", "percent_complete",
    "status", "position", *SOURCE_FIELDS,
)
LIST_FIELDS = ("institutions", "supporting_agencies", "recommendations", "action")
WORKSPACE_FILTERS = ("area", "agency", "status", "overdue")

CHOICES = {
    "response": (
        ("accepted", _l("Accepted")),
        ("partially_accepted", _l("Partially accepted")),
        ("noted", _l("Noted")),
        ("rejected", _l("Rejected")),
    ),
    "timeframe": (
        ("short", _l("Short term (less than a year)")),
        ("medium", _l("Medium term (one to two years)")),
        ("long", _l("Long term (more than two years)")),
    ),
    "priority": (("high", _l("High")), ("medium", _l("Medium")), ("low", _l("Low"))),
}

# Field names as people read them, for the conflict table.
FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "start_date": _l("Start date"),
    "due_date": _l("Due date"),
    "percent_complete": _l("Percent complete"),
    "status": _l("Status"),
}


# Only the secretariat (and admins) may use these pages.
bp.before_request(require_roles(*STAFF_ROLES))


@bp.context_processor
def form_choices():
    """The choice lists and labels the secretariat's forms share."""
    return {
        "choices": CHOICES,
        "field_labels": FIELD_LABELS,
        "area_options": lambda plan: [(a.code, f"{a.code} · {a.name}") for a in plan.areas],
        "agency_options": lambda agencies, keys=False: [
            (agency_key(a) if keys else a.id, a.display_name) for a in agencies
        ],
        "recommendation_options": lambda plan: [
            (r.code, f"{r.code}: {r.text if len(r.text) <= 90 else r.text[:89] + '…'}")
            for r in plan.recommendations
        ],
        "status_options": lambda statuses: [(s.key, _(s.label)) for s in statuses],
        "response_label": lambda key: dict(CHOICES["response"]).get(key, ""),
    }


# --- Plans and areas ----------------------------------------------------------------------


@bp.route("/plans")
def plans():
    """Every plan, published or not, with its spreadsheet downloads."""
    return render_template("secretariat/plans.html", plans=list_plans())


@bp.route("/plans/new", methods=["GET", "POST"])
def new_plan():
    """Create a plan; it stays private until published."""
    values: dict = {"published": False}
    if request.method == "POST":
        values = _submitted()
        values["published"] = "published" in request.form
        try:
            plan = create_plan({**_filled(*PLAN_FIELDS, schema=PlanInput), "published": values["published"]}, now=now())
        except ValidationFailed as exc:
            return _page("secretariat/plan_form.html", 422, plan=None, values=values, errors=field_errors(exc))
        flash(_("Plan “%(title)s” created.", title=plan.title), "success")
        return redirect(url_for(".workspace", slug=plan.slug))
    return _page("secretariat/plan_form.html", plan=None, values=values, errors={})


@bp.route("/plans/<slug>/edit", methods=["GET", "POST"])
def edit_plan(slug: str):
    """Change a plan's title, country, description, source, period and publication; the slug stays."""
    plan = get_plan(slug)
    values = {name: _text(getattr(plan, name)) for name in PLAN_FIELDS} | {"published": plan.published}
    if request.method == "POST":
        values = _submitted() | {"slug": plan.slug, "published": "published" in request.form}
        try:
            data = {
                **_not_on_form(plan, PlanInput, shown=(*PLAN_FIELDS, "published")),
                **_filled(*PLAN_FIELDS, schema=PlanInput),
            }
            changed = update_plan(plan, {**data, "published": values["published"]})
        except ValidationFailed as exc:
            return _page("secretariat/plan_form.html", 422, plan=plan, values=values, errors=field_errors(exc))
        flash(_("Plan saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for(".workspace", slug=plan.slug))
    return _page("secretariat/plan_form.html", plan=plan, values=values, errors={})


@bp.route("/plans/<slug>/areas", methods=["GET", "POST"])
def areas(slug: str):
    """A plan's areas, and a form to add one."""
    plan = get_plan(slug)
    values = {"position": str(next_position(plan.areas))}
    if request.method == "POST":
        values = _submitted()
        try:
            area = create_area(plan, _filled(*AREA_FIELDS, schema=AreaInput))
        except ValidationFailed as exc:
            return _page("secretariat/areas.html", 422, plan=plan, values=values, errors=field_errors(exc))
        flash(_("Area “%(name)s” added.", name=area.name), "success")
        return redirect(url_for(".areas", slug=plan.slug))
    return _page("secretariat/areas.html", plan=plan, values=values, errors={})


@bp.route("/plans/<slug>/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(slug: str, area_id: int):
    """Rename or reorder an area; its code stays, since recommendations and imports refer to it."""
    plan = get_plan(slug)
    area = plan_area(plan, area_id)
    values = {name: _text(getattr(area, name)) for name in AREA_FIELDS}
    if request.method == "POST":
        values = _submitted() | {"code": area.code}
        try:
            save_area(plan, {**_filled(*AREA_FIELDS, schema=AreaInput), "code": area.code})
        except ValidationFailed as exc:
            return _page("secretariat/area_form.html", 422, plan=plan, area=area, values=values,
                         errors=field_errors(exc))
        flash(_("Area saved."), "success")
        return redirect(url_for(".areas", slug=plan.slug))
    return _page("secretariat/area_form.html", plan=plan, area=area, values=values, errors={})


# --- A plan's workspace and bulk assignment ----------------------------------------------


@bp.route("/plans/<slug>")
def workspace(slug: str):
    """A plan's recommendations and actions, filtered by area, agency, status or overdue."""
    return _workspace_page(get_plan(slug), errors={}, bulk={})


@bp.route("/plans/<slug>/assign", methods=["POST"])
def assign(slug: str):
    """Make one agency the lead of every ticked action (one or many), with an optional reason."""
    plan = get_plan(slug)
    try:
        chosen = validated(ActionChoiceInput(), {"actions": request.form.getlist("action")})["actions"]
        assigned = assign_actions(
            plan_actions(plan, chosen), _filled("lead_agency", "reason"),
            actor=Actor.of(current_user), now=now(),
        )
    except ValidationFailed as exc:
        return _workspace_page(plan, errors=field_errors(exc), bulk=_submitted(), status=422)
    flash(
        ngettext("%(num)d action assigned to %(agency)s.", "%(num)d actions assigned to %(agency)s.",
                 len(assigned), agency=assigned[0].lead_agency.display_name),
        "success",
    )
    return redirect(url_for(".workspace", slug=plan.slug, **_workspace_filters()))


def _workspace_filters() -> dict[str, str]:
    """The workspace's own filters in the query string, to carry from the page to its form and back.

    Only these: any other name would reach ``url_for`` as an argument of its own (``slug``
    twice is a TypeError, ``_method`` a ValueError, ``_external`` and ``_scheme`` an address
    elsewhere), and a URL is what anyone can type.
    """
    return {name: request.args[name] for name in WORKSPACE_FILTERS if request.args.get(name)}


def _workspace_page(plan, *, errors: dict, bulk: dict, status: int = 200):
    args = request.args
    wanted = WorkspaceFilter(
        area=args.get("area") or None,
        agency=args.get("agency", type=int),
        status=args.get("status") or None,
        overdue=args.get("overdue") == "1",
    )
    today = now().date()
    return _page(
        "secretariat/workspace.html", status,
        plan=plan, wanted=wanted, today=today, work=plan_workspace(plan, wanted, today),
        agencies=country_agencies(plan.country), statuses=status_vocabulary(),
        errors=errors, bulk=bulk, agency_key=agency_key, filters=_workspace_filters(),
    )


# --- Recommendations -----------------------------------------------------------------------


@bp.route("/plans/<slug>/recommendations/new", methods=["GET", "POST"])
def new_recommendation(slug: str):
    """Record a recommendation with its source, timeframe, priority and the government's response."""
    plan = get_plan(slug)
    values = {"status": "pending", "position": str(next_position(plan.recommendations)), "institutions": []}
    if request.method == "POST":
        values = _submitted()
        try:
            rec = create_recommendation(plan, _recommendation_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _recommendation_form(plan, None, values, field_errors(exc), 422)
        flash(_("Recommendation %(code)s recorded.", code=rec.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _recommendation_form(plan, None, values, {})


@bp.route("/plans/<slug>/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
def edit_recommendation(slug: str, rec_id: int):
    """Edit a recommendation's text, area, response and source.

    Its code identifies it (imports match on it) and its validated status changes only
    through the status form, which asks why; so both are taken from the stored item.
    """
    plan = get_plan(slug)
    rec = plan_recommendation(plan, rec_id)
    values = {name: _text(getattr(rec, name)) for name in RECOMMENDATION_FIELDS if name not in ("area", "status")}
    values |= {
        "area": rec.area.code if rec.area else "",
        "status": rec.status_key,
        "institutions": [agency_key(a) for a in rec.institutions],
    }
    if request.method == "POST":
        values = _submitted() | {"code": rec.code, "status": rec.status_key}
        data = {**_recommendation_data(), "code": rec.code, "status": rec.status_key}
        try:
            _saved, changed = save_recommendation(
                plan, data, actor=Actor.of(current_user), now=now(), reason=_("Edited by the secretariat."),
            )
        except ValidationFailed as exc:
            return _recommendation_form(plan, rec, values, field_errors(exc), 422)
        flash(_("Recommendation %(code)s saved.", code=rec.code) if changed else _("Nothing changed."), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _recommendation_form(plan, rec, values, {})


@bp.route("/plans/<slug>/recommendations/<int:rec_id>/status", methods=["GET", "POST"])
def recommendation_status(slug: str, rec_id: int):
    """Set a recommendation's validated status, saying why; the history shows every change."""
    plan = get_plan(slug)
    rec = plan_recommendation(plan, rec_id)
    values = {"status": rec.status_key, "reason": ""}
    if request.method == "POST":
        values = _submitted()
        before = rec.status_key
        try:
            set_recommendation_status(rec, _filled("status", "reason"), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _status_form(plan, rec, values, field_errors(exc), 422)
        if rec.status_key == before:
            flash(_("The status already was %(status)s; nothing changed.", status=_(rec.status.label)), "info")
        else:
            flash(_("Status of %(code)s set to %(status)s.", code=rec.code, status=_(rec.status.label)), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _status_form(plan, rec, values, {})


def _recommendation_data() -> dict:
    return {**_filled(*RECOMMENDATION_FIELDS, schema=RecommendationInput), "institutions": request.form.getlist("institutions")}


def _recommendation_form(plan, rec, values, errors, status=200):
    return _page(
        "secretariat/recommendation_form.html", status,
        plan=plan, rec=rec, values=values, errors=errors,
        statuses=status_vocabulary(), agencies=country_agencies(plan.country), agency_key=agency_key,
    )


def _status_form(plan, rec, values, errors, status=200):
    changes = history(rec)
    return _page(
        "secretariat/recommendation_status.html", status,
        plan=plan, rec=rec, values=values, errors=errors, statuses=status_vocabulary(), changes=changes,
        who=shown_actors([(c.changed_by_id, c.changed_by_label) for c in changes], current_user),
    )


# --- Actions -------------------------------------------------------------------------------


@bp.route("/plans/<slug>/actions/new", methods=["GET", "POST"])
def new_action(slug: str):
    """Record an action: owner and supporting agencies, dates, milestones, the recommendations it serves."""
    plan = get_plan(slug)
    values = {
        "status": "pending", "percent_complete": "0", "position": str(next_position(plan.actions)),
        "supporting_agencies": [], "recommendations": request.args.getlist("recommendation"),
    }
    if request.method == "POST":
        values = _submitted()
        try:
            action = create_action(plan, _action_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _action_form(plan, None, values, _action_errors(exc), 422)
        flash(_("Action %(code)s recorded.", code=action.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"action-{action.id}"))
    return _action_form(plan, None, values, {})


@bp.route("/plans/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(slug: str, action_id: int):
    """Edit an action, including who leads it.

    The form carries the version it was opened at. If someone else saved since,
    nothing is written: the form comes back with everything the user typed, the saved
    and submitted values side by side, and the new version, so saving again is a
    deliberate overwrite.
    """
    plan = get_plan(slug)
    action = plan_action(plan, action_id)
    values = _action_values(action)
    if request.method == "POST":
        values = _submitted() | {"code": action.code}
        data = {**_action_data(), "code": action.code, **_filled("reason")}
        try:
            update_action(
                action, data, expected_version=request.form.get("version", type=int),
                actor=Actor.of(current_user), now=now(),
            )
        except EditConflict as exc:
            values["version"] = str(exc.version)
            return _action_form(plan, action, values, {}, 409, conflict=exc)
        except ValidationFailed as exc:
            return _action_form(plan, action, values, _action_errors(exc), 422)
        flash(_("Action %(code)s saved.", code=action.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"action-{action.id}"))
    return _action_form(plan, action, values, {})


def _action_values(action) -> dict:
    values = {
        name: _text(getattr(action, name)) for name in ACTION_FIELDS if name not in ("area", "lead_agency", "status")
    }
    return values | {
        "status": action.status_key,
        "area": action.area.code if action.area else "",
        "lead_agency": agency_key(action.lead_agency) if action.lead_agency else "",
        "supporting_agencies": [agency_key(a) for a in action.supporting_agencies],
        "recommendations": [r.code for r in action.recommendations],
        "milestones": "\n".join(milestone_text(m.due_date, m.title, m.achieved_on) for m in action.milestones),
        "version": str(action.version),
        "reason": "",
    }


def _action_data() -> dict:
    """The action form as the services take it; milestones are one 'YYYY-MM-DD title' per line."""
    lines = (parse_milestone(line) for line in request.form.get("milestones", "").splitlines())
    milestones = [m for m in lines if m is not None]  # blank lines dropped
    return {
        **_filled(*ACTION_FIELDS, schema=ActionInput),
        "supporting_agencies": request.form.getlist("supporting_agencies"),
        "recommendations": request.form.getlist("recommendations"),
        "milestones": milestones,
    }


def _action_errors(exc: ValidationFailed) -> dict[str, str]:
    """Field errors, with a milestone's problem given by its line number in the textarea."""
    errors = field_errors(exc)
    lines = []
    for key, message in errors.items():
        match = re.fullmatch(r"milestones\.(\d+)\.(\w+)", key)
        if match:
            lines.append(_("Line %(n)d: %(field)s: %(message)s", n=int(match[1]) + 1,
                           field=match[2].replace("_", " "), message=message))
    if lines:
        errors["milestones"] = " ".join(lines)
    return {key: message for key, message in errors.items() if "." not in key}


def _action_form(plan, action, values, errors, status=200, conflict=None):
    return _page(
        "secretariat/action_form.html", status,
        plan=plan, action=action, values=values, errors=errors, conflict=conflict,
        statuses=status_vocabulary(), agencies=country_agencies(plan.country), agency_key=agency_key,
    )


# --- Reporting rounds ------------------------------------------------------------------------


@bp.route("/plans/<slug>/rounds", methods=["GET", "POST"])
def rounds(slug: str):
    """A plan's reporting rounds with the reports each still misses, and a form to open one."""
    plan = get_plan(slug)
    values: dict = {}
    if request.method == "POST":
        values = _submitted()
        try:
            round_ = open_reporting_round(plan, _filled("name", "opens_on", "deadline"))
        except ValidationFailed as exc:
            return _page("secretariat/rounds.html", 422, plan=plan, overview=rounds_overview(plan),
                         values=values, errors=field_errors(exc), today=now().date())
        flash(_("Reporting round “%(name)s” opened; reports are due by %(deadline)s.",
                name=round_.name, deadline=round_.deadline.isoformat()), "success")
        return redirect(url_for(".rounds", slug=plan.slug))
    return _page("secretariat/rounds.html", plan=plan, overview=rounds_overview(plan), values=values,
                 errors={}, today=now().date())


# --- Assessment rounds -------------------------------------------------------------------------


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
    return _page(
        "secretariat/assessments.html", status, plan=plan, records=plan_round_records(plan, current_user),
        failed=failed, values=values or {}, errors=errors or {},
    )


# --- Reviewing agency reports ----------------------------------------------------------------


@bp.route("/reviews", endpoint="review_queue")
def review_queue_page():
    """Submitted progress reports waiting for review, oldest first."""
    return render_template("secretariat/review_queue.html", reports=review_queue(), now=now())


@bp.route("/reviews/<int:report_id>")
def review(report_id: int):
    """One report with its action, evidence and the action's earlier reports; accept or return it."""
    return _review_page(_report(report_id), {}, {})


@bp.route("/reviews/<int:report_id>/accept", methods=["POST"])
def accept_review(report_id: int):
    """Accept a report: the action takes its percent and proposed status, into the history."""
    report = _report(report_id)
    values = _submitted()
    comment = _filled("accept_comment")
    data = {"comment": comment["accept_comment"]} if comment else {}
    # An unticked box sends nothing: the comment stays private unless the reviewer ticks it.
    data["comment_public"] = "accept_comment_public" in request.form
    try:
        accept_report(report, data, reviewer=current_user._get_current_object(), now=now())
    except ValidationFailed as exc:
        return _review_page(report, values, _prefixed("accept_", field_errors(exc)), 422)
    action = report.action
    flash(_("Report accepted: %(code)s is now %(status)s at %(percent)d%%.", code=action.code,
            status=_(action.status.label), percent=action.percent_complete), "success")
    return redirect(url_for(".review_queue"))


@bp.route("/reviews/<int:report_id>/return", methods=["POST"])
def return_review(report_id: int):
    """Return a report to its agency with a comment saying what to change."""
    report = _report(report_id)
    values = _submitted()
    comment = _filled("return_comment")
    data = {"comment": comment["return_comment"]} if comment else {}
    try:
        return_report(report, data, reviewer=current_user._get_current_object(), now=now())
    except ValidationFailed as exc:
        return _review_page(report, values, _prefixed("return_", field_errors(exc)), 422)
    if report.state == "withdrawn":
        flash(_("%(agency)s no longer leads %(code)s and cannot correct the report: it was withdrawn, "
                "with your comment, and the new lead reports on its own.",
                agency=report.agency.display_name, code=report.action.code), "success")
    else:
        flash(_("Report returned to %(agency)s with your comment.", agency=report.agency.display_name), "success")
    return redirect(url_for(".review_queue"))


def _report(report_id: int):
    """A report the secretariat may open: from its submission on (drafts stay with their agency)."""
    return viewable_report(report_id, current_user)


def _review_page(report, values, errors, status=200):
    earlier = [r for r in reports_for_action(report.action, current_user) if r.id != report.id]
    return _page("secretariat/review.html", status, report=report, earlier=earlier, values=values,
                 errors=errors, evidence_url=evidence_url, who=lambda user: shown_actor(ActorRef.of(user), current_user))


def evidence_url(evidence) -> str:
    """Where an evidence item opens: its link, or the download route for a stored file."""
    if evidence.kind == "link":
        return evidence.url
    if "public.evidence" in current_app.view_functions:
        return url_for("public.evidence", evidence_id=evidence.id)
    return f"/evidence/{evidence.id}"


# --- Spreadsheets ----------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    """Upload a CSV or XLSX plan: check it (dry run) or import it, all or nothing."""
    result, errors, dry_run = None, {}, True
    options = {"publish": False, "create_agencies": False}
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = request.form.get("mode") != "import"
        options = {name: name in request.form for name in options}
        if upload is None or not upload.filename:
            errors["file"] = _("Choose a CSV or XLSX file.")
        else:
            result = import_spreadsheet(
                upload.filename,
                upload.read(),
                actor=Actor.of(current_user),
                now=datetime.now(UTC),
                limits=SpreadsheetLimits.from_config(current_app.config),
                dry_run=dry_run,
                **options,
            )
    status = 422 if errors or (result and not result.ok) else 200
    return (
        render_template(
            "secretariat/import.html", result=result, errors=errors, dry_run=dry_run, options=options,
            columns=COLUMNS,
        ),
        status,
    )


@bp.route("/plans/<slug>/export.<fmt>")
def export_plan(slug: str, fmt: str):
    """Download a plan in the spreadsheet format."""
    if fmt not in EXPORTS:
        abort(404)
    plan = get_plan(slug)
    write, mimetype = EXPORTS[fmt]
    return Response(
        write(export_rows(plan)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}.{fmt}"'},
    )


# --- Form helpers ------------------------------------------------------------------------------


def _page(template: str, status: int = 200, **context):
    return render_template(template, **context), status


def _filled(*names: str, schema: type[Schema] | None = None) -> dict[str, str]:
    """The named form fields, with a blank box meaning "no value".

    A blank is passed on where ``schema`` accepts no value for the field (so clearing
    a date or a description clears it, even for a service that keeps the fields it is
    not given), and left out otherwise, so the schema's default or its "required"
    message applies instead of a refusal of a null.
    """
    nullable = {name for name, f in schema().fields.items() if f.allow_none} if schema else set()
    return {name: value for name, value in form_data(*names).items() if value.strip() or name in nullable}


def _not_on_form(item, schema: type[Schema], shown: tuple[str, ...]) -> dict:
    """The item's stored values of the schema's fields that its form does not show.

    Saving the form then keeps them (say, a setting added to plans later) instead of
    resetting them to the schema's defaults.
    """
    kept = {}
    for name in schema().fields:
        value = getattr(item, name, None)
        if name not in shown and value not in (None, ""):
            kept[name] = value
    return kept


def _submitted() -> dict:
    """Everything the user submitted, as typed, to show the form again without losing any of it."""
    values: dict = {key: value for key, value in request.form.items() if key != "csrf_token"}
    for name in LIST_FIELDS:
        values[name] = request.form.getlist(name)
    return values


def _prefixed(prefix: str, errors: dict[str, str]) -> dict[str, str]:
    """Errors of one of several forms on a page, keyed by that form's field ids."""
    return {f"{prefix}{key}": message for key, message in errors.items()}


def _text(value) -> str:
    """A stored value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
