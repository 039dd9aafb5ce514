"""Who may do what. Views and the API ask here; services enforce it too.

Who may *see* a progress report is decided in ``services.access``, which builds on the
roles and agencies named here.
"""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import Select, or_, select

from tracker.models import (
    Action,
    Plan,
    ProgressReport,
    User,
    action_supporting_agencies,
)
from tracker.services.errors import Forbidden

STAFF_ROLES = ("admin", "secretariat")
ASSESSOR_ROLES = ("assessor", "admin")


def is_staff(user: User | None) -> bool:
    """Secretariat users and admins run plans and review reports."""
    return bool(user and user.role in STAFF_ROLES)


def sees_unpublished_plans(user: User | None) -> bool:
    """Whether ``user`` sees every plan, published or not: the secretariat and admins.

    Assessors do not: there is no per-plan assignment of assessors yet, so an unpublished
    plan is the secretariat's work in progress and an assessor sees published plans only,
    as the public does (an agency sees the unpublished plans its actions are in: see
    ``api_queries.plan_visible``).
    """
    return is_staff(user)


def can_assess_plan(user: User | None, plan: Plan) -> bool:
    """Assessors (and admins) record statuses in the rounds of the plans they may see."""
    return bool(user and user.role in ASSESSOR_ROLES) and (plan.published or sees_unpublished_plans(user))


def can_close_assessment_round(user: User | None, plan: Plan) -> bool:
    """The plan's assessors close its rounds once their work is done; so may the secretariat."""
    return is_staff(user) or can_assess_plan(user, plan)


def can_reopen_assessment_round(user: User | None) -> bool:
    """A closed round is a record: only the secretariat (and admins) may reopen it."""
    return is_staff(user)


def agency_of(user: User | None) -> int | None:
    return user.agency_id if user is not None and user.role == "agency" else None


def is_agency_action(user: User | None, action: Action) -> bool:
    """The action belongs to the user's agency, as lead or as supporting agency."""
    agency_id = agency_of(user)
    if agency_id is None:
        return False
    return action.lead_agency_id == agency_id or any(a.id == agency_id for a in action.supporting_agencies)


def can_report_on(user: User | None, action: Action) -> bool:
    """Only the lead agency's focal points report on an action."""
    agency_id = agency_of(user)
    return agency_id is not None and action.lead_agency_id == agency_id


def require(allowed: bool, message: str | None = None) -> None:
    """Refuse (``Forbidden``) unless ``allowed``; ``message`` may be lazy (read only on refusal)."""
    if not allowed:
        raise Forbidden(str(message) if message is not None else gettext("You may not do this."))


def agency_actions_query(agency_id: int) -> Select:
    """Actions an agency leads or supports."""
    supported = select(action_supporting_agencies.c.action_id).where(
        action_supporting_agencies.c.agency_id == agency_id
    )
    return select(Action).where(or_(Action.lead_agency_id == agency_id, Action.id.in_(supported)))


# ---------------------------------------------------------------- progress reports


def is_report_author(user: User | None, report: ProgressReport) -> bool:
    """The user is a focal point of the agency that wrote the report."""
    agency_id = agency_of(user)
    return agency_id is not None and report.agency_id == agency_id


def can_edit_report(user: User | None, report: ProgressReport) -> bool:
    """The user's agency wrote the report and still leads its action (the state decides the rest)."""
    return is_report_author(user, report) and can_report_on(user, report.action)
