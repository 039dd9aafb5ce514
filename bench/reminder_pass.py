"""Time one full reminder pass over a generated plan set (issue: reminders, performance).

    .venv/bin/python bench/reminder_pass.py                       # SQLite, 100,000 actions
    .venv/bin/python bench/reminder_pass.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench

The database is emptied and rebuilt. Most generated actions owe nothing (due far in
the future); ``--idle-factor`` multiplies those to show that the pass time does not
grow with them. Not a test: it prints figures for the closing note and bench/README.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from generate import prepare_database
from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from tracker import create_app
from tracker.extensions import db
from tracker.models import Action, Agency, Plan, User
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import deliver_pending
from tracker.reminders.run import run_reminder_pass

NOW = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
TODAY = NOW.date()


def generate(actions: int, agencies: int, owing: float, seed: int = 7) -> dict:
    """Insert plans, agencies with one focal point each, and actions; returns counts."""
    rng = random.Random(seed)
    password = generate_password_hash("benchmark-password")
    plans = 20
    db.session.execute(insert(Plan), [
        {"slug": f"bench-{p}", "title": f"Bench plan {p}", "country": "Benchland", "description": "",
         "published": True, "created_at": NOW, "reporting_cadence": "manual"} for p in range(plans)
    ])
    db.session.execute(insert(Agency), [
        {"name": f"Agency {a}", "acronym": f"A{a}", "country": "Benchland"} for a in range(agencies)
    ])
    db.session.execute(insert(User), [
        {"email": f"focal{a}@bench.example", "password_hash": password, "role": "agency",
         "agency_id": a + 1, "active": True, "created_at": NOW} for a in range(agencies)
    ] + [{"email": "secretariat@bench.example", "password_hash": password, "role": "secretariat",
          "agency_id": None, "active": True, "created_at": NOW}])
    owing_count = 0
    rows = []
    for n in range(actions):
        if rng.random() < owing:
            due = TODAY + timedelta(days=rng.randint(-60, 30))  # overdue or due within 30 days
            owing_count += 1
        else:
            due = TODAY + timedelta(days=rng.randint(45, 700))  # owes nothing today
        rows.append({
            "plan_id": n % plans + 1, "code": f"A{n}", "title": f"Action {n}", "description": "",
            "lead_agency_id": rng.randint(1, agencies), "start_date": date(2026, 1, 1), "due_date": due,
            "percent_complete": 0, "status_key": "ongoing", "position": n, "version": 1,
            "updated_at": NOW, "paused": False,
        })
        if len(rows) == 5000:
            db.session.execute(insert(Action), rows)
            rows = []
    if rows:
        db.session.execute(insert(Action), rows)
    db.session.commit()
    return {"actions": actions, "owing": owing_count, "agencies": agencies}


def timed_pass(app) -> tuple[float, int, dict]:
    links = LinkSettings(base_url="http://bench.example", secret_key="bench")
    mail = MailSettings(None, 25, False, False, None, None, "bench@example", 5)
    started = time.perf_counter()
    messages = run_reminder_pass(NOW, links=links, templates=app.jinja_env, digests=True)
    outcome = deliver_pending(NOW, mail=mail, links=links, templates=app.jinja_env, worker="bench",
                              limit=100_000)
    return time.perf_counter() - started, len(messages), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1_000)
    parser.add_argument("--owing", type=float, default=0.02, help="share of actions that owe something today")
    parser.add_argument("--idle-factor", type=int, default=1, help="multiply the actions that owe nothing")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    prepare_database(url)  # emptied (created on PostgreSQL) and migrated
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        total = args.actions * args.idle_factor
        owing = args.owing / args.idle_factor
        started = time.perf_counter()
        counts = generate(total, args.agencies, owing)
        generated = time.perf_counter() - started
        first, messages, outcome = timed_pass(app)
        second, again, _ = timed_pass(app)
        print(f"database        {db.engine.dialect.name}")
        print(f"actions         {counts['actions']:,} ({counts['owing']:,} owe something today), agencies {counts['agencies']:,}")
        print(f"generated in    {generated:.1f} s")
        print(f"first pass      {first:.2f} s: {messages:,} messages composed and delivered to the outbox ({outcome})")
        print(f"second pass     {second:.2f} s: {again} new messages (everything already claimed)")
        db.engine.dispose()


if __name__ == "__main__":
    main()
