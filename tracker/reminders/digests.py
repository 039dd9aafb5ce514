"""What the weekly messages list: an agency's open items, the secretariat's headline figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, ProgressReport, Status
from tracker.reminders.candidates import latest_rounds, missing_reports, open_actions
from tracker.services.obligations import Obligations
from tracker.services.rounds import MissingReport


def open_items_by_agency(today: date, agency_ids: set[int], horizon: int = 30) -> dict[int, Obligations]:
    """For each agency, what its digest lists: actions overdue or due within ``horizon`` days,
    reports missing for the current rounds, and reports returned for changes.

    Actions owing nothing are left out, so a digest stays readable (and cheap) however
    many actions an agency has.
    """
    actions = db.session.scalars(
        select(Action)
        .join(Status, Action.status_key == Status.key)
        .where(
            Action.lead_agency_id.in_(agency_ids), Status.is_final.is_(False), Action.paused.is_(False),
            Action.due_date <= today + timedelta(days=horizon),
        )
        .options(selectinload(Action.plan), selectinload(Action.status))
        .order_by(Action.due_date, Action.id)
    ).all()
    missing = missing_reports(latest_rounds(today, 3660))
    missing_actions = {
        a.id: a for a in db.session.scalars(
            select(Action).where(Action.id.in_({action_id for _, action_id, agency in missing if agency in agency_ids}))
        )
    }
    returned = db.session.scalars(
        select(ProgressReport).join(Action)
        .where(Action.lead_agency_id.in_(agency_ids), ProgressReport.state == "returned")
        .options(selectinload(ProgressReport.action))
    ).all()
    items = {agency_id: Obligations([], set(), [], [], []) for agency_id in agency_ids}
    for action in actions:
        owed = items[action.lead_agency_id]
        owed.actions.append(action)
        if action.due_date < today:
            owed.overdue.add(action.id)
    for owed in items.values():
        owed.actions.sort(key=lambda a: (a.id not in owed.overdue, a.due_date))
    for round_, action_id, agency_id in missing:
        if agency_id in items:
            items[agency_id].missing.append(MissingReport(round_, missing_actions[action_id]))
    for report in returned:
        items[report.action.lead_agency_id].returned.append(report)
    return items


@dataclass(frozen=True)
class Summary:
    """The secretariat's weekly figures."""

    overdue: int
    due_in_30_days: int
    awaiting_review: int
    late_reports: int


def secretariat_summary(today: date) -> Summary:
    """The week's headline figures for the secretariat."""
    overdue = db.session.scalar(
        select(func.count()).select_from(open_actions().where(Action.due_date < today).subquery())
    )
    soon = db.session.scalar(
        select(func.count()).select_from(
            open_actions().where(Action.due_date >= today, Action.due_date <= today + timedelta(days=30)).subquery()
        )
    )
    awaiting = db.session.scalar(select(func.count()).where(ProgressReport.state == "submitted"))
    late = sum(1 for r, _, _ in missing_reports(latest_rounds(today, 0)) if r.deadline < today)
    return Summary(overdue or 0, soon or 0, awaiting or 0, late)

