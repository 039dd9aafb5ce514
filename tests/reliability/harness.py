"""Fault-injection harness: scratch databases, gunicorn, agency clients, a PostgreSQL cluster.

Shared by the reliability tests (CI size) and ``bench/load_faults.py`` (full size).
Everything runs as operators run it: gunicorn in its own processes, real HTTP, a real
database; the figures come from what clients were told and what the database holds.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECRET_KEY = "reliability-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


# --- scratch databases --------------------------------------------------------


def create_database(base_url: str, name: str, directory: Path) -> str:
    """A new, empty database of the same kind as ``base_url`` (dropped first if left over)."""
    if not is_postgres(base_url):
        path = directory / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    url = make_url(base_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    if not is_postgres(url):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def migrated_app(url: str):
    """The application on ``url``, its schema built by the migrations."""
    import flask_migrate

    from tracker import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        flask_migrate.upgrade()
    return app


# --- the reporting world --------------------------------------------------------


@dataclass
class Reporter:
    """One agency client: its focal point's API token, the action it reports on, and the
    reporting rounds it has not reported for yet (one report per action and round may be
    open, so each report takes a round of its own, across runs)."""

    number: int
    action_id: int
    token: str
    rounds_left: list[int] = field(default_factory=list)

    def take_round(self) -> int | None:
        """The next round to report for, or None once every round has its report."""
        return self.rounds_left.pop(0) if self.rounds_left else None


def build_reporting_world(url: str, clients: int, rounds: int = 0) -> list[Reporter]:
    """A published plan with one agency per client, each with a focal point, a token and an
    action, and ``rounds`` reporting rounds: a client files one report per round.

    Users are inserted in bulk with one password hash (hashing is deliberately slow);
    tokens go through the real service, so they are exactly what the API checks.
    """
    from werkzeug.security import generate_password_hash

    from tracker.extensions import db
    from tracker.models import Action, Agency, Plan, ReportingRound, User
    from tracker.services.tokens import create_token

    app = migrated_app(url)
    with app.app_context():
        plan_id = db.session.execute(insert(Plan).returning(Plan.id), [{
            "slug": "load-plan", "title": "Load plan", "country": "Loadland", "description": "",
            "published": True, "created_at": NOW, "reporting_cadence": "manual",
        }]).scalar_one()
        agency_ids = db.session.execute(insert(Agency).returning(Agency.id, sort_by_parameter_order=True), [
            {"name": f"Load agency {n}", "acronym": f"LA{n}", "country": "Loadland"} for n in range(clients)
        ]).scalars().all()
        password = generate_password_hash("load-password")
        user_ids = db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), [
            {"email": f"focal{n}@load.example", "password_hash": password, "role": "agency",
             "agency_id": agency_ids[n], "active": True, "created_at": NOW} for n in range(clients)
        ]).scalars().all()
        action_ids = db.session.execute(insert(Action).returning(Action.id, sort_by_parameter_order=True), [
            {"plan_id": plan_id, "code": f"L{n}", "title": f"Load action {n}", "description": "",
             "lead_agency_id": agency_ids[n], "start_date": date(2026, 1, 1), "due_date": date(2027, 6, 30),
             "percent_complete": 0, "status_key": "ongoing", "position": n, "version": 1,
             "updated_at": NOW, "paused": False} for n in range(clients)
        ]).scalars().all()
        round_ids = tuple(db.session.execute(insert(ReportingRound).returning(
            ReportingRound.id, sort_by_parameter_order=True), [
            {"plan_id": plan_id, "name": f"Load round {n}", "opens_on": date(2026, 1, 1),
             "deadline": date(2026, 12, 31)} for n in range(rounds)
        ]).scalars().all()) if rounds else ()
        db.session.commit()
        reporters = []
        for n in range(clients):
            # At the real time: the API checks expiry against the clock.
            _, secret = create_token(db.session.get(User, user_ids[n]), {"name": "load", "scope": "read_write"},
                                     now=datetime.now(UTC))
            reporters.append(Reporter(n, action_ids[n], secret, list(round_ids)))
        db.session.remove()
        db.engine.dispose()
    return reporters


# --- gunicorn ---------------------------------------------------------------------


class Gunicorn:
    """``gunicorn wsgi:app`` on a free loopback port, as production runs it (sync workers)."""

    def __init__(self, url: str, *, workers: int | None = None, log_dir: Path, env: dict | None = None):
        self.url = url
        self.env = env or {}
        self.workers = workers or 2 * (os.cpu_count() or 1)
        self.port = free_port()
        self.log = log_dir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Gunicorn:
        if shutil.which("gunicorn", path=os.path.dirname(sys.executable)) is None:
            raise RuntimeError("gunicorn is not installed in this environment (pip install gunicorn)")
        env = {**os.environ, "TRACKER_DATABASE_URL": self.url, "TRACKER_SECRET_KEY": SECRET_KEY, **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5",
                 "--preload", "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_text()}")
            status, _ = request(self.port, "GET", "/api/v1/plans", timeout=5)
            if status == 200:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # quick shutdown: the load is over
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def log_text(self, limit: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def request_with_headers(port: int, method: str, path: str, *, headers: dict | None = None,
                         body: bytes | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request on a new connection: (status, lower-cased response headers, body).

    ``headers`` may set Host: http.client then sends that Host instead of its own.
    """
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host="Host" in (headers or {}))
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 30) -> tuple[int | None, bytes | str]:
    """One HTTP request on a new connection: (status, body), or (None, error) if none came."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        conn.close()


# --- the load ------------------------------------------------------------------------


@dataclass
class Sample:
    """One report a client sent, and what it was told."""

    client: int
    tag: str
    started: float
    ended: float
    status: int | None
    report_id: int | None = None
    detail: str = ""


def run_load(port: int, reporters: list[Reporter], *, run: str, stop: threading.Event,
             samples: list[Sample] | None = None, pause_after_refusal: float = 0.1) -> list[Sample]:
    """Every reporter submits reports back to back until ``stop`` is set (or it has reported for
    every round).

    Each report's narrative is a unique tag, so the database can be checked against
    what each client was told. Each report is for the next of the reporter's rounds, as
    one report per action and round may be open. A refused request (503) is not retried:
    the next one is a new report, after a short pause, as a polite client would do.
    ``samples``, if given, fills up while the load runs, for whoever watches it.
    """
    samples = [] if samples is None else samples

    def client(reporter: Reporter) -> None:
        headers = {"Authorization": f"Bearer {reporter.token}", "Content-Type": "application/json"}
        path = f"/api/v1/actions/{reporter.action_id}/reports"
        seq = 0
        while not stop.is_set() and (round_id := reporter.take_round()) is not None:
            seq += 1
            tag = f"load:{run}:{reporter.number}:{seq}"
            body = json.dumps({"narrative": tag, "percent_complete": seq % 101, "round_id": round_id,
                               "proposed_status": "ongoing", "submit": True}).encode()
            started = time.monotonic()
            status, answer = request(port, "POST", path, body, headers)
            sample = Sample(reporter.number, tag, started, time.monotonic(), status)
            if status == 201:
                sample.report_id = json.loads(answer)["id"]
            else:
                sample.detail = answer if isinstance(answer, str) else answer[:300].decode(errors="replace")
            samples.append(sample)  # list.append is atomic
            if status != 201:
                time.sleep(pause_after_refusal)

    threads = [threading.Thread(target=client, args=(r,), daemon=True) for r in reporters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def load_for(port: int, reporters: list[Reporter], *, run: str, seconds: float) -> list[Sample]:
    stop = threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    try:
        return run_load(port, reporters, run=run, stop=stop)
    finally:
        timer.cancel()
        stop.set()


@dataclass
class Figures:
    """What clients were told against what the database holds."""

    clients: int
    seconds: float
    sent: int
    codes: Counter
    acknowledged: int
    rows_expected: int
    rows_found: int
    missing: list[str] = field(default_factory=list)        # acknowledged, no row
    duplicated: list[str] = field(default_factory=list)     # acknowledged, several rows
    wrong_id: list[str] = field(default_factory=list)       # acknowledged id is not the stored row
    unacknowledged: list[str] = field(default_factory=list)  # stored, but the client was not told 201
    misled: list[str] = field(default_factory=list)  # of those, told "nothing was lost, try again"

    @property
    def exactly_once(self) -> bool:
        return not (self.missing or self.duplicated or self.wrong_id)

    def lines(self) -> list[str]:
        codes = ", ".join(f"{code or 'no answer'}: {n}" for code, n in sorted(self.codes.items(), key=lambda i: str(i[0])))
        return [
            (f"clients {self.clients}, {self.seconds:.1f} s, requests sent {self.sent} "
             f"({self.sent / self.seconds:.0f}/s)"),
            f"answers: {codes}",
            (f"201s {self.acknowledged}; rows expected {self.rows_expected}, found {self.rows_found} "
             f"(missing {len(self.missing)}, duplicated {len(self.duplicated)}, wrong id {len(self.wrong_id)}, "
             f"stored without a 201: {len(self.unacknowledged)}, of which told to try again: {len(self.misled)})"),
        ]


def check_stored(url: str, samples: list[Sample], *, run: str, clients: int, seconds: float) -> Figures:
    """Match every acknowledged report to the progress_reports rows carrying its tag."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, narrative FROM progress_reports WHERE narrative LIKE :tags"),
                {"tags": f"load:{run}:%"},
            ).all()
    finally:
        engine.dispose()
    stored: dict[str, list[int]] = {}
    for report_id, tag in rows:
        stored.setdefault(tag, []).append(report_id)
    acknowledged = {s.tag: s for s in samples if s.status == 201}
    figures = Figures(
        clients=clients, seconds=seconds, sent=len(samples), codes=Counter(s.status for s in samples),
        acknowledged=len(acknowledged), rows_expected=len(acknowledged),
        rows_found=sum(len(stored.get(tag, [])) for tag in acknowledged),
    )
    for tag, sample in acknowledged.items():
        ids = stored.get(tag, [])
        if not ids:
            figures.missing.append(tag)
        elif len(ids) > 1:
            figures.duplicated.append(tag)
        elif ids != [sample.report_id]:
            figures.wrong_id.append(tag)
    figures.unacknowledged = sorted(set(stored) - set(acknowledged))
    answers = {s.tag: s for s in samples}
    figures.misled = [tag for tag in figures.unacknowledged
                      if tag in answers and "try again in a minute" in answers[tag].detail]
    return figures


