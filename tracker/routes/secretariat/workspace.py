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
from tracker.services.plans import get_plan
from tracker.services.statuses import status_vocabulary
from tracker.services.transaction import Actor
from tracker.services.validation import validated
from tracker.services.workspace import (
    WorkspaceFilter,
    agency_key,
    country_agencies,
    plan_actions,
    plan_workspace,
)

WORKSPACE_FILTERS = ("area", "agency", "status", "overdue")


@bp.route("/plans/<slug>")
def workspace(slug: str):
    """A plan's recommendations and actions, filtered by area, agency, status or overdue."""
    return _workspace_page(get_plan(slug), errors={}, bulk={})


@bp.route("/plans/<slug>/assign", methods=["POST"])
def assign(slug: str):
    """Make one agency the lead of every ticked action (one or many), with an optional reason."""
    plan = get_plan(slug)
    try:
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
    return redirect(url_for(".workspace", slug=plan.slug, **_workspace_filters()))


def _workspace_filters() -> dict[str, str]:
    """The workspace's own filters in the query string, to carry from the page to its form and back.

    Only these: any other name would reach ``url_for`` as an argument of its own (``slug``
    twice is a TypeError, ``_method`` a ValueError, ``_external`` and ``_scheme`` an address
    elsewhere), and a URL is what anyone can type.
    """
    return {name: request.args[name] for name in WORKSPACE_FILTERS if request.args.get(name)}


def _workspace_page(plan, *, errors: dict, bulk: dict, status: int = 200):
    args = request.args
    wanted = WorkspaceFilter(
        area=args.get("area") or None,
        agency=args.get("agency", type=int),
        status=args.get("status") or None,
        overdue=args.get("overdue") == "1",
    )
    today = now().date()
    return page(
        "secretariat/workspace.html", status,
        plan=plan, wanted=wanted, today=today, work=plan_workspace(plan, wanted, today),
        agencies=country_agencies(plan.country), statuses=status_vocabulary(),
        errors=errors, bulk=bulk, agency_key=agency_key, filters=_workspace_filters(),
    )
