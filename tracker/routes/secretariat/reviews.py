"""Reviewing agency reports: the queue, one report, accepting or returning it."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models import ReportState
from tracker.publishing.completion import fully_reported
from tracker.routes.forms import now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import filled, page, prefixed, submitted
from tracker.services.access import get_report, visible_reports
from tracker.services.actors import ActorRef, shown_actor
from tracker.services.errors import ValidationFailed
from tracker.services.reports import accept_report, return_report, review_queue
from tracker.services.statuses import final_status


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
    values = submitted()
    comment = filled("accept_comment")
    data = {"comment": comment["accept_comment"]} if comment else {}
    # An unticked box sends nothing: the comment stays private unless the reviewer ticks it.
    data["comment_public"] = "accept_comment_public" in request.form
    try:
        accept_report(report, data, reviewer=current_user._get_current_object(), now=now())
    except ValidationFailed as exc:
        return _review_page(report, values, prefixed("accept_", exc), 422)
    action = report.action
    flash(_("Report accepted: %(code)s is now %(status)s at %(percent)d%%.", code=action.code,
            status=_(action.status.label), percent=action.percent_complete), "success")
    return redirect(url_for(".review_queue"))


@bp.route("/reviews/<int:report_id>/return", methods=["POST"])
def return_review(report_id: int):
    """Return a report to its agency with a comment saying what to change."""
    report = _report(report_id)
    values = submitted()
    comment = filled("return_comment")
    data = {"comment": comment["return_comment"]} if comment else {}
    try:
        return_report(report, data, reviewer=current_user._get_current_object(), now=now())
    except ValidationFailed as exc:
        return _review_page(report, values, prefixed("return_", exc), 422)
    if report.state == ReportState.WITHDRAWN:
        flash(_("%(agency)s no longer leads %(code)s and cannot correct the report: it was withdrawn, "
                "with your comment, and the new lead reports on its own.",
                agency=report.agency.display_name, code=report.action.code), "success")
    else:
        flash(_("Report returned to %(agency)s with your comment.", agency=report.agency.display_name), "success")
    return redirect(url_for(".review_queue"))


def _report(report_id: int):
    """A report the secretariat may open: from its submission on (drafts stay with their agency)."""
    return get_report(report_id, current_user)


def _review_page(report, values, errors, status=200):
    earlier = [r for r in visible_reports(report.action, current_user) if r.id != report.id]
    return page("secretariat/review.html", status, report=report, earlier=earlier, values=values,
                 errors=errors, evidence_url=evidence_url, who=lambda user: shown_actor(ActorRef.of(user), current_user),
                 achieved=fully_reported(report.action.recommendations), final_status=final_status())


def evidence_url(evidence) -> str:
    """Where an evidence item opens: its link, or the download route for a stored file."""
    if evidence.kind == "link":
        return evidence.url
    if "public.evidence" in current_app.view_functions:
        return url_for("public.evidence", evidence_id=evidence.id)
    return f"/evidence/{evidence.id}"
