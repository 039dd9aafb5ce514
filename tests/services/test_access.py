"""The report visibility table (``services.access``): its Python check and its SQL predicate
give the same answer for every kind of viewer and every report state, on a published plan
and an unpublished one, and the one loader answers 404 exactly where the rule says no.

The expected answers are written out here by hand, not derived from ``REPORT_AUDIENCES``,
so a change to the table shows up as a failing test to read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import NOW
from tracker.extensions import db
from tracker.models import REPORT_STATES, Action, Plan, ProgressReport, ReportState
from tracker.services.access import (
    REPORT_AUDIENCES,
    can_view_report,
    find_report,
    get_report,
    report_visible,
    visible_reports,
)
from tracker.services.errors import NotFound

VIEWERS = ("anonymous", "author", "lead", "supporting", "other_agency", "secretariat", "admin", "assessor")
# Who sees a report of "author" (the agency that wrote it; the action now led by "lead",
# supported by "supporting"), by state, on a published plan.
PUBLISHED = {
    ReportState.DRAFT: {"author"},
    ReportState.RETURNED: {"author"},
    ReportState.WITHDRAWN: {"author"},
    ReportState.SUBMITTED: {"author", "lead", "supporting", "secretariat", "admin"},
    ReportState.ACCEPTED: set(VIEWERS),
}
# On an unpublished plan the public (and whoever sees only what the public sees) does not.
UNPUBLISHED = {
    **PUBLISHED,
    ReportState.ACCEPTED: {"author", "lead", "supporting", "secretariat", "admin"},
}


@pytest.fixture
def reports(db_session):
    """One report in every state on a published plan and on an unpublished one, and a
    user of every kind; states are set directly: the table is what is under test."""
    agencies = {name: factories.agency() for name in ("author", "lead", "supporting", "other_agency")}
    users = {name: factories.user("agency", agency=agency.acronym) for name, agency in agencies.items()}
    users.update({role: factories.user(role) for role in ("secretariat", "admin", "assessor")})
    users["anonymous"] = None
    made = {}
    for published in (True, False):
        plan = factories.plan(published=published)
        for state in REPORT_STATES:
            # An action per report: an action has at most one open report outside rounds.
            action = factories.action(plan, lead_agency=agencies["lead"].acronym,
                                      supporting_agencies=[agencies["supporting"].acronym])
            report = ProgressReport(
                action=action, agency_id=agencies["author"].id, narrative=f"{state}", percent_complete=10,
                proposed_status_key="ongoing", state=state, created_at=NOW,
                submitted_at=None if state in (ReportState.DRAFT, ReportState.WITHDRAWN) else NOW,
            )
            db.session.add(report)
            made[published, state] = report
    db.session.flush()
    return users, made


def _sql_sees(user, report: ProgressReport) -> bool:
    return db.session.scalars(
        select(ProgressReport.id)
        .join(Action, ProgressReport.action_id == Action.id)
        .join(Plan, Action.plan_id == Plan.id)
        .where(ProgressReport.id == report.id, report_visible(user))
    ).first() is not None


def test_the_table_names_every_state():
    assert set(REPORT_AUDIENCES) == set(ReportState) == set(REPORT_STATES)


def _cases(reports, viewer):
    """(user, report, whether the rule lets the user see it) for every report made."""
    users, made = reports
    for (published, state), report in made.items():
        yield users[viewer], report, viewer in (PUBLISHED if published else UNPUBLISHED)[state]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_python_check_and_sql_predicate_agree_with_the_rule(reports, viewer):
    for user, report, expected in _cases(reports, viewer):
        python, sql = can_view_report(user, report), _sql_sees(user, report)
        assert python == sql == expected, (viewer, report.state, report.action.plan.published, python, sql)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_loader_and_the_list_answer_as_the_rule(reports, viewer):
    for user, report, expected in _cases(reports, viewer):
        assert (find_report(report.id, user) is report) == expected
        assert visible_reports(report.action, user) == ([report] if expected else [])
        if expected:
            assert get_report(report.id, user) is report
        else:
            with pytest.raises(NotFound):
                get_report(report.id, user)


def test_a_missing_report_is_404_for_everyone(reports):
    users, _ = reports
    for user in users.values():
        with pytest.raises(NotFound):
            get_report(10**9, user)
