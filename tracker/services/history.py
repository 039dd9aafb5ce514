"""Timelines: status changes and events of a recommendation or action, in order.

The seed load's status rows are shown as what they are, "imported from the OECD (2018)
report", dated by when they took effect (the report's date), not by the load; the rows
themselves stay as recorded (history is never rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import insert, select

from tracker.extensions import db
from tracker.models import SEED_LOAD_LABEL, Event, StatusChange, User
from tracker.services.actors import shown_actors
from tracker.services.transaction import Actor
from tracker.webhooks.events import EVENT_KIND_EVENTS, queue_event, subject_data


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    summary: str
    who: str  # as the viewer the timeline was made for may know them (services.actors)
    reason: str | None
    details: dict = field(default_factory=dict)
    # When it took effect, if its source dates it before it was recorded (``at``).
    effective_on: date | None = None

    @property
    def day(self) -> date:
        """The day it took effect: its source's date, else the (UTC) day it was recorded."""
        if self.effective_on is not None:
            return self.effective_on
        return (self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)).astimezone(UTC).date()


def is_seed_load(change: StatusChange) -> bool:
    """Whether the seed load recorded this status change (no user; the seed's label)."""
    return change.changed_by_id is None and change.changed_by_label == SEED_LOAD_LABEL


def source_name(subject) -> str | None:
    """How a recommendation's or action's source report is cited in running text,
    ``OECD (2018)``: its own document's, else its plan's; None if neither is described."""
    for holder in (subject, getattr(subject, "plan", None)):
        details = getattr(holder, "source_details", None) if holder is not None else None
        if details is not None:
            return details.short_reference
    return None


def subject_type(subject) -> str:
    return type(subject).__name__.lower()


# A Core INSERT, built once, not an Event added to the session: nothing reads the new row
# back, and the ORM's flush of one object cost several times the statement (every report
# submission and status change records one).
_INSERT_EVENT = insert(Event.__table__)


def record_event(
    subject, kind: str, summary: str, *, actor: Actor, now: datetime,
    reason: str | None = None, details: dict | None = None,
) -> None:
    """Add an event to a recommendation's or action's timeline (in the caller's transaction)."""
    # Run by the session, in its transaction, so the data version sees the write.
    db.session.execute(_INSERT_EVENT, {
        "plan_id": subject.plan_id, "subject_type": subject_type(subject), "subject_id": subject.id,
        "kind": kind, "summary": summary, "details": details or {}, "reason": reason,
        "actor_id": actor.user_id, "actor_label": actor.label, "occurred_at": now,
    })
    if kind in EVENT_KIND_EVENTS:
        queue_event(EVENT_KIND_EVENTS[kind], plan_id=subject.plan_id, now=now, data={
            "subject": subject_data(subject), "summary": summary,
            "report_id": (details or {}).get("report_id"),
        })


def timeline(subject, viewer: User | None = None) -> list[TimelineEntry]:
    """Everything that happened to ``subject``, oldest first, with who did it as ``viewer``
    (None: the public) may know them."""
    kind = subject_type(subject)
    changes = db.session.scalars(
        select(StatusChange).where(StatusChange.subject_type == kind, StatusChange.subject_id == subject.id)
    ).all()
    events = db.session.scalars(
        select(Event).where(Event.subject_type == kind, Event.subject_id == subject.id)
    ).all()
    who = shown_actors(
        [(c.changed_by_id, c.changed_by_label) for c in changes] + [(e.actor_id, e.actor_label) for e in events],
        viewer,
    )
    entries = [
        _imported_entry(c, subject) if is_seed_load(c) else TimelineEntry(
            at=c.changed_at,
            kind="status",
            summary=_status_summary(c),
            who=who[(c.changed_by_id, c.changed_by_label)],
            reason=c.reason,
            effective_on=c.effective_on,
        )
        for c in changes
    ] + [
        TimelineEntry(at=e.occurred_at, kind=e.kind, summary=e.summary, who=who[(e.actor_id, e.actor_label)],
                      reason=e.reason, details=e.details)
        for e in events
    ]
    return sorted(entries, key=lambda e: (e.day, e.at))


def _imported_entry(change: StatusChange, subject) -> TimelineEntry:
    """A seed load's status row as one line: which report, and the status it gave.

    Pages word it ("Imported from the OECD (2018) report") from ``details``; the row's
    stored reason (once a seed file's name) is not shown.
    """
    return TimelineEntry(
        at=change.changed_at,
        kind="imported",
        summary=_status_summary(change),
        who="",
        reason=None,
        details={"source": source_name(subject), "status": change.new_status.label if change.new_status else
                 change.new_status_key, "percent": change.new_percent},
        effective_on=change.effective_on,
    )


def _status_summary(change: StatusChange) -> str:
    new = change.new_status.label if change.new_status else change.new_status_key
    text = f"Status set to {new}" if change.old_status is None else f"Status {change.old_status.label} → {new}"
    if change.new_percent is not None and change.old_percent != change.new_percent:
        text += f", {change.new_percent}% complete"
    return text
