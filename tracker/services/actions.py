"""Actions: recording them with owners, dates, milestones and the recommendations they serve."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import Action, Milestone, Plan
from tracker.models.translations import merged, with_translations_applied
from tracker.reminders.candidates import cancel_for_action
from tracker.schemas.action import ActionInput
from tracker.schemas.report import AssignInput
from tracker.services.agencies import find_agency
from tracker.services.errors import EditConflict, ValidationFailed
from tracker.services.history import record_event
from tracker.services.plans import assign, find_area
from tracker.services.recommendations import find_recommendation
from tracker.services.reports import withdraw_reports_of_former_leads
from tracker.services.statuses import record_status_change, require_status, validated_with_status
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated


def find_action(plan: Plan, code: str) -> Action | None:
    return db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.code == code)
    ).first()


def create_action(plan: Plan, data: dict, *, actor: Actor, now: datetime) -> Action:
    """Record an action in ``plan``; its code must be new in the plan."""
    fields = validated_with_status(ActionInput(), data)
    with atomic():
        if find_action(plan, fields["code"]):
            raise ValidationFailed({"code": [gettext("This code is already used in this plan.")]})
        action, _ = _save(plan, None, fields, actor=actor, now=now, reason="Recorded.")
        return action


def save_action(
    plan: Plan, data: dict, *, actor: Actor, now: datetime, reason: str, effective_on: date | None = None
) -> tuple[Action, bool]:
    """Create or update the action with this code; returns (action, changed).

    A status or percentage that differs is recorded as taking effect on ``effective_on``
    when its source dates it (see ``record_status_change``).
    """
    fields = validated_with_status(ActionInput(), data)
    with atomic():
        return _save(plan, find_action(plan, fields["code"]), fields, actor=actor, now=now, reason=reason,
                     effective_on=effective_on)


def update_action(
    action: Action, data: dict, *, expected_version: int, actor: Actor, now: datetime
) -> Action:
    """Save an edit of an action made from version ``expected_version``.

    If someone else saved since, nothing is written and ``EditConflict`` lists each
    field whose saved value differs from the submitted one, so the editor can compare
    and save again. A change of dates or status needs a ``reason``; every change is
    recorded on the action's timeline.
    """
    # Fields the caller leaves out keep their current values (an API may send only some).
    data = {**current_input(action), **data}
    reason = (data.pop("reason", None) or "").strip() or None
    fields = validated_with_status(ActionInput(), {**data, "code": action.code})
    if expected_version != action.version:
        raise EditConflict(_differences(action, fields), action.version)
    before = snapshot(action)
    try:
        with atomic():
            _save(action.plan, action, dict(fields), actor=actor, now=now, reason=reason or "Edited.")
            after = snapshot(action)
            changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            needs_reason = {"start_date", "due_date", "status", "percent_complete"} & set(changes)
            if needs_reason and not reason:
                named = ", ".join(sorted(needs_reason)).replace("_", " ")
                raise ValidationFailed({"reason": [gettext("Say why the %(named)s change.", named=named)]})
            _record_changes(action, changes, actor=actor, now=now, reason=reason)
            if "due_date" in changes or action.status.is_final:
                # Reminders about the old date (or a closed action) must not go out;
                # the next pass claims fresh ones for the new date.
                cancel_for_action(action)
            return action
    except StaleDataError:
        # Another save committed between our version check and our write.
        db.session.refresh(action)
        raise EditConflict(_differences(action, fields), action.version) from None


def set_paused(action: Action, paused: bool, *, reason: str | None, actor: Actor, now: datetime) -> Action:
    """Pause an action (no reminders until resumed) or resume it; recorded on its timeline."""
    if not (reason or "").strip():
        raise ValidationFailed({"reason": [gettext("Say why the action is paused or resumed.")]})
    if action.paused == paused:
        return action
    with atomic():
        action.paused = paused
        action.updated_at = now
        if paused:
            cancel_for_action(action)
        record_event(action, "edited", "Paused: no reminders until resumed" if paused else "Resumed",
                     actor=actor, now=now, reason=reason.strip(), details={"paused": [not paused, paused]})
        db.session.flush()
        return action


def assign_actions(actions: list[Action], data: dict, *, actor: Actor, now: datetime) -> list[Action]:
    """Make one agency the lead of every action in ``actions`` (one or many at once).

    Supporting agencies stay as they are unless ``supporting_agencies`` is given.
    """
    fields = validated(AssignInput(), data)
    if not actions:
        raise ValidationFailed({"actions": [gettext("Choose at least one action.")]})
    with atomic():
        for action in actions:
            lead = find_agency(action.plan.country, fields["lead_agency"])
            if lead is None:
                raise ValidationFailed({"lead_agency": [gettext("Unknown agency %(lead_agency)r.", lead_agency=fields['lead_agency'])]})
            supporting = action.supporting_agencies
            if fields["supporting_agencies"] is not None:
                supporting = []
                for key in fields["supporting_agencies"]:
                    agency = find_agency(action.plan.country, key)
                    if agency is None:
                        raise ValidationFailed({"supporting_agencies": [gettext("Unknown agency %(key)r.", key=key)]})
                    supporting.append(agency)
            before = snapshot(action)
            action.lead_agency = lead
            action.supporting_agencies = [a for a in supporting if a.id != lead.id]
            after = snapshot(action)
            changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if changes:
                action.updated_at = now
                _record_changes(action, changes, actor=actor, now=now, reason=fields["reason"])
            if "lead_agency" in changes:
                db.session.flush()
                withdraw_reports_of_former_leads(action, actor=actor, now=now)
        db.session.flush()
        return actions


def current_input(action: Action) -> dict:
    """The action as ``ActionInput`` data: what an edit form starts from."""
    return {
        "title": action.title,
        "title_translations": dict(action.title_translations or {}),
        "description": action.description or "",
        "description_translations": dict(action.description_translations or {}),
        "area": action.area.code if action.area else None,
        "lead_agency": (action.lead_agency.acronym or action.lead_agency.name) if action.lead_agency else None,
        "supporting_agencies": [a.acronym or a.name for a in action.supporting_agencies],
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "percent_complete": action.percent_complete,
        "weight": action.weight,
        "status": action.status_key,
        "recommendations": [r.code for r in action.recommendations],
        "milestones": [
            {"title": m.title, "due_date": m.due_date.isoformat(),
             "achieved_on": m.achieved_on.isoformat() if m.achieved_on else None,
             "title_translations": dict(m.title_translations or {})}
            for m in action.milestones
        ],
    }


def snapshot(action: Action) -> dict:
    """The action's editable fields as plain values, for diffs and conflict messages."""
    return {
        "title": action.title,
        "title_translations": dict(action.title_translations or {}),
        "description": action.description or "",
        "description_translations": dict(action.description_translations or {}),
        "area": action.area.code if action.area else None,
        "lead_agency": action.lead_agency.display_name if action.lead_agency else None,
        "supporting_agencies": sorted(a.display_name for a in action.supporting_agencies),
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "percent_complete": action.percent_complete,
        "weight": action.weight,
        "status": action.status_key,
        "recommendations": sorted(r.code for r in action.recommendations),
        "milestones": sorted(f"{m.due_date.isoformat()} {m.title}" for m in action.milestones),
        "milestone_translations": sorted(
            f"{m.due_date.isoformat()} {language} {text}"
            for m in action.milestones for language, text in (m.title_translations or {}).items()
        ),
    }


