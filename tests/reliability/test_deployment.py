"""The deployment of docs/deploy.md, as processes on loopback: nginx (deploy/nginx/tracker.conf,
TLS) in front of two app instances (tracker-app@.service's gunicorn command line, the
repository's gunicorn.conf.py), one scheduler (tracker-scheduler.service), one PostgreSQL
database made with the guide's own commands (``flask db upgrade``, ``flask seed load``,
``flask users create``), settings from deploy/tracker.env.example.

What it checks is what people and operators would notice: a status changed through one
instance shows at once on a public page another instance serves (no stale cache); an
instance stopped as systemd stops it, in the middle of agencies reporting, loses no report
anyone was told was stored, and nginx sends the rest to the other instance; two schedulers
started by mistake send nobody anything twice; an upgrade migration runs while an instance
serves; /healthz says so when the scheduler is gone.

PostgreSQL only: several instances on one SQLite file is not a deployment docs/deploy.md offers.
The tests run in order and share the stack.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from tests.fixtures import faults
from tests.fixtures.databases import is_postgres
from tests.fixtures.deploy import Nginx, environment_file, unit_command, unit_setting
from tests.fixtures.servers import ROOT, Gunicorn, Mailbox, free_port

# serial: run alone, after the parallel pass (nginx, two instances and the schedulers under load, timed).
pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.slow, pytest.mark.serial]

SECRETARIAT = "secretariat@deploy.example"
ADMIN = "admin@deploy.example"
PASSWORD = "deploy test password"
METRICS_TOKEN = "deploy-test-metrics-token"
CLIENTS = 8
# A small machine runs two instances here: 2 workers each instead of the unit's 4.
FEWER_WORKERS = {"--workers 4": "--workers 2"}


class Stack:
    """The running deployment, for the tests of this module."""

    def __init__(self, url: str, env: dict[str, str], tmp: Path, mailbox: Mailbox):
        self.url, self.env, self.tmp, self.mailbox = url, env, tmp, mailbox
        self.instances: dict[str, Gunicorn] = {}
        self.scheduler: subprocess.Popen | None = None
        self.nginx: Nginx | None = None
        self.ports = {"A": free_port(), "B": free_port()}

    def flask(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        """``flask --app wsgi <args>`` with the deployment's settings, as the guide runs it."""
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def instance(self, name: str) -> Gunicorn:
        """tracker-app@<port>.service's command line, on this instance's port."""
        port = self.ports[name]
        argv, unit_env = unit_command("tracker-app@.service", instance=str(port), log_dir=self.tmp / "logs",
                                      runtime_dir=self.tmp / "run", overrides=FEWER_WORKERS)
        return Gunicorn(log=self.tmp / "logs" / f"instance-{name}.log", env={**self.env, **unit_env},
                        port=port, argv=argv, ready_path="/api/v1/plans", stop_grace=40)

    def start_instance(self, name: str) -> Gunicorn:
        self.instances[name] = self.instance(name).start()
        return self.instances[name]

    def start_scheduler(self) -> subprocess.Popen:
        argv, unit_env = unit_command("tracker-scheduler.service", log_dir=self.tmp / "logs",
                                      runtime_dir=self.tmp / "run")
        with (self.tmp / "logs" / "scheduler.log").open("ab") as out:
            self.scheduler = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **unit_env}, stdout=out,
                                              stderr=subprocess.STDOUT, start_new_session=True)
        return self.scheduler

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for instance in self.instances.values():
            instance.kill()  # the module is done: nothing in flight (the mid-load stop is a test's own)
        if self.scheduler and self.scheduler.poll() is None:
            self.scheduler.send_signal(signal.SIGTERM)
            try:
                self.scheduler.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.scheduler.kill()
                self.scheduler.wait()

    def health(self) -> tuple[int | None, dict]:
        status, answer = self.nginx.https("GET", "/healthz")
        return status, json.loads(answer) if status else {"error": answer}

    def wait_for_health(self, *, healthy: bool, wait: float = 90) -> dict:
        """/healthz through nginx until it says ``healthy`` (the scheduler beats every 30 s)."""
        deadline = time.monotonic() + wait
        while True:
            status, answer = self.health()
            if (status == 200) == healthy or time.monotonic() > deadline:
                return {"status_code": status, **answer}
            time.sleep(0.5)

    def sql(self, statement: str, **params) -> list:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(statement), params).all()
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def stack(database_url, module_scratch, tmp_path_factory):
    if not is_postgres(database_url):
        pytest.skip("the deployment test runs on PostgreSQL only (docs/deploy.md deploys on PostgreSQL): "
                    "set TRACKER_TEST_DATABASE_URL to run it")
    tmp = tmp_path_factory.mktemp("deploy")
    (tmp / "logs").mkdir()
    url = module_scratch.new("deploy")  # empty: the guide's `flask db upgrade` builds it
    mailbox = Mailbox().start()
    # /etc/tracker/tracker.env, with this machine's database, mail server and folders.
    settings = environment_file()
    for secret in ("TRACKER_MAIL_USERNAME", "TRACKER_MAIL_PASSWORD"):
        settings.pop(secret)  # the test's mail server takes mail without signing in
    env = {**os.environ, **settings,
           "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": uuid.uuid4().hex,
           "TRACKER_MAIL_SERVER": "127.0.0.1", "TRACKER_MAIL_PORT": str(mailbox.port),
           "TRACKER_MAIL_USE_TLS": "false", "TRACKER_UPLOAD_DIR": str(tmp / "uploads"),
           "TRACKER_METRICS_TOKEN": METRICS_TOKEN}
    stack = Stack(url, env, tmp, mailbox)
    try:
        # docs/deploy.md, "First installation": the same commands.
        stack.flask("db", "upgrade")
        stack.flask("seed", "load")
        stack.flask("users", "create", "--email", ADMIN, "--role", "admin", "--password", PASSWORD)
        stack.flask("users", "create", "--email", SECRETARIAT, "--role", "secretariat", "--password", PASSWORD)
        stack.start_instance("A")
        stack.start_instance("B")
        stack.start_scheduler()
        nginx = Nginx(tmp / "nginx", upstreams=(stack.ports["A"], stack.ports["B"]))
        stack.nginx = nginx.start()
        yield stack
    finally:
        stack.stop()
        mailbox.stop()


