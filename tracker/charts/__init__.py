"""Pure chart functions: plain data in (``tracker.charts.data``), PNG or SVG bytes out.

Nothing here touches the database or the request: ``publishing.chart_data`` builds the
data, ``routes.charts`` serves the bytes. One module per chart:

- ``gantt.gantt_chart`` (and ``gantt_pages``): actions on a calendar, by area
- ``timeline.timeline_chart`` (and ``timeline_pages``): recommendations by timeframe
- ``scorecard.scorecard_chart`` and ``scorecard.rounds_chart``: counts by status
- ``readiness.readiness_chart``: the readiness heat map
- ``agencies.agencies_chart`` (and ``agencies_pages``): the agency ranking
- ``tables``: each chart's numbers as a ``Table`` (for CSV and HTML)

This package imports nothing itself, so reading ``data`` or ``tables`` (as services
do) does not load matplotlib.
"""
