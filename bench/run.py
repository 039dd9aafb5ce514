"""The HTTP benchmark: generated data, the app under gunicorn, a load tool, a markdown report.

    .venv/bin/pip install -e ".[bench]"          # gunicorn; apt-get install -y wrk (optional)
    .venv/bin/python bench/run.py                 # scale 1.0, SQLite then PostgreSQL
    .venv/bin/python bench/run.py --quick         # a tiny smoke run (seconds)
    .venv/bin/python bench/run.py --scale 0.1 --databases postgresql --duration 5

For each database it generates the data (bench/generate.py), starts
``gunicorn -w N --threads T -b 127.0.0.1:PORT wsgi:app`` from the repository root with
TRACKER_DATABASE_URL set (N and T as gunicorn.conf.py says for production unless
``--workers`` / ``--threads`` say otherwise), waits until every worker has loaded the app,
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
import json
import os
import runpy
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate
from http_load import Load, fetch, run_load, throughput
from machine import OtherLoad, cpu_times, load_average, machine, quiet_moment
from report import NOT_AVAILABLE, Row, write_report
from server import Server, server_problems

DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_http"
CLIENTS = 50  # concurrent agency clients submitting reports
# Any cookie makes the public cache step aside (tracker.web.public_cache): the view renders.
BYPASS = {"Cookie": "bench=1"}

# --- measurements -------------------------------------------------------------------


class SkipScenario(Exception):
    """A part of the run left out by --only."""


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
        costs["scorecard JSON"] = cpu_per_request(app, f"/api/v1/plans/{ref}/scorecard", count)
        costs["Gantt chart, cached"] = cpu_per_request(app, gantt, count)
        etag = app.test_client().get(gantt).headers.get("ETag")
        if etag:
            costs["Gantt chart, conditional"] = cpu_per_request(app, gantt, count, {"If-None-Match": etag})
        db.session.remove()
        db.engine.dispose()
    with cold.app_context():  # no caches: every page renders and every chart draws
        costs["public home, rendered"] = cpu_per_request(cold, "/", count)
        costs["plan page, rendered"] = cpu_per_request(cold, f"/plans/{ref}", max(2, count // 4))
        costs["Gantt chart, cold"] = cpu_per_request(cold, gantt, 1 if args.quick else 3)
        db.session.remove()
        db.engine.dispose()
    with app.app_context():
        costs["report submission"] = cpu_per_submission(app, fixture, 2 if args.quick else 20)
        db.session.remove()
        db.engine.dispose()
    return costs


def cpu_per_submission(app, fixture: Fixture, count: int) -> float | None:
    """CPU seconds one report submission costs in-process, as ``cpu_per_request`` for a GET.

    Each POST takes a client's slots from the end of its list (the HTTP scenario took
    them from the start); only stored reports (201) count, after each client's token has
    been used once (recording its use is a write of its own, once a minute).
    """
    client = app.test_client()
    slots = [list(reversed(s)) for _, s in fixture.clients]
    for token, _ in fixture.clients:
        client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    spent, stored = 0.0, 0
    for n in range(count * 3):
        index = n % len(fixture.clients)
        if stored == count or not slots[index]:
            break
        action_id, round_id = slots[index].pop(0)
        started = time.process_time()
        response = client.post(f"/api/v1/actions/{action_id}/reports", data=report_body(n, round_id),
                               headers={"Authorization": f"Bearer {fixture.clients[index][0]}",
                                        "Content-Type": "application/json"})
        if response.status_code == 201:
            spent += time.process_time() - started
            stored += 1
    return spent / stored if stored else None


def cpu_shares(parts: dict[str, float], database: str) -> str:
    """Who used the machine's CPUs during a scenario (shares of all cores)."""
    names = {"app": "gunicorn", "tool": "load tool", "database": database, "others": "others", "idle": "idle"}
    if database == "SQLite":  # it runs inside the workers
        names.pop("database")
    return "CPU: " + ", ".join(f"{label} {parts[key]:.0%}" for key, label in names.items())


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
    # (token, free slots), one per client: each slot an action its agency leads and a round of
    # that action's plan with no open report yet, since one report per action and round is open.
    clients: list[tuple[str, list[tuple[int, int | None]]]]
    secretariat_token: str
    change_action: int  # an action of the reference plan, for data changes
    change_round: int | None  # a round in which it has no open report (accepted ones free it again)
    change_token: str   # a token of that action's lead agency


