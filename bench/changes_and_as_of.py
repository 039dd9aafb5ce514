"""Server time of the changes page (paged, with its total and summary), its CSV, and pages
rebuilt "as of" a date, on generated data (bench/generate.py). Prints a Markdown table.

In-process (Flask's test client, no HTTP, caches off): wall and CPU milliseconds per
request, the median of ``--count`` requests after one warm-up. Not a timed test.

    .venv/bin/python bench/changes_and_as_of.py --scale 1 \
        --database-url sqlite:////tmp/bench/changes.sqlite
    .venv/bin/python bench/changes_and_as_of.py --scale 1 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_changes
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate


def measure(client, path: str, count: int) -> tuple[float, float, int, int]:
    """(median wall ms, median CPU ms, status, body bytes) of ``count`` GETs after a warm-up."""
    response = client.get(path)
    walls, cpus = [], []
    for _ in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), response.status_code, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="measure a database generated before")
    args = parser.parse_args()

    if not args.reuse:
        generate.prepare_database(args.database_url)
        written = generate.populate(args.database_url, args.scale)
        print(f"generated in {written['seconds']} s: {written['rows']}", file=sys.stderr)

    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import Action, Event, Plan, StatusChange

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-secret",
                      "CHART_CACHE_ENTRIES": 0, "PUBLIC_CACHE_ENTRIES": 0})
    with app.app_context():
        plan = db.session.scalars(select(Plan).where(Plan.published.is_(True)).order_by(Plan.id)).first()
        action = db.session.scalars(select(Action).where(Action.plan_id == plan.id).order_by(Action.id)).first()
        latest = db.session.scalar(select(func.max(StatusChange.changed_at)))
        changes = db.session.scalar(select(func.count()).select_from(StatusChange))
        events = db.session.scalar(select(func.count()).select_from(Event))
        actions = db.session.scalar(select(func.count()).where(Action.plan_id == plan.id))
        today = (latest or datetime.now()).date()
        month_ago, year_ago = today - timedelta(days=30), today - timedelta(days=365)
        middle = plan.period_start + (today - plan.period_start) / 2 if plan.period_start else year_ago
        client = app.test_client()
        paths = [
            ("changes, last 30 days, page 1", f"/changes?since={month_ago}"),
            ("changes, last 30 days, page 20", f"/changes?since={month_ago}&page=20"),
            ("changes, one plan, last 365 days", f"/plans/{plan.slug}/changes?since={year_ago}"),
            ("changes, all plans, since 2000, page 1", "/changes?since=2000-01-01"),
            ("changes CSV, one plan, last 30 days", f"/plans/{plan.slug}/changes.csv?since={month_ago}"),
            ("changes CSV, all plans, last 30 days", f"/changes.csv?since={month_ago}"),
            (f"plan page today ({actions:,} actions)", f"/plans/{plan.slug}"),
            (f"plan page as of {middle}", f"/plans/{plan.slug}?as_of={middle}"),
            ("action page as of", f"/plans/{plan.slug}/actions/{action.code}?as_of={middle}"),
            ("scorecard JSON as of", f"/api/v1/plans/{plan.slug}/scorecard?as_of={middle}"),
        ]
        print(f"Data: scale {args.scale}, {changes:,} status changes, {events:,} events; "
              f"{db.engine.dialect.name}; `uptime`: {os.getloadavg()}; {date.today()}")
        print()
        print("| request | wall ms (median) | CPU ms (median) | status | KiB |")
        print("|---|---|---|---|---|")
        for label, path in paths:
            count = max(2, args.count // 5) if "CSV, all" in label or "since 2000" in label else args.count
            wall, cpu, status, size = measure(client, path, count)
            print(f"| {label} (`{path}`) | {wall:,.1f} | {cpu:,.1f} | {status} | {size / 1024:,.0f} |")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