class Browser:
    """A person's HTTP client on one instance: keeps its cookies, sends forms with their CSRF token."""

    def __init__(self, port: int):
        self.port, self.cookies = port, SimpleCookie()

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Content-Length"] = str(len(body))
        status, answer_headers, answer = faults.request_with_headers(self.port, method, path, headers=headers,
                                                                     body=body)
        if "set-cookie" in answer_headers:
            self.cookies.load(answer_headers["set-cookie"])
        return status, answer_headers, answer.decode(errors="replace")

    def csrf(self, path: str) -> str:
        status, _, page = self.send("GET", path)
        assert status == 200, page[:500]
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, email: str) -> None:
        token = self.csrf("/sign-in")
        status, _headers, page = self.send("POST", "/sign-in", {"email": email, "password": PASSWORD,
                                                               "csrf_token": token})
        assert status == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[-800:]


def public_page(port: int, path: str) -> tuple[str, str]:
    """A public page as an anonymous visitor gets it from one instance: (body, ETag)."""
    status, headers, body = faults.request_with_headers(port, "GET", path)
    assert status == 200, body[:300]
    return body.decode(), headers.get("etag", "")


def test_the_site_answers_over_https_healthy_with_the_proxy_believed(stack):
    answer = stack.wait_for_health(healthy=True)
    assert answer["status_code"] == 200, answer
    assert answer["migrations"]["current"] and answer["database"]["reachable"]
    assert answer["scheduler"]["worker"].endswith(f":{stack.scheduler.pid}")
    # X-Forwarded-Proto from nginx is believed (TRACKER_TRUSTED_PROXIES=1): the app knows the
    # visitor is on HTTPS, so it asks browsers to stay there and its cookies are Secure.
    status, headers, _ = stack.nginx.https_with_headers("GET", "/sign-in")
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in headers["set-cookie"]
    # Plain HTTP is sent to HTTPS.
    status, headers, _ = faults.request_with_headers(stack.nginx.http_port, "GET", "/plans",
                                                     headers={"Host": "tracker.example.org"})
    assert status == 301 and headers["location"] == "https://tracker.example.org/plans"
    # Static files come from disk through nginx.
    css = next((ROOT / "static").rglob("*.css")).relative_to(ROOT / "static")
    status, _, body = stack.nginx.https_with_headers("GET", f"/static/{css}")
    assert status == 200 and body == (ROOT / "static" / css).read_bytes()


