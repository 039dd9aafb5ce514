"""Recommendations: recording them and judging their status."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Plan, Recommendation
from tracker.models.translations import with_translations_applied
from tracker.schemas.readiness import RelatedInput
from tracker.schemas.recommendation import RecommendationInput, StatusChangeInput
from tracker.services.agencies import find_agency
from tracker.services.errors import ValidationFailed
from tracker.services.plans import assign, find_area
from tracker.services.statuses import record_status_change, require_status, validated_with_status
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated


def find_recommendation(plan: Plan, code: str) -> Recommendation | None:
    return db.session.scalars(
        select(Recommendation).where(Recommendation.plan_id == plan.id, Recommendation.code == code)
    ).first()


def recommendations_by_area(plan: Plan) -> list[tuple[object, list[Recommendation]]]:
    """The plan's recommendations grouped under their areas, in report order."""
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id)
        .options(selectinload(Recommendation.status), selectinload(Recommendation.institutions))
        .order_by(Recommendation.position)
    ).all()
    groups = [(area, [r for r in recs if r.area_id == area.id]) for area in plan.areas]
    loose = [r for r in recs if r.area_id is None]
    return groups + ([(None, loose)] if loose else [])


def create_recommendation(plan: Plan, data: dict, *, actor: Actor, now: datetime) -> Recommendation:
    """Record a recommendation in ``plan``; its code must be new in the plan."""
    fields = validated_with_status(RecommendationInput(), data)
    with atomic():
        if find_recommendation(plan, fields["code"]):
            raise ValidationFailed({"code": [gettext("This code is already used in this plan.")]})
        return _save(plan, None, fields, actor=actor, now=now, reason="Recorded.")


def save_recommendation(
    plan: Plan, data: dict, *, actor: Actor, now: datetime, reason: str, effective_on: date | None = None
) -> tuple[Recommendation, bool]:
    """Create or update the recommendation with this code (imports re-use stable codes).

    Returns (recommendation, changed). A status that differs is recorded with ``reason``,
    as taking effect on ``effective_on`` when its source dates it (see ``record_status_change``).
    """
    fields = validated_with_status(RecommendationInput(), data)
    with atomic():
        existing = find_recommendation(plan, fields["code"])
        before = _snapshot(existing)
        rec = _save(plan, existing, fields, actor=actor, now=now, reason=reason, effective_on=effective_on)
        return rec, before != _snapshot(rec)


def set_recommendation_status(
    rec: Recommendation, data: dict, *, actor: Actor, now: datetime
) -> Recommendation:
    """Set the validated status of a recommendation, with the reason, into its history.

    This is what the scorecard counts (``publishing.scorecards``); an accepted progress
    report moves only its action, never a recommendation.
    """
    fields = validated(StatusChangeInput(), data)
    with atomic():
        status = require_status(fields["status"], current=rec.status_key)
        if status.key != rec.status_key:
            old = rec.status_key
            rec.status = status
            record_status_change(
                rec, old_status_key=old, new_status_key=status.key,
                actor=actor, now=now, reason=fields["reason"],
            )
        return rec


def current_input(rec: Recommendation) -> dict:
    """The recommendation as ``RecommendationInput`` data: what an edit starts from."""
    columns = ("code", "text", "timeframe", "priority", "response", "actions_taken", "position",
               "source_document", "source_section", "source_lines")
    return {
        **{name: getattr(rec, name) for name in columns if getattr(rec, name) is not None},
        "area": rec.area.code if rec.area else None,
        "status": rec.status_key,
        "institutions": [a.acronym or a.name for a in rec.institutions],
    }


def link_related(rec: Recommendation, references: list[dict]) -> bool:
    """Link ``rec`` to recommendations of other plans, given as ``{plan: slug, code: ...}``.

    Returns whether the links changed. A reference to a plan not loaded yet is an
    error naming it, so the plans can be loaded in the right order.
    """
    targets = []
    with atomic():
        for data in references:
            fields = validated(RelatedInput(), data)
            target_plan = db.session.scalars(select(Plan).where(Plan.slug == fields["plan"])).first()
            target = find_recommendation(target_plan, fields["code"]) if target_plan else None
            if target is None:
                raise ValidationFailed(
                    {"related": [gettext("Unknown recommendation %(code)r in plan %(plan)r.", code=fields['code'], plan=fields['plan'])]}
                )
            targets.append(target)
        if {r.id for r in rec.related} == {r.id for r in targets}:
            return False
        rec.related = targets
        db.session.flush()
        return True


def _save(plan, rec, fields, *, actor, now, reason, effective_on=None) -> Recommendation:
    status = require_status(fields.pop("status"), current=rec.status_key if rec else None)
    area_code = fields.pop("area")
    area = find_area(plan, area_code) if area_code else None
    errors: dict[str, list[str]] = {}
    if area_code and area is None:
        errors["area"] = [gettext("Unknown area %(area_code)r in this plan.", area_code=area_code)]
    institutions = []
    for key in fields.pop("institutions"):
        agency = find_agency(plan.country, key)
        if agency is None:
            errors.setdefault("institutions", []).append(gettext("Unknown agency %(key)r.", key=key))
        else:
            institutions.append(agency)
    if errors:
        raise ValidationFailed(errors)

    old_status = rec.status_key if rec else None
    fields = with_translations_applied(rec, fields)
    if rec is None:
        rec = Recommendation(plan=plan, status=status, **fields)
        db.session.add(rec)
    else:
        assign(rec, fields)
    rec.area = area
    if {a.id for a in rec.institutions} != {a.id for a in institutions}:
        rec.institutions = institutions
    if old_status != status.key:
        rec.status = status
        db.session.flush()
        record_status_change(
            rec, old_status_key=old_status, new_status_key=status.key,
            actor=actor, now=now, reason=reason, effective_on=effective_on,
        )
    db.session.flush()
    return rec


def _snapshot(rec: Recommendation | None):
    if rec is None:
        return None
    columns = {c.key: getattr(rec, c.key) for c in Recommendation.__table__.columns}
    return columns, sorted(a.id for a in rec.institutions)
