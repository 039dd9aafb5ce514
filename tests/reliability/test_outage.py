"""The database out of reach: a clear 503 (page or JSON), a clean session, recovery on its own.

No test here stops the shared server: the app is pointed at a port where nothing
listens, or reaches PostgreSQL through a proxy the test can cut, or has its own
connection terminated by the server (what a restart does to every connection).
"""

from __future__ import annotations

import socket
import sqlite3
import threading

import psycopg
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests import factories
from tests.fixtures import faults
from tests.fixtures.databases import is_postgres
from tests.fixtures.servers import free_port
from tracker import create_app
from tracker.extensions import db
from tracker.web.outage import MESSAGE, MESSAGE_AFTER_COMMIT, is_outage

pytestmark = pytest.mark.scratch_db

PAGE_TEXT = "nothing you submitted was lost if you saw no confirmation"


def assert_json_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    body = response.get_json()
    assert body == {"code": 503, "status": "Service Unavailable", "message": MESSAGE}
    assert int(response.headers["Retry-After"]) > 0


def assert_page_503(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "briefly unavailable" in page and PAGE_TEXT in page and "try again in a minute" in page
    assert int(response.headers["Retry-After"]) > 0


def require_postgres(database_url: str) -> None:
    if not is_postgres(database_url):
        pytest.skip("needs a PostgreSQL server: the suite runs on SQLite (set TRACKER_TEST_DATABASE_URL)")


def test_an_unreachable_database_gives_a_clear_503_page_or_json():
    dead = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"
    app = create_app({"DATABASE_URL": dead, "SECRET_KEY": "outage"})
    client = app.test_client()

    assert_page_503(client.get("/"))
    assert_json_503(client.get("/api/v1/plans"))
    assert_json_503(client.get("/api/v1/plans", headers={"Authorization": "Bearer trk_whatever"}))
    assert_json_503(client.post("/api/v1/actions/1/reports", json={"narrative": "x"},
                                headers={"Authorization": "Bearer trk_whatever"}))
    # A page asked for as JSON answers in JSON too.
    assert_json_503(client.get("/", headers={"Accept": "application/json"}))
    # No database needed: still served.
    assert client.get("/api/openapi.json").status_code == 200


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (psycopg.OperationalError("connection failed: Connection refused"), True),
        (psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"), True),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
        (psycopg.errors.CannotConnectNow("the database system is starting up"), True),
        (psycopg.errors.ConnectionFailure("connection failure"), True),
        (sqlite3.OperationalError("database is locked"), False),
        (sqlite3.OperationalError("no such table: plans"), False),
        (psycopg.errors.SerializationFailure("could not serialize access"), False),
        (psycopg.errors.DeadlockDetected("deadlock detected"), False),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (psycopg.errors.UniqueViolation("duplicate key"), False),
    ],
    ids=lambda value: value if isinstance(value, bool) else type(value).__name__ + ":" + str(value)[:30],
)
def test_only_a_lost_connection_counts_as_an_outage(error, outage):
    assert is_outage(OperationalError("SELECT 1", {}, error)) is outage


