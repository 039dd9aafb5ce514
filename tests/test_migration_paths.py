"""Every migration path keeps the data: from each earlier revision up to head, and one step down.

Each test migrates a fresh database of the suite's kind (a SQLite file, or a separate
PostgreSQL database when ``TRACKER_TEST_DATABASE_URL`` is set): empty, or a copy of the
database the migrations built up to the revision it starts from (built once per run,
``ScratchDatabases.at_revision``); one test builds the whole schema from empty. The revisions are read
from the Alembic script directory, so a new migration is covered without editing this file.
"""

from __future__ import annotations

import os

import flask_migrate
import pytest
from alembic.migration import MigrationContext
from sqlalchemy import text

from tests.fixtures.databases import app_on
from tests.fixtures.migration_sample import (
    HEAD,
    REVISIONS,
    SCRIPT,
    assert_models_read_the_sample,
    assert_schema_matches_models,
    columns_now,
    insert_sample_rows,
    over,
    table_rows,
)
from tracker import MIGRATIONS_DIR
from tracker.extensions import db

# Each test builds a database with the migrations: seconds each, and one per revision.
pytestmark = [pytest.mark.scratch_db, pytest.mark.slow]


def test_upgrade_from_empty_builds_the_models_schema(scratch):
    app = app_on(scratch.new("mig_empty"))
    with app.app_context():
        flask_migrate.upgrade()
        assert_schema_matches_models()
        db.engine.dispose()


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_from_each_revision_keeps_the_data(scratch, revision):
    app = app_on(scratch.at_revision(f"mig_from_{revision}", revision))
    with app.app_context():
        inserted = insert_sample_rows()
        columns = columns_now()
        before = over(table_rows(), columns)
        assert {"plans", "actions", "recommendations", "users"} <= set(inserted)

        flask_migrate.upgrade()

        assert over(table_rows(), columns) == before, f"rows changed by upgrading from {revision} to {HEAD}"
        assert_models_read_the_sample()
        assert_schema_matches_models()
        db.engine.dispose()


@pytest.mark.skipif(len(REVISIONS) < 2, reason="only one revision: nothing to downgrade to")
def test_downgrade_of_the_latest_revision_keeps_the_data_and_upgrades_again(scratch):
    previous = SCRIPT.get_revision(HEAD).down_revision
    app = app_on(scratch.new("mig_down"))
    with app.app_context():
        flask_migrate.upgrade()
        insert_sample_rows()
        at_head = table_rows()

        flask_migrate.downgrade(revision=previous)
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == previous
        columns = columns_now()
        assert over(table_rows(), columns) == over(at_head, columns), f"rows changed by downgrading to {previous}"

        flask_migrate.upgrade()

        assert over(table_rows(), columns) == over(at_head, columns)
        assert_models_read_the_sample()
        assert_schema_matches_models()
        db.engine.dispose()


def test_0007_closes_the_rounds_loaded_from_a_source_and_says_so(scratch):
    """Issue 12 item 1: on an existing database, the rounds loaded from a source document
    (historical records) are closed, each with a line in its history; the rounds assessors
    opened (no source document) stay open."""
    app = app_on(scratch.at_revision("mig_round_state", "0006"))
    with app.app_context():
        insert_sample_rows()

        flask_migrate.upgrade()

        with db.engine.connect() as conn:
            states = dict(conn.execute(text("SELECT id, state FROM assessment_rounds")).all())
            changes = conn.execute(text(
                "SELECT round_id, old_state, new_state, changed_by_id, changed_by_label, reason, changed_at"
                " FROM assessment_round_changes"
            )).all()
        assert states == {1: "open", 2: "closed"}
        [(round_id, old, new, who_id, who, why, when)] = changes
        assert (round_id, old, new, who_id, who) == (2, "open", "closed", None, "migration 0007")
        assert "source document" in why and when is not None
        db.engine.dispose()


def test_every_revision_is_covered():
    """The walk starts at the base, ends at head, and includes every revision file."""
    files = [n for n in os.listdir(os.path.join(MIGRATIONS_DIR, "versions")) if n.endswith(".py")]
    assert REVISIONS[0] in SCRIPT.get_bases() and REVISIONS[-1] == HEAD
    assert len(REVISIONS) == len(files)


def test_0011_recolours_the_default_statuses_and_keeps_an_administrators_choice(scratch):
    """Issue 14: Okabe and Ito's colours, "pending" a neutral grey; a colour an administrator
    chose stays, upgrading and downgrading."""
    app = app_on(scratch.at_revision("mig_palette", "0010"))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE statuses SET colour = '#123456' WHERE key = 'ongoing'"))

        def colours() -> dict[str, str]:
            with db.engine.connect() as conn:
                return dict(conn.execute(text("SELECT key, colour FROM statuses")).all())

        flask_migrate.upgrade(revision="0011")
        assert colours() == {"fully_achieved": "#009e73", "ongoing": "#123456",
                             "under_discussion": "#e69f00", "pending": "#bbbbbb"}
        flask_migrate.downgrade(revision="0010")
        assert colours() == {"fully_achieved": "#1a7f37", "ongoing": "#123456",
                             "under_discussion": "#d4a72c", "pending": "#cf222e"}
        db.engine.dispose()


def test_0013_dates_only_the_seed_loads_recommendation_statuses_by_their_round(scratch):
    """Issue 15: on an existing database, the statuses the seed load recorded for a plan
    with an assessment round take effect on the latest round's date (what the round is
    the record of); every other row keeps an empty date, and no recorded time changes."""
    app = app_on(scratch.at_revision("mig_effective", "0012"))
    with app.app_context():
        insert_sample_rows()
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO status_changes (id, plan_id, subject_type, subject_id, new_status_key,"
                " changed_by_id, changed_by_label, changed_at, reason) VALUES"
                " (2, 1, 'recommendation', 1, 'pending', NULL, 'seed', :t, 'Loaded from the source report (x.yaml).'),"
                " (3, 1, 'action', 1, 'pending', NULL, 'seed', :t, 'Loaded from the source report (x.yaml).'),"
                " (4, 1, 'recommendation', 1, 'ongoing', NULL, 'import', :t, 'Imported.')"
            ), {"t": "2026-11-02 08:00:00.000000"})

            def rows():
                return conn.execute(text("SELECT id, changed_at, reason FROM status_changes ORDER BY id")).all()

            before = rows()

        flask_migrate.upgrade()

        with db.engine.connect() as conn:
            dated = dict(conn.execute(text("SELECT id, effective_on FROM status_changes")).all())
            after = conn.execute(text("SELECT id, changed_at, reason FROM status_changes ORDER BY id")).all()
        assert {k: (str(v) if v else None) for k, v in dated.items()} == {
            1: None, 2: "2017-06-01", 3: None, 4: None}
        assert after == before
        db.engine.dispose()
