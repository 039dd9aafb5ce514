"""Progress reports: agencies draft and submit them; the secretariat accepts or returns them.

A report changes an action's public percent and status only once accepted.
"""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, Evidence, ProgressReport, ReportingRound, Status, User
from tracker.schemas.report import DEFAULT_MAX_LINKS, ReportInput, ReturnInput, ReviewInput
from tracker.services.errors import ValidationFailed
from tracker.services.evidence_files import discard, store_evidence_file
from tracker.services.history import record_event
from tracker.services.permissions import can_report_on, can_view_report, is_staff, require
from tracker.services.reminders import cancel_for_action
from tracker.services.rounds import current_round
from tracker.services.statuses import record_status_change, require_status
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated


def save_report(
    action: Action,
    data: dict,
    *,
    author: User,
    now: datetime,
    submit: bool,
    report: ProgressReport | None = None,
    max_links: int = DEFAULT_MAX_LINKS,
) -> ProgressReport:
    """Create or change a report on ``action`` as a draft, or submit it.

    Only the lead agency's focal points report; a submitted or accepted report can
    no longer be changed, a returned one can be corrected and submitted again. The
    report joins the plan's current reporting round unless ``round_id`` says otherwise.
    It carries at most ``max_links`` evidence links (the ``MAX_REPORT_LINKS`` setting).
    """
    require(can_report_on(author, action), "Only the lead agency reports on this action.")
    if report is not None:
        require(report.action_id == action.id, "This report belongs to another action.")
        if not report.is_editable:
            raise ValidationFailed({"state": [f"A {report.state} report can no longer be changed."]})
    errors: dict[str, list[str]] = {}
    try:
        fields = validated(ReportInput(max_links=max_links), data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        # Enough to look for the other problems too, from values the schema may have refused
        # (a list where the narrative goes must not fail again here).
        narrative = data.get("narrative") if isinstance(data, dict) else None
        fields = {"narrative": narrative.strip() if isinstance(narrative, str) else "", "round_id": None,
                  "proposed_status": data.get("proposed_status") if isinstance(data, dict) else None}
    status = None
    if "proposed_status" not in errors:
        try:
            status = require_status(fields["proposed_status"], "proposed_status")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if submit and not fields["narrative"] and "narrative" not in errors:
        errors["narrative"] = ["Say what was done before submitting."]
    round_ = _round_for(action, fields["round_id"], now, errors)
    if errors:
        raise ValidationFailed(errors)

    with atomic():
        if report is None:
            report = ProgressReport(action=action, author_id=author.id, created_at=now)
            db.session.add(report)
        report.round = round_
        report.narrative = fields["narrative"]
        report.percent_complete = fields["percent_complete"]
        report.proposed_status = status
        if fields["links"] is not None:
            _replace_links(report, fields["links"], now)
        if submit:
            resubmitted = report.state == "returned"
            report.state, report.submitted_at = "submitted", now
            report.author_id = author.id
            db.session.flush()
            record_event(
                action, "report_submitted",
                f"Progress report {'resubmitted' if resubmitted else 'submitted'}: "
                f"{report.percent_complete}%, proposes {status.label}",
                actor=Actor.of(author), now=now, details={"report_id": report.id},
            )
        else:
            report.state = "draft" if report.state != "returned" else "returned"
        db.session.flush()
        return report


def report_no_change(action: Action, *, author: User, now: datetime) -> ProgressReport:
    """Submit "no change since the last report": the last report's percent and status again."""
    last = db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.action_id == action.id, ProgressReport.state.in_(("submitted", "accepted")))
        .order_by(ProgressReport.submitted_at.desc())
    ).first()
    data = {
        "narrative": "No change since the last report.",
        "percent_complete": last.percent_complete if last else action.percent_complete,
        "proposed_status": last.proposed_status_key if last else action.status_key,
    }
    return save_report(action, data, author=author, now=now, submit=True)


def add_evidence_file(
    report: ProgressReport, filename: str | None, stream: BinaryIO, *,
    user: User, upload_dir: str, max_bytes: int, now: datetime,
) -> Evidence:
    """Attach an uploaded file to an editable report (checked by content, stored privately)."""
    require(can_report_on(user, report.action), "Only the lead agency adds evidence.")
    if not report.is_editable:
        raise ValidationFailed({"file": [f"A {report.state} report can no longer be changed."]})
    stored = store_evidence_file(filename, stream, upload_dir=upload_dir, max_bytes=max_bytes)
    try:
        with atomic():
            evidence = Evidence(
                report=report, kind="file", filename=stored.filename, stored_name=stored.stored_name,
                content_type=stored.content_type, size=stored.size, created_at=now,
            )
            db.session.add(evidence)
            db.session.flush()
            return evidence
    except BaseException:
        discard(upload_dir, stored.stored_name)
        raise


