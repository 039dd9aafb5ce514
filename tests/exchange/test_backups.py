"""Backups through the command line: everything out into one archive, and back into an empty database.

The source database holds the real seed reports plus workflow data (accounts, an
assigned action, a report with an uploaded evidence file, a status change, a reminder
in the outbox). Each side is a fresh database of the suite's kind (SQLite files, or
separate PostgreSQL databases when ``TRACKER_TEST_DATABASE_URL`` is set).
"""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import MetaData, func, inspect, select

from tests import factories
from tests.fixtures.databases import app_on
from tests.fixtures.migration_sample import (
    HEAD,
    SAMPLE_ROWS,
    SCRIPT,
    assert_models_read_the_sample,
    insert_sample_rows,
)
from tracker.exchange.backups import NOT_BACKED_UP
from tracker.exchange.spreadsheets.writing import export_rows, to_csv
from tracker.extensions import db
from tracker.models import Evidence, IndicatorValue, OutboxMessage, Plan, StatusChange, User
from tracker.publishing.data_version import current_data_version
from tracker.reminders.compose import LinkSettings
from tracker.reminders.run import run_reminder_pass
from tracker.services.actions import assign_actions
from tracker.services.plans import get_plan
from tracker.services.reports import accept_report, add_evidence_file, save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor

pytestmark = [pytest.mark.scratch_db, pytest.mark.seeded, pytest.mark.slow]

WORK_DAY = datetime(2020, 3, 2, 9, 0, tzinfo=UTC)
EVIDENCE = b"%PDF-1.7\n% minutes of the steering committee, 2 March 2020\n"


@dataclass
class Source:
    """The populated source database, its archive, and what a restore must reproduce."""

    url: str
    uploads: Path
    archive: Path
    zipped: Path
    counts: dict[str, int]
    exports: dict[str, bytes]
    stored_name: str


@pytest.fixture(scope="module")
def source(module_scratch, tmp_path_factory) -> Source:
    """Seed data (a copy of the seeded template) and a workflow, backed up with
    ``flask backup create``."""
    work = tmp_path_factory.mktemp("backup-source")
    url = module_scratch.seeded("bk_source")
    app = app_on(url, UPLOAD_DIR=str(work / "uploads"))
    with app.app_context():
        stored_name = add_workflow(app)
        archive = work / "everything.tar.gz"
        result = app.test_cli_runner().invoke(args=["backup", "create", "-o", str(archive)])
        assert result.exit_code == 0, result.output
        assert f"revision {HEAD}" in result.output and "1 evidence files" in result.output
        zipped = work / "everything.zip"
        assert app.test_cli_runner().invoke(args=["backup", "create", "-o", str(zipped)]).exit_code == 0
        facts = Source(url, work / "uploads", archive, zipped, row_counts(), plan_exports(), stored_name)
        db.engine.dispose()
    assert facts.counts["plans"] == 5 and facts.counts["evidence"] == 2  # the file and a link
    assert facts.counts["outbox_messages"] >= 1 and facts.counts["status_changes"] > 100
    return facts


