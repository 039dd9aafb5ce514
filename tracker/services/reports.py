"""Progress reports: agencies draft and submit them; the secretariat accepts or returns them.

A report changes an action's public percent and status only once accepted, and only its
action's: a recommendation's status, which the scorecard counts (``publishing.scorecards``),
is the secretariat's to validate, whatever its actions' reports say. A report belongs to
the agency that wrote it: when its action passes to another agency, an unfinished report
is withdrawn (kept, read-only, by its agency) and the new lead starts its own. At most one
report per action and round is open (draft, submitted or returned), which the database
enforces; a second one is refused with ``ReportConflict`` naming the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import BinaryIO

from flask_babel import gettext, lazy_gettext
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached, selectinload

from tracker.extensions import db
from tracker.models import (
    EDITABLE_REPORT_STATES,
    OPEN_REPORT_STATES,
    REPORTED_STATES,
    Action,
    Evidence,
    ProgressReport,
    ReportingRound,
    ReportState,
    Status,
    User,
)
from tracker.reminders.candidates import cancel_for_action
from tracker.schemas.report import DEFAULT_MAX_LINKS, ReturnInput, ReviewInput, report_input
from tracker.services.errors import ReportConflict, ValidationFailed
from tracker.services.evidence_files import (
    FileStore,
    StoredFile,
    Upload,
    discard,
    store_evidence_file,
)
from tracker.services.history import record_event
from tracker.services.indicators import ReportedValue, checked_values, replace_report_values
from tracker.services.permissions import (
    can_edit_report,
    can_report_on,
    is_report_author,
    is_staff,
    require,
)
from tracker.services.rounds import current_round
from tracker.services.statuses import record_status_change, require_status
from tracker.services.transaction import Actor, atomic, inside_operation
from tracker.services.validation import validated


def save_report(
    action: Action,
    data: dict,
    *,
    author: User,
    now: datetime,
    submit: bool,
    report: ProgressReport | None = None,
    link_id: str | None = None,
    max_links: int = DEFAULT_MAX_LINKS,
    files: Sequence[Upload] = (),
    store: FileStore | None = None,
) -> ProgressReport:
    """Create or change a report on ``action`` as a draft, or submit it, with its files.

    Only the lead agency's focal points report, each agency on its own reports; a
    submitted or accepted report can no longer be changed, a returned one can be
    corrected and submitted again. The report joins the plan's current reporting round
    unless ``round_id`` says otherwise. A new report filed through a reminder link
    carries the link's ``link_id``. It carries at most ``max_links`` evidence links (the
    ``MAX_REPORT_LINKS`` setting). ``ReportConflict`` if another report on the action is
    open for that round, or the link has filed one already: nothing is stored then.

    ``files`` are attached to the report, each checked by content and stored privately in
    ``store``. Everything a form sends is one operation: the fields, the links and the
    files are stored, and the report submitted, in one transaction, or nothing is (a
    refused file included: every problem is named at once, and no file stays on disk).
    """
    if report is not None:
        require(report.action_id == action.id, lazy_gettext("This report belongs to another action."))
        require(is_report_author(author, report), lazy_gettext("This report belongs to another agency."))
        _require_editable(report, "state")
    require(can_report_on(author, action), lazy_gettext("Only the lead agency reports on this action."))
    errors: dict[str, list[str]] = {}
    # Indicator values are checked against the action's indicators, not by ReportInput.
    raw_values = None
    if isinstance(data, dict) and "indicator_values" in data:
        data = dict(data)
        raw_values = data.pop("indicator_values")
    values = checked_values(action, raw_values, default_date=now.date(), errors=errors)
    try:
        fields = validated(report_input(max_links), data)
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
            status = require_status(fields["proposed_status"], "proposed_status", current=action.status_key)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if submit and not fields["narrative"] and "narrative" not in errors:
        errors["narrative"] = [gettext("Say what was done before submitting.")]
    round_ = _round_for(action, fields["round_id"], now, errors)
    if files and store is None:
        raise ValueError("files need a store")
    stored: list[StoredFile] = []
    try:
        for upload in files:
            try:
                stored.append(store_evidence_file(
                    upload.filename, upload.stream, upload_dir=store.upload_dir, max_bytes=store.max_bytes))
            except ValidationFailed as exc:
                errors.setdefault("file", []).extend(exc.errors.get("file", []))
        if errors:
            raise ValidationFailed(errors)
        return _store_report(action, fields, status, round_, stored, values, author=author, now=now,
                             submit=submit, report=report, link_id=link_id)
    except BaseException:
        for item in stored:
            discard(store.upload_dir, item.stored_name)
        raise


def _store_report(
    action: Action, fields: dict, status: Status, round_: ReportingRound | None, stored: list[StoredFile],
    values: list[ReportedValue] | None, *, author: User, now: datetime, submit: bool,
    report: ProgressReport | None, link_id: str | None,
) -> ProgressReport:
    """``save_report``'s one transaction, once everything is checked and the files are on disk.

    One open report per action and round, and one report per reminder link, are the
    database's unique indexes: they refuse a second report whether it was there before or
    a concurrent request stored it a moment ago, so nothing is looked up first (a query
    every report would pay for a rare refusal). A refusal is ``ReportConflict`` naming the
    report that is there, read after the write was rolled back; inside an outer operation,
    whose transaction must stay usable, the write gets a savepoint instead.
    """
    resubmitted = report is not None and report.state == ReportState.RETURNED

    def write() -> ProgressReport:
        written = _write_report(action, fields, status, round_, stored, values, author=author, now=now,
                                submit=submit, report=report, link_id=link_id)
        if submit:
            record_event(
                action, "report_submitted",
                f"Progress report {'resubmitted' if resubmitted else 'submitted'}: "
                f"{written.percent_complete}%, proposes {status.label}",
                actor=Actor.of(author), now=now, details={"report_id": written.id},
            )
        return written

    if inside_operation():
        with atomic():
            try:
                with db.session.begin_nested():
                    return write()
            except IntegrityError:
                conflict = _conflict_with_the_report_there(action, round_, link_id)
                if conflict is None:
                    raise  # refused for another reason: atomic() says which
                raise conflict from None
    try:
        with atomic():
            return write()
    except ValidationFailed as exc:
        conflict = _conflict_with_the_report_there(action, round_, link_id) if isinstance(
            exc.__cause__, IntegrityError) else None
        if conflict is None:
            raise
        raise conflict from None


def _write_report(
    action: Action, fields: dict, status: Status, round_: ReportingRound | None, stored: list[StoredFile],
    values: list[ReportedValue] | None, *, author: User, now: datetime, submit: bool,
    report: ProgressReport | None, link_id: str | None,
) -> ProgressReport:
    """The report's row, its links and files, flushed (where the unique indexes may refuse it)."""
    if report is None:
        report = _insert_report(action, fields, status, round_, author=author, now=now, submit=submit,
                                link_id=link_id)
    else:
        report.round = round_
        report.narrative = fields["narrative"]
        report.percent_complete = fields["percent_complete"]
        report.proposed_status = status
        if submit:
            report.state, report.submitted_at = ReportState.SUBMITTED, now
            report.author_id = author.id
    if fields["links"] is not None:
        _replace_links(report, fields["links"], now)
    report.evidence += [_file_evidence(item, now) for item in stored]
    if values is not None:
        replace_report_values(report, values, now)
    db.session.flush()
    return report


