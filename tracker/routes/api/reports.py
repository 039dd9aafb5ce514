"""API: progress reports. Agencies write them; the secretariat accepts or returns them.

Request bodies are validated by the services (the same rules as the pages), which
report every refused field at once; the schemas named in ``@bp.doc`` describe them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import after_this_request, current_app, request, url_for
from flask_babel import gettext as _
from marshmallow import fields
from webargs.flaskparser import abort

from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, caller, signed_caller
from tracker.routes.api.base import (
    ApiBlueprint,
    PageRequest,
    error_response,
    json_body,
    refuse,
    request_body,
)
from tracker.schemas.base import List
from tracker.schemas.indicator import MAX_VALUES_PER_REPORT, IndicatorValueInput
from tracker.schemas.messages import N_
from tracker.schemas.output import ReportOutput
from tracker.schemas.report import ReportInput, ReturnInput, ReviewInput
from tracker.services import access, api_queries
from tracker.services.errors import NotFound, ReportConflict, ValidationFailed
from tracker.services.reports import (
    accept_report,
    add_evidence_file,
    remove_evidence,
    return_report,
    save_report,
)
from tracker.services.transaction import keep_loaded_after_commit

bp = ApiBlueprint(
    "api_reports", __name__, url_prefix="/api/v1",
    description=(
        "Progress reports. Without a token only accepted reports are listed; an agency sees "
        "its own reports in every state and, once submitted, those on actions it leads or "
        "supports; the secretariat sees reports from their submission on (a returned report "
        "is back with its agency until resubmitted). At most one report per action and round "
        "is open (draft, submitted or returned): a second one is a conflict (409)."
    ),
)


class ReportCreateInput(ReportInput):
    """A progress report as an agency sends it (documentation of the request body)."""

    submit = fields.Boolean(
        load_default=False,
        metadata={"description": "true submits the report to the secretariat; false keeps it a draft."},
    )
    indicator_values = List(
        fields.Nested(IndicatorValueInput), max_items=MAX_VALUES_PER_REPORT, noun="values", load_default=None,
        metadata={"description": "Values of the action's indicators and of its recommendations' (see the "
                                 "action's `indicators`); they count once the report is accepted. Omitted: a "
                                 "draft keeps its values; a list replaces them."},
    )


_json_object = json_body

UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"],
               "properties": {"file": {"type": "string", "format": "binary",
                                       "description": "A PDF, an office document, an image or a text file; "
                                                      "checked by its content, not its name."}}},
    "encoding": {"file": {"contentType": "application/octet-stream"}},
}}}


def _review(operation, report_id: int):
    reviewer = signed_caller()
    report = _visible_report(reviewer, report_id)
    data = _json_object(optional=True)
    try:
        return api_queries.shown_report(reviewer, operation(report, data, reviewer=reviewer, now=datetime.now(UTC)))
    except ValidationFailed as exc:
        if "state" in exc.errors:  # reviewed already, or not submitted yet: not a field problem
            abort(409, message=" ".join(exc.errors["state"]))
        raise


@bp.route("/actions/<int:action_id>/reports")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, ReportOutput(many=True))
@bp.paginated()
def list_reports(action_id: int, page: PageRequest):
    """List an action's progress reports

    Newest first, and only those the caller may see.
    """
    action = api_queries.visible_action(caller(), action_id)
    return [api_queries.shown_report(caller(), r) for r in page.items(access.action_reports_query(caller(), action))]


@bp.route("/actions/<int:action_id>/reports", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(ReportCreateInput, {
    "narrative": "The portal opened on 3 March; two ministries publish.", "percent_complete": 40,
    "proposed_status": "ongoing", "links": ["https://data.example.gov/portal"], "submit": True}))
@bp.errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.response(201, ReportOutput, headers={"Location": {
    "description": "Where the new report is", "schema": {"type": "string"}}})
def create_report(action_id: int):
    """Write a progress report on an action

    For the lead agency's focal points. With `"submit": true` the report goes to the
    secretariat (a narrative is then required); otherwise it stays a draft. The action's
    public status changes only when the secretariat accepts the report. If a report on
    the action is already open for the round (a draft, one waiting for review, or one
    returned for correction), nothing is stored: 409, with that report's `report_url`.
    """
    author = signed_caller()
    # The body is only peeked at here (a bad one is refused below, after the action's 404);
    # ``named`` keeps the status and round it names in the session while the report is saved.
    action, named = api_queries.action_to_report_on(author, action_id, request.get_json(silent=True))
    data = _json_object()
    submit = data.pop("submit", False)
    if not isinstance(submit, bool):
        refuse("json", {"submit": [N_("Use true or false.")]})
    restore = keep_loaded_after_commit()  # the 201 shows the report as stored, not read back
    after_this_request(lambda response: (restore(), response)[1])
    try:
        report = save_report(action, data, author=author, now=datetime.now(UTC), submit=submit,
                             max_links=current_app.config["MAX_REPORT_LINKS"])
    except ReportConflict as exc:
        return error_response(409, str(exc), report_url=url_for(".get_report", report_id=exc.report_id))
    del named
    return api_queries.shown_report(author, report), 201, {"Location": url_for(".get_report", report_id=report.id)}


@bp.route("/reports/<int:report_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, ReportOutput)
def get_report(report_id: int):
    """Get a progress report"""
    return api_queries.shown_report(caller(), _visible_report(caller(), report_id))


@bp.route("/reports/<int:report_id>/accept", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    ReviewInput, {"comment": "Thank you: the portal is live.", "comment_public": True}, required=False))
@bp.errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.response(200, ReportOutput)
def accept(report_id: int):
    """Accept a submitted report

    For the secretariat. The action takes the report's percent complete and proposed
    status, and the change is recorded in its status history with the reviewer.
    The comment is private (the agency and the secretariat) unless `comment_public` is
    true. A report that is not waiting for review is a conflict (409).
    """
    return _review(accept_report, report_id)


@bp.route("/reports/<int:report_id>/return", methods=["POST"], endpoint="return_report")
@bp.doc(security=SECURITY, requestBody=request_body(
    ReturnInput, {"comment": "Please link the published datasets as evidence."}))
@bp.errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.response(200, ReportOutput)
def return_(report_id: int):
    """Return a submitted report to its agency

    For the secretariat, with a comment saying what to change (never public); the
    agency corrects the report and submits it again. If that agency no longer leads the
    action, the report is withdrawn instead.
    """
    return _review(return_report, report_id)


class ReportChangeInput(ReportCreateInput):
    """A change to a draft or returned report: only the fields sent change (documentation)."""


def _submit_flag(data: dict) -> bool:
    submit = data.pop("submit", False)
    if not isinstance(submit, bool):
        refuse("json", {"submit": [N_("Use true or false.")]})
    return submit


def _save_own_report(report_id: int, data: dict, *, submit: bool):
    """Save a change to a report through the agency form's one operation (``save_report``)."""
    author = signed_caller()
    report = _visible_report(author, report_id)
    current = {"narrative": report.narrative, "percent_complete": report.percent_complete,
               "proposed_status": report.proposed_status_key}
    try:
        saved = save_report(report.action, {**current, **data}, author=author, now=datetime.now(UTC), submit=submit,
                            report=report, max_links=current_app.config["MAX_REPORT_LINKS"])
    except ValidationFailed as exc:
        if "state" in exc.errors:  # submitted, accepted or withdrawn: no longer the agency's to change
            abort(409, message=" ".join(exc.errors["state"]))
        raise
    except ReportConflict as exc:
        return error_response(409, str(exc), report_url=url_for(".get_report", report_id=exc.report_id))
    return api_queries.shown_report(author, saved)