def add_workflow(app) -> str:
    """Accounts, an action assigned to an agency, an accepted report with a file, a reminder."""
    plan = get_plan("mongolia-odra-2018")
    agency = factories.agency(acronym="BKPT", country="Mongolia")
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="BKPT")
    action = factories.action(plan, code="BUDGET-1", title="Publish the budget as open data",
                              start_date="2019-06-01", due_date="2020-06-30")
    assign_actions([action], {"lead_agency": agency.acronym, "reason": "Owns the portal"},
                   actor=Actor.of(secretariat), now=WORK_DAY)
    open_reporting_round(plan, {"name": "H1 2020", "opens_on": "2020-01-01", "deadline": "2020-06-15"})
    budget_lines = factories.indicator(action, code="BUDGET-LINES", name="Budget lines published", unit="lines",
                                       baseline_value=0, baseline_date="2019-01-01", target_value=5000,
                                       target_date="2020-12-31")
    report = save_report(action, {"narrative": "Budget portal in beta", "percent_complete": 40,
                                  "proposed_status": "ongoing"}, author=focal, now=WORK_DAY, submit=False)
    evidence = add_evidence_file(report, "minutes.pdf", io.BytesIO(EVIDENCE), user=focal,
                                 upload_dir=app.config["UPLOAD_DIR"], max_bytes=1_000_000, now=WORK_DAY)
    save_report(action, {"narrative": "Budget portal in beta", "percent_complete": 40,
                         "proposed_status": "ongoing", "links": ["https://opendata.example.mn/budget"],
                         "indicator_values": [{"indicator": budget_lines.id, "value": 1250,
                                               "period_date": "2020-05-31"}]},
                author=focal, now=WORK_DAY, submit=True, report=report)
    accept_report(report, {"comment": "Thanks"}, reviewer=secretariat, now=WORK_DAY + timedelta(hours=2))
    links = LinkSettings(base_url="http://tracker.test", secret_key=app.config["SECRET_KEY"])
    run_reminder_pass(datetime(2020, 6, 23, 7, tzinfo=UTC), links=links, templates=app.jinja_env)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 1
    assert db.session.scalars(
        select(StatusChange.new_status_key).where(StatusChange.subject_id == action.id,
                                                  StatusChange.subject_type == "action")
        .order_by(StatusChange.id)
    ).all()[-1] == "ongoing"
    stored_name = evidence.stored_name
    db.session.remove()
    return stored_name


def row_counts() -> dict[str, int]:
    """Rows per table, over every table the database has (not only the models'), but for
    the bookkeeping that backups leave out on purpose (the caches' data version)."""
    metadata = MetaData()
    metadata.reflect(bind=db.engine, only=lambda name, _: name != "alembic_version" and name not in NOT_BACKED_UP)
    with db.engine.connect() as conn:
        return {name: conn.scalar(select(func.count()).select_from(t)) for name, t in metadata.tables.items()}


def plan_exports() -> dict[str, bytes]:
    """Every plan in the spreadsheet format, as the secretariat would download it."""
    plans = db.session.scalars(select(Plan).order_by(Plan.slug)).all()
    exports = {plan.slug: to_csv(export_rows(plan)) for plan in plans}
    db.session.remove()
    return exports


def restore(app, archive: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["backup", "restore", str(archive), *extra])


def assert_same_as_source(app, source: Source) -> None:
    assert row_counts() == source.counts
    exports = plan_exports()
    assert list(exports) == list(source.exports)
    for slug, data in source.exports.items():
        assert exports[slug] == data, f"the export of {slug} differs after the restore"
    restored = Path(app.config["UPLOAD_DIR"]) / source.stored_name
    assert restored.read_bytes() == (source.uploads / source.stored_name).read_bytes() == EVIDENCE
    evidence = db.session.scalars(select(Evidence).where(Evidence.kind == "file")).one()
    assert (evidence.stored_name, evidence.filename, evidence.size) == (source.stored_name, "minutes.pdf", len(EVIDENCE))
    assert evidence.created_at == WORK_DAY  # a timestamp comes back as the same aware UTC moment
    value = db.session.scalars(select(IndicatorValue).where(IndicatorValue.report_id.is_not(None))).one()
    assert (value.value, value.period_date.isoformat(), value.report.state) == (1250.0, "2020-05-31", "accepted")
    db.session.remove()


def table_checksums(archive: Path) -> dict[str, str]:
    return {t["name"]: t["sha256"] for t in read_manifest(archive)["tables"]}


def read_manifest(archive: Path) -> dict:
    if archive.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(archive) as zipped:
            return json.loads(zipped.read("manifest.json"))
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def test_the_manifest_describes_the_archive(source):
    manifest = read_manifest(source.archive)
    assert manifest["alembic_revision"] == HEAD and manifest["app_version"]
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    names = [t["name"] for t in manifest["tables"]]
    assert names.index("plans") < names.index("actions") < names.index("progress_reports") < names.index("evidence")
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == source.counts
    assert [f["stored_name"] for f in manifest["files"]] == [source.stored_name]
    with tarfile.open(source.archive) as tar:
        members = tar.getnames()
        assert members[0] == "manifest.json" and f"files/{source.stored_name}" in members
        first_action = json.loads(tar.extractfile("tables/actions.jsonl").readline())
    assert first_action["paused"] is False  # booleans as booleans, timestamps in UTC with their offset
    assert datetime.fromisoformat(first_action["updated_at"]).utcoffset() == timedelta(0)
    with tarfile.open(source.archive) as tar:
        events = [json.loads(line) for line in tar.extractfile("tables/events.jsonl")]
    assert any(isinstance(e["details"], dict) and "report_id" in e["details"] for e in events)  # JSON as JSON


