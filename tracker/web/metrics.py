"""Request figures for Prometheus: every request counted and timed, in front of everything.

A WSGI middleware outside the public cache, so pages answered from memory are counted
too: ``tracker_http_requests_total`` by endpoint, method and status, and
``tracker_http_request_duration_seconds`` (a histogram) by endpoint, from the call to
the last byte handed to the server. ``/metrics`` (``routes.operations``) renders them
with what the database says is waiting (``services.monitoring.work_waiting``).

Several gunicorn workers: each process counts its own requests, so a scrape answered
by one worker must add up every worker's. prometheus_client's multiprocess mode does
that through files in ``PROMETHEUS_MULTIPROC_DIR``, one per process; the directory
must be set before prometheus_client is imported (``gunicorn.conf.py`` sees to it,
empties it when the server starts and drops a dead worker's live figures). Without it
(the development server, the tests) the figures are this process's.

The metric objects are module globals, as prometheus_client requires: one per process,
whatever the number of apps created in it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable

from flask import Flask
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import ClosingIterator

REQUESTS = Counter("tracker_http_requests", "HTTP requests answered, by endpoint, method and status.",
                   ("endpoint", "method", "status"))
LATENCY = Histogram("tracker_http_request_duration_seconds",
                    "Time from receiving a request to handing over the last byte of the answer.",
                    ("endpoint",))
UNMATCHED = "unmatched"  # URLs no route answers (404s, 405s): one label, however many URLs


class RequestMetrics:
    """WSGI middleware that counts and times every request to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        endpoint = self._endpoint(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        status = ["500"]

        def recording_start_response(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        def done():
            REQUESTS.labels(endpoint, method, status[0]).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)

        try:
            answer = self.wsgi_app(environ, recording_start_response)
        except BaseException:
            done()
            raise
        return ClosingIterator(answer, done)

    def _endpoint(self, environ: dict) -> str:
        # The route's endpoint name, never the URL: one label per route, not one per id.
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return UNMATCHED
        return endpoint


class _WorkWaiting:
    """A one-scrape collector for the figures read from the database."""

    def __init__(self, counts: dict[str, int]):
        self.counts = counts

    def collect(self):
        for name, value in self.counts.items():
            if name == "reminders_sent":
                # _total is added by the family itself.
                family = CounterMetricFamily("tracker_reminders_sent",
                                             "Reminders whose email went out (read from the outbox).")
            else:
                family = GaugeMetricFamily(f"tracker_{name}", f"Messages waiting in the {name.split('_')[0]} queue.")
            family.add_metric([], value)
            yield family


def exposition(work_waiting: dict[str, int]) -> bytes:
    """The Prometheus text format: every worker's request figures, then ``work_waiting``."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    waiting = CollectorRegistry()
    waiting.register(_WorkWaiting(work_waiting))
    return generate_latest(registry) + generate_latest(waiting)


def init_app(app: Flask) -> None:
    """Count and time every request (call last: the middleware goes outside the others)."""
    app.wsgi_app = RequestMetrics(app, app.wsgi_app)
