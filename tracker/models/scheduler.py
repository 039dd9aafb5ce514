"""The scheduler's heartbeat: when the process that runs the jobs last said it was alive."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime


class SchedulerHeartbeat(db.Model):
    """A single row (id 1): the last beat of a running ``flask scheduler run`` and who beat.

    ``beat_at`` is None when no scheduler has run yet or the last one stopped cleanly.
    Maintained by ``services.health``; migration 0015 inserts the row. One row, not one per
    process: ``/healthz`` asks "is a scheduler alive", and a process that died leaves no row
    to clean up.
    """

    __tablename__ = "scheduler_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    beat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(100))
