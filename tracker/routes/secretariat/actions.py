"""Actions: recording and editing them, with owners, dates and milestones."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models.translations import translations_attribute
from tracker.routes.forms import field_errors, now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import (
    SOURCE_FIELDS,
    filled,
    form_value,
    page,
    submitted,
    translation_values,
    translations_from_form,
)
from tracker.schemas.action import (
    ActionInput,
    milestone_text,
    milestone_translations,
    parse_milestone,
)
from tracker.services.actions import create_action, update_action
from tracker.services.errors import EditConflict, ValidationFailed
from tracker.services.indicators import indicators_of
from tracker.services.plans import get_plan
from tracker.services.statuses import offered_statuses
from tracker.services.transaction import Actor
from tracker.services.workspace import agency_key, country_agencies, next_position, plan_action
from tracker.web.content_language import translation_languages

ACTION_FIELDS = (
    "code", "title", "description", "area", "lead_agency", "start_date", "due_date", "percent_complete",
    "weight", "status", "position", *SOURCE_FIELDS,
)


@bp.route("/plans/<slug>/actions/new", methods=["GET", "POST"])
def new_action(slug: str):
    """Record an action: owner and supporting agencies, dates, milestones, the recommendations it serves."""
    plan = get_plan(slug)
    values = {
        "status": "pending", "percent_complete": "0", "position": str(next_position(plan.actions)),
        "supporting_agencies": [], "recommendations": request.args.getlist("recommendation"),
    }
    if request.method == "POST":
        values = submitted()
        try:
            action = create_action(plan, _action_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _action_form(plan, None, values, _action_errors(exc), 422)
        flash(_("Action %(code)s recorded.", code=action.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"action-{action.id}"))
    return _action_form(plan, None, values, {})


@bp.route("/plans/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(slug: str, action_id: int):
    """Edit an action, including who leads it.

    The form carries the version it was opened at. If someone else saved since,
    nothing is written: the form comes back with everything the user typed, the saved
    and submitted values side by side, and the new version, so saving again is a
    deliberate overwrite.
    """
    plan = get_plan(slug)
    action = plan_action(plan, action_id)
    values = _action_values(action)
    if request.method == "POST":
        values = submitted() | {"code": action.code}
        try:
            data = {**_action_data(action), "code": action.code, **filled("reason")}
            update_action(
                action, data, expected_version=request.form.get("version", type=int),
                actor=Actor.of(current_user), now=now(),
            )
        except EditConflict as exc:
            values["version"] = str(exc.version)
            return _action_form(plan, action, values, {}, 409, conflict=exc)
        except ValidationFailed as exc:
            return _action_form(plan, action, values, _action_errors(exc), 422)
        flash(_("Action %(code)s saved.", code=action.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"action-{action.id}"))
    return _action_form(plan, action, values, {})


def _action_values(action) -> dict:
    values = {
        name: form_value(getattr(action, name)) for name in ACTION_FIELDS if name not in ("area", "lead_agency", "status")
    }
    return values | {
        "status": action.status_key,
        "area": action.area.code if action.area else "",
        "lead_agency": agency_key(action.lead_agency) if action.lead_agency else "",
        "supporting_agencies": [agency_key(a) for a in action.supporting_agencies],
        "recommendations": [r.code for r in action.recommendations],
        "milestones": "\n".join(milestone_text(m.due_date, m.title, m.achieved_on) for m in action.milestones),
        **translation_values(action, "title", "description"),
        **{f"milestones_{language}": "\n".join(
            milestone_text(m.due_date, m.title_translations[language], None)
            for m in action.milestones if (m.title_translations or {}).get(language))
           for language in translation_languages()},
        "version": str(action.version),
        "reason": "",
    }


def _action_data(action=None) -> dict:
    """The action form as the services take it; milestones are one 'YYYY-MM-DD title' per line.

    The milestones' translations are a box per language in the same format, each line
    matched to the milestone of its date; a line that matches none is refused on its box.
    """
    lines = (parse_milestone(line) for line in request.form.get("milestones", "").splitlines())
    milestones = [m for m in lines if m is not None]  # blank lines dropped
    translated = translations_from_form("milestones").get(translations_attribute("milestones"))
    if translated is not None:
        problems = milestone_translations(milestones, translated, separator="\n")
        if problems:
            raise ValidationFailed({f"milestones_{language}": [message] for language, message in problems.items()})
    return {
        **filled(*ACTION_FIELDS, schema=ActionInput),
        **translations_from_form("title", "description"),
        "supporting_agencies": request.form.getlist("supporting_agencies"),
        "recommendations": request.form.getlist("recommendations"),
        "milestones": milestones,
    }


def _action_errors(exc: ValidationFailed) -> dict[str, str]:
    """Field errors; a milestone's problem names its line in the textarea (``web.field_messages``)."""
    return field_errors(exc)


def _action_form(plan, action, values, errors, status=200, conflict=None):
    return page(
        "secretariat/action_form.html", status,
        plan=plan, action=action, values=values, errors=errors, conflict=conflict,
        statuses=offered_statuses(action.status_key if action else None), agencies=country_agencies(plan.country),
        agency_key=agency_key, indicators=indicators_of(action) if action else [],
    )
