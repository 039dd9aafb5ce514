"""Delivering outbox messages: claim one, send it, record the outcome; retry failures with back-off.

A message is claimed by moving it from ``pending`` to ``sending`` in one conditional
UPDATE; only the process whose UPDATE changed the row sends it. A failure puts it
back to ``pending`` with its error and a later ``next_attempt_at``. A message that
itself fails (it cannot be built, or the server refuses it) ``MAX_FAILURES`` times is
marked ``failed`` with its reason for admins to see, so it never holds up the others;
a server that cannot be reached is not the message's fault and is simply retried.
With no SMTP server configured, messages are ``kept`` for admins to read.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta

from jinja2 import Environment
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import OutboxMessage, Reminder
from tracker.reminders.compose import LinkSettings, render_all
from tracker.reminders.mail import MailSettings, SmtpConnection, build_email
from tracker.services.transaction import write_transaction

# A claim older than this is taken to belong to a process that died mid-send.
# Failures of a message's own (see ``_send``) after which it is given up as ``failed``.
MAX_FAILURES = 5
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4, 8 ... minutes, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_pending(
    now: datetime, *, mail: MailSettings, links: LinkSettings, templates: Environment, worker: str,
    limit: int = 5000, stop: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Send (or keep) every pending message whose time has come; returns counts by outcome.

    ``stop`` is asked before each message: once it says so, the message in hand has
    been sent and recorded, and the rest stay pending (counted as ``left``) for the
    next pass. That is how a scheduler asked to stop (SIGTERM) loses and repeats nothing.

    Works on rows, not ORM objects: a pass may deliver thousands of messages, and
    each commit would otherwise walk every object loaded so far.
    """
    _release_stale_claims(now)
    write_transaction()  # recomposing below may write
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    _recompose_changed(due, now, links, templates)
    db.session.commit()
    outcome = {"sent": 0, "kept": 0, "failed": 0, "skipped": 0, "left": 0}
    if not mail.server:
        # No SMTP: every due message goes to the app's outbox in one statement.
        write_transaction()
        kept = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due), OutboxMessage.state == "pending")
            .values(state="kept", sent_at=now, attempts=OutboxMessage.attempts + 1)
        )
        db.session.commit()
        outcome["kept"] = kept.rowcount
        outcome["skipped"] = len(due) - kept.rowcount
        return outcome
    connection = SmtpConnection(mail)
    try:
        for index, message_id in enumerate(due):
            if stop():
                outcome["left"] = len(due) - index
                break
            row = claim_queued(OutboxMessage, message_id, worker, now,
                               select(*EMAIL_COLUMNS).where(OutboxMessage.id == message_id))
            if row is None:
                outcome["skipped"] += 1
                continue
            error, counts = _send(connection, mail, row)
            if error is None:
                values = {"state": "sent", "sent_at": now, "claimed_by": None,
                          "attempts": row.attempts + 1, "last_error": None}
                outcome["sent"] += 1
            else:
                values = _retry_or_give_up(row, error, now, counts=counts)
                outcome["failed"] += 1
            write_transaction()
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
            db.session.commit()
    finally:
        connection.close()
    return outcome


def _send(connection: SmtpConnection, mail: MailSettings, row) -> tuple[str | None, bool]:
    """Build and send one message: (None, _) when sent, else (the reason, whether it counts).

    A failure counts against the message when the message itself is at fault: it cannot
    be built, or the server answered and refused it. An unreachable server does not count.
    """
    try:
        email = build_email(mail, row)
    except Exception as exc:  # noqa: BLE001 (any fault in one message must not stop the others)
        return f"could not be built: {type(exc).__name__}: {exc}", True
    try:
        connection.send(email)
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
        return f"refused by the mail server: {_smtp_reason(exc)}", True
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}", False
    return None, False


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items())
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _retry_or_give_up(row, error: str, now: datetime, *, counts: bool) -> dict:
    """The row values after a failed attempt: pending again after a back-off, or failed for good."""
    attempts, failures = row.attempts + 1, row.failures + counts
    values = {"claimed_by": None, "attempts": attempts, "failures": failures, "last_error": error[:2000]}
    if failures >= MAX_FAILURES:
        return {**values, "state": "failed"}
    return {**values, "state": "pending", "next_attempt_at": now + backoff(attempts)}


EMAIL_COLUMNS = (
    OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html,
    OutboxMessage.message_id, OutboxMessage.created_at, OutboxMessage.attempts, OutboxMessage.failures,
    OutboxMessage.headers,
)


def _recompose_changed(message_ids: list[int], now: datetime, links: LinkSettings, templates: Environment) -> None:
    """Compose again the messages that lost a reminder since they were written (one was cancelled)."""
    changed = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.reminders.any(Reminder.cancelled.is_(True)))
        .options(selectinload(OutboxMessage.reminders))
    ).all()
    render_all(list(changed), today=now.date(), links=links, templates=templates)


def claim_queued(model, row_id: int, worker: str, now: datetime, read):
    """Move one queued row (an outbox message, a webhook delivery) from pending to sending.

    ``read``'s row if this process won it, else None (another scheduler did). One
    transaction, the queue's only claim rule.
    """
    # Take the write lock first (SQLite): reading and then writing would otherwise fail
    # while another process writes, instead of waiting its turn.
    write_transaction()
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, model.state == "pending")
        .values(state="sending", claimed_by=worker, claimed_at=now)
    )
    row = db.session.execute(read).one() if result.rowcount == 1 else None
    db.session.commit()
    return row


STALE_CLAIM_ERROR = "the process sending it stopped before recording the outcome"


def _release_stale_claims(now: datetime) -> None:
    """Give messages claimed by a process that died back to the queue, as a failed attempt.

    Counting it as the message's failure means a message that kills its sender every
    time is given up after ``MAX_FAILURES`` instead of being claimed again every ten
    minutes for ever.
    """
    write_transaction()
    stale = (OutboxMessage.state == "sending", OutboxMessage.claimed_at < now - STALE_CLAIM)
    counted = {"claimed_by": None, "attempts": OutboxMessage.attempts + 1,
               "failures": OutboxMessage.failures + 1, "last_error": STALE_CLAIM_ERROR}
    db.session.execute(
        update(OutboxMessage)
        .where(*stale, OutboxMessage.failures + 1 >= MAX_FAILURES)
        .values(state="failed", **counted)
    )
    db.session.execute(
        update(OutboxMessage).where(*stale).values(state="pending", next_attempt_at=now, **counted)
    )
    db.session.commit()