_INSERT_REPORT = insert(ProgressReport.__table__).returning(ProgressReport.__table__.c.id)


def _insert_report(
    action: Action, fields: dict, status: Status, round_: ReportingRound | None, *, author: User,
    now: datetime, submit: bool, link_id: str | None,
) -> ProgressReport:
    """A new report's row, inserted at once, and the report as an object of the session that
    holds what was written (its links, files and values are added to it afterwards).

    One Core INSERT (built once) instead of the unit of work's flush of a new object, which
    cost several times the statement: every report the API creates comes this way.
    """
    db.session.flush()  # what the operation changed before (e.g. a new action) is written first
    row = {
        "action_id": action.id, "round_id": round_.id if round_ is not None else None,
        "agency_id": author.agency_id, "author_id": author.id, "narrative": fields["narrative"],
        "percent_complete": fields["percent_complete"], "proposed_status_key": status.key,
        "state": ReportState.SUBMITTED if submit else ReportState.DRAFT, "reviewer_comment": None,
        "comment_public": False, "reviewed_by_id": None, "created_at": now,
        "submitted_at": now if submit else None, "reviewed_at": None, "withdrawn_at": None,
        "withdrawn_reason": None, "link_id": link_id,
    }
    # Run by the session, in its transaction: the data version sees the write, and a unique
    # index's refusal is the IntegrityError a flush would raise.
    report_id = db.session.execute(_INSERT_REPORT, row).scalar_one()
    report = ProgressReport(id=report_id, **row, action=action, round=round_, proposed_status=status,
                            evidence=[], indicator_values=[])  # known empty: never read back
    make_transient_to_detached(report)  # as if loaded: the session knows the row exists
    db.session.add(report)
    return report


