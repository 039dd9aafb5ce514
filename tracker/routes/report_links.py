"""The signed links in reminder emails: one action's report form, without signing in.

The link is the only credential: nobody is signed in, and the pages reachable with
it are exactly these two, for exactly that action. A link files one report: used
again, it shows that report instead (409 to a second submission), as it does when
another report on the action is already open for the round.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.reminders.links import open_report_link
from tracker.routes.forms import evidence_store, field_errors, form_data, lines, now
from tracker.services.access import find_report
from tracker.services.errors import ReportConflict, ValidationFailed
from tracker.services.evidence_files import Upload
from tracker.services.reports import (
    report_filed_by_link,
    report_no_change,
    save_report,
)
from tracker.services.statuses import offered_statuses

bp = Blueprint("links", __name__, url_prefix="/r")


def _link(token: str):
    return open_report_link(current_app.config["SECRET_KEY"], token, max_age=current_app.config["REPORT_LINK_MAX_AGE"])


@bp.route("/<token>", methods=["GET", "POST"])
def report(token: str):
    """The report form for the link's action; submitting stores a submitted report."""
    link = _link(token)
    used = report_filed_by_link(link.link_id)
    if used is not None:
        return _used(link, used.id, used.state, link_used=True, status=409 if request.method == "POST" else 200)
    errors: dict[str, str] = {}
    values = {"percent_complete": link.action.percent_complete, "proposed_status": link.action.status_key}
    if request.method == "POST":
        values = form_data("narrative", "percent_complete", "proposed_status")
        upload = request.files.get("file")
        try:
            # All or nothing, in one call: this form has no draft to come back to, so a
            # refused file or field leaves nothing behind.
            save_report(
                link.action, {**values, "links": lines("links")}, author=link.user, now=now(), submit=True,
                max_links=current_app.config["MAX_REPORT_LINKS"], link_id=link.link_id,
                files=[Upload(upload.filename, upload.stream)] if upload is not None and upload.filename else [],
                store=evidence_store(),
            )
        except ReportConflict as exc:
            return _used(link, exc.report_id, exc.state, link_used=exc.link_used, status=409)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        else:
            flash(_("Thank you: your report on “%(title)s” was submitted for review.", title=link.action.title), "success")
            return redirect(url_for("links.done"))
    return (
        render_template("links/report.html", link=link, token=token, errors=errors, values=values,
                        status_options=[(s.key, s.label) for s in offered_statuses(link.action.status_key)], links_text=request.form.get("links", "")),
        422 if errors else 200,
    )


@bp.route("/<token>/no-change", methods=["GET", "POST"])
def no_change(token: str):
    """Confirm "no change since the last report" with one button.

    GET only shows the button: mail systems open links to scan them, and a GET that
    wrote a report would file one nobody meant to.
    """
    link = _link(token)
    used = report_filed_by_link(link.link_id)
    if used is not None:
        return _used(link, used.id, used.state, link_used=True, status=409 if request.method == "POST" else 200)
    if request.method == "POST":
        try:
            report_no_change(link.action, author=link.user, now=now(), link_id=link.link_id)
        except ReportConflict as exc:
            return _used(link, exc.report_id, exc.state, link_used=exc.link_used, status=409)
        flash(_("Recorded: no change since the last report on “%(title)s”.", title=link.action.title), "success")
        return redirect(url_for("links.done"))
    return render_template("links/no_change.html", link=link, token=token)


def _used(link, report_id: int, state: str, *, link_used: bool, status: int):
    """The report the link filed (or the one already open for the round), instead of another."""
    return render_template(
        "links/waiting.html", link=link, state=state, link_used=link_used,
        report=find_report(report_id, link.user),
    ), status


@bp.route("/done")
def done():
    return render_template("links/done.html")
