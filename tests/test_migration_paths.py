"""Every migration path keeps the data: from each earlier revision up to head, and one step down.

Each test migrates a fresh database of the suite's kind (a SQLite file, or a separate
PostgreSQL database when ``TRACKER_TEST_DATABASE_URL`` is set). The revisions are read
from the Alembic script directory, so a new migration is covered without editing this file.
"""

from __future__ import annotations

import os
from datetime import date

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from tracker import MIGRATIONS_DIR, create_app
from tracker.extensions import db
from tracker.models import Action, ApiToken, Plan, ReminderRule, Status

pytestmark = pytest.mark.scratch_db

SCRIPT = ScriptDirectory(MIGRATIONS_DIR)
REVISIONS = [script.revision for script in reversed(list(SCRIPT.walk_revisions()))]
HEAD = SCRIPT.get_current_head()

T0 = "2026-01-02 03:04:05.000000"
# Representative rows, parents before children. Each row is inserted with plain SQL
# into the tables that exist at the revision under test, using only the columns that
# exist there; a column a revision requires and this sample lacks fails loudly.
SAMPLE_ROWS: dict[str, list[dict]] = {
    "agencies": [{"id": 1, "name": "Ministry of Public Administration", "acronym": "MPA", "country": "Testland"}],
    "plans": [{
        "id": 1, "slug": "path-plan", "title": "Path plan", "country": "Testland", "description": "",
        "citation": "OECD (2018)", "period_start": "2026-01-01", "period_end": "2027-12-31",
        "published": True, "created_at": T0, "source_document": "review.txt",
    }],
    "areas": [{"id": 1, "plan_id": 1, "code": "GOV", "name": "Governance", "position": 1}],
    "users": [{
        "id": 1, "email": "focal@example.org", "password_hash": "not-a-hash", "role": "agency",
        "agency_id": 1, "active": True, "created_at": T0,
    }],
    "recommendations": [
        {"id": 1, "plan_id": 1, "area_id": 1, "code": "R1", "text": "Publish the data",
         "timeframe": "short", "status_key": "ongoing", "position": 1},
        {"id": 2, "plan_id": 1, "area_id": None, "code": "R2", "text": "Follow up R1",
         "status_key": "pending", "position": 2},
    ],
    "actions": [{
        "id": 1, "plan_id": 1, "area_id": 1, "code": "A1", "title": "Launch the portal",
        "description": "", "lead_agency_id": 1, "start_date": "2026-02-01", "due_date": "2026-12-31",
        "percent_complete": 40, "status_key": "ongoing", "position": 1, "version": 1, "updated_at": T0,
    }],
    "recommendation_actions": [{"recommendation_id": 1, "action_id": 1}],
    "recommendation_agencies": [{"recommendation_id": 1, "agency_id": 1}],
    "action_supporting_agencies": [{"action_id": 1, "agency_id": 1}],
    "milestones": [{"id": 1, "action_id": 1, "title": "Beta", "due_date": "2026-06-30"}],
    "status_changes": [{
        "id": 1, "plan_id": 1, "subject_type": "action", "subject_id": 1, "old_status_key": "pending",
        "new_status_key": "ongoing", "old_percent": 0, "new_percent": 40, "changed_by_id": 1,
        "changed_by_label": "focal@example.org", "changed_at": T0, "reason": "Accepted report",
    }],
    "reporting_rounds": [{"id": 1, "plan_id": 1, "name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}],
    "progress_reports": [{
        "id": 1, "action_id": 1, "round_id": 1, "agency_id": 1, "author_id": 1, "narrative": "Beta is live",
        "percent_complete": 40, "proposed_status_key": "ongoing", "state": "submitted",
        "created_at": T0, "submitted_at": T0,
    }],
    # 0002
    "assessment_rounds": [
        {"id": 1, "plan_id": 1, "name": "2017 follow-up", "assessed_on": "2017-06-01"},
        # Loaded from a source document: 0007 closes it.
        {"id": 2, "plan_id": 1, "name": "2016 review", "assessed_on": "2016-06-01", "source_document": "review.txt"},
    ],
    "recommendation_assessments": [{
        "id": 1, "round_id": 1, "recommendation_id": 1, "status_key": "ongoing",
        "justification": "Portal in beta", "recorded_at": T0,
    }],
    "plan_figures": [{"id": 1, "plan_id": 1, "label": "Datasets", "value": 12.5, "unit": "k", "year": 2018, "position": 1}],
    "readiness_dimensions": [{
        "id": 1, "plan_id": 1, "area_id": 1, "code": "D1", "name": "Senior leadership",
        "rating": "GREEN", "position": 1,
    }],
    "readiness_questions": [{"id": 1, "dimension_id": 1, "code": "Q1", "title": "Is there a champion?", "rating": "YELLOW", "position": 1}],
    "readiness_evidence": [{"id": 1, "question_id": 1, "mark": "+", "text": "A minister speaks for it", "position": 1}],
    "readiness_dimension_recommendations": [{"dimension_id": 1, "recommendation_id": 1}],
    "recommendation_links": [{"recommendation_id": 2, "related_id": 1}],
    # 0003
    "events": [{
        "id": 1, "plan_id": 1, "subject_type": "action", "subject_id": 1, "kind": "report_submitted",
        "summary": "Progress report submitted", "details": '{"report_id": 1}', "actor_id": 1,
        "actor_label": "focal@example.org", "occurred_at": T0,
    }],
    "evidence": [{
        "id": 1, "report_id": 1, "kind": "file", "filename": "minutes.pdf", "stored_name": "ab" * 16,
        "content_type": "application/pdf", "size": 16, "created_at": T0,
    }],
    # expires_at, scope and owner_* from 0009 (which fills them in for tokens made before it)
    "api_tokens": [{"id": 1, "user_id": 1, "name": "sync", "token_hash": "f" * 64, "prefix": "trk_abc", "created_at": T0,
                    "expires_at": T0, "scope": "read_write", "owner_role": "agency", "owner_agency_id": 1}],
    "sign_in_failures": [{"id": 1, "email": "focal@example.org", "remote_addr": "127.0.0.1", "failed_at": T0}],
    # 0004
    "reminder_rules": [{"id": 100, "plan_id": 1, "kind": "overdue", "days": 3, "active": True}],
    "outbox_messages": [{
        "id": 1, "recipient": "focal@example.org", "recipient_user_id": 1, "kind": "reminder",
        "subject": "Due soon", "message_id": "<1@tracker.test>", "state": "pending", "attempts": 0,
        "next_attempt_at": T0, "created_at": T0,
    }],
    "reminders": [{
        "id": 1, "key": "due_soon:7:action:1:2026-12-31", "rule": "due_soon", "recipient": "focal@example.org",
        "plan_id": 1, "agency_id": 1, "action_id": 1, "due_on": "2026-12-31", "period": "2026-12-24",
        "cancelled": False, "created_at": T0, "message_id": 1,
    }],
    # 0007
    "assessment_round_changes": [{
        "id": 100, "round_id": 1, "old_state": None, "new_state": "open", "changed_by_id": 1,
        "changed_by_label": "focal@example.org", "changed_at": T0, "reason": None,
    }],
}


class ScratchDatabases:
    """Fresh, empty databases of the suite's kind, each dropped (or deleted) afterwards."""

    def __init__(self, database_url: str, directory):
        self.base = make_url(database_url)
        self.directory = directory
        self.created: list[str] = []

    @property
    def postgresql(self) -> bool:
        return self.base.get_backend_name() == "postgresql"

    def new(self, label: str) -> str:
        """The URL of a new empty database; ``label`` must be unique within this helper."""
        if not self.postgresql:
            return f"sqlite:///{self.directory / f'{label}.sqlite'}"
        name = f"{self.base.database}_{label}".lower()
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.created:
            self._admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.created))
            self.created.clear()

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()