def _conflict_with_the_report_there(action, round_, link_id) -> ReportConflict | None:
    """After the database refused a write: the conflict with the report already there, or
    None if there is none (the write broke another rule)."""
    winner = _report_that_won(action, round_, link_id)
    if winner is None:
        return None
    return _conflict(winner, link_used=link_id is not None and winner.link_id == link_id)


def open_report(action: Action, round_: ReportingRound | None) -> ProgressReport | None:
    """The action's open report (draft, submitted or returned) for ``round_`` (None: outside rounds)."""
    round_match = (
        ProgressReport.round_id.is_(None) if round_ is None else ProgressReport.round_id == round_.id
    )
    return db.session.scalars(
        select(ProgressReport).where(
            ProgressReport.action_id == action.id, round_match,
            ProgressReport.state.in_(OPEN_REPORT_STATES),
        )
    ).first()


def current_open_report(action: Action, now: datetime) -> ProgressReport | None:
    """The action's open report in the round a new report would join now."""
    return open_report(action, current_round(action.plan_id, now.date()))


def report_filed_by_link(link_id: str) -> ProgressReport | None:
    """The report a reminder link filed, if it filed one."""
    return db.session.scalars(select(ProgressReport).where(ProgressReport.link_id == link_id)).first()


def _report_that_won(action, round_, link_id) -> ProgressReport | None:
    """After the database refused a write: the report already there (the link's first, then
    the action's open one for the round), stored earlier or by a request that got there first."""
    return (report_filed_by_link(link_id) if link_id is not None else None) or open_report(action, round_)


def _conflict(existing: ProgressReport, *, link_used: bool = False) -> ReportConflict:
    code = existing.action.code
    if link_used:
        message = f"This link has already filed a report on {code}; it is {existing.state}."
    elif existing.state == ReportState.SUBMITTED:
        message = (f"A report on {code} for this round is already waiting for review "
                   f"(submitted on {existing.submitted_at:%Y-%m-%d}).")
    elif existing.state == ReportState.RETURNED:
        message = f"A report on {code} for this round was returned for correction: correct and resubmit it."
    else:
        message = f"A draft report on {code} for this round is already under way: carry on with it."
    return ReportConflict(message, report_id=existing.id, state=existing.state, link_used=link_used)


def report_no_change(
    action: Action, *, author: User, now: datetime, link_id: str | None = None
) -> ProgressReport:
    """Submit "no change since the last report": the last report's percent and status again."""
    last = latest_reported(action)
    data = {
        "narrative": "No change since the last report.",
        "percent_complete": last.percent_complete if last else action.percent_complete,
        "proposed_status": last.proposed_status_key if last else action.status_key,
    }
    return save_report(action, data, author=author, now=now, submit=True, link_id=link_id)