def _differences(action: Action, fields: dict) -> dict[str, tuple]:
    saved = snapshot(action)
    submitted = {
        "title": fields["title"],
        "description": fields["description"] or "",
        "start_date": fields["start_date"].isoformat() if fields["start_date"] else None,
        "due_date": fields["due_date"].isoformat() if fields["due_date"] else None,
        "percent_complete": fields["percent_complete"],
        "weight": fields["weight"],
        "status": fields["status"],
    }
    return {k: (saved[k], v) for k, v in submitted.items() if saved[k] != v}


def _record_changes(action: Action, changes: dict, *, actor: Actor, now: datetime, reason: str | None) -> None:
    if {"lead_agency", "supporting_agencies"} & set(changes):
        lead = changes.get("lead_agency", [None, action.lead_agency.display_name if action.lead_agency else None])[1]
        record_event(action, "reassigned", f"Assigned to {lead}", actor=actor, now=now, reason=reason,
                     details={k: changes[k] for k in ("lead_agency", "supporting_agencies") if k in changes})
    if {"start_date", "due_date"} & set(changes):
        text = "; ".join(f"{k.replace('_', ' ')} {old or '—'} → {new or '—'}"
                         for k, (old, new) in changes.items() if k in ("start_date", "due_date"))
        record_event(action, "dates_changed", f"Dates changed: {text}", actor=actor, now=now, reason=reason,
                     details={k: changes[k] for k in ("start_date", "due_date") if k in changes})
    other = set(changes) - {"lead_agency", "supporting_agencies", "start_date", "due_date", "status", "percent_complete"}
    if other:
        record_event(action, "edited", f"Edited: {', '.join(sorted(k.replace('_', ' ') for k in other))}",
                     actor=actor, now=now, reason=reason, details={k: changes[k] for k in other})


