"""Running the jobs: on their schedules (APScheduler), or all at once as of a given time."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
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
    with stopping_on_signals():
        scheduler.start()
        ready()
        while not stop_requested.wait(timeout=1):
            pass
        scheduler.shutdown(wait=True)


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
