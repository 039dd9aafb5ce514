"""The HTML Gantt's server time for a 500- and a 5,000-action plan, cold and cached, on SQLite
and PostgreSQL; writes its section of bench/RESULTS.md. A benchmark, not a test.

    .venv/bin/python bench/html_gantt.py
    .venv/bin/python bench/html_gantt.py --databases sqlite --requests 10
    .venv/bin/python bench/html_gantt.py --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_gantt

Each database is emptied, migrated and given two published plans by the generator of
bench/generate.py (bulk inserts): ``gantt-500`` (500 actions) and ``gantt-5000`` (5,000),
with areas, lead and supporting agencies and milestones. Then ``/plans/<slug>/gantt`` is
requested in-process (Flask's test client, one thread), so the figures are the server's
time without the network:

- cold: an app with the public cache turned off (and a cookie, which makes it step aside
  anyway), so every request runs the view: the queries, the rows, the HTML. The first
  request (template compilation) is not counted.
- cached: the public's copy replayed from memory, keyed by the data version.

Wall time (p50 / p95) is what the targets name; CPU time per request is printed too,
because it does not change when other processes share the machine (wall does). The
load average and the share of the machine other processes used are reported with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import create_engine, text

from bench.generate import Generator, PlanSpec, Writer, prepare_database
from bench.machine import background_cpu, load_average, machine
from bench.results_file import write_section
from tracker.models import Plan

BEGIN, END = "<!-- html-gantt: written by bench/html_gantt.py -->", "<!-- /html-gantt -->"
PLANS = (("gantt-500", 500, 0.050), ("gantt-5000", 5000, 0.500))  # slug, actions, p95 target (s)
COOKIE = {"Cookie": "bench=1"}  # any cookie makes the public cache step aside


def populate(url: str, now: datetime) -> None:
    """Two published plans of 500 and 5,000 actions in one country, 60 agencies."""
    engine = create_engine(url)
    with engine.begin() as conn:
        writer = Writer(conn)
        gen = Generator(writer, 0.1, 7, now)
        agencies = gen.agencies_and_users(60, ["Ganttland"])["Ganttland"]
        start = now.date() - timedelta(days=400)
        specs, rows = [], []
        for slug, actions, _ in PLANS:
            spec = PlanSpec(id=writer.new_id("plans"), slug=slug, country="Ganttland", published=True,
                            start=start, cadence="manual", recommendations=actions // 5, actions=actions,
                            reports=0)
            specs.append(spec)
            rows.append({"id": spec.id, "slug": slug, "title": f"Gantt bench plan of {actions} actions",
                         "country": "Ganttland", "description": "", "citation": None, "period_start": start,
                         "period_end": start + timedelta(days=1095), "reporting_cadence": "manual",
                         "published": True, "created_at": now - timedelta(days=400), "source_document": None,
                         "source_section": None, "source_lines": None})
        conn.execute(Plan.__table__.insert(), rows)
        for spec in specs:
            gen.plan_contents(spec, agencies)
        if conn.dialect.name == "postgresql":
            for table in ("plans", "areas", "agencies", "users", "recommendations", "actions", "milestones",
                          "reporting_rounds", "status_changes", "events", "progress_reports", "evidence"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def timings(client, path: str, count: int, headers: dict) -> dict:
    """Wall p50/p95 and mean CPU (ms) of ``count`` requests, after one not counted."""
    first = client.get(path, headers=headers)
    assert first.status_code == 200, (path, first.status_code)
    walls, cpus = [], []
    for _ in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        assert response.status_code == 200
    walls.sort()
    return {
        "p50": statistics.median(walls) * 1000,
        "p95": walls[min(len(walls) - 1, round(0.95 * (len(walls) - 1)))] * 1000,
        "cpu": statistics.fmean(cpus) * 1000,
        "bytes": len(first.data),
        "bars": first.data.count(b'class="hchart-bar'),
    }


def measure(name: str, url: str, requests: int, language: str = "") -> list[dict]:
    """Every plan, cold and cached, on one database; ``language``: the reader's (Accept-Language)."""
    from tracker import create_app
    from tracker.extensions import db

    print(f"{name}: preparing {url}", flush=True)
    prepare_database(url)
    populate(url, datetime.now(UTC).replace(microsecond=0))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    uncached = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "PUBLIC_CACHE_ENTRIES": 0})
    rows = []
    with uncached.app_context(), app.app_context():
        for slug, actions, target in PLANS:
            count = requests if actions <= 500 else max(5, requests // 3)
            others = background_cpu(0.5)
            asked = {"Accept-Language": language} if language else {}
            cold = timings(uncached.test_client(), f"/plans/{slug}/gantt", count, {**COOKIE, **asked})
            cached = timings(app.test_client(), f"/plans/{slug}/gantt", count * 5, asked)
            row = {"database": name, "plan": slug, "actions": actions, "target": target * 1000, "cold": cold,
                   "cached": cached, "load": load_average(), "others": others}
            print(f"  {slug}: cold p50 {cold['p50']:.1f} p95 {cold['p95']:.1f} cpu {cold['cpu']:.1f} ms; "
                  f"cached p95 {cached['p95']:.2f} ms; {cold['bars']} bars, {cold['bytes'] // 1024} KiB; "
                  f"load {row['load']}", flush=True)
            rows.append(row)
        db.session.remove()
        db.engine.dispose()
    return rows


def report(rows: list[dict], started: datetime) -> str:
    info = machine()
    lines = [
        BEGIN,
        "## HTML Gantt (`/plans/<slug>/gantt`): server time, in-process",
        "",
        (f"`bench/html_gantt.py`, {started:%Y-%m-%d %H:%M} UTC; {info.get('cpu', '?')}, {info.get('cores', '?')} cores, "
        f"Python {sys.version.split()[0]}. Server time is one request at a time through Flask's test "
        "client (no network); cold = the view runs (queries, rows, HTML; the public cache bypassed), "
        "cached = the public cache's copy. Wall time is what the targets name; CPU is the same work "
        "without the waits for a shared machine's cores."),
        "",
        ("| database | plan | bars | size | cold p50 / p95 ms | cold CPU ms | cached p50 / p95 ms "
        "| target (cold p95) | verdict | load (1/5/15 min) | others' CPU |"),
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cold, cached = r["cold"], r["cached"]
        verdict = "**met**" if cold["p95"] < r["target"] else "**missed**"
        others = f"{r['others'] * 100:.0f}%" if r["others"] is not None else "?"
        lines.append(
            f"| {r['database']} | {r['actions']:,} actions | {cold['bars']:,} | {cold['bytes'] / 1024:,.0f} KiB "
            f"| {cold['p50']:.1f} / {cold['p95']:.1f} | {cold['cpu']:.1f} | {cached['p50']:.2f} / {cached['p95']:.2f} "
            f"| < {r['target']:.0f} ms | {verdict} | {r['load']} | {others} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite-path", default="/tmp/tracker-bench-html-gantt.sqlite")
    parser.add_argument("--postgresql-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_html_gantt")
    parser.add_argument("--requests", type=int, default=40, help="cold requests of the 500-action plan")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--language", default="",
                        help="the reader's language, e.g. es: the plans are untranslated, so every title "
                             "is the marked original (the most words to write)")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    urls = {"SQLite": f"sqlite:///{args.sqlite_path}", "PostgreSQL": args.postgresql_url}
    rows = []
    for name in ("SQLite", "PostgreSQL"):
        if name.lower() in args.databases.lower().split(","):
            rows += measure(name, urls[name], args.requests, args.language)
    section = report(rows, started)
    print(section)
    if not args.no_write:
        write_section(BEGIN, END, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
