"""The meeting pack's server time, as a page and as a PDF, for a 500- and a 5,000-action plan.
A benchmark, not a test; it prints its figures (and writes no file).

    .venv/bin/python bench/meeting_pack.py
    .venv/bin/python bench/meeting_pack.py --databases sqlite,postgresql --requests 5

The database is emptied, migrated and given the two plans of bench/html_gantt.py
(``gantt-500`` and ``gantt-5000``: areas, lead agencies, milestones, status history).
``/plans/<slug>/pack`` and ``/plans/<slug>/pack.pdf`` are then requested in-process
(Flask's test client, the public cache bypassed by a cookie), so the figures are the
server's time without the network; the first request of each is not counted.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.generate import prepare_database
from bench.html_gantt import COOKIE, PLANS, populate, timings
from bench.machine import load_average


def measure(name: str, url: str, requests: int) -> None:
    from tracker import create_app
    from tracker.extensions import db

    print(f"{name}: preparing {url}", flush=True)
    prepare_database(url)
    populate(url, datetime.now(UTC).replace(microsecond=0))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "PUBLIC_CACHE_ENTRIES": 0})
    with app.app_context():
        client = app.test_client()
        for slug, actions, _ in PLANS:
            for path in (f"/plans/{slug}/pack?since=2000-01-01", f"/plans/{slug}/pack.pdf?since=2000-01-01"):
                t = timings(client, path, requests, COOKIE)
                print(f"  {name} {actions:>5} actions {path.split('?')[0].rsplit('/', 1)[1]:>8}: "
                      f"p50 {t['p50']:.0f} ms, p95 {t['p95']:.0f} ms, CPU {t['cpu']:.0f} ms, "
                      f"{t['bytes'] // 1024} KiB; load {load_average()}", flush=True)
        db.session.remove()
        db.engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--sqlite-path", default="/tmp/tracker-bench-meeting-pack.sqlite")
    parser.add_argument("--postgresql-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_meeting_pack")
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args(argv)
    urls = {"SQLite": f"sqlite:///{args.sqlite_path}", "PostgreSQL": args.postgresql_url}
    for name in ("SQLite", "PostgreSQL"):
        if name.lower() in args.databases.lower().split(","):
            measure(name, urls[name], args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
