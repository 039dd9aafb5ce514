"""Agency focal points: what we owe, and progress reports with evidence."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user

from tracker.indicators.numbers import number_text
from tracker.publishing.public_views import (
    editable_report,
    get_action,
    get_evidence,
    review_comments,
)
from tracker.routes.forms import evidence_store, field_errors, form_data, lines, now
from tracker.routes.guards import require_roles
from tracker.services.access import find_report, get_report
from tracker.services.errors import NotFound, ReportConflict, ValidationFailed
from tracker.services.evidence_files import ALLOWED, Upload
from tracker.services.indicators import reportable_indicators
from tracker.services.obligations import what_we_owe
from tracker.services.permissions import (
    can_edit_report,
    can_report_on,
    is_agency_action,
    is_report_author,
    require,
)
from tracker.services.reports import (
    current_open_report,
    remove_evidence,
    save_report,
)
from tracker.services.statuses import offered_statuses
from tracker.web.content_language import status_label

bp = Blueprint("agency", __name__, url_prefix="/agency")
bp.before_request(require_roles("agency"))

REPORT_FIELDS = ("narrative", "percent_complete", "proposed_status")


@bp.route("/")
def owe():
    """Everything the agency owes, on one page: overdue actions first.

    "Report on ..." is offered only where a new report can be started: on an action the
    agency leads, not complete, with no report of its already under way or waiting for
    review (that one is offered instead, or shown as waiting).
    """
    today = now().date()
    obligations = what_we_owe(current_user.agency_id, today)
    leads = {a.id for a in obligations.actions if can_report_on(current_user, a)}
    open_reports = obligations.open_reports()
    reportable = {a.id for a in obligations.actions
                  if a.id in leads and a.id not in open_reports and not a.status.is_final}
    return render_template("agency/owe.html", owe=obligations, leads=leads, reportable=reportable,
                           open_reports=open_reports, today=today)


@bp.route("/actions/<int:action_id>/report", methods=["GET", "POST"])
def report_new(action_id: int):
    """A new progress report on one of the agency's actions (or the one already under way)."""
    action = _own_action(action_id)
    if request.method == "POST":
        return _save(action, None)
    require(can_report_on(current_user, action), lazy_gettext("Only the lead agency reports on this action."))
    existing = editable_report(action, current_user)
    if existing is not None:
        # Carry on with the draft or returned report rather than starting a second one.
        return redirect(url_for(".report", report_id=existing.id))
    waiting = current_open_report(action, now())
    if waiting is not None:
        # One open report per action and round: say so now rather than after the typing.
        return _waiting(action, waiting.id, waiting.state, 200)
    values = {"percent_complete": action.percent_complete, "proposed_status": action.status_key}
    return _form(action, None, values)


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def report(report_id: int):
    """A report: a form while it is a draft or returned, read-only once submitted."""
    report = _own_report(report_id)
    if request.method == "POST":
        return _save(report.action, report)
    if report.is_editable and can_edit_report(current_user, report):
        return _form(report.action, report, _values_of(report))
    return _view(report)


@bp.route("/evidence/<int:evidence_id>/remove", methods=["POST"])
def evidence_remove(evidence_id: int):
    """Remove a file from a draft or returned report."""
    evidence = get_evidence(evidence_id)
    report = _own_report(evidence.report_id)
    try:
        remove_evidence(evidence, user=current_user, upload_dir=current_app.config["UPLOAD_DIR"])
    except ValidationFailed as exc:
        return _view(report, field_errors(exc), 422)
    flash(_("The file was removed."), "success")
    return redirect(url_for(".report", report_id=report.id))


def _own_action(action_id: int):
    """An action the agency leads or supports; other agencies' actions do not exist for it."""
    action = get_action(action_id)
    if not is_agency_action(current_user, action):
        raise NotFound(_("No such action."))
    return action


def _own_report(report_id: int):
    """A report of the agency's, or on one of its actions, that it may see; other agencies'
    reports (even public ones: the public pages show those) do not exist here."""
    report = get_report(report_id, current_user)
    if not (is_report_author(current_user, report) or is_agency_action(current_user, report.action)):
        raise NotFound(_("No such report."))
    return report


def _view(report, errors: dict | None = None, status: int = 200):
    """A report read-only: submitted, reviewed, withdrawn, or another agency's."""
    return render_template(
        "agency/report_view.html", report=report, action=report.action, errors=errors or {},
        comment=review_comments([report], current_user)[report.id],
    ), status


