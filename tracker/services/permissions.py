"""Who may see and do what. Views and the API ask here; services enforce it too.

Who sees a progress report is one table (``REPORT_AUDIENCES``) read two ways: as a
Python check on one report (``can_view_report``) and as an SQL condition for lists and
counts (``report_visible``), so the pages and the API cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select

from tracker.models import Action, Plan, ProgressReport, User, action_supporting_agencies
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


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise Forbidden(message)


def agency_actions_query(agency_id: int) -> Select:
    """Actions an agency leads or supports."""
    supported = select(action_supporting_agencies.c.action_id).where(
        action_supporting_agencies.c.agency_id == agency_id
    )
    return select(Action).where(or_(Action.lead_agency_id == agency_id, Action.id.in_(supported)))


# ---------------------------------------------------------------- progress reports

AUTHOR = "the agency that wrote it"
STAFF = "the secretariat"
ACTION_AGENCIES = "the agencies of its action"
PUBLIC = "everyone (published plans)"

# Who sees a report in each state. A report belongs to the agency that wrote it: until
# it is submitted (and while a returned report is being corrected, and once withdrawn)
# nobody else sees it, as the report form promises. From submission the secretariat and
# the action's lead and supporting agencies see it; once accepted, on a published plan,
# everyone does.
REPORT_AUDIENCES: dict[str, frozenset[str]] = {
    "draft": frozenset({AUTHOR}),
    "returned": frozenset({AUTHOR}),
    "withdrawn": frozenset({AUTHOR}),
    "submitted": frozenset({AUTHOR, STAFF, ACTION_AGENCIES}),
    "accepted": frozenset({AUTHOR, STAFF, ACTION_AGENCIES, PUBLIC}),
}


def _states_for(audience: str) -> tuple[str, ...]:
    return tuple(state for state, audiences in REPORT_AUDIENCES.items() if audience in audiences)


def is_report_author(user: User | None, report: ProgressReport) -> bool:
    """The user is a focal point of the agency that wrote the report."""
    agency_id = agency_of(user)
    return agency_id is not None and report.agency_id == agency_id


def can_view_report(user: User | None, report: ProgressReport) -> bool:
    """Whether ``user`` (None: the public) may see ``report``: ``REPORT_AUDIENCES`` in Python."""
    audiences = REPORT_AUDIENCES[report.state]
    return (
        (AUTHOR in audiences and is_report_author(user, report))
        or (STAFF in audiences and is_staff(user))
        or (ACTION_AGENCIES in audiences and is_agency_action(user, report.action))
        or (PUBLIC in audiences and report.action.plan.published)
    )


def report_visible(user: User | None) -> ColumnElement[bool]:
    """``REPORT_AUDIENCES`` as an SQL condition (the query must join ``Action`` and ``Plan``)."""
    conditions = [ProgressReport.state.in_(_states_for(PUBLIC)) & Plan.published.is_(True)]
    agency_id = agency_of(user)
    if agency_id is not None:
        own_actions = agency_actions_query(agency_id).with_only_columns(Action.id)
        conditions += [
            ProgressReport.state.in_(_states_for(AUTHOR)) & (ProgressReport.agency_id == agency_id),
            ProgressReport.state.in_(_states_for(ACTION_AGENCIES)) & Action.id.in_(own_actions),
        ]
    if is_staff(user):
        conditions.append(ProgressReport.state.in_(_states_for(STAFF)))
    return or_(false(), *conditions)


def can_edit_report(user: User | None, report: ProgressReport) -> bool:
    """The user's agency wrote the report and still leads its action (the state decides the rest)."""
    return is_report_author(user, report) and can_report_on(user, report.action)


def can_read_review(user: User | None, report: ProgressReport) -> bool:
    """The review exchange stays between the secretariat and the agency that wrote the report:
    what each submission said, why it was returned, a private acceptance comment."""
    return is_staff(user) or is_report_author(user, report)


def public_review_comment(report: ProgressReport) -> str | None:
    """The reviewer's comment as everyone who sees the report reads it: a return comment
    never leaves the exchange; an acceptance comment does only if the reviewer made it public."""
    return report.reviewer_comment if report.state == "accepted" and report.comment_public else None


def visible_review_comment(user: User | None, report: ProgressReport) -> str | None:
    """The reviewer's comment as ``user`` may read it: the secretariat (whose words they are)
    and the report's agency always; anyone else who sees the report, a public comment only."""
    if can_read_review(user, report):
        return report.reviewer_comment
    return public_review_comment(report) if can_view_report(user, report) else None
