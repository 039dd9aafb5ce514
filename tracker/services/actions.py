"""Actions: recording them with owners, dates, milestones and the recommendations they serve."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Action, Milestone, Plan
from tracker.schemas.action import ActionInput
from tracker.services.agencies import find_agency
from tracker.services.errors import ValidationFailed
from tracker.services.plans import assign, find_area
from tracker.services.recommendations import find_recommendation
from tracker.services.statuses import record_status_change, require_status, validated_with_status
from tracker.services.transaction import Actor, atomic


def find_action(plan: Plan, code: str) -> Action | None:
    return db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.code == code)
    ).first()


def create_action(plan: Plan, data: dict, *, actor: Actor, now: datetime) -> Action:
    """Record an action in ``plan``; its code must be new in the plan."""
    fields = validated_with_status(ActionInput(), data)
    with atomic():
        if find_action(plan, fields["code"]):
            raise ValidationFailed({"code": ["This code is already used in this plan."]})
        action, _ = _save(plan, None, fields, actor=actor, now=now, reason="Recorded.")
        return action


def save_action(
    plan: Plan, data: dict, *, actor: Actor, now: datetime, reason: str
) -> tuple[Action, bool]:
    """Create or update the action with this code; returns (action, changed)."""
    fields = validated_with_status(ActionInput(), data)
    with atomic():
        return _save(plan, find_action(plan, fields["code"]), fields, actor=actor, now=now, reason=reason)


def _save(plan, action, fields, *, actor, now, reason) -> tuple[Action, bool]:
    errors: dict[str, list[str]] = {}
    status = require_status(fields.pop("status"))

    area_code = fields.pop("area")
    area = find_area(plan, area_code) if area_code else None
    if area_code and area is None:
        errors["area"] = [f"Unknown area {area_code!r} in this plan."]

    lead_key = fields.pop("lead_agency")
    lead = find_agency(plan.country, lead_key) if lead_key else None
    if lead_key and lead is None:
        errors["lead_agency"] = [f"Unknown agency {lead_key!r}."]

    supporting = []
    for key in fields.pop("supporting_agencies"):
        agency = find_agency(plan.country, key)
        if agency is None:
            errors.setdefault("supporting_agencies", []).append(f"Unknown agency {key!r}.")
        else:
            supporting.append(agency)

    recommendations = []
    for code in fields.pop("recommendations"):
        rec = find_recommendation(plan, code)
        if rec is None:
            errors.setdefault("recommendations", []).append(f"Unknown recommendation {code!r}.")
        else:
            recommendations.append(rec)
    if errors:
        raise ValidationFailed(errors)

    milestones = fields.pop("milestones")
    old_status, old_percent = (action.status_key, action.percent_complete) if action else (None, None)
    changed = action is None
    if action is None:
        action = Action(plan=plan, status=status, updated_at=now, **fields)
        db.session.add(action)
    else:
        changed |= assign(action, fields)
    changed |= _set_if_differs(action, "area", area)
    changed |= _set_if_differs(action, "lead_agency", lead)
    changed |= _replace_if_differs(action, "supporting_agencies", supporting)
    changed |= _replace_if_differs(action, "recommendations", recommendations)
    changed |= _replace_milestones(action, milestones)
    if old_status != status.key:
        action.status = status
    if changed:
        action.updated_at = now
    db.session.flush()
    if old_status != status.key or old_percent != action.percent_complete:
        record_status_change(
            action, old_status_key=old_status, new_status_key=status.key,
            old_percent=old_percent, new_percent=action.percent_complete,
            actor=actor, now=now, reason=reason,
        )
    return action, changed


def _set_if_differs(obj, name, value) -> bool:
    if getattr(obj, name) is value:
        return False
    setattr(obj, name, value)
    return True


def _replace_if_differs(obj, name, items) -> bool:
    if {i.id for i in getattr(obj, name)} == {i.id for i in items}:
        return False
    setattr(obj, name, items)
    return True


def _replace_milestones(action: Action, milestones: list[dict]) -> bool:
    current = sorted((m.due_date, m.title, m.achieved_on) for m in action.milestones)
    wanted = sorted((m["due_date"], m["title"], m["achieved_on"]) for m in milestones)
    if current == wanted:
        return False
    action.milestones = [Milestone(**m) for m in milestones]
    return True