# --- a PostgreSQL cluster -------------------------------------------------------------


@dataclass(frozen=True)
class PgCluster:
    """The local Debian cluster (pg_ctlcluster) that serves a database URL."""

    version: str
    name: str
    port: int
    url: str  # the maintenance database, to check the server answers

    @classmethod
    def serving(cls, database_url: str) -> PgCluster | str:
        """The cluster behind ``database_url``, or the reason it cannot be restarted from here."""
        url = make_url(database_url)
        if not url.drivername.startswith("postgresql"):
            return "the database is not PostgreSQL"
        if (url.host or "localhost") not in ("127.0.0.1", "localhost", "::1"):
            return f"PostgreSQL runs on {url.host}, not on this machine"
        if shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
            return "pg_ctlcluster is not installed (Debian postgresql-common)"
        if os.geteuid() != 0:
            return "restarting the cluster needs root (pg_ctlcluster as root)"
        port = url.port or 5432
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False)
        for line in listing.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2] == str(port):
                return cls(parts[0], parts[1], port,
                           url.set(database="postgres").render_as_string(hide_password=False))
        return f"no local cluster listens on port {port} (pg_lsclusters)"

    def _ctl(self, action: str, timeout: float = 120) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],
            check=True, capture_output=True, text=True, timeout=timeout,
        )

    def restart(self) -> None:
        self._ctl("restart")

    def accepts_connections(self) -> bool:
        import psycopg

        url = make_url(self.url)
        try:
            with psycopg.connect(host=url.host or "127.0.0.1", port=self.port, user=url.username or "postgres",
                                 password=url.password, dbname="postgres", connect_timeout=2):
                return True
        except psycopg.Error:
            return False

    def wait_until_up(self, timeout: float = 60) -> float:
        """Seconds waited until the server accepts connections (raises if it never does)."""
        started = time.monotonic()
        while not self.accepts_connections():
            if time.monotonic() - started > timeout:
                raise RuntimeError(f"PostgreSQL {self.version}/{self.name} is not back after {timeout} s")
            time.sleep(0.05)
        return time.monotonic() - started

    def ensure_running(self) -> None:
        """Start the cluster if it is not answering (after a failed test, for the rest of the suite)."""
        if self.accepts_connections():
            return
        try:
            self._ctl("start")
        except subprocess.CalledProcessError as exc:
            if "already running" not in (exc.stderr or ""):
                raise
        self.wait_until_up()

    def foreign_sessions(self, own_databases: set[str]) -> dict[str, int]:
        """Client sessions on databases other than ``own_databases``: whom a restart would cut off."""
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT datname, count(*) FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND datname IS NOT NULL "
                    "AND pid <> pg_backend_pid() GROUP BY datname"
                )).all()
        finally:
            engine.dispose()
        return {name: n for name, n in rows if name not in own_databases}


