"""What an agency owes, by when: its actions, missing reports and returned reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import EDITABLE_REPORT_STATES, Action, ProgressReport, ReportingRound
from tracker.services.permissions import agency_actions_query
from tracker.services.rounds import MissingReport, missing_reports


@dataclass
class Obligations:
    actions: list[Action]           # overdue first, then by due date
    overdue: set[int]               # ids of overdue actions
    missing: list[MissingReport]    # open rounds with no submitted or accepted report yet
    returned: list[ProgressReport]  # returned to the agency, to correct and resubmit
    drafts: list[ProgressReport]
    # Its unfinished reports withdrawn lately because their action passed to another agency.
    withdrawn: list[ProgressReport] = field(default_factory=list)


# How long "what we owe" tells an agency that a report of its was withdrawn.
WITHDRAWN_NOTICE_DAYS = 30


def what_we_owe(agency_id: int, today: date) -> Obligations:
    """Everything an agency owes on one page."""
    actions = db.session.scalars(
        agency_actions_query(agency_id).options(
            selectinload(Action.status), selectinload(Action.plan), selectinload(Action.lead_agency)
        )
    ).all()
    overdue = {a.id for a in actions if a.is_overdue(today)}
    ordered = sorted(actions, key=lambda a: (a.id not in overdue, a.due_date or date.max, a.plan_id, a.position))

    plan_ids = {a.plan_id for a in actions}
    rounds = db.session.scalars(
        select(ReportingRound).where(ReportingRound.plan_id.in_(plan_ids), ReportingRound.opens_on <= today)
    ).all()
    # A round stays on the list after its deadline: a late report is still owed.
    latest = {}
    for round_ in sorted(rounds, key=lambda r: r.opens_on):
        latest[round_.plan_id] = round_
    missing = [m for r in latest.values() for m in missing_reports(r, agency_id=agency_id)]

    # The agency's own reports: a report belongs to the agency that wrote it.
    since = datetime.combine(today - timedelta(days=WITHDRAWN_NOTICE_DAYS), time.min, tzinfo=UTC)
    reports = db.session.scalars(
        select(ProgressReport)
        .where(
            ProgressReport.agency_id == agency_id,
            ProgressReport.state.in_(EDITABLE_REPORT_STATES)
            | ((ProgressReport.state == "withdrawn") & (ProgressReport.withdrawn_at >= since)),
        )
        .options(selectinload(ProgressReport.action))
        .order_by(ProgressReport.created_at)
    ).all()
    return Obligations(
        actions=ordered,
        overdue=overdue,
        missing=sorted(missing, key=lambda m: (m.round.deadline, m.action.due_date or date.max)),
        returned=[r for r in reports if r.state == "returned"],
        drafts=[r for r in reports if r.state == "draft"],
        withdrawn=[r for r in reports if r.state == "withdrawn"],
    )