def _save(plan, action, fields, *, actor, now, reason, effective_on=None) -> tuple[Action, bool]:
    errors: dict[str, list[str]] = {}
    status = require_status(fields.pop("status"), current=action.status_key if action else None)

    area_code = fields.pop("area")
    area = find_area(plan, area_code) if area_code else None
    if area_code and area is None:
        errors["area"] = [gettext("Unknown area %(area_code)r in this plan.", area_code=area_code)]

    lead_key = fields.pop("lead_agency")
    lead = find_agency(plan.country, lead_key) if lead_key else None
    if lead_key and lead is None:
        errors["lead_agency"] = [gettext("Unknown agency %(lead_key)r.", lead_key=lead_key)]

    supporting = []
    for key in fields.pop("supporting_agencies"):
        agency = find_agency(plan.country, key)
        if agency is None:
            errors.setdefault("supporting_agencies", []).append(gettext("Unknown agency %(key)r.", key=key))
        else:
            supporting.append(agency)

    recommendations = []
    for code in fields.pop("recommendations"):
        rec = find_recommendation(plan, code)
        if rec is None:
            errors.setdefault("recommendations", []).append(gettext("Unknown recommendation %(code)r.", code=code))
        else:
            recommendations.append(rec)
    if errors:
        raise ValidationFailed(errors)

    milestones = fields.pop("milestones")
    old_status, old_percent = (action.status_key, action.percent_complete) if action else (None, None)
    existed, old_lead_id = action is not None, action.lead_agency_id if action else None
    changed = action is None
    fields = with_translations_applied(action, fields)
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
    if existed and action.lead_agency_id != old_lead_id:
        # Edits and imports change leads too: the former lead's unfinished reports stay with it.
        withdraw_reports_of_former_leads(action, actor=actor, now=now)
    if old_status != status.key or old_percent != action.percent_complete:
        record_status_change(
            action, old_status_key=old_status, new_status_key=status.key,
            old_percent=old_percent, new_percent=action.percent_complete,
            actor=actor, now=now, reason=reason, effective_on=effective_on,
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
    # A milestone's translation changes apply to those of the same stored milestone (same
    # day and title): a file with no milestones_es column, or a form without the language,
    # keeps them.
    kept = {(m.due_date, m.title): m.title_translations for m in action.milestones}
    milestones = [
        {**m, "title_translations": merged(kept.get((m["due_date"], m["title"])), m.get("title_translations"))}
        for m in milestones
    ]

    def key(m) -> tuple:
        return (m["due_date"], m["title"], m["achieved_on"], sorted(m["title_translations"].items()))

    current = sorted(key({"due_date": m.due_date, "title": m.title, "achieved_on": m.achieved_on,
                          "title_translations": m.title_translations or {}}) for m in action.milestones)
    if current == sorted(key(m) for m in milestones):
        return False
    action.milestones = [Milestone(**m) for m in milestones]
    return True
