"""The HTTP benchmark: generated data, the app under gunicorn, a load tool, a markdown report.

    .venv/bin/pip install -e ".[bench]"          # gunicorn; apt-get install -y wrk (optional)
    .venv/bin/python bench/run.py                 # scale 1.0, SQLite then PostgreSQL
    .venv/bin/python bench/run.py --quick         # a tiny smoke run (seconds)
    .venv/bin/python bench/run.py --scale 0.1 --databases postgresql --duration 5

For each database it generates the data (bench/generate.py), starts
``gunicorn -w N -b 127.0.0.1:PORT wsgi:app`` from the repository root with
TRACKER_DATABASE_URL set (N = 2 x cores), waits until every worker has loaded the app,
and measures, one freshly started server per scenario:

- the public home ``/``, the reference plan's page and the largest plan's page;
- the scorecard JSON ``/api/v1/plans/<slug>/scorecard`` (a 404 is "not available");
- the Gantt chart ``/plans/<slug>/gantt.png``: cold (the first request after a data
  change, made through the API: a report submitted and accepted), and cached (repeated,
  and conditional with If-None-Match); a 404 is "not available";
- 50 concurrent agency clients submitting progress reports through the API with their
  own personal API tokens, each on actions its agency leads;
- a reminder pass, ``flask --app wsgi scheduler run-once --now ...``, as a subprocess.

A bare Flask route (bench/bare.py) served the same way is the ceiling.

Latency (p50, p95) comes from a small Python client: ``--concurrency`` connections
(default: one per worker) sending a fixed number of requests. Throughput comes from
``wrk`` (``--connections`` connections for ``--duration`` seconds) when it is installed,
else from the same Python client run for the same time. Peak RSS is the largest VmHWM
among the gunicorn workers (/proc/<pid>/status) after the scenario. All traffic goes to
127.0.0.1, bounded in count and time. The report goes to bench/RESULTS.md.

On a shared machine every wall-clock figure depends on what else runs, so the report
also gives, per scenario, the share of the CPUs other processes used meanwhile, and the
CPU time one request costs in-process (Flask's test client, ``time.process_time``),
which does not. ``--wait-idle`` waits for a quieter moment before each scenario.
``--quick`` serves every scenario from one server (peak RSS then accumulates).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_http"
CLIENTS = 50  # concurrent agency clients submitting reports
NOT_AVAILABLE = "not available"
# Any cookie makes the public cache step aside (tracker.public_cache): the view renders.
BYPASS = {"Cookie": "bench=1"}

# --- the machine ----------------------------------------------------------------


def machine() -> dict:
    """Cores, CPU model, memory and load, from /proc."""
    info = {"cores": os.cpu_count() or 1, "cpu": platform.processor() or platform.machine(),
            "memory": "unknown", "kernel": platform.release(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        info["memory"] = f"{int(mem['MemTotal'].split()[0]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return info


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def background_cpu(seconds: float = 1.0) -> float | None:
    """How busy the machine is while we send nothing (other processes), 0..1."""
    busy0, total0 = cpu_times()
    time.sleep(seconds)
    busy1, total1 = cpu_times()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else None


def process_jiffies(pid: int) -> int:
    """CPU time of a process and of the children it has reaped, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime


class OtherLoad:
    """The share of the CPUs that processes other than ours (server, load tool) used meanwhile."""

    def __init__(self, server: Server):
        self.server = server
        self.start = self._sample()

    def _sample(self) -> tuple[int, int, int]:
        busy, total = cpu_times()
        own = os.times()
        mine = round((own.user + own.system + own.children_user + own.children_system)
                     * os.sysconf("SC_CLK_TCK"))
        mine += sum(process_jiffies(pid) for pid in [self.server.process.pid, *self.server.worker_pids()])
        return busy, total, mine

    def share(self) -> float | None:
        busy0, total0, mine0 = self.start
        busy1, total1, mine1 = self._sample()
        if total1 <= total0:
            return None
        return max(0.0, ((busy1 - busy0) - (mine1 - mine0)) / (total1 - total0))


def quiet_moment(args) -> float | None:
    """Wait (up to ``--wait-idle`` seconds) until other processes leave the CPUs mostly idle.

    Returns how busy they kept the CPUs in the last second sampled, for the report.
    """
    deadline = time.monotonic() + args.wait_idle
    while True:
        busy = background_cpu()
        if busy is None or busy <= args.idle_threshold or time.monotonic() >= deadline:
            return busy


def tree_version() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# --- HTTP -------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def fetch(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
          timeout: float = 120) -> Response:
    """One request on a new connection (gunicorn's sync workers close every connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                        time.perf_counter() - started)
    finally:
        conn.close()


@dataclass
class Load:
    """What a load run saw: latencies of the expected answers, and everything else."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def errors(self) -> int:
        return sum(self.problems.values())

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)  # nearest rank
        return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]

    @property
    def rate(self) -> float | None:
        return len(self.latencies) / self.elapsed if self.elapsed else None


