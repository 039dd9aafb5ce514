"""Running the jobs: on their schedules (APScheduler), or all at once as of a given time."""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from tracker.scheduler.jobs import JOBS, JobSpec, stop_requested, worker_name

log = logging.getLogger(__name__)

# How often a running scheduler records that it is alive (``/healthz`` reads it; its
# HEALTH_SCHEDULER_MAX_AGE, default 120 s, must stay well above this).
HEARTBEAT_SECONDS = 30


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
def stopping_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set ``stop_requested``; a second one ends the process.

    A supervisor stops a process with SIGTERM: killed outright between the SMTP
    server's acceptance of a message and the commit that records it, the process
    would leave that message to be sent again. So the first signal only asks the jobs
    to stop after the message in hand. The previous handlers are put back on the way out.
    """

    def request_stop(signum, frame):
        if stop_requested.is_set():
            os._exit(128 + signum)  # asked twice: now, whatever is in hand
        stop_requested.set()

    stop_requested.clear()
    previous = {signum: signal.signal(signum, request_stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_until_stopped(app: Flask, ready: Callable[[], None] = lambda: None) -> None:
    """Run the jobs on their schedules until SIGTERM or SIGINT, then wait for the job running.

    ``ready`` is called once the signals are caught and the jobs scheduled.
    """
    scheduler = build_scheduler(app)
    worker = worker_name()
    with stopping_on_signals():
        scheduler.start()
        beat(app, worker)
        ready()
        last_beat = time.monotonic()
        while not stop_requested.wait(timeout=1):
            if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                beat(app, worker)
                last_beat = time.monotonic()
        scheduler.shutdown(wait=True)
        beat(app, worker, stopping=True)


def beat(app: Flask, worker: str, *, stopping: bool = False) -> None:
    """Record the heartbeat (or, when ``stopping``, clear it); a database fault is logged, not raised.

    The beat comes from the main thread, which only waits for signals: it stops when the
    process stops or hangs, which is what ``/healthz`` must notice.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.services.monitoring import clear_heartbeat, record_heartbeat

    with app.app_context():
        try:
            if stopping:
                clear_heartbeat(worker)
            else:
                record_heartbeat(worker, datetime.now(UTC))
        except SQLAlchemyError as exc:  # the database is down: the next beat tries again
            log.warning("scheduler heartbeat not recorded: %s", exc)


def _call(app: Flask, spec: JobSpec) -> None:
    with app.app_context():
        spec.func(datetime.now(UTC))


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """An APScheduler with every job; each run gets a fresh app context and the current time.

    In the background, so the main thread is free to wait for a signal and only set a flag
    when one comes (a signal handler that waited for jobs could deadlock on the executor).
    """
    scheduler = BackgroundScheduler(timezone=UTC)
    for spec in JOBS:
        scheduler.add_job(
            _call, spec.trigger, args=(app, spec), id=spec.id, replace_existing=True,
            # A job that missed its time (process down) runs once when it can, not once per miss.
            coalesce=True, max_instances=1, misfire_grace_time=6 * 3600, **spec.schedule,
        )
    return scheduler
