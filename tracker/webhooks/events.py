"""Queueing webhook deliveries in the transaction of the event they tell of.

Called from the services where the events happen (``record_event``, ``record_status_change``,
the rounds) and from the scheduler for ``action.overdue``. Nothing is sent here: a delivery
row is added to the session, so it is committed with the event or rolled back with it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime

from sqlalchemy import Integer, String, Text, bindparam, cast, exists, insert, literal, or_, select

from tracker.extensions import db
from tracker.models import Action, Plan, Status, WebhookDelivery, WebhookEndpoint
from tracker.models.types import UTCDateTime
from tracker.services.transaction import atomic

# Timeline event kinds that are webhook events, by the name receivers see.
EVENT_KIND_EVENTS = {
    "report_submitted": "report.submitted",
    "report_accepted": "report.accepted",
    "report_returned": "report.returned",
}


_ENDPOINTS = WebhookEndpoint.__table__
_DELIVERIES = WebhookDelivery.__table__
# Built once: queue_event runs in every report submission and status change, and building
# this statement (and its cache key) cost several times running it. A Core statement on the
# tables, so no ORM bulk-insert machinery runs either; the values are bound per call.
_QUEUE = insert(_DELIVERIES).from_select(
    ["endpoint_id", "event_id", "event", "body", "state", "attempts", "next_attempt_at", "created_at"],
    select(
        _ENDPOINTS.c.id, bindparam("event_id", type_=String), bindparam("event", type_=String),
        bindparam("body", type_=Text), literal("pending", String), literal(0, Integer),
        bindparam("now", type_=UTCDateTime), bindparam("now", type_=UTCDateTime),
    ).where(
        _ENDPOINTS.c.active.is_(True),
        or_(_ENDPOINTS.c.plan_id.is_(None), _ENDPOINTS.c.plan_id == bindparam("plan_id")),
        cast(_ENDPOINTS.c.events, Text).like(bindparam("listed", type_=String)),
        ~exists(select(_DELIVERIES.c.id).where(
            _DELIVERIES.c.endpoint_id == _ENDPOINTS.c.id, _DELIVERIES.c.event_id == bindparam("event_id"))),
    ),
).returning(_DELIVERIES.c.id)


def queue_event(event: str, *, plan_id: int, data: dict, now: datetime, event_id: str | None = None) -> int:
    """Queue ``event`` for every active endpoint that wants it (global or of the plan);
    returns how many deliveries were queued.

    ``event_id`` names the event (the same for every endpoint and every retry); an event
    that may be noticed more than once (``action.overdue``) passes a stable one, and an
    endpoint that already has it is skipped.

    One ``INSERT ... SELECT`` whatever the number of endpoints, none of them included: this
    runs inside report submission and every status change, which must stay a handful of
    statements (tests/api/test_reports.py counts them).
    """
    event_id = event_id or uuid.uuid4().hex
    # No autoflush: this runs in the middle of other operations, whose objects may not be
    # ready to be written yet; the statement below needs none of them.
    with db.session.no_autoflush:
        plan = db.session.get(Plan, plan_id)  # loaded already by the operation, as a rule
        body = json.dumps({
            "id": event_id,
            "event": event,
            "occurred_at": now.isoformat(),
            "plan": {"id": plan_id, "slug": plan.slug if plan else None},
            "data": data,
        }, sort_keys=True, default=_json_value)
        result = db.session.execute(_QUEUE, {
            "event_id": event_id, "event": event, "body": body, "now": now, "plan_id": plan_id,
            # The events are a JSON list of names: '["round.opened", "status.changed"]'.
            "listed": f'%"{event}"%',
        })
        # RETURNING, not rowcount: psycopg gives -1 for an INSERT ... SELECT.
        return len(result.all())


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def subject_data(subject) -> dict:
    """What a payload says of a recommendation or an action: enough to find it, no more."""
    kind = type(subject).__name__.lower()
    return {"type": kind, "id": subject.id, "code": subject.code}


def queue_overdue_actions(now: datetime) -> int:
    """Queue ``action.overdue`` once per action and due date, for actions past due today.

    The event id holds the due date: moving the date and missing it again is a new event.
    """
    with atomic():
        return _queue_overdue(now)


def _queue_overdue(now: datetime) -> int:
    today = now.date()
    wanted = [e for e in db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
              if "action.overdue" in (e.events or [])]
    if not wanted:
        return 0
    rows = db.session.execute(
        select(Action.id, Action.plan_id, Action.code, Action.due_date, Action.status_key)
        .join(Status, Action.status_key == Status.key)
        .where(Action.due_date.is_not(None), Action.due_date < today, Status.is_final.is_(False))
        .order_by(Action.id)
    ).all()
    queued = 0
    for row in rows:
        queued += queue_event(
            "action.overdue", plan_id=row.plan_id, now=now,
            event_id=f"action-overdue-{row.id}-{row.due_date.isoformat()}",
            data={"action": {"type": "action", "id": row.id, "code": row.code},
                  "due_date": row.due_date, "status": row.status_key,
                  "days_overdue": (today - row.due_date).days},
        )
    return queued