def test_a_status_change_through_one_instance_shows_at_once_on_the_other(stack):
    [(rec_id, code, slug, status_key)] = stack.sql(
        "SELECT r.id, r.code, p.slug, r.status_key FROM recommendations r JOIN plans p ON p.id = r.plan_id "
        "WHERE p.published ORDER BY r.id LIMIT 1")
    new_status = "fully_achieved" if status_key != "fully_achieved" else "ongoing"
    reason = f"Deploy test {uuid.uuid4().hex[:8]}: law adopted"
    page = f"/plans/{slug}/recommendations/{code}"
    b = stack.ports["B"]
    before, etag = public_page(b, page)
    assert public_page(b, page) == (before, etag)  # B keeps the page in memory now
    assert reason not in before

    secretariat = Browser(stack.ports["A"])
    secretariat.sign_in(SECRETARIAT)
    form_path = f"/secretariat/plans/{slug}/recommendations/{rec_id}/status"
    status, _, answer = secretariat.send("POST", form_path, {
        "status": new_status, "reason": reason, "csrf_token": secretariat.csrf(form_path)})
    assert status == 302, answer[:500]

    after, new_etag = public_page(b, page)
    assert reason in after and new_etag != etag
    # And through nginx, whichever instance answers.
    status, body = stack.nginx.https("GET", page)
    assert status == 200 and reason in body.decode()