@dataclass
class Outage:
    """Times (monotonic) of a restart: asked, and the server accepting connections again."""

    asked: float = 0.0
    back: float = 0.0


def restart_during(cluster: PgCluster, outage: Outage) -> None:
    outage.asked = time.monotonic()
    cluster.restart()
    cluster.wait_until_up()
    outage.back = time.monotonic()


@dataclass
class Recovery:
    """How the app went through a restart, from the clients' side."""

    down_seconds: float          # restart asked -> server accepting connections again
    refused: int                 # 503 answers
    refused_after_back: int      # 503 answers to requests sent once the server was back
    first_success_after_back: float | None  # seconds from "back" to the first 201 sent after it
    last_refusal_after_back: float | None   # seconds from "back" to the end of the last 503
    failures_after_grace: list[Sample]      # anything but 201 for requests sent > grace s after "back"
    successes_after_back: int
    successes_after_last_failure: int

    def lines(self) -> list[str]:
        def seconds(value):
            return "none" if value is None else f"{value:.2f} s"
        return [
            (f"restart: server down {self.down_seconds:.2f} s; 503s {self.refused} "
             f"({self.refused_after_back} to requests sent after it was back)"),
            (f"recovery: first 201 sent after the server was back came {seconds(self.first_success_after_back)} "
             f"after it; last 503 ended {seconds(self.last_refusal_after_back)} after it; "
             f"{self.successes_after_back} reports acknowledged after it, "
             f"{self.successes_after_last_failure} after the last failure"),
        ]