def run_load(port: int, requests: Callable[[int, int], tuple], *, concurrency: int,
             count: int | None = None, duration: float | None = None, expect=(200,),
             per_client: int | None = None) -> Load:
    """Send requests from ``concurrency`` threads until ``count`` are sent or ``duration`` is up.

    ``requests(client, n)`` gives (method, path, headers, body) for a client's n-th request.
    """
    result, lock = Load(), threading.Lock()
    sent = [0]
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        start.wait()
        n = 0
        while True:
            with lock:
                if count is not None and sent[0] >= count:
                    return
                if duration is not None and time.perf_counter() >= deadline[0]:
                    return
                if per_client is not None and n >= per_client:
                    return
                sent[0] += 1
            method, path, headers, body = requests(index, n)
            n += 1
            try:
                resp = fetch(port, method, path, headers, body)
            except (OSError, http.client.HTTPException) as exc:  # a result, not a crash
                with lock:
                    result.problems[type(exc).__name__] += 1
                continue
            with lock:
                result.statuses[resp.status] += 1
                if resp.status in expect:
                    result.latencies.append(resp.seconds)
                else:
                    result.problems[f"HTTP {resp.status}"] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + (duration or 0)
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=(duration or 0) + 600)
    result.elapsed = time.perf_counter() - began
    return result


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, "
    .. "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass
class Throughput:
    rate: float
    requests: int
    errors: int
    tool: str


def throughput(port: int, path: str, headers: dict, args, work: Path) -> Throughput:
    """Requests per second for ``duration`` seconds: wrk if installed, else the Python client."""
    if args.wrk:
        script = work / "wrk.lua"
        lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
        script.write_text("\n".join(lines) + WRK_DONE)
        command = [args.wrk, "-t", str(min(2, args.connections)), "-c", str(args.connections),
                   "-d", f"{args.duration}s", "--timeout", "60s", "-s", str(script),
                   f"http://127.0.0.1:{port}{path}"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120,
                             check=False)
        match = re.search(r"^WRK_JSON (.*)$", out.stdout, re.MULTILINE)
        if out.returncode != 0 or match is None:
            raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
        data = json.loads(match.group(1))
        errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
        seconds = data["duration_us"] / 1e6
        return Throughput((data["requests"] - errors) / seconds, data["requests"], errors, "wrk")
    load = run_load(port, lambda c, n: ("GET", path, headers, None), concurrency=args.connections,
                    duration=args.duration, expect=(200, 304))
    return Throughput(load.rate or 0.0, sum(load.statuses.values()) + load.errors, load.errors, "python")


# --- gunicorn ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def kib(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


class Server:
    """``gunicorn -w N -b 127.0.0.1:PORT <app>`` from the repository root, with its workers."""

    def __init__(self, app: str, workers: int, env: dict, log: Path):
        self.app, self.workers, self.log_path = app, workers, log
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        self.log = open(self.log_path, "a")
        self.log.write(f"\n--- {datetime.now(UTC).isoformat()} gunicorn {self.app} on {self.port}\n")
        self.log.flush()
        self._log_start = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", self.app],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return [int(c) for c in children]
        except OSError:  # no CONFIG_PROC_CHILDREN: scan /proc for our children
            found = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
            return found

    def _wait_ready(self, timeout: float = 180) -> None:
        """Until the server answers and every worker has loaded the app.

        Workers import the app after they fork (no --preload), so the first answer only
        proves one worker is up; a worker that has loaded the app is several times the
        size of a freshly forked one, which is what the RSS check waits for.
        """
        deadline = time.monotonic() + timeout
        answered = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            if not answered:
                try:
                    fetch(self.port, "GET", "/", timeout=30)
                    answered = True
                except OSError:
                    time.sleep(0.2)
                    continue
            sizes = [kib(read_status(pid).get("VmRSS")) for pid in self.worker_pids()]
            if len(sizes) == self.workers and min(sizes) > 0.7 * max(sizes):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s: {self.log_tail()}")

    def peak_rss_kib(self) -> int:
        """The largest VmHWM (peak resident set) among the workers."""
        return max((kib(read_status(pid).get("VmHWM")) for pid in self.worker_pids()), default=0)

    def log_mark(self) -> int:
        self.log.flush()
        return self.log_path.stat().st_size

    def new_log(self, mark: int | None = None) -> str:
        """The log written since ``mark`` (default: since this server started)."""
        self.log.flush()
        with open(self.log_path, "rb") as handle:
            handle.seek(self._log_start if mark is None else mark)
            return handle.read().decode(errors="replace")

    def log_tail(self, lines: int = 15) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()


def server_problems(log: str) -> str:
    """What the server log says went wrong: tracebacks' last lines and worker timeouts."""
    found = Counter()
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "WORKER TIMEOUT" in line:
            found["worker timeout"] += 1
        if line.startswith("Traceback"):
            for later in lines[i + 1:]:
                if later and not later.startswith((" ", "\t", "Traceback", "During handling", "The above")):
                    found[later.strip()[:160]] += 1
                    break
    return "; ".join(f"{n} x {what}" for what, n in found.most_common(3))