def test_metrics_add_up_both_workers_of_an_instance(stack):
    b = stack.ports["B"]

    def requests_for_home(body: str) -> float:
        found = re.search(r'^tracker_http_requests_total\{endpoint="public.index",method="GET",status="200"\} (\S+)$',
                          body, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    def scrape() -> str:
        status, _, body = faults.request_with_headers(b, "GET", "/metrics",
                                                      headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert status == 200
        return body.decode()

    assert faults.request_with_headers(b, "GET", "/metrics")[0] == 401
    before = requests_for_home(scrape())
    for _ in range(12):  # on new connections: gunicorn's two workers share them
        assert faults.request_with_headers(b, "GET", "/")[0] == 200
    after = scrape()
    assert requests_for_home(after) - before == 12
    assert "tracker_outbox_backlog" in after


def test_stopping_an_instance_mid_load_loses_no_acknowledged_report(stack, figures):
    reporters = faults.build_reporting_world(stack.url, CLIENTS, rounds=400)
    a = stack.instances["A"]
    access_a = stack.tmp / "logs" / f"app-{stack.ports['A']}.access.log"
    access_b = stack.tmp / "logs" / f"app-{stack.ports['B']}.access.log"
    posts_to_b_before = access_b.read_text().count("POST /api/v1/")
    samples: list[faults.Sample] = []
    stop = threading.Event()

    def send(port, method, path, body, headers):
        return stack.nginx.https(method, path, body, headers)

    load = threading.Thread(target=faults.run_load, args=(0, reporters),
                            kwargs={"run": "failover", "stop": stop, "samples": samples, "send": send})
    load.start()
    try:
        _wait_for(lambda: sum(s.status == 201 for s in samples) >= 40, "40 reports stored before the stop")
        assert "POST /api/v1/" in access_a.read_text()  # A had its share
        # systemctl stop tracker-app@<A>: SIGTERM, running requests finish, then it exits.
        a.process.send_signal(signal.SIGTERM)
        a.process.wait(timeout=60)
        stopped = time.monotonic()
        _wait_for(lambda: sum(s.status == 201 and s.started > stopped for s in samples) >= 40,
                  "40 reports stored after the stop")
    finally:
        stop.set()
        load.join()
    result = faults.check_stored(stack.url, samples, run="failover", clients=CLIENTS, seconds=1)
    after_stop = [s for s in samples if s.started > stopped]
    figures(f"failover: {CLIENTS} clients through nginx, instance A stopped mid-load",
            [*result.lines()[1:], (f"after A stopped: {len(after_stop)} requests, "
             f"{Counter(s.status for s in after_stop)}")])
    assert result.exactly_once, (result.missing[:5], result.duplicated[:5], result.wrong_id[:5])
    assert result.rows_found == result.acknowledged > 0
    # Everything sent once A was gone went to B, and was stored.
    assert [s for s in after_stop if s.status != 201] == []
    assert access_b.read_text().count("POST /api/v1/") - posts_to_b_before >= len(after_stop)


def test_two_schedulers_started_by_mistake_send_nothing_twice(stack):
    # The running scheduler, and two more run at once for a day reminders are due.
    runs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run-once",
                              "--now", "2027-06-23T07:00"], cwd=ROOT, env=stack.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = stack.sql("SELECT message_id, recipient, subject FROM outbox_messages WHERE state = 'sent'")
    received = stack.mailbox.messages
    assert len(sent) >= CLIENTS, outputs  # every focal point had an action due in 7 days
    assert sorted(m["Message-ID"] for m in received) == sorted(row.message_id for row in sent)
    repeated = Counter((m["To"], m["Subject"]) for m in received)
    assert [key for key, n in repeated.items() if n > 1] == []
    assert stack.sql("SELECT count(*) FROM outbox_messages WHERE state <> 'sent'")[0][0] == 0


def test_an_upgrade_migration_runs_while_an_instance_serves(stack):
    # Instance A is down (stopped above): as in docs/deploy.md's upgrade, B serves alone.
    b = stack.ports["B"]
    head = stack.sql("SELECT version_num FROM alembic_version")[0][0]
    # Back to before 0023, whose translation columns every plan page reads: pages that need
    # them must say "being upgraded" until the migration commits.
    down = "0022"
    stack.flask("db", "downgrade", down)
    status, _, body = faults.request_with_headers(b, "GET", "/healthz")
    answer = json.loads(body)
    assert status == 503 and answer["migrations"] == {"current": False, "database": down, "code": head}

    answers: list[int | None] = []
    done = threading.Event()

    def read():
        while not done.is_set():
            for path in ("/", "/api/v1/plans", "/changes"):
                answers.append(faults.request(b, "GET", path)[0])

    reader = threading.Thread(target=read)
    reader.start()
    try:
        _wait_for(lambda: len(answers) >= 10, "B answering")
        during = len(answers)
        stack.flask("db", "upgrade")  # docs/deploy.md, "Upgrading"
        upgraded = len(answers)
        _wait_for(lambda: len(answers) >= upgraded + 10, "B answering after the upgrade")
    finally:
        done.set()
        reader.join()
    assert upgraded > during  # B answered while the migration ran
    # B runs the new code: until the migration commits, a page that needs the new schema says
    # the service is being upgraded (503, Retry-After), never a server error; once it has
    # committed, every page answers. One reader, so at most one answer was already on its way.
    assert set(Counter(answers)) <= {200, 503}, Counter(answers)
    assert set(answers[upgraded + 1:]) == {200}, Counter(answers[upgraded + 1:])
    status, _, body = faults.request_with_headers(b, "GET", "/healthz")
    assert json.loads(body)["migrations"] == {"current": True, "database": head, "code": head}

    # A, started again on the upgraded database, rejoins.
    stack.start_instance("A")
    assert json.loads(faults.request_with_headers(stack.ports["A"], "GET", "/healthz")[2])["migrations"]["current"]


def test_the_nightly_backup_keeps_the_newest_archives(stack):
    # tracker-backup.service's command, with its settings; three nights, two kept.
    [command] = unit_command_line("tracker-backup.service")
    backups = stack.tmp / "backups"
    env = {**stack.env, "TRACKER_BACKUP_DIR": str(backups), "TRACKER_BACKUP_KEEP": "2",
           "TRACKER_FLASK": str(Path(sys.executable).with_name("flask"))}
    made = []
    for _ in range(3):
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
                                check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        made.append(re.search(r"backup: (\S+)", result.stdout).group(1))
    kept = sorted(str(path) for path in backups.glob("tracker-backup-*.tar.gz"))
    assert kept == sorted(made[1:])  # the oldest went; no half-written archive is left
    assert not list(backups.glob("*.partial"))


def unit_command_line(unit: str) -> list[str]:
    """A oneshot unit's ExecStart, with /srv/tracker/app as this checkout."""
    return [[part.replace("/srv/tracker/app/", f"{ROOT}/") for part in command.split()]
            for command in unit_setting(unit, "ExecStart")]


def test_health_reports_a_stopped_scheduler(stack):
    assert stack.wait_for_health(healthy=True)["status_code"] == 200
    stack.scheduler.send_signal(signal.SIGTERM)  # systemctl stop tracker-scheduler
    assert stack.scheduler.wait(timeout=60) == 0
    answer = stack.wait_for_health(healthy=False, wait=10)
    assert answer["status_code"] == 503
    assert answer["problems"] == ["scheduler not running: no heartbeat recorded"]
    assert answer["database"]["reachable"] and answer["migrations"]["current"]


def _wait_for(condition, what: str, wait: float = 120) -> None:
    deadline = time.monotonic() + wait
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {wait:.0f} s for: {what}")
        time.sleep(0.05)
