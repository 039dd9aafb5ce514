"""What the weekly secretariat summary lists: its headline figures.

An agency's digest lists what it owes: ``services.obligations.obligations`` with a
horizon, the same read as its "What we owe" page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Action, ProgressReport, ReportState
from tracker.reminders.candidates import open_actions
from tracker.services.rounds import latest_rounds, missing_report_keys


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
    awaiting = db.session.scalar(select(func.count()).where(ProgressReport.state == ReportState.SUBMITTED))
    late = sum(1 for r, _, _ in missing_report_keys(latest_rounds(today, 0), remindable_only=True) if r.deadline < today)
    return Summary(overdue or 0, soon or 0, awaiting or 0, late)