def recovery(samples: list[Sample], outage: Outage, *, grace: float = 10.0) -> Recovery:
    after = sorted((s for s in samples if s.started >= outage.back), key=lambda s: s.started)
    ok_after = [s for s in after if s.status == 201]
    refused = [s for s in samples if s.status == 503]
    refused_ends = [s.ended - outage.back for s in refused if s.ended >= outage.back]
    return Recovery(
        down_seconds=outage.back - outage.asked,
        refused=len(refused),
        refused_after_back=sum(1 for s in after if s.status == 503),
        first_success_after_back=(ok_after[0].started - outage.back) if ok_after else None,
        last_refusal_after_back=max(refused_ends, default=None),
        failures_after_grace=[s for s in after if s.started >= outage.back + grace and s.status != 201],
        successes_after_back=len(ok_after),
        successes_after_last_failure=successes_after_last_failure(samples),
    )


def last_failure_end(samples: list[Sample]) -> float | None:
    return max((s.ended for s in list(samples) if s.status != 201), default=None)


def successes_after_last_failure(samples: list[Sample]) -> int:
    last = last_failure_end(samples)
    return sum(1 for s in list(samples) if s.status == 201 and (last is None or s.started > last))


def wait_for_recovery(samples: list[Sample], outage: Outage, *, clients: int, grace: float,
                      settle: float = 2.0, at_least: float = 3.0) -> None:
    """Let the load run until it has shown recovery, or ``grace`` seconds after the server is back.

    Shown means: at least ``at_least`` s after "back", ``settle`` s after the last failure,
    and since that failure one acknowledged report per client.
    """
    while (now := time.monotonic()) < outage.back + grace:
        last = last_failure_end(samples) or outage.back
        if (now >= outage.back + at_least and now >= last + settle
                and successes_after_last_failure(samples) >= clients):
            return
        time.sleep(0.2)