def latest_reported(action: Action) -> ProgressReport | None:
    """The action's latest report that counts as reported (submitted or accepted), by submission.

    What "no change since the last report" repeats, and the agencies' latest proposal of a
    status a recommendation's page shows.
    """
    return db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.action_id == action.id, ProgressReport.state.in_(REPORTED_STATES))
        .order_by(ProgressReport.submitted_at.desc(), ProgressReport.id.desc())
    ).first()


def add_evidence_file(
    report: ProgressReport, filename: str | None, stream: BinaryIO, *,
    user: User, upload_dir: str, max_bytes: int, now: datetime,
) -> Evidence:
    """Attach an uploaded file to an editable report (checked by content, stored privately).

    The report form attaches its files with ``save_report(files=...)``, in the same
    transaction as the rest of the form; this is for a file on its own.
    """
    require(is_report_author(user, report), lazy_gettext("Only the agency that wrote this report adds evidence to it."))
    _require_editable(report, "file")
    require(can_edit_report(user, report), lazy_gettext("Only the lead agency adds evidence."))
    stored = store_evidence_file(filename, stream, upload_dir=upload_dir, max_bytes=max_bytes)
    try:
        with atomic():
            evidence = _file_evidence(stored, now)
            report.evidence.append(evidence)
            db.session.flush()
            return evidence
    except BaseException:
        discard(upload_dir, stored.stored_name)
        raise


def _file_evidence(stored: StoredFile, now: datetime) -> Evidence:
    return Evidence(
        kind="file", filename=stored.filename, stored_name=stored.stored_name,
        content_type=stored.content_type, size=stored.size, created_at=now,
    )


def remove_evidence(evidence: Evidence, *, user: User, upload_dir: str) -> None:
    """Remove a link or file from an editable report."""
    report = evidence.report
    require(is_report_author(user, report), lazy_gettext("Only the agency that wrote this report removes its evidence."))
    _require_editable(report, "evidence")
    require(can_edit_report(user, report), lazy_gettext("Only the lead agency removes evidence."))
    stored_name = evidence.stored_name
    with atomic():
        db.session.delete(evidence)
    if stored_name:
        discard(upload_dir, stored_name)


def accept_report(report: ProgressReport, data: dict, *, reviewer: User, now: datetime) -> ProgressReport:
    """Accept a submitted report: the action takes its percent and proposed status.

    The reviewer's comment is private (for the agency and the secretariat) unless
    ``comment_public`` says otherwise; only then does it reach the status history, the
    timeline and everything public.
    """
    require(is_staff(reviewer), lazy_gettext("Only the secretariat reviews reports."))
    fields = validated(ReviewInput(), data)
    _require_submitted(report)
    action = report.action
    comment = fields["comment"]
    public_comment = comment if comment and fields["comment_public"] else None
    with atomic():
        report.state, report.reviewed_at, report.reviewed_by_id = ReportState.ACCEPTED, now, reviewer.id
        report.reviewer_comment = comment
        report.comment_public = public_comment is not None
        old_status, old_percent = action.status_key, action.percent_complete
        action.status_key = report.proposed_status_key
        action.percent_complete = report.percent_complete
        action.updated_at = now
        db.session.flush()
        reason = f"Accepted progress report of {report.submitted_at:%Y-%m-%d}"
        if public_comment:
            reason += f": {public_comment}"
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
            actor=Actor.of(reviewer), now=now, reason=public_comment, details={"report_id": report.id},
        )
        return report


