"""The dashboard's data from the database: agency performance, timeframes, the plan's version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tests.fixtures.seed import load
from tracker.models import OutboxMessage, Reminder
from tracker.publishing.chart_data import agency_data, gantt_data, timeline_data
from tracker.publishing.versions import plan_fingerprint, plan_version
from tracker.services.actions import update_action
from tracker.services.plans import get_plan, save_area
from tracker.services.recommendations import set_recommendation_status
from tracker.services.reports import accept_report, save_report
from tracker.services.rounds import open_reporting_round

TODAY = NOW.date()


def finish(action, on: date):
    """Put ``action`` in a final status on day ``on``."""
    when = NOW.replace(year=on.year, month=on.month, day=on.day)
    return update_action(action, {"status": "fully_achieved", "percent_complete": 100, "reason": "Done."},
                         expected_version=action.version, actor=SYSTEM, now=when)


def delivered_reminder(plan, agency, action, *, sent_on, n):
    message = OutboxMessage(
        recipient="focal@example.org", kind="reminder", subject="Reminder", message_id=f"<m{n}@test>",
        state="sent", next_attempt_at=NOW, created_at=NOW, sent_at=sent_on,
    )
    return Reminder(
        key=f"test-{n}", rule="overdue", recipient="focal@example.org", plan_id=plan.id,
        agency_id=agency.id, action_id=action.id, period=str(n), created_at=NOW, message=message,
    )


def test_agency_performance_counts_on_time_late_overdue_open_reports_and_reminders(db_session):
    plan = factories.plan()
    lead = factories.agency(acronym="LEAD")
    factories.agency(acronym="OTHER")
    due = TODAY - timedelta(days=30)
    on_time = factories.action(plan, lead_agency="LEAD", start_date=due - timedelta(days=90), due_date=due)
    late = factories.action(plan, lead_agency="LEAD", start_date=due - timedelta(days=90), due_date=due)
    overdue = factories.action(plan, lead_agency="LEAD", start_date=due - timedelta(days=90), due_date=due)
    factories.action(plan, lead_agency="LEAD", due_date=TODAY + timedelta(days=30))  # open, not yet due
    factories.action(plan, lead_agency="OTHER", due_date=TODAY + timedelta(days=30))
    factories.action(plan)  # no lead agency: in no agency's row
    finish(on_time, due - timedelta(days=1))
    finish(late, due + timedelta(days=5))

    open_reporting_round(plan, {"name": "Q3", "opens_on": TODAY - timedelta(days=60),
                                "deadline": TODAY - timedelta(days=10)})
    author = factories.user(role="agency", agency="LEAD")
    report = {"narrative": "Progress", "percent_complete": 30, "proposed_status": "ongoing"}
    in_time = NOW - timedelta(days=20)
    # One report per action and round is open at a time: each is reviewed before the next.
    reviewer = factories.user("secretariat")
    first = save_report(overdue, report, author=author, now=in_time, submit=True)
    accept_report(first, {}, reviewer=reviewer, now=in_time + timedelta(hours=1))
    late_one = save_report(overdue, report, author=author, now=NOW - timedelta(days=5), submit=True)  # after the deadline
    accept_report(late_one, {}, reviewer=reviewer, now=NOW - timedelta(days=4))
    save_report(overdue, report, author=author, now=NOW, submit=False)  # a draft counts for nothing

    db_session.add(delivered_reminder(plan, lead, overdue, sent_on=in_time - timedelta(days=1), n=1))  # answered
    db_session.add(delivered_reminder(plan, lead, overdue, sent_on=NOW - timedelta(days=1), n=2))  # not yet
    db_session.flush()

    data = agency_data(plan, today=TODAY)
    rows = {row.acronym: row for row in data.rows}
    assert set(rows) == {"LEAD", "OTHER"}
    got = rows["LEAD"]
    assert (got.on_time, got.late, got.overdue, got.open, got.actions) == (1, 1, 1, 1, 4)
    assert (got.reports, got.reports_on_time) == (2, 1)
    assert (got.reminders_sent, got.reminders_answered, got.reminders_unanswered) == (2, 1, 1)
    # Nothing overdue or late ranks OTHER first.
    assert [row.acronym for row in data.rows] == ["OTHER", "LEAD"]


def test_the_gantt_keeps_area_order_and_marks_overdue_work_as_of_today(db_session):
    plan = factories.plan()
    second = factories.area(plan, code="B", name="Second", position=2)
    first = factories.area(plan, code="A", name="First", position=1)
    factories.action(plan, code="X2", area=second.code, due_date=TODAY - timedelta(days=1))
    factories.action(plan, code="X1", area=first.code, due_date=TODAY + timedelta(days=1))
    factories.action(plan, code="X0")
    data = gantt_data(plan, today=TODAY)
    assert [(r.code, r.area, r.overdue) for r in data.rows] == [
        ("X1", "A  First", False), ("X2", "B  Second", True), ("X0", None, False),
    ]
    assert [r.code for r in gantt_data(plan, today=TODAY + timedelta(days=2)).rows if r.overdue] == ["X1", "X2"]


@pytest.mark.seeded
def test_timeframes_are_counted_in_years_from_the_plan_start(app, db_session):
    load(app, "mexico-2018-way-forward")
    data = timeline_data(get_plan("mexico-2018-way-forward"), today=TODAY)
    lanes = {lane.key: lane for lane in data.lanes}
    assert (lanes["short"].start, lanes["short"].end) == (date(2018, 1, 1), date(2018, 12, 31))
    assert (lanes["medium"].start, lanes["medium"].end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert (lanes["long"].start, lanes["long"].end) == (date(2020, 1, 1), date(2021, 12, 31))
    assert [len(lanes[k].items) for k in ("short", "medium", "long", "none")] == [9, 18, 1, 0]


def test_the_version_changes_with_public_data_only(db_session):
    plan = factories.plan()
    rec = factories.recommendation(plan)
    action = factories.action(plan, lead_agency=factories.agency(acronym="VER").acronym)
    first = plan_fingerprint(plan)
    assert plan_version(plan) == first.version

    author = factories.user(role="agency", agency="VER")
    save_report(action, {"narrative": "", "percent_complete": 10, "proposed_status": "ongoing"},
                author=author, now=NOW, submit=False)
    assert plan_version(plan) == first.version  # a draft is private

    set_recommendation_status(rec, {"status": "ongoing", "reason": "Started."}, actor=SYSTEM,
                              now=NOW + timedelta(hours=1))
    second = plan_fingerprint(plan)
    assert second.version != first.version
    assert second.last_modified == NOW + timedelta(hours=1)

    save_area(plan, {"code": "NEW", "name": "A new area"})
    third = plan_version(plan)
    assert third != second.version
    save_area(plan, {"code": "NEW", "name": "A renamed area"})  # leaves no id or timestamp behind
    assert plan_version(plan) != third
