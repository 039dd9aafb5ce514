"""Where one report submission's time goes: statements, round trips and a CPU profile, in-process.

    python bench/submission_profile.py --database-url sqlite:////tmp/p.sqlite --scale 0.02
    python bench/submission_profile.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x \\
        --scale 0.02 --count 200 --top 30

The data is generated as for bench/run.py (bench/generate.py, which empties the database
first), the same 50 agency clients are given tokens (bench/run.py's ``prepare_fixture``),
then ``--count`` reports are POSTed to ``/api/v1/actions/<id>/reports`` through Flask's
test client, one at a time, the clients taking turns. Printed: the SQL statements each
submission sends (counted by an engine event, so on PostgreSQL also its round trips, as
each statement is one), the transactions it begins, the CPU ms per submission, and
cProfile's top functions by cumulative time. ``--no-generate`` reuses a database made by
an earlier run.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate
from machine import database_backends, process_jiffies
from run import prepare_fixture, report_body


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--count", type=int, default=100, help="submissions to profile")
    parser.add_argument("--top", type=int, default=25, help="functions to list")
    parser.add_argument("--no-generate", action="store_true")
    parser.add_argument("--statements", action="store_true", help="print one submission's statements")
    parser.add_argument("--callees", default="", help="comma-separated function names whose callees to list")
    parser.add_argument("--no-profile", action="store_true", help="CPU time only, without cProfile's overhead")
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime, ...")
    parser.add_argument("--dump", default="", help="also write the profile to this file (pstats)")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="profile by the process's CPU time rather than the wall clock (waits on the "
                             "database then cost nothing, so the times show where the worker's CPU goes)")
    args = parser.parse_args(argv)

    from sqlalchemy import event

    from tracker import create_app
    from tracker.extensions import db

    if not args.no_generate:
        generate.prepare_database(args.database_url)
        dataset = generate.populate(args.database_url, args.scale)
    else:
        dataset = {"reference_plan": {"slug": "bench-001"}, "largest_plan": {"slug": "bench-001"}}
    per_client = args.count // 50 + 2
    fixture = prepare_fixture(args.database_url, dataset, per_client)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-secret"})
    statements: list[str] = []
    kinds: Counter = Counter()
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        @event.listens_for(engine, "begin")
        def began(conn):
            kinds["begin"] += 1

        @event.listens_for(engine, "commit")
        def committed(conn):
            kinds["commit"] += 1

    client = app.test_client()
    slots = [list(s) for _, s in fixture.clients]
    for index, (token, _) in enumerate(fixture.clients):  # warm up: each token used once
        action_id, round_id = slots[index].pop()
        client.post(f"/api/v1/actions/{action_id}/reports", data=report_body(0, round_id),
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    statements.clear()
    kinds.clear()
    backends = database_backends(args.database_url.rsplit("/", 1)[1]) if args.database_url.startswith("postgresql") else []
    backend_before = sum(process_jiffies(pid) for pid in backends)
    profile = cProfile.Profile(time.process_time) if args.cpu_clock else cProfile.Profile()
    stored, cpu, first = 0, 0.0, None
    for n in range(args.count):
        index = n % len(fixture.clients)
        if not slots[index]:
            break
        action_id, round_id = slots[index].pop()
        before = len(statements)
        started = time.process_time()
        if not args.no_profile:
            profile.enable()
        response = client.post(f"/api/v1/actions/{action_id}/reports", data=report_body(n, round_id),
                               headers={"Authorization": f"Bearer {fixture.clients[index][0]}",
                                        "Content-Type": "application/json"})
        if not args.no_profile:
            profile.disable()
        cpu += time.process_time() - started
        if response.status_code != 201:
            print(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}")
            continue
        stored += 1
        if first is None:
            first = statements[before:]
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.database_url.split(':')[0]}, {stored} stored")
    if stored:
        print(f"statements per submission: {len(statements) / stored:.1f}; "
              f"transactions begun: {kinds['begin'] / stored:.1f}; commits: {kinds['commit'] / stored:.1f}; "
              f"CPU {cpu / stored * 1000:.2f} ms per submission ({'without' if args.no_profile else 'with'} the profiler)")
    if backends and stored:
        spent = sum(process_jiffies(pid) for pid in backends) - backend_before
        print(f"PostgreSQL's server processes for the database: {spent / os.sysconf('SC_CLK_TCK') / stored * 1000:.2f} "
              f"ms CPU per submission")
    if args.statements and first:
        for s in first:
            print("  -", " ".join(s.split())[:240])
    if args.no_profile:
        return 0
    if args.dump:
        profile.dump_stats(args.dump)
    calls = pstats.Stats(profile).total_calls
    print(f"Python function calls per submission: {calls / max(stored, 1):,.0f} (a measure of the work "
          "that does not depend on what else the machine runs)")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
    for name in filter(None, args.callees.split(",")):
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_callees(name)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
