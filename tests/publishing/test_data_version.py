"""The data version moves on with every committed write the public could see, and only then."""

import pytest
from sqlalchemy import text, update

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.extensions import db
from tracker.models import Action
from tracker.publishing.data_version import current_data_version
from tracker.services.errors import ValidationFailed
from tracker.services.recommendations import set_recommendation_status
from tracker.services.users import sign_in


def test_a_service_that_writes_moves_the_version_once(db_session):
    rec = factories.recommendation(factories.plan())
    before = current_data_version()
    set_recommendation_status(rec, {"status": "ongoing", "reason": "Decree adopted"}, actor=SYSTEM, now=NOW)
    assert current_data_version() == before + 1


def test_a_bulk_update_through_the_session_moves_it(db_session):
    factories.action(factories.plan())
    before = current_data_version()
    db.session.execute(update(Action).values(percent_complete=50))
    db.session.commit()
    assert current_data_version() == before + 1


def test_refused_input_and_reads_leave_it_alone(db_session):
    rec = factories.recommendation(factories.plan())
    before = current_data_version()
    with pytest.raises(ValidationFailed):
        set_recommendation_status(rec, {"status": "no-such-status", "reason": "x"}, actor=SYSTEM, now=NOW)
    db.session.get(Action, 1)
    db.session.commit()
    assert current_data_version() == before


def test_failed_sign_ins_do_not_empty_the_public_caches(db_session):
    factories.user("agency", email="focal@example.org")
    before = current_data_version()
    for _ in range(3):
        assert sign_in({"email": "focal@example.org", "password": "wrong password"},
                       remote_addr="203.0.113.9", now=NOW) is None
    assert current_data_version() == before


def test_an_update_that_changes_no_row_leaves_it_alone(db_session):
    """The scheduler releases stale claims every minute; usually there are none."""
    before = current_data_version()
    db.session.execute(update(Action).where(Action.id == -1).values(percent_complete=1))
    db.session.commit()
    assert current_data_version() == before


def test_a_plain_sql_write_through_the_session_moves_it(db_session):
    plan = factories.plan()
    before = current_data_version()
    db.session.execute(text("UPDATE plans SET title = 'Renamed' WHERE id = :id"), {"id": plan.id})
    db.session.commit()
    assert current_data_version() == before + 1


def test_a_new_database_starts_from_the_clock_not_from_zero(db_session):
    """Rebuilt from nothing, a database must not repeat values that running processes cached."""
    assert current_data_version() > 1_700_000_000 * 10**6  # microseconds since 1970, after 2023