def app_on(url: str, **config):
    """An application on ``url`` (nothing migrated yet)."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "migration-paths", **config})


@pytest.fixture
def scratch(database_url, tmp_path):
    databases = ScratchDatabases(database_url, tmp_path)
    yield databases
    databases.drop_all()


def insert_sample_rows() -> dict[str, int]:
    """Insert ``SAMPLE_ROWS`` into the tables the database has now; returns rows per table."""
    inspector = inspect(db.engine)
    existing = set(inspector.get_table_names())
    inserted = {}
    with db.engine.begin() as conn:
        for table, rows in SAMPLE_ROWS.items():
            if table not in existing:
                continue
            columns = {c["name"] for c in inspector.get_columns(table)}
            for row in rows:
                values = {k: v for k, v in row.items() if k in columns}
                names = ", ".join(values)
                params = ", ".join(f":{k}" for k in values)
                conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({params})"), values)
            inserted[table] = len(rows)
    return inserted


def table_rows() -> dict[str, list[dict]]:
    """Every row of every table of the sample, as the database returns them, by column name."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine, only=[t for t in SAMPLE_ROWS if t in inspect(db.engine).get_table_names()])
    with db.engine.connect() as conn:
        return {
            name: [dict(row._mapping) for row in conn.execute(select(table))]
            for name, table in metadata.tables.items()
        }


