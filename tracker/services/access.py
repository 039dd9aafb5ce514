"""Who may see a progress report: the one place every page, download and API call asks.

The rule is one table, ``REPORT_AUDIENCES``: for each ``ReportState``, the audiences that
see a report in it. It is read two ways, so a single report and a list of reports can
never disagree:

- in Python, on a report already loaded: ``can_view_report``;
- in SQL, as a condition for lists, counts and loaders: ``report_visible``.

On top of them: the one loader, ``get_report(report_id, viewer)``, which answers
``NotFound`` for a report that does not exist *and* for one the viewer may not see (so
nobody learns that a draft exists), in the manner of flaskr's ``get_post``; the one
list, ``visible_reports``; and who may read the review exchange (``can_read_review``,
``visible_review_comment``). Who may *change* a report (``can_edit_report``) is in
``services.permissions``, with the other rules of who may do what.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, Plan, ProgressReport, ReportState, User
from tracker.services.errors import NotFound
from tracker.services.permissions import (
    agency_actions_query,
    agency_of,
    is_agency_action,
    is_report_author,
    is_staff,
)

AUTHOR = "the agency that wrote it"
STAFF = "the secretariat"
ACTION_AGENCIES = "the agencies of its action"
PUBLIC = "everyone (published plans)"
AUDIENCES = (AUTHOR, STAFF, ACTION_AGENCIES, PUBLIC)

# Who sees a report in each state. A report belongs to the agency that wrote it: until
# it is submitted (and while a returned report is being corrected, and once withdrawn)
# nobody else sees it, as the report form promises. From submission the secretariat and
# the action's lead and supporting agencies see it; once accepted, on a published plan,
# everyone does.
REPORT_AUDIENCES: dict[ReportState, frozenset[str]] = {
    ReportState.DRAFT: frozenset({AUTHOR}),
    ReportState.RETURNED: frozenset({AUTHOR}),
    ReportState.WITHDRAWN: frozenset({AUTHOR}),
    ReportState.SUBMITTED: frozenset({AUTHOR, STAFF, ACTION_AGENCIES}),
    ReportState.ACCEPTED: frozenset({AUTHOR, STAFF, ACTION_AGENCIES, PUBLIC}),
}


def states_seen_by(audience: str) -> tuple[ReportState, ...]:
    """The states in which ``audience`` (one of ``AUDIENCES``) sees a report."""
    return tuple(state for state, audiences in REPORT_AUDIENCES.items() if audience in audiences)


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
    conditions = [ProgressReport.state.in_(states_seen_by(PUBLIC)) & Plan.published.is_(True)]
    agency_id = agency_of(user)
    if agency_id is not None:
        own_actions = agency_actions_query(agency_id).with_only_columns(Action.id)
        conditions += [
            ProgressReport.state.in_(states_seen_by(AUTHOR)) & (ProgressReport.agency_id == agency_id),
            ProgressReport.state.in_(states_seen_by(ACTION_AGENCIES)) & Action.id.in_(own_actions),
        ]
    if is_staff(user):
        conditions.append(ProgressReport.state.in_(states_seen_by(STAFF)))
    return or_(false(), *conditions)


def is_public_report(report: ProgressReport) -> bool:
    """Whether everyone may see the report (accepted, on a published plan): cacheable by anyone."""
    return can_view_report(None, report)


def visible_reports_query(viewer: User | None) -> Select:
    """Every report ``viewer`` may see, with what a page or the API shows of it loaded."""
    return (
        select(ProgressReport)
        .join(Action, ProgressReport.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(report_visible(viewer))
        .options(
            selectinload(ProgressReport.proposed_status),
            selectinload(ProgressReport.round),
            selectinload(ProgressReport.evidence),
        )
    )


def action_reports_query(viewer: User | None, action: Action) -> Select:
    """The reports on ``action`` that ``viewer`` may see, newest first."""
    return (
        visible_reports_query(viewer)
        .where(ProgressReport.action_id == action.id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
    )


def visible_reports(action: Action, viewer: User | None) -> list[ProgressReport]:
    """The reports on ``action`` that ``viewer`` may see, newest first (the public: accepted ones)."""
    return list(db.session.scalars(action_reports_query(viewer, action)))


def find_report(report_id: int, viewer: User | None) -> ProgressReport | None:
    """The report ``report_id`` if ``viewer`` may see it, else None."""
    return db.session.scalars(visible_reports_query(viewer).where(ProgressReport.id == report_id)).first()


def get_report(report_id: int, viewer: User | None, *, not_found: str = "No such report.") -> ProgressReport:
    """The report ``report_id`` if ``viewer`` may see it; otherwise ``NotFound(not_found)``.

    A report the viewer may not see is answered as if it did not exist (404), never 403,
    so nobody learns that another agency's draft exists. What the viewer may then *do*
    with it (edit, review) the services check, and refuse with ``Forbidden`` (403).
    """
    report = find_report(report_id, viewer)
    if report is None:
        raise NotFound(not_found)
    return report


# ---------------------------------------------------------------- the review exchange


def can_read_review(user: User | None, report: ProgressReport) -> bool:
    """The review exchange stays between the secretariat and the agency that wrote the report:
    what each submission said, why it was returned, a private acceptance comment."""
    return is_staff(user) or is_report_author(user, report)


def public_review_comment(report: ProgressReport) -> str | None:
    """The reviewer's comment as everyone who sees the report reads it: a return comment
    never leaves the exchange; an acceptance comment does only if the reviewer made it public."""
    return report.reviewer_comment if report.state == ReportState.ACCEPTED and report.comment_public else None


def visible_review_comment(user: User | None, report: ProgressReport) -> str | None:
    """The reviewer's comment as ``user`` may read it: the secretariat (whose words they are)
    and the report's agency always; anyone else who sees the report, a public comment only."""
    if can_read_review(user, report):
        return report.reviewer_comment
    return public_review_comment(report) if can_view_report(user, report) else None