def test_a_locked_sqlite_database_is_busy_not_a_server_error_but_other_errors_stay_errors(tmp_path):
    """Contention (issue 12 item 9) is answered 503 with Retry-After; a broken statement stays a 500."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'locked.sqlite'}", "SECRET_KEY": "outage"})

    def locked():
        raise OperationalError("INSERT INTO x", {}, sqlite3.OperationalError("database is locked"))

    def broken():
        raise OperationalError("SELECT * FROM nowhere", {}, sqlite3.OperationalError("no such table: nowhere"))

    app.add_url_rule("/locked", view_func=locked)
    app.add_url_rule("/api/locked", endpoint="api_locked", view_func=locked)
    app.add_url_rule("/broken", view_func=broken)
    client = app.test_client()
    for path in ("/locked", "/api/locked"):
        response = client.get(path)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert "nothing was stored" in response.get_data(as_text=True)
    assert client.get("/broken").status_code == 500


class CuttableProxy:
    """A TCP proxy to PostgreSQL that can cut every connection and refuse new ones, then heal."""

    def __init__(self, port: int):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()  # the server "is down": the connection opens and drops at once
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open = False
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def heal(self):
        self.open = True

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture
def scratch_postgres(database_url, scratch):
    require_postgres(database_url)
    return scratch.migrated("rel_outage")


def published_plan_and_token(url: str):
    """A published plan with a few actions, an API token of their lead agency's focal point and
    one of the secretariat's.

    Each report goes to an action of its own: one report per action and round may be open.
    """
    app = faults.app_for(url)
    with app.app_context():
        plan = factories.plan(slug="outage-plan")
        agency = factories.agency(acronym="OUT").acronym
        action_ids = [factories.action(plan, lead_agency=agency).id for _ in range(4)]
        user = factories.user("agency", agency="OUT")
        secret = factories.api_token(user, name="outage")
        reviewer = factories.api_token(factories.user("secretariat"), name="outage review")
        db.session.remove()
        db.engine.dispose()
    return action_ids, {"Authorization": f"Bearer {secret}"}, {"Authorization": f"Bearer {reviewer}"}


class Proxied:
    """The app reaching its database through a proxy that can be cut."""

    def __init__(self, url: str):
        self.action_ids, self.token, self.reviewer = published_plan_and_token(url)
        target = make_url(url)
        self.proxy = CuttableProxy(target.port or 5432)
        proxied = target.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)
        self.app = create_app({"DATABASE_URL": proxied, "SECRET_KEY": "outage"})
        self.client = self.app.test_client()

    def report(self):
        """A new report, on the next action (none has an open report yet)."""
        return self.client.post(f"/api/v1/actions/{self.action_ids.pop(0)}/reports", headers=self.token, json={
            "narrative": "Portal live", "percent_complete": 50, "proposed_status": "ongoing", "submit": True,
        })

    def accept(self, report_id: int):
        """The secretariat accepts a report; the answer shows the report read back after the commit."""
        return self.client.post(f"/api/v1/reports/{report_id}/accept", headers=self.reviewer, json={})

    def close(self):
        self.proxy.close()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def proxied(scratch_postgres):
    world = Proxied(scratch_postgres)
    yield world
    world.close()


def stored_reports(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM progress_reports")).scalar_one()
    finally:
        engine.dispose()


def test_the_app_answers_503_while_cut_off_and_recovers_by_itself(proxied, scratch_postgres):
    client, proxy = proxied.client, proxied.proxy
    assert client.get("/api/v1/plans").status_code == 200  # the pool now holds live connections
    assert proxied.report().status_code == 201

    proxy.cut()  # every pooled connection dies; new ones are refused
    assert_json_503(client.get("/api/v1/plans"))
    assert_json_503(proxied.report())
    assert_page_503(client.get("/"))
    assert_page_503(client.get("/plans/outage-plan"))

    proxy.heal()  # the database is back: the very next requests work, nothing restarted
    assert client.get("/api/v1/plans").status_code == 200
    created = proxied.report()
    assert created.status_code == 201, created.get_json()
    assert client.get("/plans/outage-plan").status_code == 200
    assert stored_reports(scratch_postgres) == 2


def cut_after_next_commit(proxy, holding=lambda session: True):
    """Cut the database off right after the next real commit (not a savepoint's release) of a
    session ``holding`` what the test waits for."""
    armed = [proxy]

    def cut_once(session):
        if armed and not session.in_nested_transaction() and holding(session):
            armed.pop().cut()

    event.listen(Session, "after_commit", cut_once)
    return lambda: event.remove(Session, "after_commit", cut_once)


def stored_states(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT state FROM progress_reports ORDER BY id")).scalars())
    finally:
        engine.dispose()


def test_a_report_committed_just_before_the_database_goes_is_not_answered_try_again(proxied, scratch_postgres):
    """The server goes just after a write is committed. A new report's 201 is built from what was
    written, so it still says "created"; a review's answer is read back after the commit, so it
    says the write may have been saved and to check before sending it again: never "try again"."""
    first = proxied.report()
    assert first.status_code == 201

    stop = cut_after_next_commit(proxied.proxy)
    try:
        created = proxied.report()
    finally:
        stop()
    assert created.status_code == 201, created.get_data(as_text=True)  # the truth: it is stored
    assert stored_reports(scratch_postgres) == 2
    proxied.proxy.heal()
    assert proxied.client.get("/api/v1/plans").status_code == 200

    def holds_the_acceptance(session):
        return any(getattr(row, "state", None) == "accepted" for row in session.identity_map.values())

    stop = cut_after_next_commit(proxied.proxy, holds_the_acceptance)
    try:
        lost_answer = proxied.accept(first.get_json()["id"])
    finally:
        stop()
    assert lost_answer.status_code == 503, lost_answer.get_data(as_text=True)
    assert lost_answer.get_json()["message"] == MESSAGE_AFTER_COMMIT
    assert "may have been saved" in MESSAGE_AFTER_COMMIT and "check before" in MESSAGE_AFTER_COMMIT
    assert stored_states(scratch_postgres) == ["accepted", "submitted"]  # stored: sending again would 409
    proxied.proxy.heal()
    assert proxied.client.get("/api/v1/plans").status_code == 200


def test_a_connection_lost_after_the_answer_is_made_leaves_the_answer_alone(proxied, scratch_postgres):
    """Closing the session rolls back the read that built the answer; with the server gone that
    ROLLBACK fails, after the response exists. It must not turn a stored report's 201 into a 500."""
    cut = []

    @proxied.app.after_request
    def server_goes_now(response):
        if cut:
            cut.pop().cut()
        return response

    cut.append(proxied.proxy)
    created = proxied.report()
    assert created.status_code == 201, created.get_data(as_text=True)
    assert stored_reports(scratch_postgres) == 1
    cut.append(proxied.proxy)
    proxied.proxy.heal()
    assert proxied.client.get("/api/v1/plans").status_code == 200  # a read, also cut before teardown
    proxied.proxy.heal()
    assert proxied.client.get("/api/v1/plans").status_code == 200
    assert proxied.report().status_code == 201
    assert stored_reports(scratch_postgres) == 2


def test_a_connection_terminated_mid_request_is_a_503_and_is_not_reused(scratch_postgres):
    """What a restart does to a request in flight: the server ends its connection between two queries."""
    app = create_app({"DATABASE_URL": scratch_postgres, "SECRET_KEY": "outage"})
    admin = create_engine(scratch_postgres, isolation_level="AUTOCOMMIT")
    seen: list[int] = []

    def terminated_mid_request():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        seen.append(pid)
        if len(seen) == 1:
            with admin.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(text("SELECT 1"))
        return {"backend": pid}

    app.add_url_rule("/api/v1/reliability-probe", view_func=terminated_mid_request)
    client = app.test_client()
    try:
        assert_json_503(client.get("/api/v1/reliability-probe"))
        # The next request gets a new connection, not the dead one, and succeeds.
        again = client.get("/api/v1/reliability-probe")
        assert again.status_code == 200, again.get_data(as_text=True)
        assert seen[1] != seen[0]
        with app.app_context():
            assert db.engine.pool.checkedout() == 0  # the failed request gave its connection back
    finally:
        admin.dispose()
        with app.app_context():
            db.engine.dispose()
