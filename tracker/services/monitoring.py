"""What monitors ask of the running service: is it healthy, and how much work is waiting.

``/healthz`` (``routes.operations``) asks ``check_health``: the database answers, its
schema is at the revision this code was written for, and a scheduler beat recently.
The scheduler beats with ``record_heartbeat`` while it runs and clears its beat with
``clear_heartbeat`` when it stops cleanly. ``/metrics`` adds ``work_waiting`` (outbox and
webhook backlogs, reminders sent) to the per-process HTTP figures (``web.metrics``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.models import OutboxMessage, Reminder, SchedulerHeartbeat

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Backlog:
    """Rows waiting in a table, counted for ``/metrics`` only when the table exists.

    A queue another module owns adds its entry to ``BACKLOGS``, and ``/metrics`` exports
    ``tracker_<name>_backlog`` from the next scrape on.
    """

    name: str
    table: str
    waiting: str  # an SQL condition on the table's rows


BACKLOGS: tuple[Backlog, ...] = (
    # Messages still to go out: waiting for their time, or claimed by a scheduler now.
    Backlog("outbox", "outbox_messages", "state IN ('pending', 'sending')"),
    # Webhook deliveries not yet made: waiting for their time, or claimed by a scheduler now.
    Backlog("webhook", "webhook_deliveries", "state IN ('pending', 'sending')"),
)


@dataclass
class Health:
    """The answer to "is this service healthy?": one entry per check, and the reasons it is not."""

    database: bool = False
    database_revision: str | None = None
    code_revision: str | None = None
    scheduler_beat_at: datetime | None = None
    scheduler_age_seconds: float | None = None
    scheduler_worker: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    @property
    def migrations_current(self) -> bool:
        return self.database and self.database_revision == self.code_revision

    def as_json(self) -> dict:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "problems": self.problems,
            "database": {"reachable": self.database},
            "migrations": {"current": self.migrations_current, "database": self.database_revision,
                           "code": self.code_revision},
            "scheduler": {
                "last_heartbeat": self.scheduler_beat_at.isoformat() if self.scheduler_beat_at else None,
                "age_seconds": None if self.scheduler_age_seconds is None else round(self.scheduler_age_seconds, 1),
                "worker": self.scheduler_worker,
            },
        }


def check_health(now: datetime, *, code_revision: str, max_heartbeat_age: float) -> Health:
    """Check the database, the schema's revision and the scheduler's heartbeat as of ``now``.

    Never raises for a database fault: an unreachable database is the answer, not an error.
    Read-only; the session is left clean for the next request.
    """
    health = Health(code_revision=code_revision)
    try:
        connection = db.session.connection()
        connection.exec_driver_sql("SELECT 1")
        health.database = True
        health.database_revision = connection.exec_driver_sql(
            "SELECT version_num FROM alembic_version").scalar()
    except SQLAlchemyError as exc:
        db.session.rollback()
        if not health.database:
            log.warning("health check: database unreachable: %s", exc)
            health.problems.append("database unreachable")
            return health
    if health.database_revision != code_revision:
        health.problems.append(
            f"migrations not current: the database is at {health.database_revision or 'no revision'}, "
            f"this code needs {code_revision} (run 'flask db upgrade')")
        # An older schema may not have the heartbeat yet: say only what is known.
    try:
        beat = db.session.get(SchedulerHeartbeat, 1)
    except SQLAlchemyError:
        db.session.rollback()
        beat = None
    if beat is not None and beat.beat_at is not None:
        health.scheduler_beat_at, health.scheduler_worker = beat.beat_at, beat.worker
        health.scheduler_age_seconds = max(0.0, (now - beat.beat_at).total_seconds())
    if health.scheduler_age_seconds is None:
        health.problems.append("scheduler not running: no heartbeat recorded")
    elif health.scheduler_age_seconds > max_heartbeat_age:
        health.problems.append(
            f"scheduler not running: last heartbeat {health.scheduler_age_seconds:.0f} s ago "
            f"(more than {max_heartbeat_age:.0f} s)")
    db.session.rollback()  # end the read transaction; nothing was written
    return health


def record_heartbeat(worker: str, now: datetime) -> None:
    """Record that the scheduler ``worker`` is alive at ``now`` (one transaction)."""
    db.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == 1)
                       .values(beat_at=now, worker=worker))
    db.session.commit()


def clear_heartbeat(worker: str) -> None:
    """Say the scheduler ``worker`` has stopped, unless another scheduler beat since (one transaction)."""
    db.session.execute(update(SchedulerHeartbeat)
                       .where(SchedulerHeartbeat.id == 1, SchedulerHeartbeat.worker == worker)
                       .values(beat_at=None))
    db.session.commit()


def work_waiting() -> dict[str, int]:
    """How much work waits, for ``/metrics``: each ``BACKLOGS`` entry whose table exists
    (``<name>_backlog``), and ``reminders_sent`` (reminders whose message went out)."""
    connection = db.session.connection()
    tables = set(inspect(connection).get_table_names())
    counts = {}
    for backlog in BACKLOGS:
        if backlog.table in tables:
            counts[f"{backlog.name}_backlog"] = connection.execute(
                text(f"SELECT count(*) FROM {backlog.table} WHERE {backlog.waiting}")).scalar_one()
    counts["reminders_sent"] = db.session.scalar(
        select(func.count(Reminder.id)).join(OutboxMessage, Reminder.message_id == OutboxMessage.id)
        .where(OutboxMessage.state == "sent"))
    db.session.rollback()
    return counts
