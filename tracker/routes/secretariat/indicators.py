"""Indicators: adding them to an action or a recommendation, and editing their definition."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.models import Action, Recommendation
from tracker.routes.forms import field_errors, now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import SOURCE_FIELDS, filled, form_value, page, submitted
from tracker.schemas.indicator import IndicatorInput
from tracker.services.errors import ValidationFailed
from tracker.services.indicators import (
    counted_values,
    create_indicator,
    next_indicator_code,
    plan_indicator,
    update_indicator,
)
from tracker.services.plans import get_plan
from tracker.services.transaction import Actor
from tracker.services.workspace import plan_action, plan_recommendation

INDICATOR_FIELDS = (
    "code", "name", "unit", "kind", "direction", "baseline_value", "baseline_date", "target_value", "target_date",
    "data_source", "position", *SOURCE_FIELDS,
)
KIND_CHOICES = (
    ("number", _l("Number")), ("percent", _l("Percent")), ("yes_no", _l("Yes or no")), ("text", _l("Text")),
)
DIRECTION_CHOICES = (("up", _l("Up: higher is better")), ("down", _l("Down: lower is better")))


@bp.route("/plans/<slug>/actions/<int:action_id>/indicators/new", methods=["GET", "POST"])
def new_action_indicator(slug: str, action_id: int):
    """Add an indicator measuring an action."""
    plan = get_plan(slug)
    return _new_indicator(plan, plan_action(plan, action_id))


@bp.route("/plans/<slug>/recommendations/<int:rec_id>/indicators/new", methods=["GET", "POST"])
def new_recommendation_indicator(slug: str, rec_id: int):
    """Add an indicator measuring a recommendation."""
    plan = get_plan(slug)
    return _new_indicator(plan, plan_recommendation(plan, rec_id))


def _new_indicator(plan, subject):
    values = {"code": next_indicator_code(plan), "kind": "number", "direction": "up", "position": "0"}
    if request.method == "POST":
        values = submitted()
        try:
            indicator = create_indicator(subject, _indicator_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _indicator_form(plan, subject, None, values, field_errors(exc), 422)
        flash(_("Indicator %(code)s added.", code=indicator.code), "success")
        return redirect(_subject_edit_url(plan, subject))
    return _indicator_form(plan, subject, None, values, {})


@bp.route("/plans/<slug>/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
def edit_indicator(slug: str, indicator_id: int):
    """Change an indicator's definition; baseline and target changes go into its subject's history."""
    plan = get_plan(slug)
    indicator = plan_indicator(plan, indicator_id)
    values = {name: form_value(getattr(indicator, name)) for name in INDICATOR_FIELDS}
    if request.method == "POST":
        values = submitted()
        try:
            update_indicator(indicator, _indicator_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _indicator_form(plan, indicator.subject, indicator, values, field_errors(exc), 422)
        flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
        return redirect(_subject_edit_url(plan, indicator.subject))
    return _indicator_form(plan, indicator.subject, indicator, values, {})


def _indicator_data() -> dict:
    return filled(*INDICATOR_FIELDS, schema=IndicatorInput)


def _subject_edit_url(plan, subject) -> str:
    if isinstance(subject, Action):
        return url_for(".edit_action", slug=plan.slug, action_id=subject.id, _anchor="indicators")
    if isinstance(subject, Recommendation):
        return url_for(".edit_recommendation", slug=plan.slug, rec_id=subject.id, _anchor="indicators")
    # A plan-wide indicator (from a seed or a spreadsheet): its plan's public list shows it.
    return url_for("public.plan_indicators", slug=plan.slug)


def _indicator_form(plan, subject, indicator, values, errors, status=200):
    return page(
        "secretariat/indicator_form.html", status, plan=plan, subject=subject, indicator=indicator,
        values=values, errors=errors, kinds=KIND_CHOICES, directions=DIRECTION_CHOICES,
        back=_subject_edit_url(plan, subject), values_counted=counted_values(indicator) if indicator else [],
    )