def _waiting(action, report_id: int, state: str, status: int):
    """The report already open on the action for this round, instead of a second one."""
    return render_template("agency/report_waiting.html", action=action, state=state,
                           report=find_report(report_id, current_user)), status


def _values_of(report) -> dict:
    values = {
        "narrative": report.narrative,
        "percent_complete": report.percent_complete,
        "proposed_status": report.proposed_status_key,
        "links": "\n".join(e.url for e in report.evidence if e.kind == "link"),
    }
    for item in report.indicator_values:
        values[f"indicator-{item.indicator_id}-value"] = (
            item.text if item.text is not None else ("yes" if item.value else "no")
            if item.indicator.kind == "yes_no" else number_text(item.value).replace(",", ""))
        values[f"indicator-{item.indicator_id}-date"] = item.period_date.isoformat()
    return values


def _indicator_values(indicators) -> tuple[list[dict], list[int]]:
    """The indicator boxes filled in on the form, as ``save_report`` takes them, and their
    indicators' ids in the same order (to put each problem back by its box)."""
    values, order = [], []
    for indicator in indicators:
        value = request.form.get(f"indicator-{indicator.id}-value", "").strip()
        if not value:
            continue  # not reported this time
        item = {"indicator": indicator.id, "value": value}
        day = request.form.get(f"indicator-{indicator.id}-date", "").strip()
        if day:
            item["period_date"] = day
        values.append(item)
        order.append(indicator.id)
    return values, order


def _indicator_errors(errors: dict, order: list[int]) -> dict:
    """``ValidationFailed.errors`` with each ``indicator_values`` problem moved to the box it
    belongs to (item 2's ``value`` as ``indicator-17-value``), for ``field_errors`` to word."""
    shown = {key: value for key, value in errors.items() if key != "indicator_values"}
    problems = errors.get("indicator_values")
    if not isinstance(problems, dict):
        if problems is not None:
            shown["indicator_values"] = problems  # about the list as a whole
        return shown
    for index, fields in problems.items():
        position = int(index)
        if not 0 <= position < len(order):
            continue
        for name, messages in fields.items():
            box = "date" if name == "period_date" else "value"
            shown.setdefault(f"indicator-{order[position]}-{box}", messages)
    return shown


def _form(action, report, values: dict, errors: dict | None = None):
    return render_template(
        "agency/report_form.html",
        action=action,
        report=report,
        values=values,
        errors=errors or {},
        statuses=[(s.key, status_label(s)) for s in offered_statuses(action.status_key)],
        indicators=reportable_indicators(action),
        file_types=", ".join(sorted(ALLOWED)),
        max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
    )


def _save(action, report):
    """Save the form as a draft, or submit it, with its files: one call, one transaction.

    If anything is refused nothing is stored, and the form comes back as typed with every
    problem named (files must be chosen again: a browser never sends them back).
    """
    submit = request.form.get("intent") == "submit"
    values = {**form_data(*REPORT_FIELDS), "links": request.form.get("links", "")}
    values |= {key: value for key, value in request.form.items() if key.startswith("indicator-")}
    indicator_values, order = _indicator_values(reportable_indicators(action))
    try:
        saved = save_report(
            action, {**form_data(*REPORT_FIELDS), "links": lines("links"), "indicator_values": indicator_values},
            author=current_user,
            now=now(), submit=submit, report=report, max_links=current_app.config["MAX_REPORT_LINKS"],
            files=[Upload(f.filename, f.stream) for f in request.files.getlist("file") if f and f.filename],
            store=evidence_store(),
        )
    except ReportConflict as exc:
        return _waiting(action, exc.report_id, exc.state, 409)
    except ValidationFailed as exc:
        if report is not None and not report.is_editable:
            # A submitted or accepted report is read-only: say why on its page.
            return _view(report, field_errors(exc), 422)
        return _form(action, report, values,
                     field_errors(ValidationFailed(_indicator_errors(exc.errors, order)))), 422
    if submit:
        flash(_("Your report on %(code)s was submitted to the secretariat.", code=action.code), "success")
        return redirect(url_for(".owe"))
    flash(_("Draft saved. It stays with your agency until you submit it."), "success")
    return redirect(url_for(".report", report_id=saved.id))
