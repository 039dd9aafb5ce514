"""Which reminders are due, and claiming each of them exactly once.

A pass works in sets, never per action: one indexed query per rule kind finds the
actions and rounds that owe something as of ``now``, every candidate reminder gets a
unique key, and one ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` claims the new
ones. Whatever another process (or an earlier pass) claimed is skipped, so nothing
is sent twice; keys include the due date, so moving a due date re-arms its reminders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import (
    Action,
    OutboxMessage,
    Plan,
    Reminder,
    ReminderRule,
    Status,
    User,
)
from tracker.services.rounds import latest_rounds, missing_report_keys


@dataclass(frozen=True)
class Candidate:
    """A reminder that may be due: its key decides whether it is new."""

    key: str
    rule: str
    recipient: str
    user_id: int | None
    plan_id: int | None
    agency_id: int | None
    action_id: int | None
    round_id: int | None
    due_on: date | None
    period: str


# --- rules ------------------------------------------------------------------


def rules_by_plan(plan_ids) -> dict[int, dict[str, list[int]]]:
    """For each plan, its active rules as {kind: [days, ...]}: its own, or else the defaults."""
    rules = db.session.scalars(
        select(ReminderRule).where(
            ReminderRule.active.is_(True),
            or_(ReminderRule.plan_id.is_(None), ReminderRule.plan_id.in_(plan_ids)),
        )
    ).all()
    defaults: dict[str, list[int]] = defaultdict(list)
    own: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for rule in rules:
        (defaults if rule.plan_id is None else own[rule.plan_id])[rule.kind].append(rule.days)
    plans_with_rules = {
        plan_id for (plan_id,) in db.session.execute(
            select(ReminderRule.plan_id).where(ReminderRule.plan_id.in_(plan_ids)).distinct()
        )
    }
    return {plan_id: (own[plan_id] if plan_id in plans_with_rules else defaults) for plan_id in plan_ids}


# --- candidates -------------------------------------------------------------


def open_actions():
    """Actions that can still owe something: not final, not paused, with a lead agency."""
    return (
        select(Action.id, Action.plan_id, Action.lead_agency_id, Action.due_date)
        .join(Status, Action.status_key == Status.key)
        .where(Status.is_final.is_(False), Action.paused.is_(False), Action.lead_agency_id.is_not(None))
    )


def _agency_recipients(agency_ids) -> dict[int, list[tuple[int, str]]]:
    rows = db.session.execute(
        select(User.agency_id, User.id, User.email).where(
            User.role == "agency", User.active.is_(True), User.agency_id.in_(agency_ids)
        )
    ).all()
    recipients: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for agency_id, user_id, email in rows:
        recipients[agency_id].append((user_id, email))
    return recipients


def _secretariat_recipients() -> list[tuple[int, str]]:
    return list(
        db.session.execute(
            select(User.id, User.email).where(User.role == "secretariat", User.active.is_(True))
        ).all()
    )


def due_candidates(today: date) -> list[Candidate]:
    """Every reminder that rules make due on ``today`` (new or already claimed)."""
    plan_ids = [p for (p,) in db.session.execute(select(Plan.id))]
    rules = rules_by_plan(plan_ids)
    horizon = _longest(rules, "due_soon")
    biggest_reminder_window = _longest(rules, "missing_report")

    # Only two kinds of action can owe anything: due within the horizon, or overdue.
    # Both are ranges on the indexed due date, so actions owing nothing are never read.
    actions = db.session.execute(
        open_actions().where(Action.due_date.is_not(None), Action.due_date <= today + timedelta(days=horizon))
    ).all()
    missing = missing_report_keys(latest_rounds(today, biggest_reminder_window), remindable_only=True)

    agency_ids = {a.lead_agency_id for a in actions} | {agency for (_, _, agency) in missing}
    to = _Addressees(_agency_recipients(agency_ids), _secretariat_recipients())
    candidates: list[Candidate] = []
    for action_id, plan_id, agency_id, due in actions:
        about = {"plan_id": plan_id, "agency_id": agency_id, "action_id": action_id, "due_on": due}
        candidates += _action_reminders(to, rules[plan_id], (due - today).days, f"action:{action_id}", about)
    for round_, action_id, agency_id in missing:
        about = {"plan_id": round_.plan_id, "agency_id": agency_id, "action_id": action_id,
                 "round_id": round_.id, "due_on": round_.deadline}
        candidates += _report_reminders(to, rules[round_.plan_id], (round_.deadline - today).days,
                                        f"round:{round_.id}:action:{action_id}", about)
    return candidates


def _longest(rules: dict[int, dict[str, list[int]]], kind: str) -> int:
    """The most days any plan's rules of ``kind`` look ahead (0 when none has such a rule)."""
    return max([d for r in rules.values() for d in r.get(kind, [])] or [0])


@dataclass(frozen=True)
class _Addressees:
    """Who a reminder goes to: an agency's active focal points, or the whole secretariat."""

    agencies: dict[int, list[tuple[int, str]]]
    secretariat: list[tuple[int, str]]

    def to_agency(self, rule: str, item: str, period: str, about: dict) -> list[Candidate]:
        return _addressed(rule, item, period, self.agencies.get(about["agency_id"], ()), about)

    def to_secretariat(self, rule: str, item: str, period: str, about: dict) -> list[Candidate]:
        return _addressed(rule, item, period, self.secretariat, about)