def prepare_fixture(url: str, dataset: dict, reports_per_client: int) -> Fixture:
    """Personal API tokens for 50 agency clients and the secretariat (tokens.create_token),
    and where each client can file ``reports_per_client`` reports (and one to warm up)."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import (
        OPEN_REPORT_STATES,
        Action,
        Plan,
        ProgressReport,
        ReportingRound,
        User,
    )
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
        taken = set(db.session.execute(
            select(ProgressReport.action_id, ProgressReport.round_id)
            .where(ProgressReport.state.in_(OPEN_REPORT_STATES))
        ))
        change = next(
            row for row in db.session.execute(
                select(Action.id, Action.lead_agency_id, ReportingRound.id.label("round_id"))
                .join(Plan, Action.plan_id == Plan.id)
                .outerjoin(ReportingRound, ReportingRound.plan_id == Plan.id)
                .where(Plan.slug == dataset["reference_plan"]["slug"])
                .order_by(Action.position, ReportingRound.opens_on.desc())
            )
            if (row.id, row.round_id) not in taken
        )
        taken.add((change.id, change.round_id))  # kept free for the data changes of the cold Gantt
        clients = []
        for agency_id, user_id in rows:
            slots = [
                (action_id, round_id) for action_id, round_id in db.session.execute(
                    select(Action.id, ReportingRound.id).join(Plan, Action.plan_id == Plan.id)
                    .join(ReportingRound, ReportingRound.plan_id == Plan.id)
                    .where(Action.lead_agency_id == agency_id, Plan.published.is_(True))
                    .order_by(ReportingRound.opens_on.desc(), Action.id)
                )
                if (action_id, round_id) not in taken
            ]
            if len(slots) < reports_per_client + 1:
                raise RuntimeError(f"agency {agency_id} has {len(slots)} action-round pairs free of an open "
                                   f"report; {reports_per_client + 1} needed")
            _, secret = create_token(db.session.get(User, user_id), {"name": "bench", "scope": "read_write"}, now=now)
            clients.append((secret, slots))
        secretariat = db.session.scalars(select(User).where(User.email == generate.SECRETARIAT_EMAIL)).one()
        _, secretariat_token = create_token(secretariat, {"name": "bench", "scope": "read_write"}, now=now)
        focal = db.session.scalars(
            select(User).where(User.agency_id == change.lead_agency_id, User.role == "agency", User.active)
            .order_by(User.id)
        ).first()
        _, change_token = create_token(focal, {"name": "bench-change", "scope": "read_write"}, now=now)
        db.session.remove()
        db.engine.dispose()
    return Fixture(dataset["reference_plan"], dataset["largest_plan"], clients, secretariat_token,
                   change.id, change.round_id, change_token)


def report_body(n: int, round_id: int | None) -> bytes:
    return json.dumps({
        "narrative": f"Benchmark progress report {n}: datasets published and the portal updated.",
        "percent_complete": 10 + n % 80, "proposed_status": "ongoing", "submit": True, "round_id": round_id,
    }).encode()


def submission_row(server: Server, fixture: Fixture, args) -> Row:
    """50 agency clients at once, each POSTing reports on actions its agency leads, each report
    for an action and round that has none open yet (a second one would be refused, 409)."""
    free = [iter(slots) for _, slots in fixture.clients]  # one thread per client: no lock needed

    def request(client: int, n: int):
        token = fixture.clients[client][0]
        action_id, round_id = next(free[client])
        return ("POST", f"/api/v1/actions/{action_id}/reports",
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, report_body(n, round_id))

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
                   report_body(n + 1, fixture.change_round))
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
    if probe.body.startswith(b"\x89PNG\r\n\x1a\n"):  # the IHDR chunk: width and height
        width, height = int.from_bytes(probe.body[16:20], "big"), int.from_bytes(probe.body[20:24], "big")
        notes.append(f"one image of {width:,} x {height:,} px ({probe.headers.get('x-chart-pages', '?')} "
                     "pages when paged)")
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
    saved = work / f"dataset-{name.lower()}.json"
    if args.keep_data and saved.exists():
        # An earlier run's data (with the reports it stored): the fixture takes free slots only.
        log(f"[{name}] reusing the data described in {saved}")
        result.dataset = json.loads(saved.read_text())
    else:
        log(f"[{name}] generating scale {args.scale} into {url}")
        generate.prepare_database(url)
        result.dataset = generate.populate(url, args.scale)
        saved.write_text(json.dumps(result.dataset))
    result.version = database_version(url)
    if url.startswith("sqlite"):
        result.size = f"{Path(url.split(':///', 1)[1]).stat().st_size / 1024 / 1024:,.0f} MiB file"
    log(f"[{name}] generated in {result.dataset['seconds']} s: {result.dataset['rows']}")
    # First, as the scheduler would have done by the time visitors come: the pages and
    # charts then run against the reminders and outbox a live database holds.
    log(f"[{name}] reminder pass")
    try:
        if args.only and "reminders" not in args.only:
            raise SkipScenario
        result.passes = reminder_passes(url, datetime.fromisoformat(result.dataset["now"]), args)
        for p in result.passes:
            if p.returncode != 0:
                errors.append(f"{name}, {p.label}: exit {p.returncode}: {p.output[-500:]}")
    except SkipScenario:
        log(f"[{name}] reminder pass skipped (--only)")
    except Exception as exc:  # noqa: BLE001 (reported in the Errors section)
        errors.append(f"{name}, reminder pass: {type(exc).__name__}: {exc}")
    fixture = prepare_fixture(url, result.dataset, args.reports_per_client)
    # PostgreSQL's processes serving the benchmark's database are the system under test.
    database = None if url.startswith("sqlite") else url.rsplit("/", 1)[1].split("?")[0]
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
            if args.only and label not in args.only:
                continue
            log(f"[{name}] {label}")
            try:
                if args.shared_server:
                    if shared is None:
                        shared = Server("wsgi:app", args.workers, env, work / f"gunicorn-{name}.log", args.threads).__enter__()
                    server = shared
                    mark = server.log_mark()
                    quiet_moment(args)
                    meter = OtherLoad(server, database)
                    rows = scenario(server)
                    parts = meter.breakdown()
                    problems = server_problems(server.new_log(mark))
                else:
                    with Server("wsgi:app", args.workers, env, work / f"gunicorn-{name}.log", args.threads) as server:
                        quiet_moment(args)
                        meter = OtherLoad(server, database)
                        rows = scenario(server)
                        parts = meter.breakdown()
                        problems = server_problems(server.new_log())
                for row in rows:
                    row.background = None if parts is None else parts["others"]
                    if parts is not None and row.available and label == "reports":
                        row.note = "; ".join(filter(None, [row.note, cpu_shares(parts, name)]))
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


# --- main ---------------------------------------------------------------------------


def parse_args(argv=None):
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=None, help="data size; 1.0 = 50,000 actions (default 1.0)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=None, help="seconds per throughput run (default 10)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny smoke run: scale 0.002, 1 s runs, few requests, one server per database")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"gunicorn workers (default: gunicorn.conf.py's, {2 * cores} here)")
    parser.add_argument("--keep-data", action="store_true",
                        help="reuse the data an earlier run with the same --work-dir (and --sqlite-path) "
                             "generated, instead of generating it again")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per gunicorn worker (default: gunicorn.conf.py's, as in production; "
                             "1 is gunicorn's sync worker, more its gthread worker)")
    parser.add_argument("--concurrency", type=int, default=None, help="latency client connections (default: workers)")
    parser.add_argument("--connections", type=int, default=None, help="throughput connections (default 2 x workers)")
    parser.add_argument("--requests", type=int, default=None, help="latency requests per page (default 200)")
    parser.add_argument("--cold-samples", type=int, default=None, help="cold Gantt requests (default 5)")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--sqlite-path", default=None, help="default: a file in the work directory")
    parser.add_argument("--work-dir", default=None, help="logs and the SQLite file (default: a new temp dir)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--no-wrk", action="store_true", help="use the Python client for throughput too")
    parser.add_argument("--only", default=None,
                        help="comma-separated scenario labels to run (e.g. 'reports,cold gantt,cached gantt'; "
                             "'reminders' for the reminder pass, 'bare' for the bare route); default: all")
    parser.add_argument("--wait-idle", type=float, default=0,
                        help="before each scenario, wait up to this many seconds for other processes "
                             "to leave the CPUs idle (a shared machine); default 0")
    parser.add_argument("--idle-threshold", type=float, default=0.25,
                        help="what counts as idle for --wait-idle: share of CPU busy (default 0.25)")
    args = parser.parse_args(argv)
    # The server runs as production does: gunicorn.conf.py's workers and threads unless told.
    production = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    args.workers = args.workers or production.get("workers", 2 * cores)
    args.threads = args.threads or production.get("threads", 1)
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
    args.only = {label.strip() for label in args.only.split(",")} if args.only else None
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
    bare = bare_row(args, work, errors, log) if not args.only or "bare" in args.only else None
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
        if name == "sqlite" and not args.sqlite_path and not args.keep_data:
            for suffix in ("", "-wal", "-shm"):
                Path(str(work / "bench.sqlite") + suffix).unlink(missing_ok=True)
    write_report(Path(args.output), args, machine(), started, results, bare, errors, tools)
    log(f"report written to {args.output}; {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
