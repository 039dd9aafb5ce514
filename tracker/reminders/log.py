"""What admins see of reminders: the outbox log, and per agency, reminders sent and answered."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Agency, OutboxMessage, ProgressReport, Reminder

DELIVERED = ("sent", "kept")


def message_log(state: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """The newest outbox messages, optionally in one state."""
    query = select(OutboxMessage).options(selectinload(OutboxMessage.reminders)).order_by(OutboxMessage.id.desc())
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(db.session.scalars(query.limit(limit)))


def state_counts() -> dict[str, int]:
    return dict(db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())


@dataclass(frozen=True)
class AgencyReminderStats:
    agency: Agency
    sent: int
    answered: int


def agency_stats() -> list[AgencyReminderStats]:
    """Per agency: reminders delivered about its actions, and how many a report answered.

    A reminder counts as answered when the action got a report submitted after it went out.
    """
    answered = (
        select(ProgressReport.id)
        .where(
            ProgressReport.action_id == Reminder.action_id,
            ProgressReport.submitted_at >= OutboxMessage.sent_at,
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            Reminder.agency_id,
            func.count(Reminder.id),
            func.count(Reminder.id).filter(answered),
        )
        .join(OutboxMessage, and_(Reminder.message_id == OutboxMessage.id, OutboxMessage.state.in_(DELIVERED)))
        .where(Reminder.rule.in_(("due_soon", "overdue", "missing_report")), Reminder.cancelled.is_(False))
        .group_by(Reminder.agency_id)
    ).all()
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_([r[0] for r in rows])))}
    return sorted(
        (AgencyReminderStats(agencies[agency_id], sent, answered_count) for agency_id, sent, answered_count in rows),
        key=lambda s: (-s.sent, s.agency.name),
    )
