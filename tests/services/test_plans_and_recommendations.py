"""Recording plans and recommendations: validation, history, all-or-nothing."""

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.models import Plan, Recommendation, StatusChange
from tracker.services.errors import ValidationFailed
from tracker.services.plans import create_plan
from tracker.services.recommendations import create_recommendation, set_recommendation_status
from tracker.services.statuses import history
from tracker.services.transaction import Actor


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_empty_title_is_refused_by_name(db_session):
    with pytest.raises(ValidationFailed) as caught:
        create_plan({"slug": "a-plan", "title": "  ", "country": "Mexico"}, now=NOW)
    assert caught.value.errors == {"title": ["This field is required."]}
    assert count(db_session, Plan) == 0


def test_plan_period_must_end_after_it_starts(db_session):
    with pytest.raises(ValidationFailed) as caught:
        create_plan(
            {"slug": "p", "title": "P", "country": "X", "period_start": "2020-01-01", "period_end": "2019-01-01"},
            now=NOW,
        )
    assert "period_end" in caught.value.errors


def test_duplicate_slug_and_bad_slug_are_named(db_session):
    factories.plan(slug="taken")
    with pytest.raises(ValidationFailed) as caught:
        create_plan({"slug": "taken", "title": "T", "country": "X"}, now=NOW)
    assert caught.value.errors == {"slug": ["A plan with this slug already exists."]}
    with pytest.raises(ValidationFailed) as caught:
        create_plan({"slug": "Not A Slug", "title": "T", "country": "X"}, now=NOW)
    assert "slug" in caught.value.errors


def test_recommendation_records_its_initial_status(db_session):
    plan = factories.plan()
    rec = factories.recommendation(plan, status="ongoing")
    [change] = history(rec)
    assert (change.old_status_key, change.new_status_key) == (None, "ongoing")
    assert change.changed_by_label == "test" and change.changed_at == NOW


def test_duplicate_code_within_a_plan_is_refused_but_allowed_across_plans(db_session):
    first, second = factories.plan(), factories.plan()
    factories.recommendation(first, code="R1")
    with pytest.raises(ValidationFailed) as caught:
        factories.recommendation(first, code="R1")
    assert caught.value.errors == {"code": ["This code is already used in this plan."]}
    factories.recommendation(second, code="R1")
    assert count(db_session, Recommendation) == 2


def test_unknown_status_area_and_agency_are_each_named_and_nothing_is_stored(db_session):
    plan = factories.plan()
    with pytest.raises(ValidationFailed) as caught:
        create_recommendation(
            plan,
            {"code": "R9", "text": "Do it", "status": "done-ish"},
            actor=SYSTEM, now=NOW,
        )
    assert "Unknown status 'done-ish'" in caught.value.errors["status"][0]
    with pytest.raises(ValidationFailed) as caught:
        create_recommendation(
            plan,
            {"code": "R9", "text": "Do it", "status": "pending", "area": "NOPE", "institutions": ["XYZ"]},
            actor=SYSTEM, now=NOW,
        )
    assert set(caught.value.errors) == {"area", "institutions"}
    assert count(db_session, Recommendation) == 0
    assert count(db_session, StatusChange) == 0


def test_setting_a_status_records_who_when_and_why(db_session):
    plan = factories.plan()
    rec = factories.recommendation(plan)
    user = factories.user()
    set_recommendation_status(
        rec, {"status": "ongoing", "reason": "Decree published"}, actor=Actor.of(user), now=NOW
    )
    change = history(rec)[-1]
    assert (change.old_status_key, change.new_status_key) == ("pending", "ongoing")
    assert change.changed_by_id == user.id and change.reason == "Decree published"


def test_status_change_needs_a_reason(db_session):
    rec = factories.recommendation(factories.plan())
    with pytest.raises(ValidationFailed) as caught:
        set_recommendation_status(rec, {"status": "ongoing", "reason": ""}, actor=SYSTEM, now=NOW)
    assert caught.value.errors == {"reason": ["This field is required."]}
    assert rec.status_key == "pending"
    assert len(history(rec)) == 1


def test_unknown_input_field_is_refused(db_session):
    with pytest.raises(ValidationFailed) as caught:
        create_plan({"slug": "p", "title": "T", "country": "X", "colour": "red"}, now=NOW)
    assert caught.value.errors == {"colour": ["Unknown field: not part of this form."]}