def remove_evidence(evidence: Evidence, *, user: User, upload_dir: str) -> None:
    """Remove a link or file from an editable report."""
    report = evidence.report
    require(can_report_on(user, report.action), "Only the lead agency removes evidence.")
    if not report.is_editable:
        raise ValidationFailed({"evidence": [f"A {report.state} report can no longer be changed."]})
    stored_name = evidence.stored_name
    with atomic():
        db.session.delete(evidence)
    if stored_name:
        discard(upload_dir, stored_name)


def accept_report(report: ProgressReport, data: dict, *, reviewer: User, now: datetime) -> ProgressReport:
    """Accept a submitted report: the action takes its percent and proposed status."""
    require(is_staff(reviewer), "Only the secretariat reviews reports.")
    fields = validated(ReviewInput(), data)
    _require_submitted(report)
    action = report.action
    with atomic():
        report.state, report.reviewed_at, report.reviewed_by_id = "accepted", now, reviewer.id
        report.reviewer_comment = fields["comment"]
        old_status, old_percent = action.status_key, action.percent_complete
        action.status_key = report.proposed_status_key
        action.percent_complete = report.percent_complete
        action.updated_at = now
        db.session.flush()
        reason = f"Accepted progress report of {report.submitted_at:%Y-%m-%d}"
        if fields["comment"]:
            reason += f": {fields['comment']}"
        if (old_status, old_percent) != (action.status_key, action.percent_complete):
            record_status_change(
                action, old_status_key=old_status, new_status_key=action.status_key,
                old_percent=old_percent, new_percent=action.percent_complete,
                actor=Actor.of(reviewer), now=now, reason=reason,
            )
        if db.session.get(Status, action.status_key).is_final:
            cancel_for_action(action)
        record_event(
            action, "report_accepted", f"Progress report accepted ({report.percent_complete}%)",
            actor=Actor.of(reviewer), now=now, reason=fields["comment"], details={"report_id": report.id},
        )
        return report


def return_report(report: ProgressReport, data: dict, *, reviewer: User, now: datetime) -> ProgressReport:
    """Return a submitted report to its agency with a comment saying what to change."""
    require(is_staff(reviewer), "Only the secretariat reviews reports.")
    fields = validated(ReturnInput(), data)
    _require_submitted(report)
    with atomic():
        report.state, report.reviewed_at, report.reviewed_by_id = "returned", now, reviewer.id
        report.reviewer_comment = fields["comment"]
        record_event(
            report.action, "report_returned", "Progress report returned to the agency",
            actor=Actor.of(reviewer), now=now, reason=fields["comment"], details={"report_id": report.id},
        )
        db.session.flush()
        return report


def review_queue(plan_id: int | None = None) -> list[ProgressReport]:
    """Submitted reports waiting for the secretariat, oldest first."""
    query = (
        select(ProgressReport)
        .where(ProgressReport.state == "submitted")
        .options(selectinload(ProgressReport.action).selectinload(Action.lead_agency),
                 selectinload(ProgressReport.evidence))
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    if plan_id is not None:
        query = query.join(Action).where(Action.plan_id == plan_id)
    return list(db.session.scalars(query))


def reports_for_action(action: Action, viewer: User | None) -> list[ProgressReport]:
    """The action's reports the viewer may see, newest first."""
    reports = db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.action_id == action.id)
        .options(selectinload(ProgressReport.evidence), selectinload(ProgressReport.proposed_status))
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
    ).all()
    return [r for r in reports if can_view_report(viewer, r)]


def accepted_reports(action: Action) -> list[ProgressReport]:
    """What the public may see of an action's reporting: accepted reports only."""
    return list(
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.action_id == action.id, ProgressReport.state == "accepted")
            .options(selectinload(ProgressReport.evidence))
            .order_by(ProgressReport.reviewed_at.desc())
        )
    )


def _replace_links(report: ProgressReport, links: list[str], now: datetime) -> None:
    current = [e.url for e in report.evidence if e.kind == "link"]
    if current == links:
        return
    report.evidence = [e for e in report.evidence if e.kind != "link"] + [
        Evidence(kind="link", url=url, created_at=now) for url in links
    ]


def _require_submitted(report: ProgressReport) -> None:
    if report.state != "submitted":
        raise ValidationFailed({"state": [f"Only submitted reports can be reviewed; this one is {report.state}."]})


def _round_for(action: Action, round_id: int | None, now: datetime, errors: dict) -> ReportingRound | None:
    if round_id is None:
        return current_round(action.plan_id, now.date())
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None or round_.plan_id != action.plan_id:
        errors["round_id"] = ["Unknown reporting round for this plan."]
        return None
    return round_
