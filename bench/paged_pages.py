"""The paged plan page's server time for a 500- and a 5,000-action plan, cold and cached, on
SQLite and PostgreSQL; writes its section of bench/RESULTS.md. A benchmark, not a test.

    .venv/bin/python bench/paged_pages.py
    .venv/bin/python bench/paged_pages.py --databases sqlite --requests 10
    .venv/bin/python bench/paged_pages.py --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_paged

The database is made as bench/html_gantt.py makes its own (the same generator and plans:
``gantt-500`` and ``gantt-5000``, 100 and 1,000 recommendations). Then, in-process (Flask's
test client, one thread), each kind of plan page is requested: the first page, a page in
the middle, a filtered page (status and overdue), a page sorted by due date descending and
a page of words; and the agencies index. The target (issue 15): every page of any plan under
30 ms of server time, p95, once paged. Cold = the view runs (the public cache bypassed);
cached = the public cache's copy, whose key holds the query string. What the page shows of the
whole plan whatever the page asked (its filters' choices and counts:
``web.response_cache.remembered_for_plan``) is kept per data version in both, as in service
between two writes; the first request after a write reads it again.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.generate import prepare_database
from bench.html_gantt import COOKIE, populate, timings
from bench.machine import background_cpu, load_average, machine
from bench.results_file import write_section

BEGIN, END = "<!-- paged-pages: written by bench/paged_pages.py -->", "<!-- /paged-pages -->"
TARGET_MS = 30.0
PLANS = (("gantt-500", 500), ("gantt-5000", 5000))


def pages(slug: str, actions: int) -> list[tuple[str, str]]:
    """(what, path) for each kind of page of the plan."""
    middle = actions // 50 // 2
    return [
        ("first page", f"/plans/{slug}"),
        (f"page {middle} of actions", f"/plans/{slug}?act_page={middle}"),
        ("filtered: ongoing, overdue", f"/plans/{slug}?status=ongoing&overdue=1"),
        ("sorted: due, descending", f"/plans/{slug}?act_sort=-due&rec_sort=status"),
        ("words", f"/plans/{slug}?q=data"),
    ]


def measure(name: str, url: str, requests: int) -> list[dict]:
    """Every page of every plan, cold and cached, on one database."""
    from tracker import create_app
    from tracker.extensions import db

    print(f"{name}: preparing {url}", flush=True)
    prepare_database(url)
    populate(url, datetime.now(UTC).replace(microsecond=0))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret"})
    uncached = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret", "PUBLIC_CACHE_ENTRIES": 0})
    rows = []
    with uncached.app_context(), app.app_context():
        targets = [(slug, actions, what, path) for slug, actions in PLANS for what, path in pages(slug, actions)]
        targets.append(("(all plans)", 0, "agencies index", "/agencies"))
        for slug, actions, what, path in targets:
            others = background_cpu(0.3)
            cold = timings(uncached.test_client(), path, requests, COOKIE)
            cached = timings(app.test_client(), path, requests * 3, {})
            shown = uncached.test_client().get(path, headers=COOKIE).get_data(as_text=True)
            row = {"database": name, "plan": slug, "actions": actions, "page": what, "path": path, "cold": cold,
                   "cached": cached, "rows": shown.count('<th scope="row">'), "load": load_average(),
                   "others": others}
            print(f"  {path}: cold p50 {cold['p50']:.1f} p95 {cold['p95']:.1f} cpu {cold['cpu']:.1f} ms; "
                  f"cached p95 {cached['p95']:.2f} ms; {cold['bytes'] // 1024} KiB; load {row['load']}", flush=True)
            rows.append(row)
        db.session.remove()
        db.engine.dispose()
    return rows


def report(rows: list[dict], started: datetime, requests: int) -> str:
    info = machine()
    lines = [
        BEGIN,
        "## Paged plan page (`/plans/<slug>?...`) and agencies index: server time, in-process",
        "",
        (f"`bench/paged_pages.py`, {started:%Y-%m-%d %H:%M} UTC; {info.get('cpu', '?')}, {info.get('cores', '?')} cores, "
         f"Python {sys.version.split()[0]}; {requests} cold requests per page after one not counted. Plans of "
         "bench/html_gantt.py (500 and 5,000 actions; 100 and 1,000 recommendations). Cold = the view runs "
         "(public cache bypassed; the plan-wide filter choices and counts, remembered per data version, "
         "kept as between two writes), cached = the public cache's copy (its key holds the query string). "
         f"Target (issue 15): every page under {TARGET_MS:.0f} ms of server time (cold p95)."),
        "",
        "| database | plan | page | size | rows shown | cold p50 / p95 ms | cold CPU ms | cached p95 ms | verdict | load (1/5/15 min) | others' CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cold, cached = r["cold"], r["cached"]
        verdict = "**met**" if cold["p95"] < TARGET_MS else "**missed**"
        others = f"{r['others'] * 100:.0f}%" if r["others"] is not None else "?"
        plan = f"{r['actions']:,} actions" if r["actions"] else r["plan"]
        lines.append(
            f"| {r['database']} | {plan} | {r['page']} | {cold['bytes'] / 1024:,.0f} KiB | {r['rows']} "
            f"| {cold['p50']:.1f} / {cold['p95']:.1f} | {cold['cpu']:.1f} | {cached['p95']:.2f} "
            f"| {verdict} | {r['load']} | {others} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite-path", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "tracker-bench-paged-pages.sqlite"))
    parser.add_argument("--postgresql-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_paged_pages")
    parser.add_argument("--requests", type=int, default=40, help="cold requests per page")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    urls = {"SQLite": f"sqlite:///{args.sqlite_path}", "PostgreSQL": args.postgresql_url}
    rows = []
    for name in ("SQLite", "PostgreSQL"):
        if name.lower() in args.databases.lower().split(","):
            rows += measure(name, urls[name], args.requests)
    section = report(rows, started, args.requests)
    print(section)
    if not args.no_write:
        write_section(BEGIN, END, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
