"""/healthz and /metrics: what a monitor and a Prometheus scraper are told."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from tests import factories
from tests.fixtures.databases import app_on, is_postgres
from tests.fixtures.servers import free_port
from tracker.models import OutboxMessage, WebhookDelivery, WebhookEndpoint
from tracker.publishing.data_version import current_data_version
from tracker.scheduler.runner import beat
from tracker.services.monitoring import clear_heartbeat, record_heartbeat
from tracker.web.outage import code_revision


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.get_json()


def test_healthy_when_the_database_answers_at_the_current_revision_and_the_scheduler_beats(client, db_session):
    record_heartbeat("host:1", datetime.now(UTC) - timedelta(seconds=20))
    status, answer = health(client)
    assert status == 200, answer
    assert answer["status"] == "ok" and answer["problems"] == []
    assert answer["database"] == {"reachable": True}
    assert answer["migrations"]["current"] is True
    assert answer["migrations"]["database"] == answer["migrations"]["code"]
    assert answer["scheduler"]["worker"] == "host:1"
    assert 20 <= answer["scheduler"]["age_seconds"] < 120


def test_health_needs_no_sign_in_and_is_never_cached(client, db_session):
    record_heartbeat("host:1", datetime.now(UTC))
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_a_dead_scheduler_makes_it_unhealthy(client, db_session):
    record_heartbeat("host:1", datetime.now(UTC) - timedelta(minutes=10))
    status, answer = health(client)
    assert status == 503
    assert answer["status"] == "unhealthy"
    assert len(answer["problems"]) == 1
    assert answer["problems"][0].startswith("scheduler not running: last heartbeat 60")
    assert answer["database"]["reachable"] and answer["migrations"]["current"]


def test_no_scheduler_ever_started_is_unhealthy(client, db_session):
    status, answer = health(client)
    assert status == 503 and answer["problems"] == ["scheduler not running: no heartbeat recorded"]


def test_a_scheduler_that_stops_cleanly_says_so_at_once(app, client, db_session):
    beat(app, "host:7")
    assert health(client)[0] == 200
    beat(app, "host:8", stopping=True)  # another scheduler's stop leaves this one's beat alone
    assert health(client)[0] == 200
    beat(app, "host:7", stopping=True)
    status, answer = health(client)
    assert status == 503 and answer["problems"] == ["scheduler not running: no heartbeat recorded"]


def test_an_old_schema_makes_it_unhealthy_and_says_what_to_run(client, db_session):
    record_heartbeat("host:1", datetime.now(UTC))
    db_session.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    status, answer = health(client)
    assert status == 503
    assert answer["migrations"] == {"current": False, "database": "0012", "code": answer["migrations"]["code"]}
    assert answer["problems"] == [
        (f"migrations not current: the database is at 0012, this code needs {answer['migrations']['code']} "
        "(run 'flask db upgrade')")]


def test_the_heartbeat_leaves_the_public_pages_cached(db_session):
    before = current_data_version()
    record_heartbeat("host:1", datetime.now(UTC))
    clear_heartbeat("host:1")
    assert current_data_version() == before


@pytest.mark.scratch_db  # an app of its own, on no database at all
def test_an_unreachable_database_is_a_503_that_says_so(database_url, tmp_path):
    if is_postgres(database_url):
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.sqlite'}"
    app = app_on(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}}
                 if is_postgres(url) else {})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    answer = response.get_json()
    assert answer["database"] == {"reachable": False}
    assert answer["problems"] == ["database unreachable"]
    assert not Path(tmp_path / "no-such-folder").exists()


# --- /metrics ------------------------------------------------------------------------------


def metric(body: str, name: str, **labels) -> float:
    """The value of one series in a Prometheus text page (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    series = f"{name}{{{wanted}}}" if labels else name
    for line in body.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def scrape(client, **headers) -> str:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.get_data(as_text=True)


def test_metrics_are_for_admins_and_the_scraper_token_only(app, client, auth, db_session, monkeypatch):
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "tracker_http_requests_total" not in anonymous.get_data(as_text=True)
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-me")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert "tracker_http_requests_total" in scrape(client, Authorization="Bearer scrape-me")

    auth.login_as("secretariat")
    assert client.get("/metrics").status_code == 403
    auth.logout()
    auth.login_as("admin")
    assert "# TYPE tracker_http_requests_total counter" in scrape(client)


def test_metrics_without_a_token_set_refuse_every_bearer(app, client, db_session):
    assert app.config["METRICS_TOKEN"] is None
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 401


def test_metrics_count_requests_by_endpoint_including_pages_served_from_memory(app, client, db_session,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-me")
    factories.plan(slug="counted", title="Counted plan")
    before = scrape(client, Authorization="Bearer scrape-me")
    for _ in range(3):  # the first is rendered, the next two come from the public cache
        assert client.get("/plans/counted", buffered=True).status_code == 200
    client.get("/no-such-page/12345", buffered=True)
    after = scrape(client, Authorization="Bearer scrape-me")

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("tracker_http_requests_total", endpoint="public.plan", method="GET", status="200") == 3
    assert grew("tracker_http_request_duration_seconds_count", endpoint="public.plan") == 3
    assert grew("tracker_http_request_duration_seconds_bucket", endpoint="public.plan", le="+Inf") == 3
    # URLs no route answers share one label, whatever the URL.
    assert grew("tracker_http_requests_total", endpoint="unmatched", method="GET", status="404") == 1
    assert "no-such-page" not in after


def test_metrics_show_the_outbox_and_webhook_backlogs_and_reminders_sent(app, client, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-me")
    now = datetime.now(UTC)
    for n, state in enumerate(("pending", "pending", "sending", "sent", "failed")):
        db_session.add(OutboxMessage(recipient=f"r{n}@example.org", kind="reminder", subject="s",
                                     message_id=f"<m{n}@test>", state=state, next_attempt_at=now, created_at=now))
    db_session.flush()
    body = scrape(client, Authorization="Bearer scrape-me")
    assert metric(body, "tracker_outbox_backlog") == 3
    assert "# TYPE tracker_reminders_sent_total counter" in body
    endpoint = WebhookEndpoint(url="https://hooks.example.org/t", events=["report.submitted"],
                               secret="s", created_at=now)
    db_session.add(endpoint)
    db_session.flush()
    for n, state in enumerate(("pending", "sending", "delivered", "failed")):
        db_session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=f"e{n}", event="report.submitted",
                                       body="{}", state=state, next_attempt_at=now, created_at=now))
    db_session.flush()
    body = scrape(client, Authorization="Bearer scrape-me")
    assert metric(body, "tracker_webhook_backlog") == 2


def test_metrics_add_up_every_worker_in_multiprocess_mode(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR set (as gunicorn.conf.py does), figures written by other
    processes are part of the page. (The deploy test checks it across real gunicorn workers.)"""
    import subprocess
    import sys

    script = (
        "from tracker.web.metrics import REQUESTS, exposition\n"
        "REQUESTS.labels('public.plan', 'GET', '200').inc(5)\n"
        "import sys; sys.stdout.write(exposition({}).decode())\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for expected in (5, 10):  # the second process sees the first one's figures too
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parents[2]).stdout
        assert metric(out, "tracker_http_requests_total", endpoint="public.plan", method="GET",
                      status="200") == expected


BEFORE_CONTENT_TRANSLATIONS = "0022"


@pytest.mark.scratch_db  # an app of its own, on a database of its own that is migrated here
def test_pages_answer_503_being_upgraded_while_the_schema_is_behind_the_code(scratch):
    # The new code is serving before `flask db upgrade` finished (docs/deploy.md, "Upgrading"):
    # a page that needs the new schema says the service is being upgraded, never a bare 500,
    # and works again as soon as the migration has committed.
    import flask_migrate

    from tracker.extensions import db

    app = app_on(scratch.seeded("upgrading"))
    with app.app_context():
        head = code_revision(app)
        # Back to before 0023, which added the translation columns every plan page reads.
        flask_migrate.downgrade(revision=BEFORE_CONTENT_TRANSLATIONS)
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503, page.get_data(as_text=True)[:500]
    assert page.headers["Retry-After"] and page.headers["Cache-Control"] == "no-store"
    assert "being upgraded" in page.get_data(as_text=True)
    api = client.get("/api/v1/plans/mongolia-odra-2018/actions")
    assert api.status_code == 503 and "being upgraded" in api.get_json()["message"]
    assert client.get("/healthz").get_json()["migrations"]["current"] is False

    with app.app_context():
        flask_migrate.upgrade()
        assert db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        db.session.remove()
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/plans/mongolia-odra-2018/actions").status_code == 200
    with app.app_context():
        db.engine.dispose()


def test_a_broken_statement_at_the_current_schema_stays_a_server_error(app):
    # Only a schema older than the code is "being upgraded": any other failed statement is a bug.
    from sqlalchemy.exc import ProgrammingError

    from tracker.web.outage import database_unavailable

    error = ProgrammingError("SELECT no_such_column FROM plans", {}, Exception("no such column"))
    with app.test_request_context("/"), pytest.raises(ProgrammingError):
        database_unavailable(error)
