"""The secretariat's work dashboard: per plan, what is waiting on someone.

Where the secretariat lands after signing in. Per plan: reports waiting for its review,
actions overdue, reports missing in the plan's current reporting round, and reminders
an agency has not answered. Each figure comes from the rule that defines it elsewhere,
so the dashboard and the pages it links to never disagree:

- waiting: reports in the ``submitted`` state (``services.reports.review_queue``);
- overdue: past due and not in a final status (``publishing.dashboard.action_counts``);
- missing: ``services.rounds.missing_report_keys`` for the plan's latest round opened by today;
- unanswered: reminders delivered about an action and not followed by a report on it
  (``reminders.log.agency_stats``, counted per plan here).

Read-only; one query per figure for every plan at once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from tracker.extensions import db
from tracker.models import (
    Action,
    OutboxMessage,
    Plan,
    ProgressReport,
    Reminder,
    ReportingRound,
    ReportState,
)
from tracker.publishing.chart_data import ANSWERABLE_RULES
from tracker.publishing.dashboard import action_counts
from tracker.reminders.log import DELIVERED
from tracker.services.plans import list_plans
from tracker.services.rounds import latest_rounds, missing_report_keys


@dataclass(frozen=True)
class PlanWork:
    """One plan's row of the dashboard."""

    plan: Plan
    waiting: int
    overdue: int
    round: ReportingRound | None  # the latest round opened by today, if any
    missing: int  # reports missing in ``round``
    unanswered: int

    @property
    def anything(self) -> bool:
        return bool(self.waiting or self.overdue or self.missing or self.unanswered)


def work_dashboard(today: date) -> list[PlanWork]:
    """Every plan, published or not, with its four figures; plans with most to do first."""
    plans = list_plans()
    if not plans:
        return []
    ids = [p.id for p in plans]
    waiting = dict(db.session.execute(
        select(Action.plan_id, func.count())
        .select_from(ProgressReport).join(Action, ProgressReport.action_id == Action.id)
        .where(ProgressReport.state == ReportState.SUBMITTED, Action.plan_id.in_(ids))
        .group_by(Action.plan_id)
    ).all())
    overdue = {plan_id: late for plan_id, (_n, late) in action_counts(ids, today).items()}
    rounds = {r.plan_id: r for r in latest_rounds(today)}
    missing = Counter(round_.plan_id for round_, _, _ in missing_report_keys(list(rounds.values())))
    answered = (
        select(ProgressReport.id)
        .where(ProgressReport.action_id == Reminder.action_id, ProgressReport.submitted_at >= OutboxMessage.sent_at)
        .exists()
    )
    unanswered = dict(db.session.execute(
        select(Reminder.plan_id, func.count(Reminder.id))
        .join(OutboxMessage, and_(Reminder.message_id == OutboxMessage.id, OutboxMessage.state.in_(DELIVERED)))
        .where(Reminder.plan_id.in_(ids), Reminder.rule.in_(ANSWERABLE_RULES), Reminder.cancelled.is_(False),
               ~answered)
        .group_by(Reminder.plan_id)
    ).all())
    rows = [
        PlanWork(plan=p, waiting=waiting.get(p.id, 0), overdue=overdue.get(p.id, 0), round=rounds.get(p.id),
                 missing=missing.get(p.id, 0), unanswered=unanswered.get(p.id, 0))
        for p in plans
    ]
    return sorted(rows, key=lambda r: (not r.anything, -(r.waiting + r.overdue + r.missing + r.unanswered)))
