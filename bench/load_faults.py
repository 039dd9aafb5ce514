"""Agency clients reporting through the API at full size, steady and through a PostgreSQL restart.

    .venv/bin/python bench/load_faults.py             # PostgreSQL tracker_bench_faults: 50 clients x 2 min, twice
    .venv/bin/python bench/load_faults.py --scenario restart --restart-at 30
    .venv/bin/python bench/load_faults.py --scenario load --clients 10 --database-url sqlite:////tmp/faults.sqlite

The tests in tests/reliability run the same scenarios at CI size. Here: a fresh database
(created, or emptied, under the given name) with one agency, focal point, API token and
action per client; gunicorn with 2 x cores sync workers; then

* ``load``: every client submits reports back to back for ``--seconds``;
* ``restart``: the same, with the PostgreSQL cluster restarted (``pg_ctlcluster ...
  restart``, as root) ``--restart-at`` seconds in; gunicorn is left alone.

Each report carries a unique tag, so the database is checked against what every client
was told: each 201 must be stored exactly once under the id it returned, nothing may
answer 500, and after a restart the app must succeed again within 10 s by itself. The
restart is refused while other databases of the cluster have sessions (it would cut
them off) unless ``--force-restart``. Exit status 1 if a check fails. Prints a report.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy.engine import make_url

from tests.fixtures import faults
from tests.fixtures.databases import create_database, drop_database, is_postgres, migrate

RECOVERY_LIMIT = 10.0


def latency_line(samples: list[faults.Sample]) -> str:
    times = sorted((s.ended - s.started) * 1000 for s in samples if s.status == 201)
    if len(times) < 2:
        return "latency of 201s: too few"
    q = statistics.quantiles(times, n=100)
    return f"latency of 201s: p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms, p99 {q[98]:.0f} ms, max {times[-1]:.0f} ms"


def print_block(title: str, lines: list[str], problems: list[str]) -> None:
    print(f"\n== {title}")
    for line in lines:
        print(f"   {line}")
    print("   verdict: " + ("OK" if not problems else "FAILED"))
    for problem in problems:
        print(f"     - {problem}")


def common_problems(figures: faults.Figures, samples: list[faults.Sample], allowed: set) -> list[str]:
    problems = []
    if figures.acknowledged == 0:
        problems.append("no report was acknowledged")
    if figures.codes.get(500):
        problems.append(f"{figures.codes[500]} answers were 500")
    unexpected = {code: n for code, n in figures.codes.items() if code not in allowed | {500}}
    if unexpected:
        example = next(s.detail for s in samples if s.status in unexpected)
        problems.append(f"unexpected answers {unexpected}, e.g. {example[:200]!r}")
    if not figures.exactly_once:
        problems.append(f"acknowledged reports not stored exactly once: missing {len(figures.missing)}, "
                        f"duplicated {len(figures.duplicated)}, wrong id {len(figures.wrong_id)}")
    return problems


def steady(url, server, reporters, seconds) -> list[str]:
    offset = server.log_size()
    samples = faults.load_for(server.port, reporters, run="steady", seconds=seconds)
    figures = faults.check_stored(url, samples, run="steady", clients=len(reporters), seconds=seconds)
    problems = common_problems(figures, samples, {201})
    if figures.unacknowledged:
        problems.append(f"{len(figures.unacknowledged)} reports stored although the client was not told 201")
    busy = server.log_since(offset).count("Database busy")
    lines = figures.lines() + [latency_line(samples)]
    if busy:
        lines.append(f"gunicorn log: {busy} x 'Database busy' (a write waited past DATABASE_LOCK_TIMEOUT: 503)")
    print_block(f"steady load: {len(reporters)} clients, {seconds:.0f} s", lines, problems)
    return problems


def restart(url, server, reporters, seconds, restart_at, force) -> list[str]:
    cluster = faults.PgCluster.serving(url)
    if isinstance(cluster, str):
        print(f"\n== PostgreSQL restart: not run: {cluster}")
        return []
    others = cluster.foreign_sessions(make_url(url).database)
    if others and not force:
        print(f"\n== PostgreSQL restart: not run: cluster {cluster.version}/{cluster.name} also serves "
              f"{others} (sessions per database); --force-restart to restart anyway")
        return []
    stop = threading.Event()
    samples: list[faults.Sample] = []
    outage = faults.Outage()
    load = threading.Thread(target=faults.run_load, args=(server.port, reporters),
                            kwargs={"run": "restart", "stop": stop, "samples": samples}, daemon=True)
    started = time.monotonic()
    load.start()
    try:
        time.sleep(restart_at)
        faults.restart_during(cluster, outage)
        time.sleep(max(0.0, started + seconds - time.monotonic()))
    finally:
        stop.set()
        load.join(timeout=60)
        cluster.ensure_running()
    elapsed = time.monotonic() - started
    figures = faults.check_stored(url, samples, run="restart", clients=len(reporters), seconds=elapsed)
    back = faults.recovery(samples, outage, grace=RECOVERY_LIMIT)
    problems = common_problems(figures, samples, {201, 503})
    if not back.refused:
        problems.append("no request met the outage")
    if back.last_refusal_after_back is not None and back.last_refusal_after_back > RECOVERY_LIMIT:
        problems.append(f"still refusing {back.last_refusal_after_back:.1f} s after PostgreSQL was back")
    if back.failures_after_grace:
        problems.append(f"{len(back.failures_after_grace)} failures more than {RECOVERY_LIMIT:.0f} s after it was back")
    if not server.alive():
        problems.append("gunicorn died")
    lines = figures.lines() + back.lines() + [latency_line(samples)]
    if figures.unacknowledged:
        lines.append(f"{len(figures.unacknowledged)} reports were stored although their client was told "
                     "503 or got no answer (commit under way when the server went down)")
    if figures.misled:
        problems.append(f"{len(figures.misled)} stored reports were answered 'nothing was lost, try again'")
    print_block(f"PostgreSQL restart {restart_at:.0f} s into {seconds:.0f} s of load: {len(reporters)} clients",
                lines, problems)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_faults",
                        help="emptied first; a PostgreSQL database is created when missing")
    parser.add_argument("--scenario", choices=("load", "restart", "both"), default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0, help="length of each scenario")
    parser.add_argument("--restart-at", type=float, default=60.0, help="seconds into the restart scenario")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--force-restart", action="store_true",
                        help="restart the cluster even if other databases have sessions")
    args = parser.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="load-faults-"))
    url = args.database_url
    if is_postgres(url):
        url = create_database(url, make_url(url).database, logs)
    else:
        drop_database(url)  # the SQLite file and its WAL, if any
    migrate(url)
    started = time.monotonic()
    # Each report takes a round of its own (one open report per action and round): enough
    # rounds for every scenario at far more reports per second than a client manages.
    rounds = int(50 * args.seconds * (2 if args.scenario == "both" else 1))
    reporters = faults.build_reporting_world(url, args.clients, rounds)
    server = faults.gunicorn(url, workers=args.workers, log_dir=logs).start()
    print(f"database   {make_url(url).get_backend_name()} {make_url(url).database}")
    print(f"service    gunicorn, {server.workers} sync workers, port {server.port} (log {server.log})")
    print(f"clients    {args.clients} agency focal points, one action and API token each "
          f"(set up in {time.monotonic() - started:.1f} s)")
    problems: list[str] = []
    try:
        if args.scenario in ("load", "both"):
            problems += steady(url, server, reporters, args.seconds)
        if args.scenario in ("restart", "both"):
            if not is_postgres(url):
                print("\n== PostgreSQL restart: not run: the database is not PostgreSQL")
            else:
                problems += restart(url, server, reporters, args.seconds, args.restart_at, args.force_restart)
    finally:
        server.stop()
    print("\nresult: " + ("every check passed" if not problems else f"{len(problems)} check(s) failed"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
