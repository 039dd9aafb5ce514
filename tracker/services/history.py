"""Timelines: status changes and events of a recommendation or action, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Event, StatusChange, User
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


def subject_type(subject) -> str:
    return type(subject).__name__.lower()


def record_event(
    subject, kind: str, summary: str, *, actor: Actor, now: datetime,
    reason: str | None = None, details: dict | None = None,
) -> Event:
    """Add an event to a recommendation's or action's timeline (in the caller's transaction)."""
    event = Event(
        plan_id=subject.plan_id,
        subject_type=subject_type(subject),
        subject_id=subject.id,
        kind=kind,
        summary=summary,
        details=details or {},
        reason=reason,
        actor_id=actor.user_id,
        actor_label=actor.label,
        occurred_at=now,
    )
    db.session.add(event)
    if kind in EVENT_KIND_EVENTS:
        queue_event(EVENT_KIND_EVENTS[kind], plan_id=subject.plan_id, now=now, data={
            "subject": subject_data(subject), "summary": summary,
            "report_id": (details or {}).get("report_id"),
        })
    return event


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
        TimelineEntry(
            at=c.changed_at,
            kind="status",
            summary=_status_summary(c),
            who=who[(c.changed_by_id, c.changed_by_label)],
            reason=c.reason,
        )
        for c in changes
    ] + [
        TimelineEntry(at=e.occurred_at, kind=e.kind, summary=e.summary, who=who[(e.actor_id, e.actor_label)],
                      reason=e.reason, details=e.details)
        for e in events
    ]
    return sorted(entries, key=lambda e: e.at)


def _status_summary(change: StatusChange) -> str:
    new = change.new_status.label if change.new_status else change.new_status_key
    text = f"Status set to {new}" if change.old_status is None else f"Status {change.old_status.label} → {new}"
    if change.new_percent is not None and change.old_percent != change.new_percent:
        text += f", {change.new_percent}% complete"
    return text