def over(rows: dict[str, list[dict]], columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """The rows of the tables in ``columns``, over those columns only, in a stable order."""
    return {
        table: sorted((tuple(row[c] for c in names) for row in rows[table]), key=repr)
        for table, names in columns.items()
    }


def columns_now() -> dict[str, list[str]]:
    """The sample's tables that exist now, with the columns they have now."""
    inspector = inspect(db.engine)
    existing = set(inspector.get_table_names())
    return {t: [c["name"] for c in inspector.get_columns(t)] for t in SAMPLE_ROWS if t in existing}


def assert_models_read_the_sample() -> None:
    """At head, the sample reads back through the models, with the new columns' defaults."""
    plan = db.session.get(Plan, 1)
    assert (plan.slug, plan.period_end, plan.reporting_cadence) == ("path-plan", date(2027, 12, 31), "manual")
    action = db.session.get(Action, 1)
    assert (action.code, action.status_key, action.paused, action.due_date) == (
        "A1", "ongoing", False, date(2026, 12, 31),
    )
    assert [m.title for m in action.milestones] == ["Beta"]
    assert [r.code for r in action.recommendations] == ["R1"]
    assert action.updated_at.tzinfo is not None and action.updated_at.year == 2026
    statuses = db.session.scalars(select(Status.key).order_by(Status.position)).all()
    assert statuses == ["fully_achieved", "ongoing", "under_discussion", "pending"]
    token = db.session.get(ApiToken, 1)  # in the sample from 0003 on
    if token is not None:
        assert (token.scope, token.owner_role, token.owner_agency_id) == ("read_write", "agency", 1)
        assert token.expires_at.tzinfo is not None
    defaults = db.session.scalars(select(ReminderRule).where(ReminderRule.plan_id.is_(None))).all()
    assert len(defaults) == 9 and all(rule.active for rule in defaults)
    db.session.remove()


def assert_schema_matches_models() -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_upgrade_from_empty_builds_the_models_schema(scratch):
    app = app_on(scratch.new("mig_empty"))
    with app.app_context():
        flask_migrate.upgrade()
        assert_schema_matches_models()
        db.engine.dispose()


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_from_each_revision_keeps_the_data(scratch, revision):
    app = app_on(scratch.new(f"mig_from_{revision}"))
    with app.app_context():
        flask_migrate.upgrade(revision=revision)
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
    app = app_on(scratch.new("mig_round_state"))
    with app.app_context():
        flask_migrate.upgrade(revision="0006")
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
    app = app_on(scratch.new("mig_palette"))
    with app.app_context():
        flask_migrate.upgrade(revision="0010")
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