def return_report(report: ProgressReport, data: dict, *, reviewer: User, now: datetime) -> ProgressReport:
    """Return a submitted report to its agency with a comment saying what to change.

    The comment is never public. If the agency no longer leads the action it cannot
    correct the report, so the report is withdrawn instead (its agency keeps it, with the
    comment); the new lead reports on its own.
    """
    require(is_staff(reviewer), lazy_gettext("Only the secretariat reviews reports."))
    fields = validated(ReturnInput(), data)
    _require_submitted(report)
    with atomic():
        report.state, report.reviewed_at, report.reviewed_by_id = ReportState.RETURNED, now, reviewer.id
        report.reviewer_comment = fields["comment"]
        report.comment_public = False
        record_event(
            report.action, "report_returned", "Progress report returned to the agency",
            actor=Actor.of(reviewer), now=now, reason=fields["comment"], details={"report_id": report.id},
        )
        if report.agency_id != report.action.lead_agency_id:
            _withdraw(report, actor=Actor.of(reviewer), now=now, notice=(
                "{code} was reassigned to {lead} while this report waited for review. The secretariat "
                "returned it, but {agency} no longer leads the action and cannot correct it: it stays "
                "with {agency}, read-only, and {lead} reports on its own."
            ))
        db.session.flush()
        return report


def withdraw_reports_of_former_leads(action: Action, *, actor: Actor, now: datetime) -> list[ProgressReport]:
    """After ``action`` changed lead: withdraw the unfinished reports (drafts, returned ones)
    of agencies that no longer lead it. Each stays with its agency, read-only, with a
    notice; the action's timeline records it. Submitted reports wait for their review."""
    with atomic():
        query = select(ProgressReport).where(
            ProgressReport.action_id == action.id, ProgressReport.state.in_(EDITABLE_REPORT_STATES)
        )
        if action.lead_agency_id is not None:
            query = query.where(ProgressReport.agency_id != action.lead_agency_id)
        reports = db.session.scalars(query).all()
        for report in reports:
            _withdraw(report, actor=actor, now=now, notice=(
                "{code} was reassigned to {lead}. A report belongs to the agency that wrote it, so this "
                "one stays with {agency}, read-only; it was not submitted, and {lead} reports on its own."
            ))
        db.session.flush()
        return list(reports)


def _withdraw(report: ProgressReport, *, actor: Actor, now: datetime, notice: str) -> None:
    """Take ``report`` out of play without a review; ``notice`` (with {code}, {lead} and
    {agency}) tells its agency why."""
    action = report.action
    agency = report.agency.display_name
    lead = action.lead_agency.display_name if action.lead_agency else "no agency yet"
    report.state, report.withdrawn_at = ReportState.WITHDRAWN, now
    report.withdrawn_reason = notice.format(code=action.code, lead=lead, agency=agency)
    record_event(
        action, "report_withdrawn", f"Unfinished progress report of {agency} withdrawn: the action passed to {lead}",
        actor=actor, now=now, details={"report_id": report.id},
    )


def review_queue(plan_id: int | None = None) -> list[ProgressReport]:
    """Submitted reports waiting for the secretariat, oldest first."""
    query = (
        select(ProgressReport)
        .where(ProgressReport.state == ReportState.SUBMITTED)
        .options(selectinload(ProgressReport.action).selectinload(Action.lead_agency),
                 selectinload(ProgressReport.evidence))
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    if plan_id is not None:
        query = query.join(Action).where(Action.plan_id == plan_id)
    return list(db.session.scalars(query))


def accepted_reports(action: Action) -> list[ProgressReport]:
    """What the public may see of an action's reporting: accepted reports only."""
    return list(
        db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.action_id == action.id, ProgressReport.state == ReportState.ACCEPTED)
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


def _require_editable(report: ProgressReport, field: str) -> None:
    """A submitted, accepted or withdrawn report is read-only (``field`` names the problem)."""
    if not report.is_editable:
        raise ValidationFailed({field: [gettext("A %(state)s report can no longer be changed.", state=report.state)]})


def _require_submitted(report: ProgressReport) -> None:
    if report.state != ReportState.SUBMITTED:
        raise ValidationFailed({"state": [gettext("Only submitted reports can be reviewed; this one is %(state)s.", state=report.state)]})


def _round_for(action: Action, round_id: int | None, now: datetime, errors: dict) -> ReportingRound | None:
    if round_id is None:
        return current_round(action.plan_id, now.date())
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None or round_.plan_id != action.plan_id:
        errors["round_id"] = [gettext("Unknown reporting round for this plan.")]
        return None
    return round_