def _addressed(rule: str, item: str, period: str, recipients, about: dict) -> list[Candidate]:
    """One candidate per recipient; the key names the rule, the item, the period and the person."""
    return [
        Candidate(
            f"{rule}:{item}:{period}:{email}", rule, email, user_id, about["plan_id"], about["agency_id"],
            about.get("action_id"), about.get("round_id"), about.get("due_on"), period,
        )
        for user_id, email in recipients
    ]


def _action_reminders(to: _Addressees, plan_rules: dict, days_left: int, item: str, about: dict) -> list[Candidate]:
    """An action's reminders: due soon, or overdue (repeated) and escalated to the secretariat."""
    due = about["due_on"]
    if days_left >= 0:
        # The nearest threshold not yet passed: due in 20 days -> the 30-day reminder,
        # due in 5 -> the 7-day one. A day the scheduler missed is caught up, not lost.
        thresholds = sorted(d for d in plan_rules.get("due_soon", []) if d >= days_left)
        return to.to_agency("due_soon", item, f"{due}:d{thresholds[0]}", about) if thresholds else []
    days_over = -days_left
    found = []
    for every in plan_rules.get("overdue", []):
        period = days_over // every if every else 0
        found += to.to_agency("overdue", item, f"{due}:w{period}", about)
    for after in plan_rules.get("escalate_overdue", []):
        if days_over >= after:
            found += to.to_secretariat("escalate_overdue", item, f"{due}:{after}", about)
    return found


def _report_reminders(to: _Addressees, plan_rules: dict, days_left: int, item: str, about: dict) -> list[Candidate]:
    """A missing report's reminder before the round's deadline, and its escalations after it."""
    deadline = about["due_on"]
    found = []
    if days_left >= 0 and any(days_left <= d for d in plan_rules.get("missing_report", [])):
        found += to.to_agency("missing_report", item, str(deadline), about)
    for after in plan_rules.get("escalate_late_report", []):
        if -days_left > after:
            found += to.to_secretariat("escalate_late_report", item, f"{deadline}:{after}", about)
    return found


def digest_candidates(today: date) -> list[Candidate]:
    """This week's agency digests and secretariat summaries (one per recipient per ISO week)."""
    year, week, _ = today.isocalendar()
    period = f"{year}-W{week:02d}"
    candidates = []
    plan_ids = [p for (p,) in db.session.execute(select(Plan.id))]
    rules = rules_by_plan(plan_ids)
    digest_plans = [p for p in plan_ids if rules[p].get("agency_digest")]
    if digest_plans:
        agencies = db.session.scalars(
            open_actions()
            .with_only_columns(Action.lead_agency_id)
            .where(Action.plan_id.in_(digest_plans))
            .distinct()
        ).all()
        for agency_id, users in _agency_recipients(agencies).items():
            for user_id, email in users:
                candidates.append(Candidate(
                    f"agency_digest:agency:{agency_id}:{period}:{email}", "agency_digest", email, user_id,
                    None, agency_id, None, None, None, period,
                ))
    if any(rules[p].get("secretariat_summary") for p in plan_ids):
        for user_id, email in _secretariat_recipients():
            candidates.append(Candidate(
                f"secretariat_summary:{period}:{email}", "secretariat_summary", email, user_id,
                None, None, None, None, None, period,
            ))
    return candidates


# --- claiming and cancelling ----------------------------------------------------


def claim(candidates: list[Candidate], now: datetime) -> list[Reminder]:
    """Insert the candidates' keys; return only the reminders this call created.

    Two processes claiming the same key at once: the database lets one insert it and
    the other's insert does nothing, so exactly one of them sends it.
    """
    if not candidates:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    rows = [
        {
            "key": c.key, "rule": c.rule, "recipient": c.recipient, "plan_id": c.plan_id,
            "agency_id": c.agency_id, "action_id": c.action_id, "round_id": c.round_id,
            "due_on": c.due_on, "period": c.period, "cancelled": False, "created_at": now,
        }
        for c in {c.key: c for c in candidates}.values()
    ]
    # One statement compiled once and executed for all rows (SQLAlchemy batches them):
    # rows embedded in .values() were compiled afresh per batch, 30 s for 100,000 keys.
    statement = insert(Reminder).on_conflict_do_nothing(index_elements=["key"]).returning(Reminder.id)
    created_ids = list(db.session.scalars(statement, rows))
    if not created_ids:
        return []
    return list(db.session.scalars(select(Reminder).where(Reminder.id.in_(created_ids)).order_by(Reminder.id)))


def cancel_for_action(action: Action) -> int:
    """Cancel the action's reminders that have not gone out yet (due date moved, paused, closed).

    Messages left with nothing to say are cancelled; the others are composed again at
    delivery, without the cancelled items. Runs inside the caller's transaction.
    Returns how many reminders were cancelled.
    """
    pending = db.session.scalars(
        select(Reminder)
        .join(OutboxMessage, Reminder.message_id == OutboxMessage.id)
        .where(Reminder.action_id == action.id, Reminder.cancelled.is_(False), OutboxMessage.state == "pending")
    ).all()
    for reminder in pending:
        reminder.cancelled = True
    for message in {r.message for r in pending}:
        if all(r.cancelled for r in message.reminders):
            message.state = "cancelled"
    return len(pending)
