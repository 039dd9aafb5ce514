"""Recording actions: owners, dates, percent, and the recommendations they serve."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.models import Action, Milestone
from tracker.services.actions import create_action, save_action
from tracker.services.errors import ValidationFailed
from tracker.services.statuses import history


def test_action_links_agencies_recommendations_and_milestones(db_session):
    plan = factories.plan()
    lead, helper = factories.agency(acronym="LEAD"), factories.agency(acronym="HELP")
    r1, r2 = factories.recommendation(plan), factories.recommendation(plan)
    action = factories.action(
        plan,
        lead_agency="LEAD",
        supporting_agencies=["HELP"],
        recommendations=[r1.code, r2.code],
        milestones=[{"title": "Draft", "due_date": "2026-06-30"}],
    )
    assert action.lead_agency is lead and action.supporting_agencies == [helper]
    assert {r.code for r in action.recommendations} == {r1.code, r2.code}
    assert r1.actions == [action]
    assert [(m.title, m.due_date) for m in action.milestones] == [("Draft", date(2026, 6, 30))]


def test_due_date_before_start_date_is_refused(db_session):
    plan = factories.plan()
    with pytest.raises(ValidationFailed) as caught:
        factories.action(plan, start_date="2026-05-01", due_date="2026-04-01")
    assert caught.value.errors == {"due_date": ["The due date cannot be before the start date."]}


def test_bad_percent_date_and_agency_are_named_and_nothing_is_stored(db_session):
    plan = factories.plan()
    with pytest.raises(ValidationFailed) as caught:
        create_action(
            plan,
            {"code": "A1", "title": "T", "status": "pending", "percent_complete": 140, "start_date": "31/02/2026"},
            actor=SYSTEM, now=NOW,
        )
    assert set(caught.value.errors) == {"percent_complete", "start_date"}
    with pytest.raises(ValidationFailed) as caught:
        create_action(
            plan,
            {"code": "A1", "title": "T", "status": "pending", "lead_agency": "GHOST",
             "milestones": [{"title": "x", "due_date": "2026-01-01"}]},
            actor=SYSTEM, now=NOW,
        )
    assert caught.value.errors == {"lead_agency": ["Unknown agency 'GHOST'."]}
    assert db_session.scalar(select(func.count()).select_from(Action)) == 0
    assert db_session.scalar(select(func.count()).select_from(Milestone)) == 0


def test_saving_the_same_action_again_changes_nothing(db_session):
    plan = factories.plan()
    data = {"code": "A1", "title": "T", "status": "ongoing", "percent_complete": 40}
    action, changed = save_action(plan, data, actor=SYSTEM, now=NOW, reason="import")
    assert changed
    version = action.version
    _, changed = save_action(plan, data, actor=SYSTEM, now=NOW, reason="import")
    assert not changed and action.version == version
    assert len(history(action)) == 1
    _, changed = save_action(plan, {**data, "percent_complete": 60}, actor=SYSTEM, now=NOW, reason="import")
    assert changed and action.version == version + 1
    assert [(c.old_percent, c.new_percent) for c in history(action)] == [(None, 40), (40, 60)]
