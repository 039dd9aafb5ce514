"""Figures for issue 18's integrations: calendar feeds, webhook queueing and delivery, digests.

    .venv/bin/python bench/integrations.py                       # SQLite in a temporary folder
    .venv/bin/python bench/integrations.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench

The database is emptied and rebuilt. Everything runs in this process (Flask's test client
for the feed, a loopback http.server for the webhooks, the outbox without SMTP for the
digests). Not a test: it prints wall and CPU time for the closing note.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from generate import prepare_database
from sqlalchemy import insert, select

from tests.fixtures.receivers import WebhookReceiver
from tracker import create_app
from tracker.extensions import db
from tracker.models import Action, Milestone, Plan, Recommendation, Subscription, User
from tracker.reminders.compose import LinkSettings
from tracker.services.recommendations import set_recommendation_status
from tracker.services.transaction import Actor
from tracker.subscriptions.digests import queue_digests
from tracker.webhooks.delivery import WebhookSettings, deliver_webhooks
from tracker.webhooks.endpoints import register_endpoint

NOW = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
SYSTEM = Actor.system("bench")


def generate(actions: int, recommendations: int, followers: int) -> None:
    db.session.execute(insert(Plan), [{"slug": "bench", "title": "Bench plan", "country": "Benchland",
                                       "description": "", "published": True, "created_at": NOW,
                                       "reporting_cadence": "manual"}])
    db.session.execute(insert(Action), [{
        "plan_id": 1, "code": f"A{n}", "title": f"Action {n}", "description": "", "start_date": date(2026, 1, 1),
        "due_date": date(2027, 1, 1) + timedelta(days=n % 700), "percent_complete": 0, "status_key": "ongoing",
        "position": n, "version": 1, "updated_at": NOW, "paused": False,
    } for n in range(actions)])
    db.session.execute(insert(Milestone), [{"action_id": n + 1, "title": f"Milestone {n}",
                                            "due_date": date(2027, 6, 1)} for n in range(actions)])
    db.session.execute(insert(Recommendation), [{
        "plan_id": 1, "code": f"R{n}", "text": f"Recommendation {n}", "status_key": "pending", "position": n,
    } for n in range(recommendations)])
    db.session.execute(insert(Subscription), [{
        "email": f"follower{n}@bench.example", "plan_id": 1, "token": f"bench-{n}", "created_at": NOW,
        "confirmed_at": NOW, "notified_until": NOW,
    } for n in range(followers)])
    db.session.execute(insert(User), [{"email": "admin@bench.example", "password_hash": "x", "role": "admin",
                                       "active": True, "created_at": NOW}])
    db.session.commit()


def timed(func):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def status_changes(recommendations, status: str, at: datetime) -> None:
    for rec in recommendations:
        set_recommendation_status(rec, {"status": status, "reason": "Bench"}, actor=SYSTEM, now=at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--actions", type=int, default=2_000)
    parser.add_argument("--changes", type=int, default=300, help="status changes per round of the queueing test")
    parser.add_argument("--endpoints", type=int, default=5)
    parser.add_argument("--followers", type=int, default=1_000)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    prepare_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_CACHE_ENTRIES": 0})
    with app.app_context():
        generate(args.actions, args.changes, args.followers)
        print(f"database         {db.engine.dialect.name}; load average {os.getloadavg()}")
        client = app.test_client()
        wall, cpu, response = timed(lambda: client.get("/plans/bench/calendar.ics"))
        assert response.status_code == 200
        print(f"calendar feed    {args.actions:,} actions + {args.actions:,} milestones: {wall * 1000:.0f} ms wall, "
              f"{cpu * 1000:.0f} ms CPU, {len(response.data) / 1024:.0f} KiB")

        recs = db.session.scalars(select(Recommendation).order_by(Recommendation.id)).all()
        wall0, cpu0, _ = timed(lambda: status_changes(recs, "ongoing", NOW))
        admin = db.session.scalars(select(User)).one()
        with WebhookReceiver() as receiver:
            for n in range(args.endpoints):
                register_endpoint({"url": f"{receiver.url}/{n}", "events": ["status.changed"]}, acting_admin=admin,
                                  now=NOW, allow_private=True)
            wall1, cpu1, _ = timed(lambda: status_changes(recs, "fully_achieved", NOW + timedelta(minutes=1)))
            print(f"status changes   {len(recs)} one by one: {wall0 / len(recs) * 1000:.2f} ms each with no webhook, "
                  f"{wall1 / len(recs) * 1000:.2f} ms each queueing {args.endpoints} deliveries "
                  f"(CPU {cpu0 / len(recs) * 1000:.2f} / {cpu1 / len(recs) * 1000:.2f} ms)")
            settings = WebhookSettings(timeout=5, allow_private=True)
            wall, cpu, outcome = timed(lambda: deliver_webhooks(NOW + timedelta(minutes=2), settings=settings,
                                                                worker="bench", limit=100_000))
            print(f"webhook delivery {outcome['delivered']:,} POSTs to a loopback receiver: {wall:.2f} s wall "
                  f"({outcome['delivered'] / wall:.0f}/s), {cpu:.2f} s CPU; received {len(receiver.received):,}")

        links = LinkSettings(base_url="http://bench.example", secret_key="bench")
        wall, cpu, written = timed(lambda: queue_digests(NOW + timedelta(hours=1), links=links,
                                                         templates=app.jinja_env))
        print(f"follower digests {args.followers:,} followers of the plan, {2 * len(recs)} changes: {written:,} "
              f"digests written in {wall:.2f} s wall, {cpu:.2f} s CPU")
        wall, _, again = timed(lambda: queue_digests(NOW + timedelta(hours=2), links=links, templates=app.jinja_env))
        print(f"second pass      {again} digests (nothing new) in {wall:.2f} s")
        db.engine.dispose()


if __name__ == "__main__":
    main()