# --- measurements -------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    request: str
    p50: float | None = None
    p95: float | None = None
    rate: float | None = None
    rss_kib: int | None = None
    requests: int = 0
    errors: int = 0
    note: str = ""
    available: bool = True
    background: float | None = None  # share of the CPUs other processes used meanwhile, 0..1
    cpu: float | None = None  # seconds of CPU per request in-process (no HTTP, no contention)


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else (f"{seconds * 1000:.1f}" if seconds < 1 else f"{seconds * 1000:,.0f}")


def cpu_per_request(app, path: str, count: int, headers: dict | None = None) -> float | None:
    """CPU seconds one request costs in-process (Flask's test client, one thread).

    CPU time, not wall time: it does not change when other processes share the machine,
    so it is the figure to compare between runs on a busy machine.
    """
    client = app.test_client()
    first = client.get(path, headers=headers or {})
    if first.status_code not in (200, 304):
        return None
    started = time.process_time()
    for _ in range(count):
        client.get(path, headers=headers or {})
    return (time.process_time() - started) / count


def in_process_costs(url: str, fixture: Fixture, args) -> dict[str, float | None]:
    """CPU per request of every GET scenario, keyed by the start of the scenario's name."""
    from tracker import create_app
    from tracker.extensions import db

    count = 2 if args.quick else 20
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    cold = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "CHART_CACHE_ENTRIES": 0,
                       "PUBLIC_CACHE_ENTRIES": 0})
    ref, big = fixture.reference["slug"], fixture.largest["slug"]
    gantt = f"/plans/{ref}/gantt.png"
    costs = {}
    with app.app_context():
        costs["public home"] = cpu_per_request(app, "/", count)
        costs["plan page"] = cpu_per_request(app, f"/plans/{ref}", count)
        costs["plan page, largest plan"] = cpu_per_request(app, f"/plans/{big}", max(2, count // 4))
        costs["public home, rendered"] = cpu_per_request(app, "/", count, BYPASS)
        costs["plan page, rendered"] = cpu_per_request(app, f"/plans/{ref}", max(2, count // 4), BYPASS)
        costs["scorecard JSON"] = cpu_per_request(app, f"/api/v1/plans/{ref}/scorecard", count)
        costs["Gantt chart, cached"] = cpu_per_request(app, gantt, count)
        etag = app.test_client().get(gantt).headers.get("ETag")
        if etag:
            costs["Gantt chart, conditional"] = cpu_per_request(app, gantt, count, {"If-None-Match": etag})
        db.session.remove()
        db.engine.dispose()
    with cold.app_context():  # no chart cache: every request draws, as after a data change
        costs["Gantt chart, cold"] = cpu_per_request(cold, gantt, 1 if args.quick else 3)
        db.session.remove()
        db.engine.dispose()
    return costs


def get_row(server: Server, scenario: str, path: str, args, work: Path, *, headers: dict | None = None,
            optional: bool = False, expect=(200,), warm: bool = True, requests: int | None = None) -> Row:
    """Latency (Python client) and throughput (wrk) of GET ``path``, with the workers' peak RSS."""
    headers = headers or {}
    probe = fetch(server.port, "GET", path, headers)
    if optional and probe.status == 404:
        return Row(scenario, f"GET {path}", available=False, note=f"{NOT_AVAILABLE} (404)")
    if warm:
        run_load(server.port, lambda c, n: ("GET", path, headers, None), concurrency=args.concurrency,
                 count=args.warmup, expect=expect)
    latency = run_load(server.port, lambda c, n: ("GET", path, headers, None),
                       concurrency=args.concurrency, count=requests or args.requests, expect=expect)
    rate = throughput(server.port, path, headers, args, work)
    row = Row(scenario, f"GET {path}", latency.percentile(50), latency.percentile(95), rate.rate,
              server.peak_rss_kib(), sum(latency.statuses.values()) + latency.errors + rate.requests,
              latency.errors + rate.errors)
    notes = [f"{len(probe.body) / 1024:,.0f} KiB"]
    if latency.problems:
        notes.append(", ".join(f"{n} x {p}" for p, n in latency.problems.most_common(3)))
    if probe.status not in expect:
        notes.append(f"first answer HTTP {probe.status}")
    row.note = "; ".join(notes)
    return row


@dataclass
class Fixture:
    """What the scenarios need from the generated data."""

    reference: dict
    largest: dict
    clients: list[tuple[str, list[int]]]  # (token, action ids its agency leads), one per client
    secretariat_token: str
    change_action: int  # an action of the reference plan, for data changes
    change_token: str   # a token of that action's lead agency


def prepare_fixture(url: str, dataset: dict) -> Fixture:
    """Personal API tokens for 50 agency clients and the secretariat (tokens.create_token)."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Action, Plan, User
    from tracker.services.tokens import create_token

    now = datetime.now(UTC)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    with app.app_context():
        rows = db.session.execute(
            select(Action.lead_agency_id, func.min(User.id))
            .join(Plan, Action.plan_id == Plan.id)
            .join(User, (User.agency_id == Action.lead_agency_id) & (User.role == "agency") & User.active)
            .where(Plan.published.is_(True))
            .group_by(Action.lead_agency_id)
            .order_by(Action.lead_agency_id)
            .limit(CLIENTS)
        ).all()
        if len(rows) < CLIENTS:
            raise RuntimeError(f"only {len(rows)} agencies lead actions in published plans; {CLIENTS} needed")
        clients = []
        for agency_id, user_id in rows:
            action_ids = list(db.session.scalars(
                select(Action.id).join(Plan, Action.plan_id == Plan.id)
                .where(Action.lead_agency_id == agency_id, Plan.published.is_(True)).order_by(Action.id)
            ))
            _, secret = create_token(db.session.get(User, user_id), {"name": "bench"}, now=now)
            clients.append((secret, action_ids))
        secretariat = db.session.scalars(select(User).where(User.email == generate.SECRETARIAT_EMAIL)).one()
        _, secretariat_token = create_token(secretariat, {"name": "bench"}, now=now)
        change = db.session.execute(
            select(Action.id, Action.lead_agency_id).join(Plan, Action.plan_id == Plan.id)
            .where(Plan.slug == dataset["reference_plan"]["slug"]).order_by(Action.position).limit(1)
        ).one()
        focal = db.session.scalars(
            select(User).where(User.agency_id == change.lead_agency_id, User.role == "agency", User.active)
            .order_by(User.id)
        ).first()
        _, change_token = create_token(focal, {"name": "bench-change"}, now=now)
        db.session.remove()
        db.engine.dispose()
    return Fixture(dataset["reference_plan"], dataset["largest_plan"], clients, secretariat_token,
                   change.id, change_token)


def report_body(n: int) -> bytes:
    return json.dumps({
        "narrative": f"Benchmark progress report {n}: datasets published and the portal updated.",
        "percent_complete": 10 + n % 80, "proposed_status": "ongoing", "submit": True,
    }).encode()


def submission_row(server: Server, fixture: Fixture, args) -> Row:
    """50 agency clients at once, each POSTing reports on actions its agency leads."""
    def request(client: int, n: int):
        token, actions = fixture.clients[client]
        return ("POST", f"/api/v1/actions/{actions[n % len(actions)]}/reports",
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, report_body(n))

    # Warm up: each client once (their tokens' first use also records last_used_at).
    run_load(server.port, request, concurrency=len(fixture.clients), count=len(fixture.clients),
             expect=(201,), per_client=1)
    load = run_load(server.port, request, concurrency=len(fixture.clients), duration=args.duration,
                    expect=(201,), per_client=args.reports_per_client)
    problems = ", ".join(f"{n} x {p}" for p, n in load.problems.most_common(3))
    return Row(f"report submission, {len(fixture.clients)} agency clients",
               "POST /api/v1/actions/&lt;id&gt;/reports", load.percentile(50), load.percentile(95), load.rate,
               server.peak_rss_kib(), sum(load.statuses.values()) + load.errors, load.errors,
               "; ".join(filter(None, [f"{len(load.latencies):,} reports stored", problems])))


def change_data(port: int, fixture: Fixture, n: int) -> None:
    """A change the charts must show: a report on a reference-plan action, accepted."""
    posted = fetch(port, "POST", f"/api/v1/actions/{fixture.change_action}/reports",
                   {"Authorization": f"Bearer {fixture.change_token}", "Content-Type": "application/json"},
                   report_body(n + 1))
    if posted.status != 201:
        raise RuntimeError(f"posting a report for a data change answered {posted.status}: {posted.body[:200]!r}")
    report_id = json.loads(posted.body)["id"]
    accepted = fetch(port, "POST", f"/api/v1/reports/{report_id}/accept",
                     {"Authorization": f"Bearer {fixture.secretariat_token}", "Content-Type": "application/json"},
                     b'{"comment": "bench"}')
    if accepted.status != 200:
        raise RuntimeError(f"accepting a report for a data change answered {accepted.status}: {accepted.body[:200]!r}")


def cold_gantt_row(server: Server, fixture: Fixture, path: str, args) -> Row:
    """The first Gantt request after each of a few data changes (workers warmed up first)."""
    probe = fetch(server.port, "GET", path)
    if probe.status == 404:
        return Row("Gantt chart, cold", f"GET {path}", available=False, note=f"{NOT_AVAILABLE} (404)")
    # Every worker draws one chart first, so a cold request measures drawing, not imports.
    rounds = 1 if args.quick else 4
    run_load(server.port, lambda c, n: ("GET", path, {}, None), concurrency=args.workers * min(2, rounds),
             count=args.workers * rounds, expect=(200,))
    times, etags, problems = [], set(), Counter()
    for n in range(args.cold_samples):
        change_data(server.port, fixture, n)
        resp = fetch(server.port, "GET", path)
        if resp.status == 200:
            times.append(resp.seconds)
            etags.add(resp.headers.get("etag"))
        else:
            problems[f"HTTP {resp.status}"] += 1
    load = Load(latencies=times)
    notes = [f"{len(times)} sample{'s' * (len(times) != 1)}, each after an accepted report",
             f"{len(probe.body) / 1024:,.0f} KiB"]
    if None not in etags and len(times) > 1:
        notes.append(f"{len(etags)} distinct ETags")
    notes += [f"{n} x {p}" for p, n in problems.items()]
    return Row("Gantt chart, cold", f"GET {path}", load.percentile(50), load.percentile(95),
               None, server.peak_rss_kib(), args.cold_samples, sum(problems.values()), "; ".join(notes))


@dataclass
class Pass:
    label: str
    seconds: float
    rss_kib: int
    output: str
    returncode: int
    others: float | None = None  # share of the CPUs other processes used meanwhile


def timed_process(command: list[str], env: dict, timeout: float) -> Pass:
    """Run ``command`` from the repository root; wall time and its peak RSS (wait4)."""
    started = time.perf_counter()
    busy0, total0 = cpu_times()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        busy1, total1 = cpu_times()
        own = (usage.ru_utime + usage.ru_stime) * os.sysconf("SC_CLK_TCK")
        others = max(0.0, (busy1 - busy0 - own) / (total1 - total0)) if total1 > total0 else None
        out.seek(0)
        return Pass(" ".join(command[2:]), seconds, usage.ru_maxrss, out.read(), process.returncode, others)


def reminder_passes(url: str, now: datetime, args) -> list[Pass]:
    env = {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-secret"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    when = now.replace(hour=7, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    quiet_moment(args)
    first = timed_process(flask + ["scheduler", "run-once", "--now", when], env, 3600)
    first.label = f"reminder pass (`scheduler run-once --now {when}`)"
    if args.quick:
        return [first]
    again = timed_process(flask + ["scheduler", "run-once", "--now", when], env, 3600)
    again.label = "same pass again (everything already claimed)"
    startup = timed_process(flask + ["routes"], env, 300)
    startup.label = "process start-up only (`flask --app wsgi routes`)"
    return [startup, first, again]


# --- one database -----------------------------------------------------------------


@dataclass
class DatabaseResult:
    name: str
    url: str
    version: str = ""
    dataset: dict = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    passes: list[Pass] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    size: str = ""


def database_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar()
        size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    engine.dispose()
    return f"PostgreSQL {version} (database {size})"


def benchmark_database(name: str, url: str, args, work: Path, errors: list[str], log) -> DatabaseResult:
    result = DatabaseResult(name, url, load_before=load_average())
    log(f"[{name}] generating scale {args.scale} into {url}")
    generate.prepare_database(url)
    result.dataset = generate.populate(url, args.scale)
    result.version = database_version(url)
    if url.startswith("sqlite"):
        result.size = f"{Path(url.split(':///', 1)[1]).stat().st_size / 1024 / 1024:,.0f} MiB file"
    log(f"[{name}] generated in {result.dataset['seconds']} s: {result.dataset['rows']}")
    # First, as the scheduler would have done by the time visitors come: the pages and
    # charts then run against the reminders and outbox a live database holds.
    log(f"[{name}] reminder pass")
    try:
        result.passes = reminder_passes(url, datetime.fromisoformat(result.dataset["now"]), args)
        for p in result.passes:
            if p.returncode != 0:
                errors.append(f"{name}, {p.label}: exit {p.returncode}: {p.output[-500:]}")
    except Exception as exc:  # noqa: BLE001 (reported in the Errors section)
        errors.append(f"{name}, reminder pass: {type(exc).__name__}: {exc}")
    fixture = prepare_fixture(url, result.dataset)
    env = {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "bench-secret"}
    ref, big = fixture.reference["slug"], fixture.largest["slug"]
    gantt = f"/plans/{ref}/gantt.png"

    def cached_gantt(server: Server) -> list[Row]:
        first = get_row(server, "Gantt chart, cached (repeated)", gantt, args, work, optional=True)
        if not first.available:
            first.scenario = "Gantt chart, cached"
            return [first]
        etag = fetch(server.port, "GET", gantt).headers.get("etag")
        if not etag:
            return [first, Row("Gantt chart, conditional", f"GET {gantt}", available=False,
                               note=f"{NOT_AVAILABLE}: no ETag header")]
        conditional = get_row(server, "Gantt chart, conditional (If-None-Match)", gantt, args, work,
                              headers={"If-None-Match": etag}, expect=(304,))
        return [first, conditional]

    scenarios: list[tuple[str, Callable[[Server], list[Row]]]] = [
        ("home", lambda s: [get_row(s, "public home", "/", args, work)]),
        ("plan", lambda s: [get_row(s, f"plan page ({fixture.reference['actions']:,} actions)",
                                    f"/plans/{ref}", args, work)]),
        ("largest plan", lambda s: [get_row(s, f"plan page, largest plan ({fixture.largest['actions']:,} actions)",
                                            f"/plans/{big}", args, work,
                                            requests=max(args.concurrency, args.requests // 4))]),
        # A visitor with any cookie (e.g. signed in) skips the public cache: the page is rendered.
        ("home rendered", lambda s: [get_row(s, "public home, rendered (cache bypassed)", "/", args, work,
                                             headers=BYPASS)]),
        ("plan rendered", lambda s: [get_row(s, f"plan page, rendered ({fixture.reference['actions']:,} actions, "
                                                "cache bypassed)", f"/plans/{ref}", args, work, headers=BYPASS,
                                             requests=max(args.concurrency, args.requests // 4))]),
        ("scorecard", lambda s: [get_row(s, "scorecard JSON", f"/api/v1/plans/{ref}/scorecard", args, work,
                                         optional=True)]),
        ("reports", lambda s: [submission_row(s, fixture, args)]),
        ("cold gantt", lambda s: [cold_gantt_row(s, fixture, gantt, args)]),
        ("cached gantt", cached_gantt),
    ]
    shared = None
    try:
        for label, scenario in scenarios:
            log(f"[{name}] {label}")
            try:
                if args.shared_server:
                    if shared is None:
                        shared = Server("wsgi:app", args.workers, env, work / f"gunicorn-{name}.log").__enter__()
                    server = shared
                    mark = server.log_mark()
                    quiet_moment(args)
                    meter = OtherLoad(server)
                    rows = scenario(server)
                    background = meter.share()
                    problems = server_problems(server.new_log(mark))
                else:
                    with Server("wsgi:app", args.workers, env, work / f"gunicorn-{name}.log") as server:
                        quiet_moment(args)
                        meter = OtherLoad(server)
                        rows = scenario(server)
                        background = meter.share()
                        problems = server_problems(server.new_log())
                for row in rows:
                    row.background = background
                    if problems and row.available:
                        row.note = "; ".join(filter(None, [row.note, f"server log: {problems}"]))
                result.rows += rows
            except Exception as exc:  # noqa: BLE001 (one failed scenario must not stop the rest)
                errors.append(f"{name}, {label}: {type(exc).__name__}: {exc}")
                log(traceback.format_exc())
                result.rows.append(Row(label, "", note="error (see Errors)", available=False))
    finally:
        if shared is not None:
            shared.__exit__(None, None, None)
    log(f"[{name}] CPU per request, in-process")
    try:
        costs = in_process_costs(url, fixture, args)
        for row in result.rows:
            keys = [k for k in costs if row.scenario.startswith(k)]
            if keys and row.available:
                row.cpu = costs[max(keys, key=len)]
    except Exception as exc:  # noqa: BLE001 (reported in the Errors section)
        errors.append(f"{name}, CPU per request: {type(exc).__name__}: {exc}")
    result.load_after = load_average()
    return result


def bare_row(args, work: Path, errors: list[str], log) -> Row | None:
    log("[bare] bare Flask route")
    try:
        with Server("bench.bare:app", args.workers, {}, work / "gunicorn-bare.log") as server:
            quiet_moment(args)
            meter = OtherLoad(server)
            row = get_row(server, "bare Flask route (ceiling)", "/", args, work)
            row.background = meter.share()
        import bare

        row.cpu = cpu_per_request(bare.app, "/", 20 if args.quick else 500)
        return row
    except Exception as exc:  # noqa: BLE001 (reported in the Errors section)
        errors.append(f"bare route: {type(exc).__name__}: {exc}")
        return None


# --- the report ---------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return {True: "met", False: "**missed**", None: NOT_AVAILABLE}[ok]


def targets(result: DatabaseResult, bare: Row | None) -> list[str]:
    by = {r.scenario.split(" (")[0]: r for r in result.rows}
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    for key in ("public home", "plan page", "plan page, largest plan", "public home, rendered",
                "plan page, rendered"):
        row = by.get(key)
        ok = None if row is None or row.p95 is None else row.p95 < 0.1
        lines.append(f"| HTML page p95 < 100 ms: {row.scenario if row else key} | "
                     f"{ms(row.p95) if row else '—'} ms | {verdict(ok)} |")
    for key in ("Gantt chart, cached", "Gantt chart, conditional"):
        row = next((r for r in result.rows if r.scenario.startswith(key)), None)
        ok = None if row is None or row.p95 is None else row.p95 < 0.01
        lines.append(f"| cached chart < 10 ms (p95): {row.scenario if row else key} | "
                     f"{ms(row.p95) if row else '—'} ms | {verdict(ok)} |")
    cold = by.get("Gantt chart, cold")
    ok = None if cold is None or cold.p95 is None else cold.p95 < 2
    lines.append(f"| cold Gantt of {result.dataset['reference_plan']['actions']:,} actions < 2 s (slowest sample) | "
                 f"{ms(cold.p95) if cold else '—'} ms | {verdict(ok)} |")
    plan = by.get("plan page")
    if plan and plan.rate and bare and bare.rate:
        share = plan.rate / bare.rate
        lines.append(f"| plan page throughput >= 50% of the bare route | {plan.rate:,.1f} / {bare.rate:,.1f} req/s "
                     f"= {share:.1%} | {verdict(share >= 0.5)} |")
    else:
        lines.append(f"| plan page throughput >= 50% of the bare route | — | {verdict(None)} |")
    return lines


def row_line(row: Row) -> str:
    rate = "—" if row.rate is None else f"{row.rate:,.1f}"
    rss = "—" if not row.rss_kib else f"{row.rss_kib / 1024:,.0f}"
    background = "—" if row.background is None else f"{row.background:.0%}"
    if not row.available:
        return f"| {row.scenario} | {row.request} | — | — | — | — | — | — | {background} | {row.note} |"
    return (f"| {row.scenario} | `{row.request}` | {ms(row.p50)} | {ms(row.p95)} | {rate} | {ms(row.cpu)} | "
            f"{rss} | {row.errors:,} / {row.requests:,} | {background} | {row.note} |")


def write_report(path: Path, args, info: dict, started: datetime, results: list[DatabaseResult],
                 bare: Row | None, errors: list[str], tools: dict) -> None:
    servers = ("one server for every scenario, so the figure accumulates" if args.shared_server
               else "a fresh server per scenario")
    lines = [
        "# HTTP benchmark results",
        "",
        (f"Written by `bench/run.py` on {started:%Y-%m-%d %H:%M} UTC (tree {tree_version()}), "
         f"command: `{' '.join(['bench/run.py'] + sys.argv[1:])}`."),
        "",
        "## Machine",
        "",
        (f"- CPU: {info['cores']} cores, {info['cpu']}; memory {info['memory']}; "
         f"Linux {info['kernel']}; Python {info['python']}"),
        (f"- Server: gunicorn {tools['gunicorn']}, {args.workers} sync workers, "
         "`gunicorn -w N -b 127.0.0.1:PORT wsgi:app` from the repository root"),
        (f"- Latency: Python client, {args.concurrency} concurrent connections, {args.requests} "
         f"requests per page ({max(args.concurrency, args.requests // 4)} for the largest plan) after "
         f"{args.warmup} warm-up requests; p95 is the nearest-rank 95th percentile"),
        f"- Throughput: {tools['load']}, {args.connections} connections for {args.duration} s",
        (f"- Peak RSS: the largest VmHWM among the gunicorn workers after the scenario ({servers})"),
        ("- CPU ms / request: the same request in-process (Flask's test client, one thread, no "
         "HTTP), CPU time by `time.process_time`; unlike the other columns it does not depend on "
         "what else runs on the machine. SQLite runs inside the process, so its query time is "
         "included; PostgreSQL's own CPU is not. For the cold Gantt the chart cache is off"),
        ("- Order: data generated, the reminder pass run (so reminders and the outbox are filled, "
         "as on a live site), then the HTTP scenarios"),
        ("- Load tool and server share the machine's cores; everything runs on 127.0.0.1. "
         "*Others' CPU* is the share of the CPUs that processes other than the server, the "
         "load tool and the runner used during the scenario (a shared machine): anything well "
         "above 0% slowed every figure in that row"),
        "",
        f"## Data (scale {args.scale:g})",
        "",
    ]
    if results:
        dataset = results[0].dataset
        rows, ref, big = dataset["rows"], dataset["reference_plan"], dataset["largest_plan"]
        lines += [
            (f"{rows.get('plans', 0):,} plans ({dataset['published_plans']} published), "
             f"{rows.get('recommendations', 0):,} recommendations, {rows.get('actions', 0):,} actions, "
             f"{rows.get('progress_reports', 0):,} progress reports, "
             f"{rows.get('agencies', 0):,} agencies, {rows.get('users', 0):,} users, "
             f"{rows.get('status_changes', 0):,} status changes, {rows.get('events', 0):,} events, "
             f"{rows.get('milestones', 0):,} milestones, {rows.get('evidence', 0):,} evidence links, "
             f"{rows.get('reporting_rounds', 0):,} reporting rounds."),
            "",
            (f"Reference plan `{ref['slug']}`: {ref['actions']:,} actions, "
             f"{ref['recommendations']:,} recommendations. Largest plan `{big['slug']}`: "
             f"{big['actions']:,} actions, {big['recommendations']:,} recommendations."),
            "",
        ]
    header = [("| scenario | request | p50 ms | p95 ms | req/s | CPU ms / request | peak worker RSS MiB "
               "| errors / requests | others' CPU | notes |"), "|---|---|---|---|---|---|---|---|---|---|"]
    lines += ["## Bare Flask route (the ceiling)", ""] + header
    lines.append(row_line(bare) if bare else "| bare Flask route | | — | — | — | — | — | — | — | error (see Errors) |")
    lines.append("")
    for result in results:
        lines += [
            f"## {result.name}",
            "",
            (f"{result.version}{', ' + result.size if result.size else ''}; generated in "
             f"{result.dataset.get('seconds', '?')} s; load average {result.load_before} before, "
             f"{result.load_after} after."),
            "",
        ] + header + [row_line(row) for row in result.rows] + [""]
        lines += ["### Reminder pass", "", "| run | seconds | peak RSS MiB | others' CPU | output |",
                  "|---|---|---|---|---|"]
        for p in result.passes:
            output = " ".join(p.output.split())[-300:].replace("|", "/")
            if p.label.startswith("process start-up"):
                output = f"{len(p.output.splitlines())} lines (the route list)"
            others = "—" if p.others is None else f"{p.others:.0%}"
            lines.append(f"| {p.label} | {p.seconds:.2f} | {p.rss_kib / 1024:,.0f} | {others} | {output} |")
        lines += ["", "### Against the targets", ""] + targets(result, bare) + [""]
    lines += ["## Errors", ""]
    lines += [f"- {e}" for e in errors] if errors else ["None."]
    lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))


# --- main ---------------------------------------------------------------------------


def parse_args(argv=None):
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=None, help="data size; 1.0 = 50,000 actions (default 1.0)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=None, help="seconds per throughput run (default 10)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke run: scale 0.002, 1 s runs, few requests, one server per database")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--concurrency", type=int, default=None, help="latency client connections (default: workers)")
    parser.add_argument("--connections", type=int, default=None, help="throughput connections (default 2 x workers)")
    parser.add_argument("--requests", type=int, default=None, help="latency requests per page (default 200)")
    parser.add_argument("--cold-samples", type=int, default=None, help="cold Gantt requests (default 5)")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--sqlite-path", default=None, help="default: a file in the work directory")
    parser.add_argument("--work-dir", default=None, help="logs and the SQLite file (default: a new temp dir)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--no-wrk", action="store_true", help="use the Python client for throughput too")
    parser.add_argument("--wait-idle", type=float, default=0,
                        help="before each scenario, wait up to this many seconds for other processes "
                             "to leave the CPUs idle (a shared machine); default 0")
    parser.add_argument("--idle-threshold", type=float, default=0.25,
                        help="what counts as idle for --wait-idle: share of CPU busy (default 0.25)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.scale = args.scale if args.scale is not None else (0.002 if quick else 1.0)
    args.duration = args.duration if args.duration is not None else (1 if quick else 10)
    args.concurrency = args.concurrency or args.workers
    args.connections = args.connections or 2 * args.workers
    args.requests = args.requests or (10 if quick else 200)
    args.warmup = 2 * args.concurrency if quick else 5 * args.concurrency
    args.cold_samples = args.cold_samples or (1 if quick else 5)
    args.reports_per_client = 2 if quick else 40
    args.shared_server = quick
    args.wrk = None if args.no_wrk else shutil.which("wrk")
    unknown = set(args.databases.split(",")) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # A TERM (e.g. from a CI timeout) unwinds like an exception, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = datetime.now(UTC)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="tracker-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"{datetime.now():%H:%M:%S} {message}", flush=True)

    log(f"work directory {work}; load tool: {'wrk' if args.wrk else 'Python client'}")
    try:
        gunicorn_version = metadata.version("gunicorn")
    except metadata.PackageNotFoundError:
        print("gunicorn is not installed: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 2
    wrk_version = ""
    if args.wrk:
        out = subprocess.run([args.wrk, "--version"], capture_output=True, text=True, timeout=10, check=False)
        wrk_version = (out.stdout + out.stderr).split()[1] if len((out.stdout + out.stderr).split()) > 1 else ""
    tools = {"gunicorn": gunicorn_version,
             "load": f"wrk {wrk_version}".strip() if args.wrk else "the Python client (wrk not installed)"}
    errors: list[str] = []
    bare = bare_row(args, work, errors, log)
    results = []
    for name in args.databases.split(","):
        if name == "sqlite":
            url = "sqlite:///" + str(Path(args.sqlite_path or work / "bench.sqlite").resolve())
            label = "SQLite"
        else:
            url, label = args.postgresql_url, "PostgreSQL"
        try:
            results.append(benchmark_database(label, url, args, work, errors, log))
        except Exception as exc:  # noqa: BLE001 (the other database still runs)
            errors.append(f"{label}: {type(exc).__name__}: {exc}")
            log(traceback.format_exc())
        if name == "sqlite" and not args.sqlite_path:
            for suffix in ("", "-wal", "-shm"):
                Path(str(work / "bench.sqlite") + suffix).unlink(missing_ok=True)
    write_report(Path(args.output), args, machine(), started, results, bare, errors, tools)
    log(f"report written to {args.output}; {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
