"""Pure chart functions: plain data in (``tracker.charts.data``), PNG or SVG bytes out.

Nothing here touches the database or the request: ``publishing.chart_data`` builds the
data, ``routes.charts`` serves the bytes. One module per chart:

- ``gantt.gantt_chart`` (and ``gantt_pages``): actions on a calendar, by area
- ``timeline.timeline_chart`` (and ``timeline_pages``): recommendations by timeframe
- ``scorecard.scorecard_chart`` and ``scorecard.rounds_chart``: counts by status
- ``readiness.readiness_chart``: the readiness heat map
- ``agencies.agencies_chart`` (and ``agencies_pages``): the agency ranking
- ``tables``: each chart's numbers as a ``Table`` (for CSV and HTML)

This package loads no chart library itself, so reading ``data`` or ``tables`` (as services
do) does not load matplotlib. A caller that draws gets a chart module from ``drawing``:
matplotlib is then loaded on the first chart, not when the app starts (the CLI, the
scheduler and every gunicorn master would pay most of a second of CPU for it).
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

# Two threads importing matplotlib at once can meet its modules half-initialised
# ("cannot import name ... partially initialized module"), so the first import is made
# by one thread while the others wait.
_import_lock = threading.Lock()


def drawing(module_name: str) -> ModuleType:
    """The chart module ``module_name`` (``tracker.charts.scorecard``), imported under the lock."""
    with _import_lock:
        return importlib.import_module(module_name)