def test_restore_into_an_empty_database_reproduces_everything(source, scratch, tmp_path):
    app = app_on(scratch.new("bk_target"), UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        result = restore(app, source.archive)
        assert result.exit_code == 0, result.output
        assert f"at revision {HEAD}" in result.output and "1 evidence files" in result.output
        assert_same_as_source(app, source)

        # New rows get fresh ids (PostgreSQL sequences were moved past the restored ones).
        newcomer = factories.user("secretariat")
        assert newcomer.id == source.counts["users"] + 1
        db.session.delete(db.session.get(User, newcomer.id))
        db.session.commit()

        # Backed up again, the restored database gives the very same rows.
        again = tmp_path / "again.tar.gz"
        assert app.test_cli_runner().invoke(args=["backup", "create", "-o", str(again)]).exit_code == 0
        assert table_checksums(again) == table_checksums(source.archive)
        db.engine.dispose()


def test_a_zip_archive_restores_into_a_freshly_migrated_database(source, scratch, tmp_path):
    """A database the migrations just built (statuses and default rules only) counts as empty."""
    assert table_checksums(source.zipped) == table_checksums(source.archive)
    app = app_on(scratch.migrated("bk_zip"), UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        result = restore(app, source.zipped)
        assert result.exit_code == 0, result.output
        assert_same_as_source(app, source)
        db.engine.dispose()


def test_restore_into_a_database_with_data_is_refused_and_changes_nothing(source, scratch, tmp_path):
    app = app_on(scratch.migrated("bk_busy"), UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        factories.action(factories.plan(slug="local-plan"))
        db.session.remove()
        before, exports = row_counts(), plan_exports()

        result = restore(app, source.archive)

        assert result.exit_code == 1
        assert "The database is not empty: plans has 1 row, actions has 1 row" in result.output
        assert "pass --force to replace everything" in result.output and "Nothing was changed" in result.output
        assert row_counts() == before and plan_exports() == exports
        assert not (tmp_path / "uploads").exists()
        version_before = current_data_version()
        db.session.remove()

        result = restore(app, source.archive, "--force")
        assert result.exit_code == 0, result.output
        assert_same_as_source(app, source)
        # Pages cached under the old data's version can never be served for the new data.
        assert current_data_version() > version_before
        db.session.remove()  # give its connection back before the pool is closed
        db.engine.dispose()


def test_an_archive_from_an_older_revision_restores_at_that_revision(scratch, tmp_path):
    """A backup taken before ``flask db upgrade`` restores at its own revision, then upgrades."""
    previous = SCRIPT.get_revision(HEAD).down_revision
    old = app_on(scratch.at_revision("bk_old", previous), UPLOAD_DIR=str(tmp_path / "old"))
    with old.app_context():
        insert_sample_rows()
        counts = row_counts()
        archive = tmp_path / "old.tar.gz"
        result = old.test_cli_runner().invoke(args=["backup", "create", "-o", str(archive)])
        assert result.exit_code == 0, result.output
        assert f"revision {previous}" in result.output
        if "evidence" in counts:  # the sample's evidence row names a file nobody uploaded
            stored_name = SAMPLE_ROWS["evidence"][0]["stored_name"]
            assert f"warning: evidence file {stored_name} is missing" in result.output
        db.engine.dispose()

    at_head = app_on(scratch.migrated("bk_at_head"), UPLOAD_DIR=str(tmp_path / "head"))
    with at_head.app_context():
        result = restore(at_head, archive)
        assert result.exit_code == 1
        assert f"schema is at revision {HEAD} but the archive was made at revision {previous}" in result.output
        db.engine.dispose()

    empty = app_on(scratch.new("bk_empty"), UPLOAD_DIR=str(tmp_path / "empty"))
    with empty.app_context():
        result = restore(empty, archive)
        assert result.exit_code == 0, result.output
        assert f"at revision {previous}" in result.output
        assert f"Run 'flask --app wsgi db upgrade' to bring the database to revision {HEAD}" in result.output
        assert row_counts() == counts
        flask_migrate.upgrade()
        assert_models_read_the_sample()
        db.engine.dispose()


def repack(archive: Path, target: Path, change) -> Path:
    """A copy of a tar.gz archive with ``change(members)`` applied to its {name: bytes}."""
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    change(members)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def edit_manifest(**fields):
    def change(members):
        manifest = json.loads(members["manifest.json"])
        manifest.update(fields)
        members["manifest.json"] = json.dumps(manifest).encode()
    return change


def tamper_with_a_row(members):
    members["tables/plans.jsonl"] = members["tables/plans.jsonl"].replace(b'"published":true', b'"published":false', 1)


def drop_the_evidence_file(members):
    del members[next(name for name in members if name.startswith("files/"))]


def add_a_stray_member(members):
    members["../../etc/cron.d/evil"] = b"* * * * * root true\n"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data, path: path.write_bytes(data[: len(data) // 2]), "is damaged or not a backup archive"),
        (lambda data, path: path.write_bytes(b"this is not an archive at all\n" * 40),
         "is damaged or not a backup archive"),
        (lambda data, path: repack_from(data, path, tamper_with_a_row),
         "the rows of table plans do not match their checksum"),
        (lambda data, path: repack_from(data, path, drop_the_evidence_file), "is missing"),
        (lambda data, path: repack_from(data, path, add_a_stray_member), "not part of a tracker backup"),
        (lambda data, path: repack_from(data, path, edit_manifest(alembic_revision="9999")),
         "revision '9999', which this version of the tracker does not know"),
        (lambda data, path: repack_from(data, path, edit_manifest(format_version=99)), "Restore it with a newer tracker"),
    ],
    ids=["truncated", "not-an-archive", "tampered-row", "missing-file", "stray-member", "newer-revision", "newer-format"],
)
def test_a_damaged_or_foreign_archive_is_refused_before_anything_changes(source, scratch, tmp_path, damage, message):
    broken = tmp_path / "broken.tar.gz"
    damage(source.archive.read_bytes(), broken)
    app = app_on(scratch.new("bk_damaged"), UPLOAD_DIR=str(tmp_path / "uploads"))
    with app.app_context():
        result = restore(app, broken)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert inspect(db.engine).get_table_names() == []  # not even the schema was built
        db.engine.dispose()
    assert not (tmp_path / "uploads").exists()


def repack_from(data: bytes, path: Path, change) -> None:
    original = path.with_name("original.tar.gz")
    original.write_bytes(data)
    repack(original, path, change)


def test_a_backup_moves_between_sqlite_and_postgresql(source, database_url, scratch, tmp_path):
    """The archive is dialect-neutral: PostgreSQL -> SQLite -> PostgreSQL gives the same plans."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (TRACKER_TEST_DATABASE_URL) for the other side")
    lite = app_on(f"sqlite:///{tmp_path / 'restored.sqlite'}", UPLOAD_DIR=str(tmp_path / "lite"))
    with lite.app_context():
        assert restore(lite, source.archive).exit_code == 0
        assert_same_as_source(lite, source)
        from_sqlite = tmp_path / "from-sqlite.tar.gz"
        assert lite.test_cli_runner().invoke(args=["backup", "create", "-o", str(from_sqlite)]).exit_code == 0
        db.engine.dispose()
    assert table_checksums(from_sqlite) == table_checksums(source.archive)
    back = app_on(scratch.new("bk_back_to_pg"), UPLOAD_DIR=str(tmp_path / "pg"))
    with back.app_context():
        result = restore(back, from_sqlite)
        assert result.exit_code == 0, result.output
        assert_same_as_source(back, source)
        db.engine.dispose()
