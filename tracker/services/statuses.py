"""The status vocabulary and the audit trail of status changes.

The vocabulary is data an administrator edits (``/admin/statuses``): add, rename,
recolour, reorder, set the default percent, map to the OGP IRM completion scale, retire.
A status in use is never deleted: retired, it stays on the records that have it and is
offered no more. Every write moves the data version, so cached charts and pages change at once.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select

from tracker.charts.palette import MIN_CONTRAST_ON_WHITE, MIN_DISTANCE, contrast_ratio, distance
from tracker.extensions import db
from tracker.models import Status, StatusChange
from tracker.models.translations import with_translations_applied
from tracker.schemas.status import NewStatusInput, StatusInput
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import Actor, atomic
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


def offered_statuses(current: str | None = None) -> list[Status]:
    """The statuses a form offers, in display order: those not retired, and ``current``
    (an item keeps its retired status, so its form still shows it)."""
    return [s for s in status_vocabulary() if not s.retired or s.key == current]


def require_status(key: str | None, field: str = "status", *, current=...) -> Status:
    """The status with ``key``, or ``ValidationFailed`` listing the statuses offered.

    ``current``: the status the item has now, when ``key`` is to be given to it: a retired
    status is refused unless the item already has it (left out: any status is accepted,
    e.g. as a filter).
    """
    status = db.session.get(Status, key) if key else None
    if status is None:
        known = ", ".join(s.key for s in offered_statuses())
        raise ValidationFailed({field: [gettext("Unknown status %(key)r; use one of: %(known)s.", key=key, known=known)]})
    if current is not ... and status.retired and status.key != current:
        known = ", ".join(s.key for s in offered_statuses())
        raise ValidationFailed({field: [gettext("The status %(label)r is retired; use one of: %(known)s.", label=status.label, known=known)]})
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


# --- editing the vocabulary ----------------------------------------------------------


def create_status(data: dict) -> Status:
    """Add a status to the vocabulary (last in order unless a position is given)."""
    fields = validated(NewStatusInput(), data)
    fields["colour"] = fields["colour"].lower()
    with atomic():
        errors = _colour_problems(fields["colour"], None)
        if db.session.get(Status, fields["key"]) is not None:
            errors["key"] = [gettext("This key is already used by another status.")]
        if errors:
            raise ValidationFailed(errors)
        if not fields["position"]:
            fields["position"] = max((s.position for s in status_vocabulary()), default=0) + 1
        status = Status(**with_translations_applied(None, fields))
        db.session.add(status)
        db.session.flush()
        return status


def update_status(status: Status, data: dict) -> Status:
    """Rename, recolour, remap, retire or bring back a status; its key never changes.

    The last final status still offered cannot be retired or made non-final: a plan
    needs a way to say a recommendation is done.
    """
    fields = validated(StatusInput(), {"position": status.position, **data})
    fields["colour"] = fields["colour"].lower()
    with atomic():
        errors = _colour_problems(fields["colour"], status.key)
        others_final = [s for s in status_vocabulary() if s.is_final and not s.retired and s.key != status.key]
        if status.is_final and not status.retired and (fields["retired"] or not fields["is_final"]) and not others_final:
            errors["retired" if fields["retired"] else "is_final"] = [
                gettext("This is the only final status offered: add or bring back another before changing it.")]
        if errors:
            raise ValidationFailed(errors)
        for name, value in with_translations_applied(status, fields).items():
            setattr(status, name, value)
        db.session.flush()
        return status


def move_status(status: Status, offset: int) -> list[Status]:
    """Move a status ``offset`` places up (negative) or down the order; returns the new order."""
    order = status_vocabulary()
    index = order.index(status)
    target = min(max(index + offset, 0), len(order) - 1)
    with atomic():
        order.insert(target, order.pop(index))
        for position, item in enumerate(order, start=1):
            item.position = position
        db.session.flush()
        return order


def status_uses(status: Status) -> int:
    """How many rows name the status (recommendations, actions, history, reports, assessments)."""
    total = 0
    for table in db.metadata.tables.values():
        for fk in table.foreign_keys:
            if fk.column.table.name == "statuses" and fk.column.name == "key":
                total += db.session.scalar(
                    select(db.func.count()).select_from(table).where(fk.parent == status.key))
    return total


def delete_status(status: Status) -> None:
    """Remove a status nothing names; one in use is refused (retire it instead)."""
    with atomic():
        if status_uses(status):
            raise ValidationFailed({"status": [
                gettext("The status %(label)r is in use, so it cannot be deleted: retire it instead.", label=status.label)]})
        db.session.delete(status)
        db.session.flush()


def _colour_problems(colour: str, key: str | None) -> dict[str, list[str]]:
    """Whether ``colour`` shows on the white page and stands apart from the other statuses'."""
    colour = colour.lower()
    if contrast_ratio(colour, "#ffffff") < MIN_CONTRAST_ON_WHITE:
        return {"colour": [(f"This colour is too light to see on the white page (contrast "
                           f"{contrast_ratio(colour, '#ffffff'):.1f}:1, at least {MIN_CONTRAST_ON_WHITE}:1 needed).")]}
    for other in status_vocabulary():
        if other.key != key and not other.retired and distance(colour, other.colour.lower()) < MIN_DISTANCE:
            return {"colour": [(f"This colour is too close to that of {other.label!r} ({other.colour}): "
                               "people could not tell the two apart. Pick another from the palette.")]}
    return {}
