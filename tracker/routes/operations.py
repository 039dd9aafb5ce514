"""For the proxy and the monitors: ``/healthz`` (anyone) and ``/metrics`` (admins, or a token).

``/healthz`` answers JSON: 200 when the database answers, its schema is at this code's
revision and a scheduler beat within ``HEALTH_SCHEDULER_MAX_AGE`` seconds (default 120);
503 otherwise, with the reasons in ``problems``. It shows no data, so it needs no sign-in. Its texts are for
operators and monitors that match on them, so they are not translated.

``/metrics`` is the Prometheus text format. It tells how busy the service is, so it is
not public: a scraper sends ``Authorization: Bearer <METRICS_TOKEN>`` (the setting
``TRACKER_METRICS_TOKEN``; unset, no token works), and a signed-in admin may look too.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.services.monitoring import check_health, work_waiting
from tracker.web.metrics import exposition
from tracker.web.outage import code_revision

bp = Blueprint("operations", __name__)
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@bp.route("/healthz")
def healthz():
    """Database reachable, migrations current, scheduler heartbeat age: 200 or 503 with the reasons."""
    health = check_health(datetime.now(UTC), code_revision=code_revision(current_app),
                          max_heartbeat_age=float(current_app.config["HEALTH_SCHEDULER_MAX_AGE"]))
    response = jsonify(health.as_json())
    response.status_code = 200 if health.healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
def metrics():
    """Request counts and latencies of every worker, and the work waiting, for Prometheus."""
    if not _may_scrape():
        if current_user.is_authenticated:
            abort(403)
        response = jsonify(error="Unauthorized",
                           message=_("Send 'Authorization: Bearer <metrics token>', or sign in as an admin."))
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = Response(exposition(work_waiting()), mimetype=None, content_type=PROMETHEUS_TEXT)
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), str(token).encode()):
        return True
    return current_user.is_authenticated and current_user.role == "admin"
