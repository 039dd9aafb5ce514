"""Public charts: PNG and SVG bytes, cached by the data's version, each with its CSV.

``/plans/<slug>/<chart>.<png|svg|csv>`` for every chart of ``publishing.chart_data.CHART_NAMES``
(gantt, timeline, scorecard, rounds, readiness, agencies); no sign-in, published plans
only. The Gantt takes ``?area=<code>`` and ``?lead=<acronym or name>`` (the lead agency, as
on the HTML Gantt; ``?agency=`` is an older name for it, still accepted); the Gantt,
timeline and agency charts take ``?page=<n>`` (1-based; the number of pages is in the
``X-Chart-Pages`` header). The Gantt is one image of the whole plan unless a page is
asked for (a report or a download wants every action); the others show their first
page. A CSV holds every row, unpaged.

Caching. The ETag is a hash of the plan's version (``publishing.versions``), the chart,
the format, the filters and today's date (overdue depends on it). Responses say
``Cache-Control: public, no-cache``: caches may keep a chart but must revalidate it,
which costs one small query and a 304 with no body. We chose that over a max-age
because a secretariat that has just changed a status expects the public chart to show
it at once. Rendered bytes are kept in a small in-process LRU keyed by the ETag, so a
chart another visitor already asked for is served without rendering; when the data
changes the version changes, the ETag with it, and the chart is drawn afresh. The
version itself is remembered while the data version stands still
(``web.response_cache``), so a cached chart costs two small queries.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import NotFound as HTTPNotFound

from tracker.charts import drawing
from tracker.publishing.chart_data import (
    CHART_FILTERS,
    FILTER_ALIASES,
    chart_data,
    chart_table,
    table_csv,
)
from tracker.publishing.data_version import current_data_version
from tracker.routes.forms import now
from tracker.services.errors import ValidationFailed
from tracker.services.plans import get_plan
from tracker.web.public_cache import public_response
from tracker.web.response_cache import Rendered, chart_cache, remembered_fingerprint

bp = Blueprint("charts", __name__)

# Bump when the drawing code changes, so browsers drop charts drawn by the old code.
CHART_REVISION = "2"
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "csv": "text/csv; charset=utf-8"}
# chart name -> (module, draw function, page-count function or None)
DRAWERS = {
    "gantt": ("tracker.charts.gantt", "gantt_chart", "gantt_pages"),
    "timeline": ("tracker.charts.timeline", "timeline_chart", "timeline_pages"),
    "scorecard": ("tracker.charts.scorecard", "scorecard_chart", None),
    "rounds": ("tracker.charts.scorecard", "rounds_chart", None),
    "readiness": ("tracker.charts.readiness", "readiness_chart", None),
    "agencies": ("tracker.charts.agencies", "agencies_chart", "agencies_pages"),
}
# Charts drawn whole (every row in one image) when no ``?page=`` is given.
WHOLE_BY_DEFAULT = frozenset({"gantt"})
# An SVG opened on its own is a document: it may not run scripts or load anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.route(
    "/plans/<slug>/<any(gantt, timeline, scorecard, rounds, readiness, agencies):name>"
    ".<any(png, svg, csv):fmt>"
)
@public_response  # the public's copy is served from memory while the data stands still
def chart(slug: str, name: str, fmt: str):
    """A chart of a published plan as PNG, SVG or CSV, answered 304 when unchanged."""
    # The version first: everything read after it is at least as new, so a fingerprint
    # remembered under it can never describe older data (READ COMMITTED reads anew).
    version = current_data_version()
    plan = get_plan(slug, published_only=True)
    moment = now()
    today = moment.date()
    args = _arguments(name, fmt)
    fingerprint = remembered_fingerprint(plan, version)
    # The language too: a chart's words and numbers are the page's (a Spanish copy never
    # answers an English reader, from the cache or from the browser's own).
    etag = _etag(fingerprint.version, name, fmt, args, today.isoformat(), str(get_locale()))
    # Overdue work depends on the day, so a new day is a modification too; never in the future.
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    last_modified = min(max(fingerprint.last_modified, midnight), moment)

    if request.if_none_match.contains_weak(etag):
        # Revalidation of what the client has: no data to load, nothing to draw.
        response = Response(status=304)
    else:
        cache = chart_cache()
        rendered = cache.get(etag)
        if rendered is None:
            rendered = _render(plan, name, fmt, args, today, get_locale())
            cache.put(etag, rendered)
        response = Response(rendered.body, mimetype=rendered.mimetype)
        response.headers.update(rendered.headers)
    response.set_etag(etag)
    response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.update(("Cookie", "Accept-Language"))
    return response.make_conditional(request)


def _arguments(name: str, fmt: str) -> dict[str, str | int]:
    """The query arguments that matter for this chart, cleaned; others are ignored."""
    args: dict[str, str | int] = {}
    for key in CHART_FILTERS.get(name, ()):
        # The first of the filter's names sent (``lead``, then its older alias ``agency``),
        # kept under the one name: both spellings share an ETag and a cached image.
        value = next(filter(None, (request.args.get(k, "").strip() for k in (key, *FILTER_ALIASES.get(key, ())))), "")
        if value:
            args[key] = value
    if fmt != "csv" and DRAWERS[name][2] is not None:
        raw = request.args.get("page", "").strip()
        if not raw and name in WHOLE_BY_DEFAULT:
            return args  # the whole chart
        raw = raw or "1"
        # ASCII digits only: "²" is a digit to str.isdigit() but not to int().
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise BadRequest(_("page: use a whole number from 1, e.g. 2."))
        args["page"] = int(raw)
    return args


def _etag(*parts) -> str:
    return hashlib.sha256(repr((CHART_REVISION, *parts)).encode()).hexdigest()[:32]


def _render(plan, name: str, fmt: str, args: dict, today, locale) -> Rendered:
    filters = {key: value for key, value in args.items() if key != "page"}
    try:
        data = chart_data(plan, name, today=today, locale=locale, **filters)
    except ValidationFailed as exc:
        raise BadRequest(str(exc)) from None

    if fmt == "csv":
        disposition = f'attachment; filename="{plan.slug}-{name}.csv"'
        return Rendered(table_csv(chart_table(name, data)), MIME_TYPES["csv"],
                        {"Content-Disposition": disposition})

    # matplotlib is loaded on the first chart, not when the app starts: the CLI and
    # the scheduler never draw.
    module_name, draw_name, pages_name = DRAWERS[name]
    module = drawing(module_name)
    headers = {"Content-Security-Policy": SVG_POLICY} if fmt == "svg" else {}
    if pages_name is None:
        return Rendered(getattr(module, draw_name)(data, fmt), MIME_TYPES[fmt], headers)
    pages = getattr(module, pages_name)(data)
    page = args.get("page")
    if page is not None and page > pages:
        raise HTTPNotFound(f"There is no page {page}; this chart has {pages}.")
    headers["X-Chart-Pages"] = str(pages)
    return Rendered(getattr(module, draw_name)(data, fmt, page=page), MIME_TYPES[fmt], headers)


@bp.route("/plans/<slug>/indicators/<code>.<any(png, svg, csv):fmt>")
@public_response
def indicator_chart(slug: str, code: str, fmt: str):
    """One indicator's accepted values over time with its baseline and target, as PNG, SVG or CSV.

    Published plans only; the ETag follows the data version and the day (values dated in
    the future count from their day on).
    """
    from tracker.exchange.csv_files import csv_bytes
    from tracker.publishing.chart_words import indicator_labels
    from tracker.publishing.indicators import indicator_series, indicator_view, published_indicator

    version = current_data_version()
    indicator = published_indicator(slug, code)
    today = now().date()
    # The language too, as for the plan's charts: the chart's and the CSV's words are the reader's.
    etag = _etag("indicator", version, slug, code, fmt, today.isoformat(), str(get_locale()))
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        view = indicator_view(indicator, today)
        if fmt == "csv":
            rows = [[_("Baseline"), indicator.baseline_date, indicator.baseline_value],
                    [_("Target"), indicator.target_date, indicator.target_value]]
            rows += [[_("Value"), v.period_date, v.text if v.text is not None else v.value] for v in view.values]
            body = csv_bytes([_("Row"), _("Date"), _("Value")], rows, for_spreadsheets=True)
            response = Response(body, mimetype=MIME_TYPES["csv"])
            response.headers["Content-Disposition"] = f'attachment; filename="{slug}-indicator-{code}.csv"'
        else:
            module = drawing("tracker.charts.indicators")
            response = Response(module.indicator_chart(indicator_series(view, indicator_labels()), fmt),
                                mimetype=MIME_TYPES[fmt])
            if fmt == "svg":
                response.headers["Content-Security-Policy"] = SVG_POLICY
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)
