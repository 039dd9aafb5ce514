"""Composing reminder messages: one outbox message per recipient, written from templates.

Templates are the ``email/`` Jinja templates, passed in as an environment by the
caller (the scheduler's job passes the app's), so composing needs no request or app
global. Each message is written in its recipient's language (``users.locale``), under
Flask-Babel's ``force_locale``; dates and numbers follow it (``tracker.formats``). A message is composed when its reminders are claimed and again at delivery
if one of its reminders was cancelled meanwhile (``outbox``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.formats import DEFAULT_LOCALE
from tracker.models import Action, OutboxMessage, Reminder, User
from tracker.reminders.digests import Summary, secretariat_summary
from tracker.reminders.links import sign_report_link
from tracker.reminders.mail import one_line
from tracker.services.obligations import Obligations, obligations


@dataclass(frozen=True)
class LinkSettings:
    """What composing a message needs to build links in it."""

    base_url: str
    secret_key: str


def compose(
    reminders: list[Reminder], *, now: datetime, links: LinkSettings, templates: Environment, user_ids: dict[str, int],
) -> list[OutboxMessage]:
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
    render_all(messages, today=now.date(), links=links, templates=templates)
    return messages


# What a weekly digest lists ahead of today: actions due within this many days.
DIGEST_HORIZON_DAYS = 30

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


def render_all(messages: list[OutboxMessage], *, today: date, links: LinkSettings, templates: Environment) -> None:
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
        digests=obligations(digest_agencies, today, horizon=DIGEST_HORIZON_DAYS),
        summary=secretariat_summary(today) if any(m.kind == "secretariat_summary" for m in messages) else None,
    )
    for message in messages:
        render(message, today=today, links=links, templates=templates, data=data)


def render(
    message: OutboxMessage, *, today: date, links: LinkSettings, templates: Environment, data: RenderData,
) -> None:
    """Write one message's subject and its text and HTML bodies, in the recipient's language."""
    context = _context(message, [r for r in message.reminders if not r.cancelled], today=today, links=links, data=data)

    def written(name: str) -> str:
        return templates.get_template(f"email/{message.kind}{name}").render(context)

    with force_locale(mail_locale(data.users.get(message.recipient_user_id))):
        message.subject = one_line(written(".subject.txt"))
        message.body_text = written(".txt")
        message.body_html = written(".html")


def mail_locale(user: User | None) -> str:
    """The language of a mail to ``user``: the account's, else English (an address with no
    account, such as a secretariat's shared one, reads the source reports' language)."""
    return (user.locale if user is not None else None) or DEFAULT_LOCALE


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
        "message": message, "items": rows, "actions": by_action(rows), "today": today,
        "base_url": links.base_url, "user": user,
    }
    if message.kind == "agency_digest" and user is not None and user.agency_id:
        owed = data.digests.get(user.agency_id)
        context["owed"] = owed
        context["agency"] = user.agency
        context["report_urls"] = {
            a.id: f"{links.base_url}/r/{sign_report_link(links.secret_key, user, a)}"
            for a in ([entry.action for entry in owed.by_action()] if owed else [])
        }
    if message.kind == "secretariat_summary":
        context["summary"] = data.summary
    return context


# The order in which one action's items are listed: what is late before what is coming.
_RULE_ORDER = {"overdue": 0, "escalate_overdue": 0, "escalate_late_report": 1, "missing_report": 1, "due_soon": 2}


def by_action(rows: list[dict]) -> list[dict]:
    """The message's items, one entry per action with everything owed on it.

    An action overdue and without its report for the round is one entry with two lines
    under it and one set of links, not two entries (issue 15: 12 lines for 6 actions).
    Entries keep the order of their first item; items without an action stand alone.
    """
    entries: dict[object, dict] = {}
    for row in rows:
        action = row.get("action")
        key = action.id if action is not None else ("item", row["reminder"].id)
        entry = entries.setdefault(key, {
            "action": action, "owed": [],
            **{k: row[k] for k in ("report_url", "no_change_url", "action_url") if k in row},
        })
        entry["owed"].append(row)
    for entry in entries.values():
        entry["owed"].sort(key=lambda row: (_RULE_ORDER.get(row["rule"], 9), row["due_on"] or date.max))
    return list(entries.values())
