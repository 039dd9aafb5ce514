"""The status vocabulary and the audit trail of status changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Status, StatusChange
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import Actor
from tracker.services.validation import validated
from tracker.webhooks.events import queue_event, subject_data


def status_vocabulary() -> list[Status]:
    """All statuses in display order."""
    return list(db.session.scalars(select(Status).order_by(Status.position)))


def final_status() -> Status | None:
    """The first final status still offered (by default *Fully achieved*), or None."""
    return db.session.scalars(
        select(Status).where(Status.is_final.is_(True), Status.retired.is_(False)).order_by(Status.position)
    ).first()


def require_status(key: str | None, field: str = "status") -> Status:
    """The status with ``key``, or ``ValidationFailed`` listing the known keys."""
    status = db.session.get(Status, key) if key else None
    if status is None:
        known = ", ".join(s.key for s in status_vocabulary())
        raise ValidationFailed({field: [f"Unknown status {key!r}; use one of: {known}."]})
    return status


def validated_with_status(schema, data) -> dict:
    """Load ``data`` with ``schema`` and check its status key, reporting both kinds of problem at once.

    The vocabulary is data, so the schema cannot know it; checking it here as well
    means a form or a spreadsheet row gets every problem in one go.
    """
    errors: dict = {}
    fields = None
    try:
        fields = validated(schema, data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    status_key = data.get("status") if isinstance(data, dict) else None
    if "status" not in errors and isinstance(status_key, str) and status_key.strip():
        try:
            require_status(status_key.strip())
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return fields


def record_status_change(
    subject,
    *,
    old_status_key: str | None,
    new_status_key: str,
    actor: Actor,
    now: datetime,
    reason: str,
    old_percent: int | None = None,
    new_percent: int | None = None,
    effective_on: date | None = None,
) -> StatusChange:
    """Add a StatusChange row for a recommendation or action (within the caller's transaction).

    ``effective_on``: the day the change took effect in the world, when its source dates
    it earlier than ``now`` (a seeded status holds from its report's date); None: now.
    """
    change = StatusChange(
        plan_id=subject.plan_id,
        subject_type=type(subject).__name__.lower(),
        subject_id=subject.id,
        old_status_key=old_status_key,
        new_status_key=new_status_key,
        old_percent=old_percent,
        new_percent=new_percent,
        changed_by_id=actor.user_id,
        changed_by_label=actor.label,
        changed_at=now,
        effective_on=effective_on,
        reason=reason,
    )
    db.session.add(change)
    if old_status_key != new_status_key or old_percent != new_percent:
        queue_event("status.changed", plan_id=subject.plan_id, now=now, data={
            "subject": subject_data(subject), "old_status": old_status_key, "new_status": new_status_key,
            "old_percent": old_percent, "new_percent": new_percent, "reason": reason,
        })
    return change


def history(subject) -> list[StatusChange]:
    """The status changes of a recommendation or action, oldest first."""
    return list(
        db.session.scalars(
            select(StatusChange)
            .where(
                StatusChange.subject_type == type(subject).__name__.lower(),
                StatusChange.subject_id == subject.id,
            )
            .order_by(StatusChange.changed_at, StatusChange.id)
        )
    )
