"""Plans and their areas: listing, creating and editing them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.routes.forms import field_errors, now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import (
    SOURCE_FIELDS,
    filled,
    form_value,
    not_on_form,
    page,
    submitted,
    translation_values,
    translations_from_form,
)
from tracker.schemas.plan import AreaInput, PlanInput
from tracker.services.errors import ValidationFailed
from tracker.services.plans import (
    create_area,
    create_plan,
    get_plan,
    list_plans,
    save_area,
    update_plan,
)
from tracker.services.workspace import next_position, plan_area

PLAN_FIELDS = (
    "slug", "title", "country", "description", "citation", "period_start", "period_end", "reporting_cadence",
    *SOURCE_FIELDS,
)
AREA_FIELDS = ("code", "name", "position", *SOURCE_FIELDS)
PLAN_TRANSLATED = ("title", "description")
AREA_TRANSLATED = ("name",)


@bp.route("/plans")
def plans():
    """Every plan, published or not, with its spreadsheet downloads."""
    return render_template("secretariat/plans.html", plans=list_plans())


@bp.route("/plans/new", methods=["GET", "POST"])
def new_plan():
    """Create a plan; it stays private until published."""
    values: dict = {"published": False}
    if request.method == "POST":
        values = submitted()
        values["published"] = "published" in request.form
        try:
            plan = create_plan({**filled(*PLAN_FIELDS, schema=PlanInput), **translations_from_form(*PLAN_TRANSLATED),
                                "published": values["published"]}, now=now())
        except ValidationFailed as exc:
            return page("secretariat/plan_form.html", 422, plan=None, values=values, errors=field_errors(exc))
        flash(_("Plan “%(title)s” created.", title=plan.title), "success")
        return redirect(url_for(".workspace", slug=plan.slug))
    return page("secretariat/plan_form.html", plan=None, values=values, errors={})


@bp.route("/plans/<slug>/edit", methods=["GET", "POST"])
def edit_plan(slug: str):
    """Change a plan's title, country, description, source, period and publication; the slug stays."""
    plan = get_plan(slug)
    values = ({name: form_value(getattr(plan, name)) for name in PLAN_FIELDS} | {"published": plan.published}
              | translation_values(plan, *PLAN_TRANSLATED))
    if request.method == "POST":
        values = submitted() | {"slug": plan.slug, "published": "published" in request.form}
        try:
            data = {
                **not_on_form(plan, PlanInput, shown=(*PLAN_FIELDS, "published")),
                **filled(*PLAN_FIELDS, schema=PlanInput),
                **translations_from_form(*PLAN_TRANSLATED),
            }
            changed = update_plan(plan, {**data, "published": values["published"]})
        except ValidationFailed as exc:
            return page("secretariat/plan_form.html", 422, plan=plan, values=values, errors=field_errors(exc))
        flash(_("Plan saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for(".workspace", slug=plan.slug))
    return page("secretariat/plan_form.html", plan=plan, values=values, errors={})


@bp.route("/plans/<slug>/areas", methods=["GET", "POST"])
def areas(slug: str):
    """A plan's areas, and a form to add one."""
    plan = get_plan(slug)
    values = {"position": str(next_position(plan.areas))}
    if request.method == "POST":
        values = submitted()
        try:
            area = create_area(plan, {**filled(*AREA_FIELDS, schema=AreaInput),
                                      **translations_from_form(*AREA_TRANSLATED)})
        except ValidationFailed as exc:
            return page("secretariat/areas.html", 422, plan=plan, values=values, errors=field_errors(exc))
        flash(_("Area “%(name)s” added.", name=area.name), "success")
        return redirect(url_for(".areas", slug=plan.slug))
    return page("secretariat/areas.html", plan=plan, values=values, errors={})


@bp.route("/plans/<slug>/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(slug: str, area_id: int):
    """Rename or reorder an area; its code stays, since recommendations and imports refer to it."""
    plan = get_plan(slug)
    area = plan_area(plan, area_id)
    values = {name: form_value(getattr(area, name)) for name in AREA_FIELDS} | translation_values(area, *AREA_TRANSLATED)
    if request.method == "POST":
        values = submitted() | {"code": area.code}
        try:
            save_area(plan, {**filled(*AREA_FIELDS, schema=AreaInput), "code": area.code,
                             **translations_from_form(*AREA_TRANSLATED)})
        except ValidationFailed as exc:
            return page("secretariat/area_form.html", 422, plan=plan, area=area, values=values,
                         errors=field_errors(exc))
        flash(_("Area saved."), "success")
        return redirect(url_for(".areas", slug=plan.slug))
    return page("secretariat/area_form.html", plan=plan, area=area, values=values, errors={})

