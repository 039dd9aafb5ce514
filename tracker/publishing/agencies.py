"""What the public sees of agencies across every published plan: the agencies index with each
one's figures, and the log of reminders sent to each and whether a report answered them.

Published plans only, and nothing private: no recipient addresses, no message text, only
when a reminder went out, about which action, of which kind, and when a report followed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    OutboxMessage,
    Plan,
    ProgressReport,
    Reminder,
    action_supporting_agencies,
)
from tracker.publishing.chart_data import ANSWERABLE_RULES, lead_agency_counts
from tracker.reminders.log import DELIVERED
from tracker.services.item_tables import Page, page_of


def _published_plan_ids():
    return select(Plan.id).where(Plan.published.is_(True))


@dataclass(frozen=True)
class AgencyName:
    """An agency as the index names it: plain values, so the index can be kept across
    requests (``web.response_cache.remembered``)."""

    id: int
    name: str
    display_name: str
    country: str | None


@dataclass(frozen=True)
class AgencyFigures:
    """One agency's record in the published plans (``lead_agency_counts`` for its counts)."""

    agency: AgencyName
    counts: Counter
    supports: int  # actions it supports without leading them

    def __getattr__(self, name: str) -> int:
        # on_time, late, overdue, open, reports, reports_on_time, reminders_sent, reminders_answered
        if name.startswith("_"):
            raise AttributeError(name)
        return self.counts.get(name, 0)

    @property
    def led(self) -> int:
        return self.on_time + self.late + self.overdue + self.open

    @property
    def complete(self) -> int:
        return self.on_time + self.late


def agencies_index(today: date) -> list[AgencyFigures]:
    """Every agency that leads or supports an action of a published plan, by name, with its
    actions led, complete (and of those, late), overdue and open; reports on time; reminders
    sent and answered. Plain values only."""
    published = _published_plan_ids()
    counts = lead_agency_counts(published, today=today)
    supports = dict(db.session.execute(
        select(action_supporting_agencies.c.agency_id, func.count())
        .join(Action, action_supporting_agencies.c.action_id == Action.id)
        .where(Action.plan_id.in_(published))
        .group_by(action_supporting_agencies.c.agency_id)
    ).all())
    # Reminders alone do not put an agency on the public list: only its actions do.
    leads = set(db.session.scalars(
        select(Action.lead_agency_id).where(Action.plan_id.in_(published), Action.lead_agency_id.is_not(None)).distinct()
    ))
    ids = leads | set(supports)
    agencies = db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name, Agency.id)).all()
    return [AgencyFigures(AgencyName(a.id, a.name, a.display_name, a.country), counts.get(a.id, Counter()),
                          supports.get(a.id, 0)) for a in agencies]


def public_agency(agency_id: int) -> Agency | None:
    """The agency, if it leads or supports an action of a published plan (else the public
    has no page for it)."""
    published = _published_plan_ids()
    supported = select(action_supporting_agencies.c.action_id).where(action_supporting_agencies.c.agency_id == agency_id)
    has_actions = db.session.scalar(select(func.count()).select_from(Action).where(
        Action.plan_id.in_(published),
        (Action.lead_agency_id == agency_id) | Action.id.in_(supported),
    ))
    return db.session.get(Agency, agency_id) if has_actions else None


@dataclass(frozen=True)
class ReminderEntry:
    """A reminder as the public log shows it."""

    sent_at: datetime
    rule: str  # due_soon, overdue, missing_report
    due_on: date | None
    plan: Plan
    action_code: str | None
    action_title: str | None
    answered_at: datetime | None  # the first report on the action submitted after it went out


def agency_reminder_log(agency_id: int, number: int, per_page: int) -> Page[ReminderEntry]:
    """The reminders delivered to ``agency_id`` about published plans, newest first, paged."""
    answered = (
        select(func.min(ProgressReport.submitted_at))
        .where(ProgressReport.action_id == Reminder.action_id, ProgressReport.submitted_at >= OutboxMessage.sent_at)
        .scalar_subquery()
    )
    query = (
        select(OutboxMessage.sent_at, Reminder.rule, Reminder.due_on, Plan, Action.code, Action.title,
               answered.label("answered_at"))
        .join(OutboxMessage, and_(Reminder.message_id == OutboxMessage.id, OutboxMessage.state.in_(DELIVERED)))
        .join(Plan, and_(Reminder.plan_id == Plan.id, Plan.published.is_(True)))
        .outerjoin(Action, Reminder.action_id == Action.id)
        .where(Reminder.agency_id == agency_id, Reminder.rule.in_(ANSWERABLE_RULES), Reminder.cancelled.is_(False))
        .order_by(OutboxMessage.sent_at.desc(), Reminder.id.desc())
    )
    page = page_of(query, number, per_page, scalars=False)
    page.items = [ReminderEntry(*row) for row in page.items]
    return page
