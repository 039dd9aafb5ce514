"""Recommendations: recording and editing them, and setting their validated status."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

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
from tracker.schemas.recommendation import RecommendationInput
from tracker.services.actors import shown_actors
from tracker.services.errors import ValidationFailed
from tracker.services.indicators import indicators_of
from tracker.services.plans import get_plan
from tracker.services.recommendations import (
    create_recommendation,
    save_recommendation,
    set_recommendation_status,
)
from tracker.services.statuses import history, offered_statuses
from tracker.services.transaction import Actor
from tracker.services.workspace import (
    agency_key,
    country_agencies,
    next_position,
    plan_recommendation,
)

RECOMMENDATION_FIELDS = (
    "code", "text", "area", "status", "timeframe", "priority", "response", "actions_taken", "position",
    *SOURCE_FIELDS,
)


@bp.route("/plans/<slug>/recommendations/new", methods=["GET", "POST"])
def new_recommendation(slug: str):
    """Record a recommendation with its source, timeframe, priority and the government's response."""
    plan = get_plan(slug)
    values = {"status": "pending", "position": str(next_position(plan.recommendations)), "institutions": []}
    if request.method == "POST":
        values = submitted()
        try:
            rec = create_recommendation(plan, _recommendation_data(), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _recommendation_form(plan, None, values, field_errors(exc), 422)
        flash(_("Recommendation %(code)s recorded.", code=rec.code), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _recommendation_form(plan, None, values, {})


@bp.route("/plans/<slug>/recommendations/<int:rec_id>/edit", methods=["GET", "POST"])
def edit_recommendation(slug: str, rec_id: int):
    """Edit a recommendation's text, area, response and source.

    Its code identifies it (imports match on it) and its validated status changes only
    through the status form, which asks why; so both are taken from the stored item.
    """
    plan = get_plan(slug)
    rec = plan_recommendation(plan, rec_id)
    values = {name: form_value(getattr(rec, name)) for name in RECOMMENDATION_FIELDS if name not in ("area", "status")}
    values |= translation_values(rec, "text") | {
        "area": rec.area.code if rec.area else "",
        "status": rec.status_key,
        "institutions": [agency_key(a) for a in rec.institutions],
    }
    if request.method == "POST":
        values = submitted() | {"code": rec.code, "status": rec.status_key}
        data = {**_recommendation_data(rec), "code": rec.code, "status": rec.status_key}
        try:
            _saved, changed = save_recommendation(
                plan, data, actor=Actor.of(current_user), now=now(), reason=_("Edited by the secretariat."),
            )
        except ValidationFailed as exc:
            return _recommendation_form(plan, rec, values, field_errors(exc), 422)
        flash(_("Recommendation %(code)s saved.", code=rec.code) if changed else _("Nothing changed."), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _recommendation_form(plan, rec, values, {})


@bp.route("/plans/<slug>/recommendations/<int:rec_id>/status", methods=["GET", "POST"])
def recommendation_status(slug: str, rec_id: int):
    """Set a recommendation's validated status, saying why; the history shows every change."""
    plan = get_plan(slug)
    rec = plan_recommendation(plan, rec_id)
    # ``?status=&reason=`` prefill the form (the review page's "mark fully achieved" offer);
    # nothing is saved until the secretariat submits it.
    values = {"status": request.args.get("status") or rec.status_key, "reason": request.args.get("reason", "")}
    if request.method == "POST":
        values = submitted()
        before = rec.status_key
        try:
            set_recommendation_status(rec, filled("status", "reason"), actor=Actor.of(current_user), now=now())
        except ValidationFailed as exc:
            return _status_form(plan, rec, values, field_errors(exc), 422)
        if rec.status_key == before:
            flash(_("The status already was %(status)s; nothing changed.", status=_(rec.status.label)), "info")
        else:
            flash(_("Status of %(code)s set to %(status)s.", code=rec.code, status=_(rec.status.label)), "success")
        return redirect(url_for(".workspace", slug=plan.slug, _anchor=f"rec-{rec.id}"))
    return _status_form(plan, rec, values, {})


def _recommendation_data(rec=None) -> dict:
    return {**filled(*RECOMMENDATION_FIELDS, schema=RecommendationInput), "institutions": request.form.getlist("institutions"),
            **translations_from_form("text")}


def _recommendation_form(plan, rec, values, errors, status=200):
    return page(
        "secretariat/recommendation_form.html", status,
        plan=plan, rec=rec, values=values, errors=errors,
        statuses=offered_statuses(rec.status_key if rec else None), agencies=country_agencies(plan.country),
        agency_key=agency_key, indicators=indicators_of(rec) if rec else [],
    )


def _status_form(plan, rec, values, errors, status=200):
    changes = history(rec)
    return page(
        "secretariat/recommendation_status.html", status,
        plan=plan, rec=rec, values=values, errors=errors, statuses=offered_statuses(rec.status_key), changes=changes,
        who=shown_actors([(c.changed_by_id, c.changed_by_label) for c in changes], current_user),
    )
