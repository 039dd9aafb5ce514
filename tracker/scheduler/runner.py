"""Running the jobs: on their schedules (APScheduler), or all at once as of a given time."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from tracker.scheduler.jobs import JOBS, JobSpec, stop_requested


def run_once(app: Flask, now: datetime) -> dict[str, object]:
    """Run every job, in order, as of ``now``; returns each job's result.

    Once a stop is requested, the job running finishes its message in hand and the
    jobs after it do not start.
    """
    results = {}
    for spec in JOBS:
        if stop_requested.is_set():
            break
        with app.app_context():
            results[spec.id] = spec.func(now)
    return results


@contextmanager
def stopping_on_signals(then: Callable[[], None] = lambda: None) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT ask the jobs to stop cleanly, then call ``then``.

    A supervisor stops a process with SIGTERM: killed outright between the SMTP
    server's acceptance of a message and the commit that records it, the process
    would leave that message to be sent again. A second signal stops at once. The
    previous handlers are put back on the way out.
    """

    def request_stop(signum, frame):
        if stop_requested.is_set():
            raise SystemExit(128 + signum)
        stop_requested.set()
        then()

    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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
