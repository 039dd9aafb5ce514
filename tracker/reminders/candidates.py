"""Deciding which reminders are due, claiming them exactly once, and composing their messages.

A pass works in sets, never per action: one indexed query per rule kind finds the
actions and rounds that owe something as of ``now``, every candidate reminder gets a
unique key, and one ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` claims the new
ones. Whatever another process (or an earlier pass) claimed is skipped, so nothing
is sent twice; keys include the due date, so moving a due date re-arms its reminders.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template
from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    Action,
    OutboxMessage,
    Plan,
    ProgressReport,
    Reminder,
    ReminderRule,
    ReportingRound,
    Status,
    User,
)
from tracker.reminders.links import sign_report_link
from tracker.reminders.mail import one_line
from tracker.services.obligations import Obligations
from tracker.services.rounds import MissingReport
from tracker.services.transaction import atomic, write_transaction

AGENCY_RULES = ("due_soon", "overdue", "missing_report")
ESCALATIONS = ("escalate_overdue", "escalate_late_report")


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


@dataclass(frozen=True)
class LinkSettings:
    """What composing a message needs to build links in it."""

    base_url: str
    secret_key: str


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


def _open_actions():
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
    horizon = max([d for r in rules.values() for d in r.get("due_soon", [])] or [0])
    biggest_reminder_window = max([d for r in rules.values() for d in r.get("missing_report", [])] or [0])

    # Only two kinds of action can owe anything: due within the horizon, or overdue.
    # Both are ranges on the indexed due date, so actions owing nothing are never read.
    actions = db.session.execute(
        _open_actions().where(Action.due_date.is_not(None), Action.due_date <= today + timedelta(days=horizon))
    ).all()
    rounds = _reporting_rounds(today, biggest_reminder_window)
    missing = _missing_reports(rounds)

    agency_ids = {a.lead_agency_id for a in actions} | {agency for (_, _, agency) in missing}
    agencies = _agency_recipients(agency_ids)
    secretariat = _secretariat_recipients()
    candidates: list[Candidate] = []

    def to_agency(rule, agency_id, *, item, period, plan_id, action_id=None, round_id=None, due_on=None):
        for user_id, email in agencies.get(agency_id, ()):
            candidates.append(Candidate(
                f"{rule}:{item}:{period}:{email}", rule, email, user_id, plan_id, agency_id,
                action_id, round_id, due_on, period,
            ))

    def to_secretariat(rule, *, item, period, plan_id, agency_id, action_id=None, round_id=None, due_on=None):
        for user_id, email in secretariat:
            candidates.append(Candidate(
                f"{rule}:{item}:{period}:{email}", rule, email, user_id, plan_id, agency_id,
                action_id, round_id, due_on, period,
            ))

    for action_id, plan_id, agency_id, due in actions:
        plan_rules = rules[plan_id]
        days_left = (due - today).days
        item = f"action:{action_id}"
        if days_left >= 0:
            # The nearest threshold not yet passed: due in 20 days -> the 30-day reminder,
            # due in 5 -> the 7-day one. A day the scheduler missed is caught up, not lost.
            thresholds = sorted(d for d in plan_rules.get("due_soon", []) if d >= days_left)
            if thresholds:
                to_agency("due_soon", agency_id, item=item, period=f"{due}:d{thresholds[0]}",
                          plan_id=plan_id, action_id=action_id, due_on=due)
            continue
        days_over = -days_left
        for every in plan_rules.get("overdue", []):
            period = days_over // every if every else 0
            to_agency("overdue", agency_id, item=item, period=f"{due}:w{period}",
                      plan_id=plan_id, action_id=action_id, due_on=due)
        for after in plan_rules.get("escalate_overdue", []):
            if days_over >= after:
                to_secretariat("escalate_overdue", item=item, period=f"{due}:{after}", plan_id=plan_id,
                               agency_id=agency_id, action_id=action_id, due_on=due)

    for round_, action_id, agency_id in missing:
        plan_rules = rules[round_.plan_id]
        days_left = (round_.deadline - today).days
        item = f"round:{round_.id}:action:{action_id}"
        if days_left >= 0 and any(days_left <= d for d in plan_rules.get("missing_report", [])):
            to_agency("missing_report", agency_id, item=item, period=str(round_.deadline),
                      plan_id=round_.plan_id, action_id=action_id, round_id=round_.id, due_on=round_.deadline)
        for after in plan_rules.get("escalate_late_report", []):
            if -days_left > after:
                to_secretariat("escalate_late_report", item=item, period=f"{round_.deadline}:{after}",
                               plan_id=round_.plan_id, agency_id=agency_id, action_id=action_id,
                               round_id=round_.id, due_on=round_.deadline)
    return candidates


def _reporting_rounds(today: date, window: int) -> list[ReportingRound]:
    """Each plan's latest round that has opened, if its deadline is near or past."""
    latest = (
        select(ReportingRound.plan_id, func.max(ReportingRound.opens_on).label("opens_on"))
        .where(ReportingRound.opens_on <= today)
        .group_by(ReportingRound.plan_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ReportingRound)
            .join(latest, and_(ReportingRound.plan_id == latest.c.plan_id, ReportingRound.opens_on == latest.c.opens_on))
            .where(ReportingRound.deadline <= today + timedelta(days=window))
        )
    )


