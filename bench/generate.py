"""Generate a realistic tracker database for the HTTP benchmark (bench/run.py).

    .venv/bin/python bench/generate.py --scale 0.01 --database-url sqlite:////tmp/bench.sqlite
    .venv/bin/python bench/generate.py --scale 1 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tracker_bench_http

``--scale 1.0`` is 50 plans, 10,000 recommendations, 50,000 actions and 500,000
progress reports, with 250 agencies (two focal points each), reporting rounds,
milestones, evidence links, the status history and the report events the services
would have recorded. Smaller scales shrink everything but keep at least 50 agencies
(the benchmark's 50 concurrent reporting clients need one each).

The database is emptied and migrated first, as the tests make theirs
(tests/fixtures/databases.py: a PostgreSQL database is dropped and created again), then filled with bulk Core inserts in foreign-key order, one plan at a time,
so memory stays flat at any scale. Rows carry explicit ids; PostgreSQL sequences are
moved past them afterwards so the application can keep inserting.

Dates are spread around today: due dates mostly within a year either side, reports in
the past, plans that started up to three years ago. Plan ``bench-001`` is the
benchmark's reference plan with half the average size (500 actions at scale 1), which
is the size the issue's Gantt target names; plan sizes otherwise vary from a quarter
to twice the average.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import JSON, create_engine, func, select, text
from sqlalchemy.engine import Connection
from werkzeug.security import generate_password_hash

from tests.fixtures.databases import empty_database, migrate
from tracker.models import (
    Action,
    Agency,
    Area,
    Event,
    Evidence,
    Milestone,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingRound,
    Status,
    StatusChange,
    User,
    action_supporting_agencies,
    recommendation_actions,
    recommendation_agencies,
)

# At scale 1.0.
PLANS = 50
RECOMMENDATIONS = 10_000
ACTIONS = 50_000
REPORTS = 500_000
AGENCIES = 250
MIN_AGENCIES = 50  # one per concurrent reporting client in bench/run.py

PASSWORD = "bench-password"
SECRETARIAT_EMAIL = "secretariat1@bench.example"
REFERENCE_PLAN = "bench-001"

COUNTRIES = [
    "Benchland", "Northmark", "Eastvale", "Southport", "Westreach",
    "Lowmoor", "Highcrest", "Rivermouth", "Stonefield", "Lakeshore",
]
AREA_NAMES = [
    "Governance and leadership", "Legal and policy framework", "Institutional capacity",
    "Data supply and quality", "Demand and engagement", "Financing", "Technology and skills",
    "Monitoring and evaluation",
]
WORDS = (
    "open", "data", "portal", "publish", "datasets", "agency", "ministry", "strategy",
    "framework", "governance", "policy", "quality", "metadata", "standards", "licence",
    "users", "community", "engagement", "capacity", "training", "budget", "review", "monitor",
    "evaluate", "indicators", "report", "annual", "national", "regional", "coordination",
    "council", "legal", "mandate", "privacy", "access", "information", "transparency",
    "accountability", "procurement", "digital", "services", "interoperability", "registry",
    "statistics", "geospatial", "civil", "society", "business", "innovation", "pilot",
    "programme", "roadmap", "timeline", "milestone", "stakeholders", "consultation",
    "feedback", "release",
)
TABLES_IN_ORDER = [
    Area.__table__, Recommendation.__table__, recommendation_agencies, Action.__table__,
    recommendation_actions, action_supporting_agencies, Milestone.__table__,
    ReportingRound.__table__, ProgressReport.__table__, Evidence.__table__,
    StatusChange.__table__, Event.__table__,
]
ID_TABLES = [
    "plans", "areas", "agencies", "users", "recommendations", "actions", "milestones",
    "reporting_rounds", "progress_reports", "evidence", "status_changes", "events",
]


def sizes(scale: float) -> dict[str, int]:
    """The row counts the main entities get at ``scale``."""
    plans = max(1, round(PLANS * scale))
    return {
        "plans": plans,
        "recommendations": max(plans, round(RECOMMENDATIONS * scale)),
        "actions": max(plans, round(ACTIONS * scale)),
        "progress_reports": round(REPORTS * scale),
        "agencies": max(MIN_AGENCIES, round(AGENCIES * scale)),
    }


# --- preparing the database ---------------------------------------------------


def prepare_database(url: str) -> None:
    """Start from an empty, migrated database (the tests' toolkit: tests/fixtures/databases.py)."""
    empty_database(url)
    migrate(url)


# --- writing ------------------------------------------------------------------


class Writer:
    """Buffers rows per table and inserts them with executemany, parents first."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.buffers: dict = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.next_ids: dict[str, int] = defaultdict(lambda: 1)

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def add(self, table, row: dict) -> None:
        self.buffers[table].append(row)

    def flush(self, tables=TABLES_IN_ORDER) -> None:
        for table in tables:
            rows = self.buffers.pop(table, None)
            if not rows:
                continue
            if self.conn.dialect.name == "postgresql":
                self._copy(table, rows)
            else:
                for start in range(0, len(rows), 10_000):
                    self.conn.execute(table.insert(), rows[start:start + 10_000])
            self.counts[table.name] += len(rows)

    def _copy(self, table, rows: list[dict]) -> None:
        """PostgreSQL: COPY, several times faster than INSERT for hundreds of thousands of rows.

        Values go as psycopg adapts them (dates, aware datetimes, booleans); JSON as text.
        """
        columns = list(rows[0])
        json_columns = {name for name in columns if isinstance(table.c[name].type, JSON)}
        cursor = self.conn.connection.driver_connection.cursor()
        names = ", ".join(f'"{name}"' for name in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name]) if name in json_columns else row[name] for name in columns])


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class PlanSpec:
    id: int
    slug: str
    country: str
    published: bool
    start: date
    cadence: str
    recommendations: int
    actions: int
    reports: int
    area_ids: list[int] = field(default_factory=list)


# --- generating ---------------------------------------------------------------


class Generator:
    """Builds the rows; one instance per run, seeded, so runs are reproducible."""

    def __init__(self, writer: Writer, scale: float, seed: int, now: datetime):
        self.w = writer
        self.rng = random.Random(seed)
        self.scale = scale
        self.now = now
        self.today = now.date()
        self.sentences = [self._words(self.rng.randint(12, 30)) for _ in range(400)]
        self.titles = [self._words(self.rng.randint(4, 9)).rstrip(".") for _ in range(400)]
        self.statuses: dict[str, Status] = {}

    def _words(self, n: int) -> str:
        text_ = " ".join(self.rng.choices(WORDS, k=n))
        return text_[0].upper() + text_[1:] + "."

    def _text(self, sentences: int) -> str:
        return " ".join(self.rng.choices(self.sentences, k=sentences))

    def _at(self, day: date) -> datetime:
        """A time of day on ``day`` (UTC), never later than now."""
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            seconds=self.rng.randint(7 * 3600, 19 * 3600)
        )
        return min(moment, self.now - timedelta(minutes=1))

    # people and organisations

    def agencies_and_users(self, n_agencies: int, countries: list[str]) -> dict[str, list[int]]:
        rng, w = self.rng, self.w
        password = generate_password_hash(PASSWORD)  # one hash for every account: hashing is slow
        created = self.now - timedelta(days=1200)
        by_country: dict[str, list[int]] = defaultdict(list)
        self.focal_points: dict[int, list[int]] = {}
        self.user_email: dict[int, str] = {}
        agencies, users = [], []
        for a in range(n_agencies):
            country = countries[a % len(countries)]
            agency_id = w.new_id("agencies")
            agencies.append({"id": agency_id, "name": f"Agency {a + 1} of {country}",
                             "acronym": f"AG{a + 1}", "country": country})
            by_country[country].append(agency_id)
            self.focal_points[agency_id] = []
            for letter in "ab":
                user_id = w.new_id("users")
                email = f"focal{a + 1}{letter}@bench.example"
                users.append({"id": user_id, "email": email, "password_hash": password, "role": "agency",
                              "agency_id": agency_id, "active": letter == "a" or rng.random() > 0.05,
                              "created_at": created})
                self.focal_points[agency_id].append(user_id)
                self.user_email[user_id] = email
        self.secretariat = []
        for role, count in (("secretariat", 3), ("admin", 1), ("assessor", 3)):
            for n in range(count):
                user_id = w.new_id("users")
                email = f"{role}{n + 1}@bench.example"
                users.append({"id": user_id, "email": email, "password_hash": password, "role": role,
                              "agency_id": None, "active": True, "created_at": created})
                self.user_email[user_id] = email
                if role == "secretariat":
                    self.secretariat.append(user_id)
        w.conn.execute(Agency.__table__.insert(), agencies)
        w.conn.execute(User.__table__.insert(), users)
        w.counts["agencies"] += len(agencies)
        w.counts["users"] += len(users)
        return by_country

    def plans(self, counts: dict[str, int], countries: list[str]) -> list[PlanSpec]:
        rng, w = self.rng, self.w
        n = counts["plans"]
        if n == 1:
            weights = [1.0]
        else:
            # The reference plan has half the average size; the others vary from a
            # quarter to twice the average, rescaled so the totals stay exact.
            others = [rng.uniform(0.25, 2.0) for _ in range(n - 1)]
            factor = (n - 0.5) / sum(others)
            weights = [0.5] + [x * factor for x in others]
        recs = apportion(counts["recommendations"], weights)
        actions = apportion(counts["actions"], weights)
        reports = apportion(counts["progress_reports"], weights)
        specs, rows = [], []
        for i in range(n):
            start = self.today - timedelta(days=rng.randint(300, 1100))
            cadence = rng.choices(["quarterly", "half-yearly", "manual"], [6, 2, 2])[0]
            spec = PlanSpec(
                id=w.new_id("plans"), slug=f"bench-{i + 1:03d}", country=countries[i % len(countries)],
                published=(i % 10 != 9), start=start, cadence=cadence,
                recommendations=max(1, recs[i]), actions=max(1, actions[i]), reports=reports[i],
            )
            specs.append(spec)
            rows.append({
                "id": spec.id, "slug": spec.slug, "title": f"Open data action plan {i + 1} of {spec.country}",
                "country": spec.country, "description": self._text(3),
                "citation": f"Bench review of {spec.country} ({start.year}), Chapter {i % 6 + 1}",
                "period_start": start, "period_end": start + timedelta(days=rng.choice([730, 1095, 1460])),
                "reporting_cadence": cadence, "published": spec.published,
                "created_at": self._at(start), "source_document": f"bench-review-{i + 1}.pdf",
                "source_section": "Recommendations", "source_lines": None,
            })
        w.conn.execute(Plan.__table__.insert(), rows)
        w.counts["plans"] += len(rows)
        return specs

    # one plan and everything in it

    def plan_contents(self, plan: PlanSpec, agencies: list[int]) -> None:
        rng, w = self.rng, self.w
        recorded_at = self._at(plan.start)
        actor = self.secretariat[0]
        for k in range(rng.randint(4, 8)):
            area_id = w.new_id("areas")
            plan.area_ids.append(area_id)
            w.add(Area.__table__, {"id": area_id, "plan_id": plan.id, "code": f"P{k + 1}",
                                   "name": AREA_NAMES[k], "position": k, "source_document": None,
                                   "source_section": None, "source_lines": None})

        rec_ids = []
        for k in range(plan.recommendations):
            rec_id = w.new_id("recommendations")
            rec_ids.append(rec_id)
            status = rng.choices(["fully_achieved", "ongoing", "under_discussion", "pending"], [2, 4, 2, 2])[0]
            w.add(Recommendation.__table__, {
                "id": rec_id, "plan_id": plan.id,
                "area_id": rng.choice(plan.area_ids) if rng.random() > 0.05 else None,
                "code": f"R{k + 1}", "text": self._text(rng.randint(1, 3)),
                "timeframe": rng.choice(["short", "medium", "long", None]),
                "priority": rng.choice(["high", "medium", "low", None]),
                "response": rng.choices(["accepted", "partially_accepted", "noted", "rejected", None], [6, 2, 1, 1, 1])[0],
                "status_key": status,
                "actions_taken": self._text(1) if status in ("ongoing", "fully_achieved") and rng.random() < 0.4 else None,
                "position": k, "source_document": f"bench-review-{plan.id}.pdf",
                "source_section": f"Chapter {k % 5 + 1}", "source_lines": f"{10 * k + 1}-{10 * k + 8}",
            })
            for agency_id in rng.sample(agencies, min(len(agencies), rng.choice([0, 1, 1, 2, 3]))):
                w.add(recommendation_agencies, {"recommendation_id": rec_id, "agency_id": agency_id})
            # History: recorded as pending, then moved to where it stands now.
            path = {"pending": ["pending"], "under_discussion": ["pending", "under_discussion"],
                    "ongoing": ["pending", "ongoing"],
                    "fully_achieved": ["pending", "ongoing", "fully_achieved"]}[status]
            old, moment = None, recorded_at
            for step in path:
                w.add(StatusChange.__table__, {
                    "id": w.new_id("status_changes"), "plan_id": plan.id, "subject_type": "recommendation",
                    "subject_id": rec_id, "old_status_key": old, "new_status_key": step,
                    "old_percent": None, "new_percent": None, "changed_by_id": actor,
                    "changed_by_label": self.user_email[actor], "changed_at": moment,
                    "reason": "Recorded." if old is None else "Assessed at the working group meeting.",
                })
                old = step
                moment = min(moment + timedelta(days=rng.randint(30, 200)), self.now - timedelta(hours=1))

        rounds = self._rounds(plan)
        round_starts = [r[1] for r in rounds]

        # Lead agencies: every agency of the country leads something first, then a few
        # big agencies lead most actions (as in the real plans).
        ranked = agencies[:]
        rng.shuffle(ranked)
        lead_weights = [1 / (r + 1) ** 0.8 for r in range(len(ranked))]
        actions = []
        for k in range(plan.actions):
            lead = ranked[k] if k < len(ranked) else rng.choices(ranked, lead_weights)[0]
            due = self.today + timedelta(days=int(rng.triangular(-420, 600, 40)))
            start = min(plan.start + timedelta(days=rng.randint(0, 400)), due - timedelta(days=30))
            if due < self.today - timedelta(days=60):
                status = rng.choices(["fully_achieved", "ongoing", "under_discussion", "pending"], [55, 30, 5, 10])[0]
            else:
                status = rng.choices(["fully_achieved", "ongoing", "under_discussion", "pending"], [10, 50, 15, 25])[0]
            percent = {"fully_achieved": 100, "ongoing": rng.randint(10, 90),
                       "under_discussion": rng.randint(0, 20), "pending": 0}[status]
            action_id = w.new_id("actions")
            actions.append((action_id, lead, start, status, percent))
            w.add(Action.__table__, {
                "id": action_id, "plan_id": plan.id, "area_id": rng.choice(plan.area_ids),
                "code": f"A{k + 1}", "title": rng.choice(self.titles), "description": self._text(1),
                "lead_agency_id": lead, "start_date": start, "due_date": due,
                "percent_complete": percent, "status_key": status, "position": k,
                "paused": rng.random() < 0.02, "version": 1,
                "updated_at": self._at(min(self.today, due)), "source_document": None,
                "source_section": None, "source_lines": None,
            })
            near = min(len(rec_ids) - 1, k * len(rec_ids) // plan.actions)
            for rec_id in {rec_ids[near], rng.choice(rec_ids)} if rng.random() < 0.2 else {rec_ids[near]}:
                w.add(recommendation_actions, {"recommendation_id": rec_id, "action_id": action_id})
            if rng.random() < 0.3:
                for agency_id in rng.sample(agencies, min(len(agencies), rng.randint(1, 2))):
                    if agency_id != lead:
                        w.add(action_supporting_agencies, {"action_id": action_id, "agency_id": agency_id})
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                m_due = start + timedelta(days=rng.randint(0, max(1, (due - start).days)))
                w.add(Milestone.__table__, {
                    "id": w.new_id("milestones"), "action_id": action_id, "title": rng.choice(self.titles),
                    "due_date": m_due,
                    "achieved_on": m_due if m_due < self.today and rng.random() < 0.7 else None,
                })

        weights = [{"pending": 0.3, "under_discussion": 0.8, "ongoing": 1.3, "fully_achieved": 1.2}[a[3]]
                   for a in actions]
        per_action = apportion(plan.reports, weights) if plan.reports else [0] * len(actions)
        for (action_id, lead, start, status, percent), n_reports in zip(actions, per_action):
            self._history(plan, action_id, lead, start, status, percent, n_reports, rounds, round_starts)
        w.flush()

    def _rounds(self, plan: PlanSpec) -> list[tuple[int, date]]:
        months = 3 if plan.cadence == "quarterly" else 6
        first = date(plan.start.year, (plan.start.month - 1) // months * months + 1, 1)
        rounds, opens = [], first
        while opens <= self.today:
            month = opens.month + months
            next_opens = date(opens.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
            name = f"{opens.year} {'Q' if months == 3 else 'H'}{(opens.month - 1) // months + 1}"
            round_id = self.w.new_id("reporting_rounds")
            self.w.add(ReportingRound.__table__, {"id": round_id, "plan_id": plan.id, "name": name,
                                                  "opens_on": opens, "deadline": next_opens - timedelta(days=1)})
            rounds.append((round_id, opens))
            opens = next_opens
        return rounds

    def _history(self, plan, action_id, lead, start, status, percent, n_reports, rounds, round_starts):
        """The action's reports, oldest first, with their review events and status changes."""
        rng, w = self.rng, self.w
        reviewer = rng.choice(self.secretariat)
        first_day = max(start, plan.start)
        recorded = self._at(plan.start)
        w.add(StatusChange.__table__, {
            "id": w.new_id("status_changes"), "plan_id": plan.id, "subject_type": "action",
            "subject_id": action_id, "old_status_key": None, "new_status_key": "pending",
            "old_percent": None, "new_percent": 0, "changed_by_id": reviewer,
            "changed_by_label": self.user_email[reviewer], "changed_at": recorded, "reason": "Recorded.",
        })
        span = max(1, (self.today - first_day).days - 1)
        days = sorted(rng.randint(0, span) for _ in range(n_reports))
        old_status, old_percent, changed_at = "pending", 0, recorded
        for j, offset in enumerate(days):
            last = j == n_reports - 1
            submitted = self._at(first_day + timedelta(days=offset))
            if last and status != "fully_achieved":
                state = rng.choices(["accepted", "submitted", "draft", "returned"], [40, 30, 15, 15])[0]
            else:
                state = "accepted"
            if last and state == "accepted":
                new_percent, new_status = percent, status
            else:
                new_percent = min(100, round(percent * (j + 1) / n_reports) + (10 if last else 0))
                new_status = "fully_achieved" if new_percent == 100 else ("ongoing" if new_percent else "under_discussion")
            author = rng.choice(self.focal_points[lead])
            reviewed = min(submitted + timedelta(days=rng.randint(1, 20)), self.now - timedelta(minutes=1))
            report_id = w.new_id("progress_reports")
            round_index = bisect.bisect_right(round_starts, submitted.date()) - 1
            w.add(ProgressReport.__table__, {
                "id": report_id, "action_id": action_id,
                "round_id": rounds[round_index][0] if round_index >= 0 else None,
                "agency_id": lead, "author_id": author, "narrative": self._text(rng.randint(1, 4)),
                "percent_complete": new_percent, "proposed_status_key": new_status, "state": state,
                "reviewer_comment": "Please add evidence of the publication." if state == "returned" else None,
                "reviewed_by_id": reviewer if state in ("accepted", "returned") else None,
                "created_at": submitted - timedelta(hours=rng.randint(1, 72)),
                "submitted_at": None if state == "draft" else submitted,
                "reviewed_at": reviewed if state in ("accepted", "returned") else None,
            })
            if state != "draft" and rng.random() < 0.15:
                w.add(Evidence.__table__, {
                    "id": w.new_id("evidence"), "report_id": report_id, "kind": "link",
                    "url": f"https://data.example.gov/{plan.slug}/datasets/{report_id}", "filename": None,
                    "stored_name": None, "content_type": None, "size": None, "created_at": submitted,
                })
            if state == "draft":
                continue
            self._event(plan, action_id, "report_submitted",
                        f"Progress report submitted: {new_percent}%, proposes {new_status}",
                        author, submitted, report_id)
            if state == "returned":
                self._event(plan, action_id, "report_returned", "Progress report returned to the agency",
                            reviewer, reviewed, report_id, reason="Please add evidence of the publication.")
            elif state == "accepted":
                self._event(plan, action_id, "report_accepted", f"Progress report accepted ({new_percent}%)",
                            reviewer, reviewed, report_id)
                if (old_status, old_percent) != (new_status, new_percent):
                    w.add(StatusChange.__table__, {
                        "id": w.new_id("status_changes"), "plan_id": plan.id, "subject_type": "action",
                        "subject_id": action_id, "old_status_key": old_status, "new_status_key": new_status,
                        "old_percent": old_percent, "new_percent": new_percent, "changed_by_id": reviewer,
                        "changed_by_label": self.user_email[reviewer], "changed_at": reviewed,
                        "reason": f"Accepted progress report of {submitted:%Y-%m-%d}",
                    })
                    old_status, old_percent = new_status, new_percent
                    changed_at = reviewed
        if (old_status, old_percent) != (status, percent):
            # Set by the secretariat outside a report (e.g. at a working group meeting).
            moment = changed_at + (self.now - changed_at) * rng.random()
            w.add(StatusChange.__table__, {
                "id": w.new_id("status_changes"), "plan_id": plan.id, "subject_type": "action",
                "subject_id": action_id, "old_status_key": old_status, "new_status_key": status,
                "old_percent": old_percent, "new_percent": percent, "changed_by_id": reviewer,
                "changed_by_label": self.user_email[reviewer], "changed_at": moment,
                "reason": "Updated at the working group meeting.",
            })

    def _event(self, plan, action_id, kind, summary, actor, at, report_id, reason=None):
        self.w.add(Event.__table__, {
            "id": self.w.new_id("events"), "plan_id": plan.id, "subject_type": "action",
            "subject_id": action_id, "kind": kind, "summary": summary, "details": {"report_id": report_id},
            "reason": reason, "actor_id": actor, "actor_label": self.user_email[actor], "occurred_at": at,
        })


def populate(url: str, scale: float, *, seed: int = 7, now: datetime | None = None) -> dict:
    """Fill an empty migrated database at ``scale``; returns what was written."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    counts = sizes(scale)
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Plan.__table__)).scalar():
            raise SystemExit("The database already holds plans; bench/generate.py fills empty ones.")
        writer = Writer(conn)
        gen = Generator(writer, scale, seed, now)
        countries = COUNTRIES[: min(len(COUNTRIES), counts["plans"])]
        by_country = gen.agencies_and_users(counts["agencies"], countries)
        plans = gen.plans(counts, countries)
        for plan in plans:
            gen.plan_contents(plan, by_country[plan.country])
        if conn.dialect.name == "postgresql":
            for table in ID_TABLES:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                ))
    if engine.dialect.name == "postgresql":
        # A live database would have been vacuumed and analysed by autovacuum by now.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    largest = max(plans, key=lambda p: p.actions)
    return {
        "scale": scale,
        "seed": seed,
        "now": now.isoformat(),
        "rows": dict(sorted(writer.counts.items())),
        "reference_plan": {"slug": plans[0].slug, "actions": plans[0].actions,
                           "recommendations": plans[0].recommendations},
        "largest_plan": {"slug": largest.slug, "actions": largest.actions,
                         "recommendations": largest.recommendations},
        "published_plans": sum(p.published for p in plans),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    prepare_database(args.database_url)
    print(json.dumps(populate(args.database_url, args.scale, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
