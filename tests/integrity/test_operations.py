"""Operations under stress: mail that cannot be built or sent, lock contention, files, proxies.

Issue 12, items 9 (no 500 under contention), 22 (reminder subjects and failing messages),
23 (backups and uploads private to the service's user) and 24 (proxy headers and absolute URLs).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select, update

from tests import factories
from tests.conftest import csrf_token
from tests.factories import SYSTEM
from tests.fixtures import faults
from tests.fixtures.servers import Mailbox, free_port
from tracker.models import Action, OutboxMessage
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import MAX_FAILURES, deliver_pending
from tracker.reminders.run import run_reminder_pass
from tracker.services.actions import assign_actions

LINKS = LinkSettings(base_url="http://tracker.test", secret_key="test-secret-key")
DUE = date(2027, 3, 31)


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def mail_settings(mailbox: Mailbox) -> MailSettings:
    return MailSettings(server="127.0.0.1", port=mailbox.port, use_tls=False, use_ssl=False,
                        username=None, password=None, sender="tracker@tracker.test", timeout=5)


@pytest.fixture
def due_soon(db_session):
    """Two agencies, each with a focal point and an action due in a week."""
    plan = factories.plan(period_start="2027-01-01", period_end="2028-12-31")
    people = []
    for acronym in ("ONE", "TWO"):
        factories.agency(acronym=acronym)
        focal = factories.user("agency", agency=acronym)
        action = factories.action(plan, start_date="2027-01-01", due_date=DUE.isoformat())
        assign_actions([action], {"lead_agency": acronym}, actor=SYSTEM, now=at(date(2027, 1, 1)))
        people.append((focal, action))
    return people


def test_a_title_with_line_breaks_gives_a_one_line_subject_and_the_reminder_arrives(
    due_soon, db_session, mailbox
):
    """Issue 12 item 22: a CR or LF in an action title used to crash the reminder job on the
    subject, leave the message "sending" and crash every pass after; now the subject is one line."""
    (focal, action), (other, _) = due_soon
    # A title as it may already be stored (typed before titles were checked, or imported).
    db_session.execute(update(Action).where(Action.id == action.id)
                       .values(title="Open data portal\r\nBcc: everyone@example.org\nlaunch"))
    day = DUE - timedelta(days=7)
    run_reminder_pass(at(day), links=LINKS, templates=current_app.jinja_env)
    settings = MailSettings(server="127.0.0.1", port=mailbox.port, use_tls=False, use_ssl=False,
                            username=None, password=None, sender="tracker@tracker.test", timeout=5)
    outcome = deliver_pending(at(day), mail=settings, links=LINKS, templates=current_app.jinja_env, worker="test")

    assert outcome["sent"] == 2 and outcome["failed"] == 0
    [message] = mailbox.to(focal.email)
    assert message["Subject"] == "Reminder: Open data portal Bcc: everyone@example.org launch"
    assert message["Bcc"] is None
    assert len(mailbox.to(other.email)) == 1
    states = db_session.scalars(select(OutboxMessage.state)).all()
    assert states == ["sent", "sent"]


def test_a_message_the_server_refuses_is_marked_failed_after_five_attempts_and_never_blocks_the_others(
    due_soon, db_session, client, login_as
):
    """Issue 12 item 22: a message that fails to send N (5) times is marked failed with its reason,
    shown to admins; the other messages go out on the first pass."""
    (refused, _), (fine, _) = due_soon
    day = DUE - timedelta(days=7)
    run_reminder_pass(at(day), links=LINKS, templates=current_app.jinja_env)
    with Mailbox(refused={refused.email}) as server:
        moment = at(day)
        outcomes = []
        for _ in range(MAX_FAILURES + 2):
            outcomes.append(deliver_pending(moment, mail=mail_settings(server), links=LINKS,
                                            templates=current_app.jinja_env, worker="test"))
            moment += timedelta(hours=7)  # past any back-off
        assert len(server.to(fine.email)) == 1
        assert server.to(refused.email) == []

    assert outcomes[0]["sent"] == 1
    assert sum(o["failed"] for o in outcomes) == MAX_FAILURES
    db_session.expire_all()
    message = db_session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == refused.email)).one()
    assert message.state == "failed" and message.attempts == MAX_FAILURES
    assert "550" in message.last_error and "No such mailbox" in message.last_error

    login_as("admin")
    page = client.get("/admin/reminders/?state=failed").get_data(as_text=True)
    assert refused.email in page and "No such mailbox here" in page
    assert fine.email not in page


def test_a_claim_left_by_a_dead_sender_counts_as_an_attempt(due_soon, db_session):
    """Issue 12 item 22: a message left "sending" by a process that died is not claimed again
    for ever: each release counts as an attempt, and after the last it is marked failed."""
    day = DUE - timedelta(days=7)
    run_reminder_pass(at(day), links=LINKS, templates=current_app.jinja_env)
    [first, *_] = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    unreachable = MailSettings(server="127.0.0.1", port=free_port(), use_tls=False, use_ssl=False,
                               username=None, password=None, sender="t@t", timeout=2)
    moment = at(day)
    for _ in range(MAX_FAILURES):
        db_session.execute(update(OutboxMessage).where(OutboxMessage.id == first.id).values(
            state="sending", claimed_by="dead:1", claimed_at=moment - timedelta(hours=1),
            next_attempt_at=moment + timedelta(days=365)))
        deliver_pending(moment, mail=unreachable, links=LINKS, templates=current_app.jinja_env, worker="test")
        moment += timedelta(hours=7)
    db_session.expire_all()
    stored = db_session.get(OutboxMessage, first.id)
    assert stored.state == "failed"
    assert "stopped" in stored.last_error


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_backup_archive_is_readable_by_the_services_user_only(app, tmp_path):
    """Issue 12 item 23: `flask backup create` wrote a world-readable archive holding password
    hashes, token hashes, drafts and live signed links; now it is 0600 whatever the umask."""
    archive = tmp_path / "backup.tar.gz"
    previous = os.umask(0o022)
    try:
        result = app.test_cli_runner().invoke(args=["backup", "create", "-o", str(archive)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert _mode(archive) == 0o600


def test_evidence_files_and_their_folder_are_private(app, client, login_as, tmp_path, monkeypatch):
    """Issue 12 item 23: the upload folder was 0755 and files 0644; now 0700 and 0600."""
    uploads = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    plan = factories.plan()
    factories.agency(acronym="UPL")
    action = factories.action(plan, lead_agency="UPL", due_date="2099-12-31")
    login_as("agency", agency="UPL")
    form = {"narrative": "Minutes attached", "percent_complete": "20", "proposed_status": "ongoing",
            "intent": "draft", "csrf_token": csrf_token(client, f"/agency/actions/{action.id}/report"),
            "file": (io.BytesIO(b"%PDF-1.4 minutes"), "minutes.pdf")}
    previous = os.umask(0o022)
    try:
        response = client.post(f"/agency/actions/{action.id}/report", data=form,
                               content_type="multipart/form-data")
    finally:
        os.umask(previous)
    assert response.status_code == 302, response.get_data(as_text=True)
    [stored] = list(uploads.iterdir())
    assert _mode(uploads) == 0o700
    assert _mode(stored) == 0o600


def test_an_upload_folder_made_by_an_older_version_is_made_private_on_the_next_upload(
    app, client, login_as, tmp_path, monkeypatch
):
    """Issue 12 item 23: an existing 0755 upload folder is tightened, not left as it was."""
    uploads = tmp_path / "uploads"
    uploads.mkdir(mode=0o755)
    os.chmod(uploads, 0o755)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    plan = factories.plan()
    factories.agency(acronym="OLD")
    action = factories.action(plan, lead_agency="OLD", due_date="2099-12-31")
    login_as("agency", agency="OLD")
    form = {"narrative": "", "percent_complete": "20", "proposed_status": "ongoing", "intent": "draft",
            "csrf_token": csrf_token(client, f"/agency/actions/{action.id}/report"),
            "file": (io.BytesIO(b"plain text minutes"), "minutes.txt")}
    response = client.post(f"/agency/actions/{action.id}/report", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _mode(uploads) == 0o700


# --- item 24: what a client may claim through proxy headers ----------------------------------

BASE_URL = "https://tracker.example.org"
FORGED = {"Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}


@pytest.fixture(scope="module")
def served(scratch_databases, log_dir):
    """A published plan served by gunicorn exactly as the README says to run it: a function
    taking TRACKER_TRUSTED_PROXIES and answering (port, server)."""
    url = scratch_databases("proxy")
    faults.build_reporting_world(url, 1)
    servers = {}

    def serve(trusted: int):
        if trusted not in servers:
            env = {"TRACKER_BASE_URL": BASE_URL, "TRACKER_TRUSTED_PROXIES": str(trusted)}
            servers[trusted] = faults.gunicorn(url, workers=1, log_dir=log_dir, env=env).start()
        return servers[trusted]

    yield serve
    for server in servers.values():
        server.kill()


@pytest.mark.scratch_db
@pytest.mark.process
def test_with_no_trusted_proxy_forged_headers_change_nothing(served):
    """Issue 12 item 24: gunicorn's default trusted X-Forwarded-Proto from 127.0.0.1 although
    TRACKER_TRUSTED_PROXIES=0 promises to trust nothing, and a forged Host reached the absolute
    URLs of open data and Atom. Now absolute URLs come from TRACKER_BASE_URL only."""
    from tests.fixtures.faults import request_with_headers

    server = served(0)
    status, headers, _ = request_with_headers(server.port, "GET", "/sign-in", headers=FORGED)
    assert status == 200
    assert "strict-transport-security" not in headers  # the request is not taken for HTTPS
    assert "secure" not in headers.get("set-cookie", "").lower()
    for path in ("/open-data/plans/load-plan.json", "/open-data/datapackage.json",
                 "/feeds/status-changes.atom", "/plans/load-plan/status-changes.atom", "/open-data/"):
        status, _, body = request_with_headers(server.port, "GET", path, headers=FORGED)
        text = body.decode()
        assert status == 200, (path, text[:500])
        assert "evil.example" not in text, path
        assert f"{BASE_URL}/" in text, path


@pytest.mark.scratch_db
@pytest.mark.process
def test_behind_one_trusted_proxy_https_is_believed_and_urls_still_come_from_the_base_url(served):
    """Issue 12 item 24: with TRACKER_TRUSTED_PROXIES=1 the proxy's X-Forwarded-Proto counts."""
    from tests.fixtures.faults import request_with_headers

    server = served(1)
    status, headers, _ = request_with_headers(server.port, "GET", "/sign-in", headers=FORGED)
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in headers["set-cookie"].lower()
    _, _, body = request_with_headers(server.port, "GET", "/open-data/plans/load-plan.json", headers=FORGED)
    assert "evil.example" not in body.decode() and f"{BASE_URL}/plans/load-plan" in body.decode()