def _missing_reports(rounds: list[ReportingRound]) -> list[tuple[ReportingRound, int, int]]:
    """(round, action id, agency id) for open actions with no submitted or accepted report."""
    if not rounds:
        return []
    by_id = {r.id: r for r in rounds}
    reported = select(ProgressReport.id).where(
        ProgressReport.action_id == Action.id,
        ProgressReport.round_id == ReportingRound.id,
        ProgressReport.state.in_(("submitted", "accepted")),
    )
    rows = db.session.execute(
        select(ReportingRound.id, Action.id, Action.lead_agency_id)
        .join(Action, Action.plan_id == ReportingRound.plan_id)
        .join(Status, Action.status_key == Status.key)
        .where(
            ReportingRound.id.in_(by_id),
            Status.is_final.is_(False),
            Action.paused.is_(False),
            Action.lead_agency_id.is_not(None),
            ~reported.exists(),
        )
    ).all()
    return [(by_id[round_id], action_id, agency_id) for round_id, action_id, agency_id in rows]


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
            _open_actions()
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


# --- claiming and composing ---------------------------------------------------


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


def compose(reminders: list[Reminder], *, now: datetime, links: LinkSettings, user_ids: dict[str, int]) -> list[OutboxMessage]:
    """One outbox message per recipient for the reminders just claimed."""
    by_recipient: dict[tuple[str, str], list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_recipient[(reminder.recipient, _message_kind(reminder.rule))].append(reminder)
    messages = []
    for (recipient, kind), items in by_recipient.items():
        message = OutboxMessage(
            recipient=recipient, recipient_user_id=user_ids.get(recipient), kind=kind,
            subject="", message_id=_message_id(links.base_url), state="pending",
            attempts=0, next_attempt_at=now, created_at=now,
        )
        db.session.add(message)
        message.reminders = items
        messages.append(message)
    db.session.flush()
    render_all(messages, today=now.date(), links=links)
    return messages


def run_reminder_pass(now: datetime, *, links: LinkSettings, digests: bool = False) -> list[OutboxMessage]:
    """Claim and compose every reminder due at ``now`` (and the weekly digests if asked), in one transaction.

    Returns the new messages as detached snapshots: the pass may compose thousands,
    and keeping them in the session would make every later commit walk them all.
    """
    with atomic():
        write_transaction()
        candidates = due_candidates(now.date())
        if digests:
            candidates += digest_candidates(now.date())
        user_ids = {c.recipient: c.user_id for c in candidates if c.user_id}
        messages = compose(claim(candidates, now), now=now, links=links, user_ids=user_ids)
        db.session.flush()
        for message in messages:
            for reminder in message.reminders:
                db.session.expunge(reminder)
            db.session.expunge(message)
        return messages


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


# --- rendering ----------------------------------------------------------------

MESSAGE_KINDS = {
    "due_soon": "reminder", "overdue": "reminder", "missing_report": "reminder",
    "escalate_overdue": "escalation", "escalate_late_report": "escalation",
    "agency_digest": "agency_digest", "secretariat_summary": "secretariat_summary",
}


def _message_kind(rule: str) -> str:
    return MESSAGE_KINDS[rule]


def _message_id(base_url: str) -> str:
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "tracker.local"
    return f"<{secrets.token_hex(16)}@{host}>"


@dataclass
class RenderData:
    """Everything the messages of one batch refer to, loaded with one query per kind."""

    users: dict[int, User]
    actions: dict[int, Action]
    digests: dict[int, Obligations]
    summary: Summary | None


def render_all(messages: list[OutboxMessage], *, today: date, links: LinkSettings) -> None:
    """Compose the subject and bodies of ``messages`` from their live reminders."""
    if not messages:
        return
    user_ids = {m.recipient_user_id for m in messages if m.recipient_user_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    action_ids = {r.action_id for m in messages for r in m.reminders if r.action_id}
    actions = {
        a.id: a for a in db.session.scalars(
            select(Action).where(Action.id.in_(action_ids))
            .options(selectinload(Action.plan), selectinload(Action.lead_agency))
        )
    } if action_ids else {}
    digest_agencies = {users[m.recipient_user_id].agency_id for m in messages
                       if m.kind == "agency_digest" and m.recipient_user_id in users}
    data = RenderData(
        users=users,
        actions=actions,
        digests=open_items_by_agency(today, digest_agencies) if digest_agencies else {},
        summary=secretariat_summary(today) if any(m.kind == "secretariat_summary" for m in messages) else None,
    )
    for message in messages:
        render(message, today=today, links=links, data=data)


def render(message: OutboxMessage, *, today: date, links: LinkSettings, data: RenderData) -> None:
    """Write one message's subject and its text and HTML bodies."""
    context = _context(message, [r for r in message.reminders if not r.cancelled], today=today, links=links, data=data)
    message.subject = one_line(render_template(f"email/{message.kind}.subject.txt", **context))
    message.body_text = render_template(f"email/{message.kind}.txt", **context)
    message.body_html = render_template(f"email/{message.kind}.html", **context)


def _context(message: OutboxMessage, items: list[Reminder], *, today: date, links: LinkSettings, data: RenderData) -> dict:
    user = data.users.get(message.recipient_user_id)
    can_link = user is not None and user.role == "agency"
    rows = []
    for reminder in items:
        action = data.actions.get(reminder.action_id)
        row = {"reminder": reminder, "action": action, "rule": reminder.rule, "due_on": reminder.due_on}
        if action is not None and can_link:
            token = sign_report_link(links.secret_key, user, action)
            row["report_url"] = f"{links.base_url}/r/{token}"
            row["no_change_url"] = f"{links.base_url}/r/{token}/no-change"
        if action is not None:
            row["action_url"] = f"{links.base_url}/plans/{action.plan.slug}/actions/{action.code}"
        rows.append(row)
    context = {
        "message": message, "items": rows, "today": today, "base_url": links.base_url, "user": user,
        "format_date": format_date,
    }
    if message.kind == "agency_digest" and user is not None and user.agency_id:
        owed = data.digests.get(user.agency_id)
        context["owed"] = owed
        context["agency"] = user.agency
        context["report_urls"] = {
            a.id: f"{links.base_url}/r/{sign_report_link(links.secret_key, user, a)}"
            for a in (owed.actions if owed else [])
        }
    if message.kind == "secretariat_summary":
        context["summary"] = data.summary
    return context


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
    missing = _missing_reports(_reporting_rounds(today, 3660))
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


def format_date(value: date | None) -> str:
    """Dates as people read them in mail: "Thursday 31 December 2026"."""
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


@dataclass(frozen=True)
class Summary:
    overdue: int
    due_in_30_days: int
    awaiting_review: int
    late_reports: int


def secretariat_summary(today: date) -> Summary:
    """The week's headline figures for the secretariat."""
    overdue = db.session.scalar(
        select(func.count()).select_from(_open_actions().where(Action.due_date < today).subquery())
    )
    soon = db.session.scalar(
        select(func.count()).select_from(
            _open_actions().where(Action.due_date >= today, Action.due_date <= today + timedelta(days=30)).subquery()
        )
    )
    awaiting = db.session.scalar(select(func.count()).where(ProgressReport.state == "submitted"))
    late = sum(1 for r, _, _ in _missing_reports(_reporting_rounds(today, 0)) if r.deadline < today)
    return Summary(overdue or 0, soon or 0, awaiting or 0, late)

