"""The reminder pass: claim every reminder due now and compose its messages, in one transaction."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment

from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.reminders.candidates import claim, digest_candidates, due_candidates
from tracker.reminders.compose import LinkSettings, compose
from tracker.services.transaction import atomic, write_transaction


def run_reminder_pass(
    now: datetime, *, links: LinkSettings, templates: Environment, digests: bool = False,
) -> list[OutboxMessage]:
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
        messages = compose(claim(candidates, now), now=now, links=links, templates=templates, user_ids=user_ids)
        db.session.flush()
        for message in messages:
            for reminder in message.reminders:
                db.session.expunge(reminder)
            db.session.expunge(message)
        return messages
