"""Plans and their areas."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Area, Plan, PlanFigure
from tracker.models.translations import with_translations_applied
from tracker.schemas.plan import AreaInput, PlanInput
from tracker.schemas.readiness import FigureInput
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def get_plan(slug: str, *, published_only: bool = False) -> Plan:
    """The plan with ``slug``; unpublished plans are hidden when ``published_only``."""
    query = select(Plan).where(Plan.slug == slug)
    if published_only:
        query = query.where(Plan.published.is_(True))
    plan = db.session.scalars(query).first()
    if plan is None:
        raise NotFound(gettext("No plan %(slug)r.", slug=slug))
    return plan


def list_plans(*, published_only: bool = False) -> list[Plan]:
    query = select(Plan).order_by(Plan.country, Plan.period_start, Plan.title)
    if published_only:
        query = query.where(Plan.published.is_(True))
    return list(db.session.scalars(query))


def create_plan(data: dict, *, now: datetime) -> Plan:
    """Create a plan; its slug must be new."""
    fields = validated(PlanInput(), data)
    with atomic():
        if db.session.scalars(select(Plan.id).where(Plan.slug == fields["slug"])).first():
            raise ValidationFailed({"slug": [gettext("A plan with this slug already exists.")]})
        plan = Plan(**with_translations_applied(None, fields), created_at=now)
        db.session.add(plan)
        db.session.flush()
        return plan


def update_plan(plan: Plan, data: dict) -> bool:
    """Change a plan's fields; returns whether anything changed. The slug stays.

    Optional fields ``data`` leaves out keep their current values: an import that has no
    word on, say, the reporting cadence or publication must not reset them to the
    defaults. A required field left out is still refused as missing.
    """
    current = {name: getattr(plan, name) for name, f in PlanInput().fields.items() if not f.required}
    fields = validated(PlanInput(), {**current, **data, "slug": plan.slug})
    fields.pop("slug")
    with atomic():
        return assign(plan, with_translations_applied(plan, fields))


def save_area(plan: Plan, data: dict) -> tuple[Area, bool]:
    """Create the area with this code in ``plan``, or update it; returns (area, changed)."""
    fields = validated(AreaInput(), data)
    with atomic():
        area = find_area(plan, fields["code"])
        fields = with_translations_applied(area, fields)
        if area is None:
            area = Area(plan=plan, **fields)
            db.session.add(area)
            db.session.flush()
            return area, True
        return area, assign(area, fields)


def create_area(plan: Plan, data: dict) -> Area:
    """Add a new area to ``plan``; unlike ``save_area`` (used by imports), an existing code is refused."""
    fields = validated(AreaInput(), data)
    with atomic():
        if find_area(plan, fields["code"]):
            raise ValidationFailed({"code": [gettext("An area with this code already exists in this plan.")]})
        return save_area(plan, fields)[0]


def save_figures(plan: Plan, figures: list[dict]) -> bool:
    """Replace the plan's headline figures with ``figures`` if they differ; returns whether they did."""
    loaded = []
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(figures):
        try:
            loaded.append(validated(FigureInput(), data))
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                errors[f"[{index}].{name}"] = messages
    if errors:
        raise ValidationFailed(errors)
    with atomic():
        current = [{name: getattr(f, name) for name in data} for f, data in zip(plan.figures, loaded)]
        if len(plan.figures) == len(loaded) and current == loaded:
            return False
        plan.figures = [PlanFigure(position=i, **data) for i, data in enumerate(loaded)]
        db.session.flush()
        return True


def find_area(plan: Plan, code: str) -> Area | None:
    return db.session.scalars(select(Area).where(Area.plan_id == plan.id, Area.code == code)).first()


def assign(obj, values: dict) -> bool:
    """Set attributes that differ; returns whether any did (so re-loads write nothing)."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed
