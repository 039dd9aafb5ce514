"""A plan's workspace: its recommendations and actions, filtered, and assigning actions in bulk."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from tracker.routes.forms import field_errors, now
from tracker.routes.secretariat import bp
from tracker.routes.secretariat.forms import filled, page, submitted
from tracker.schemas.report import ActionChoiceInput
from tracker.services.actions import assign_actions
from tracker.services.errors import ValidationFailed
from tracker.services.item_tables import (
    TableRequest,
    action_page,
    filter_options,
    matching_action_ids,
    read_table_request,
    recommendation_page,
)
from tracker.services.plans import get_plan
from tracker.services.statuses import status_vocabulary
from tracker.services.transaction import Actor
from tracker.services.validation import validated
from tracker.services.workspace import agency_key, country_agencies, plan_actions


@bp.route("/plans/<slug>")
def workspace(slug: str):
    """A plan's recommendations and actions, paged and filtered like the public tables
    (``services.item_tables``): by words, area, agency, status or overdue."""
    return _workspace_page(get_plan(slug), errors={}, bulk={})


@bp.route("/plans/<slug>/assign", methods=["POST"])
def assign(slug: str):
    """Make one agency the lead of every ticked action (one or many), or of every action the
    filters match on any page ("select all"), with an optional reason."""
    plan = get_plan(slug)
    try:
        if request.form.get("select_all") == "1":
            chosen = matching_action_ids(plan, _table_request(plan).filters, now().date())
        else:
            chosen = validated(ActionChoiceInput(), {"actions": request.form.getlist("action")})["actions"]
        assigned = assign_actions(
            plan_actions(plan, chosen), filled("lead_agency", "reason"),
            actor=Actor.of(current_user), now=now(),
        )
    except ValidationFailed as exc:
        return _workspace_page(plan, errors=field_errors(exc), bulk=submitted(), status=422)
    flash(
        ngettext("%(num)d action assigned to %(agency)s.", "%(num)d actions assigned to %(agency)s.",
                 len(assigned), agency=assigned[0].lead_agency.display_name),
        "success",
    )
    return redirect(url_for(".workspace", slug=plan.slug, **_table_request(plan).params()))


def _table_request(plan) -> TableRequest:
    """The workspace's filters, sorts and pages from the query string, checked; only these
    names are ever passed on to ``url_for`` (any other would reach it as an argument of its
    own: ``slug`` twice is a TypeError, ``_external`` an address elsewhere)."""
    return read_table_request(request.args, statuses=[s.key for s in status_vocabulary()],
                              areas=[a.code for a in plan.areas])


def _workspace_page(plan, *, errors: dict, bulk: dict, status: int = 200):
    table = _table_request(plan)
    today = now().date()
    actions = action_page(plan, table, today)
    recommendations = recommendation_page(plan, table, today)
    overdue = {a.id for a in actions.items if a.is_overdue(today)}
    overdue |= {a.id for r in recommendations.items for a in r.actions if a.is_overdue(today)}
    return page(
        "secretariat/workspace.html", status,
        plan=plan, table=table, today=today, actions=actions, recommendations=recommendations,
        overdue=overdue, options=filter_options(plan),
        agencies=country_agencies(plan.country), statuses=status_vocabulary(),
        errors=errors, bulk=bulk, agency_key=agency_key, params=table.params(),
    )