# --- item 9: writes under lock contention ---------------------------------------------------


class HeldLock:
    """Another process's transaction holding the lock every write needs, for ``seconds``, or
    until the block ends if that is sooner: a test whose request is refused before
    ``seconds`` are up (a 503 after the lock timeout) need not wait out the rest, and the
    lock is still held for the whole of its request.

    On SQLite that is the database's write lock; on PostgreSQL, the data version's row,
    which every committed write moves on.
    """

    def __init__(self, url: str, seconds: float):
        self.url, self.seconds = url, seconds
        self.taken = threading.Event()
        self.released = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        if self.url.startswith("sqlite"):
            conn = sqlite3.connect(make_url(self.url).database, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            self.taken.set()
            self.released.wait(self.seconds)
            conn.execute("ROLLBACK")
            conn.close()
            return
        engine = create_engine(self.url)
        with engine.connect() as conn, conn.begin():
            conn.execute(text("UPDATE data_version SET counter = counter WHERE id = 1"))
            self.taken.set()
            self.released.wait(self.seconds)
        engine.dispose()

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(10), "could not take the lock"
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.thread.join()


def _report(port: int, reporter, narrative: str) -> tuple[int, dict[str, str], bytes]:
    from tests.fixtures.faults import request_with_headers

    body = json.dumps({"narrative": narrative, "percent_complete": 10, "proposed_status": "ongoing",
                       "submit": True})
    headers = {"Authorization": f"Bearer {reporter.token}", "Content-Type": "application/json",
               "Content-Length": str(len(body))}
    return request_with_headers(port, "POST", f"/api/v1/actions/{reporter.action_id}/reports",
                                headers=headers, body=body.encode())


def _stored(url: str, narrative: str) -> int:
    from sqlalchemy import create_engine, func

    from tracker.models import ProgressReport

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ProgressReport)
                               .where(ProgressReport.narrative == narrative))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def contended(scratch_databases, log_dir):
    """gunicorn on a scratch database with two agency clients (one per test: a report per action
    and round may be open), and a way to start it with settings."""
    url = scratch_databases("locks")
    reporters = faults.build_reporting_world(url, 2)
    servers = []

    def serve(**env):
        server = faults.gunicorn(url, workers=2, log_dir=log_dir, env=env).start()
        servers.append(server)
        return server

    yield url, reporters, serve
    for server in servers:
        server.kill()


