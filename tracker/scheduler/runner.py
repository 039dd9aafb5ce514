"""Running the jobs: on their schedules (APScheduler), or all at once as of a given time."""

from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from tracker.scheduler.jobs import JOBS, JobSpec


def run_once(app: Flask, now: datetime) -> dict[str, object]:
    """Run every job, in order, as of ``now``; returns each job's result."""
    results = {}
    for spec in JOBS:
        with app.app_context():
            results[spec.id] = spec.func(now)
    return results


def _call(app: Flask, spec: JobSpec) -> None:
    with app.app_context():
        spec.func(datetime.now(UTC))


def build_scheduler(app: Flask) -> BlockingScheduler:
    """An APScheduler with every job; each run gets a fresh app context and the current time."""
    scheduler = BlockingScheduler(timezone=UTC)
    for spec in JOBS:
        scheduler.add_job(
            _call, spec.trigger, args=(app, spec), id=spec.id, replace_existing=True,
            # A job that missed its time (process down) runs once when it can, not once per miss.
            coalesce=True, max_instances=1, misfire_grace_time=6 * 3600, **spec.schedule,
        )
    return scheduler