@bp.route("/reports/<int:report_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(ReportChangeInput, {
    "narrative": "The portal opened on 3 March; two ministries publish.", "percent_complete": 60,
    "links": ["https://data.example.gov/portal"], "submit": False}))
@bp.errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.response(200, ReportOutput)
def change_report(report_id: int):
    """Edit a draft or returned report

    For the agency that wrote it, while it still leads the action: send only the fields
    to change (`links` and `indicator_values`, when sent, replace the lists). With
    `"submit": true` the report goes to the secretariat; a returned report is resubmitted
    so. A submitted or accepted report can no longer change (409).
    """
    data = _json_object()
    submit = _submit_flag(data)
    return _save_own_report(report_id, data, submit=submit)


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404, 409, 422)
@bp.response(200, ReportOutput)
def submit_report(report_id: int):
    """Submit a draft, or resubmit a returned report

    For the agency that wrote it, as it stands (a narrative is required). It then waits
    for the secretariat's review.
    """
    return _save_own_report(report_id, {}, submit=True)


@bp.route("/reports/<int:report_id>/evidence", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=UPLOAD_BODY)
@bp.errors(400, 401, 403, 404, 409, 413, 415, 422)
@bp.response(201, ReportOutput)
def upload_evidence(report_id: int):
    """Attach an evidence file to a draft or returned report

    For the agency that wrote it, as `multipart/form-data` with one `file`. The file is
    checked by its content and stored privately; the answer is the report with its evidence.
    """
    author = signed_caller()
    report = _visible_report(author, report_id)
    if not request.mimetype.startswith("multipart/form-data"):
        abort(415, message=N_("Send the file as multipart/form-data, in a field named file."))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        refuse("files", {"file": [N_("Choose a file to upload.")]})
    try:
        add_evidence_file(report, upload.filename, upload.stream, user=author,
                          upload_dir=current_app.config["UPLOAD_DIR"],
                          max_bytes=current_app.config["EVIDENCE_MAX_BYTES"], now=datetime.now(UTC))
    except ValidationFailed as exc:
        if "file" in exc.errors and not report.is_editable:
            abort(409, message=" ".join(exc.errors["file"]))
        refuse("files", exc.errors)
    return api_queries.shown_report(author, report), 201


@bp.route("/reports/<int:report_id>/evidence/<int:evidence_id>", methods=["DELETE"])
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404, 409)
@bp.response(200, ReportOutput)
def delete_evidence(report_id: int, evidence_id: int):
    """Remove a link or file from a draft or returned report

    For the agency that wrote it; the stored file is deleted too. The answer is the report
    with the evidence it keeps (every answer of the API is JSON, so not an empty 204).
    """
    author = signed_caller()
    report = _visible_report(author, report_id)
    evidence = next((e for e in report.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise NotFound(_("No evidence %(evidence)s on report %(report)s.", evidence=evidence_id, report=report_id))
    try:
        remove_evidence(evidence, user=author, upload_dir=current_app.config["UPLOAD_DIR"])
    except ValidationFailed as exc:
        abort(409, message=" ".join(str(m) for messages in exc.errors.values() for m in messages))
    return api_queries.shown_report(author, report)


def _visible_report(user, report_id: int):
    """The report if the caller may see it; otherwise 404, as if there were none."""
    return access.get_report(report_id, user, not_found=f"No report {report_id}.")