@pytest.mark.scratch_db
@pytest.mark.process
def test_a_write_waits_for_a_lock_held_longer_than_sqlites_old_five_seconds(contended):
    """Issue 12 item 9: on SQLite with several workers, a write that waited more than five
    seconds for the write lock answered 500 "database is locked"; now it waits its turn."""
    url, (reporter, _), serve = contended
    server = serve()
    with HeldLock(url, seconds=7):
        status, _, body = _report(server.port, reporter, "waited for the lock")
    assert status == 201, body[:500]
    assert _stored(url, "waited for the lock") == 1


@pytest.mark.scratch_db
@pytest.mark.process
def test_a_write_that_cannot_get_the_lock_in_time_answers_503_and_stores_nothing(contended):
    """Issue 12 item 9: past the lock timeout a write is refused with 503 and Retry-After, never
    500, and nothing of it is stored; the same write then succeeds."""
    url, (_, reporter), serve = contended
    server = serve(TRACKER_DATABASE_LOCK_TIMEOUT="1")
    with HeldLock(url, seconds=4):
        status, headers, body = _report(server.port, reporter, "too long a wait")
    assert status == 503, body[:500]
    assert int(headers["retry-after"]) > 0
    answer = json.loads(body)
    assert answer["code"] == 503 and "nothing was stored" in answer["message"]
    assert _stored(url, "too long a wait") == 0
    status, _, _ = _report(server.port, reporter, "too long a wait")
    assert status == 201
    assert _stored(url, "too long a wait") == 1
