"""How much of each request PostgreSQL does: the figure that says when one database server is not enough.

    .venv/bin/python bench/database_share.py                      # PostgreSQL tracker_bench_dbshare, 15 s a scenario
    .venv/bin/python bench/database_share.py --seconds 30 --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/x

A fresh database (the real seed plans, plus one agency, focal point and action per
report client), gunicorn (4 sync workers, ``gunicorn.conf.py``) on it, then for each
scenario a load for ``--seconds``: the CPU time the PostgreSQL backends serving that
database used, and the CPU time the gunicorn workers used, each divided by the requests
answered. CPU time, not wall time: on a shared machine wall times move with the
neighbours' load, CPU per request much less. App instances multiply (more machines); the
database does not, so "one PostgreSQL core serves 1000 / (database CPU ms per request)
requests a second" is where the database becomes the limit. Writes the table into
bench/RESULTS.md between its ``<!-- database-share: ... -->`` markers, and prints it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.results_file import write_section
from tests.fixtures import faults
from tests.fixtures.databases import create_database, drop_database, load_seed_plans, migrate

TICK = os.sysconf("SC_CLK_TCK")
START, END = "<!-- database-share: written by bench/database_share.py -->", "<!-- /database-share -->"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                pass
    return found


def backends(url: str) -> list[int]:
    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND backend_type = 'client backend'"),
                {"name": make_url(url).database}).scalars())
    finally:
        engine.dispose()


def getter(port: int, path: str, headers: dict):
    def send(stop: threading.Event, answers: list):
        while not stop.is_set():
            answers.append(faults.request(port, "GET", path, headers=headers)[0])
    return send


def measure(url: str, server, name: str, run) -> dict:
    """Run ``run(stop, answers)`` and return requests, answers and CPU per request."""
    workers = children(server.process.pid)
    db_before = {pid: cpu_seconds(pid) for pid in backends(url)}
    app_before = {pid: cpu_seconds(pid) for pid in workers}
    started = time.monotonic()
    answers = run()
    seconds = time.monotonic() - started
    db_after = {pid: cpu_seconds(pid) for pid in backends(url)}
    app_after = {pid: cpu_seconds(pid) for pid in children(server.process.pid)}
    db = sum(v - db_before.get(pid, 0.0) for pid, v in db_after.items())
    app = sum(v - app_before.get(pid, 0.0) for pid, v in app_after.items())
    ok = sum(1 for a in answers if a in (200, 201))
    return {"scenario": name, "requests": len(answers), "ok": ok, "seconds": seconds,
            "db_ms": 1000 * db / max(ok, 1), "app_ms": 1000 * app / max(ok, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_dbshare")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dbshare-"))
    url = create_database(args.postgresql_url, make_url(args.postgresql_url).database, work)
    migrate(url)
    slugs = load_seed_plans(url)
    reporters = faults.build_reporting_world(url, args.clients, rounds=20000)
    server = faults.gunicorn(url, log_dir=work, workers=4)
    server.ready_path = "/"
    server.start()
    rows = []
    try:
        plan = f"/plans/{slugs[0]}"

        def load(send):
            def run():
                stop, answers = threading.Event(), []
                threads = [threading.Thread(target=send, args=(stop, answers)) for _ in range(args.clients)]
                for t in threads:
                    t.start()
                time.sleep(args.seconds)
                stop.set()
                for t in threads:
                    t.join()
                return answers
            return run

        faults.request(server.port, "GET", plan)  # kept in every worker's memory from here on (after a few)
        rows.append(measure(url, server, f"public plan page `{plan}`, from memory",
                            load(getter(server.port, plan, {}))))
        # Any cookie bypasses the public cache: the page is rendered for every request.
        rows.append(measure(url, server, "the same page, rendered (a visitor with a cookie)",
                            load(getter(server.port, plan, {"Cookie": "seen=1"}))))

        def reports():
            samples = faults.load_for(server.port, reporters, run=f"share{time.time_ns()}", seconds=args.seconds)
            return [s.status for s in samples]
        rows.append(measure(url, server, "agency report submission (API POST)", reports))
    finally:
        server.stop()
        if not args.keep:
            drop_database(url)
    load_avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        START,
        f"## Database share of each request (`bench/database_share.py`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        (f"PostgreSQL on the same 2-core machine as gunicorn (4 workers) and the {args.clients}-thread load tool; "
        f"the seed plans; {args.seconds:.0f} s a scenario; load average {load_avg} at the end. CPU per request "
        "is what the database backends and the app workers spent, over the requests answered."),
        "",
        "| scenario | answered | req/s here | database CPU ms / request | app CPU ms / request | one PostgreSQL core serves (req/s) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        per_core = 1000 / row["db_ms"] if row["db_ms"] else float("inf")
        lines.append(f"| {row['scenario']} | {row['ok']:,} / {row['requests']:,} | {row['ok'] / row['seconds']:,.0f} | "
                     f"{row['db_ms']:.2f} | {row['app_ms']:.2f} | {per_core:,.0f} |")
    lines.append(END)
    table = "\n".join(lines)
    print(table)
    write_section(START, END, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
