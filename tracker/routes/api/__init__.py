"""The JSON API under /api/v1, documented at /api/openapi.json (flask-smorest).

Callers authenticate with a personal API token (``Authorization: Bearer <token>``) or
not at all; they see what the pages would show them (``services.api_queries``). Every
list is paged with ``page`` and ``per_page``; the X-Pagination response header says
how many items and pages there are. Every answer is JSON, errors included.
"""

from __future__ import annotations

from flask import Flask, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from tracker.routes.api import (
    actions,
    admin,
    agencies,
    indicators,
    plans,
    recommendations,
    reports,
    rounds,
    webhooks,
)
from tracker.routes.api.auth import BEARER_SCHEME, SECURITY_OPTIONAL
from tracker.routes.api.base import DEFAULT_PER_PAGE, MAX_PER_PAGE, http_error
from tracker.schemas.output import ErrorOutput

BLUEPRINTS = (plans.bp, recommendations.bp, actions.bp, indicators.bp, rounds.bp, reports.bp, agencies.bp, admin.bp,
              webhooks.bp)

DESCRIPTION = f"""\
Plans made from reviews, their recommendations and actions, and the agencies'
progress reports on them.

**Authentication.** Without a token you read what the public reads: published plans,
and of progress reports only the accepted ones. Agency focal points and the secretariat
send a personal API token as `Authorization: Bearer <token>`; session cookies are ignored.
A token is read-only or read-write, expires (90 days unless chosen otherwise) and stops
working when its owner's role or agency changes; see the `bearerAuth` security scheme.

**Changes.** Everything the pages change, the API changes, through the same operations and
rules: the secretariat's plans, areas, recommendations, actions, indicators, rounds and
reviews; an agency's reports (drafts edited, submitted, resubmitted once returned; evidence
files uploaded as `multipart/form-data` and removed); for admins users, agencies, the status
vocabulary, webhooks and assessment rounds. A PATCH changes only the fields sent. An action
answers an `ETag`; send it back as `If-Match` with a change: a stale one is 412 and writes
nothing, a change without it (or the `version` field) is 428.

**Pagination.** Every list takes `page` (from 1) and `per_page` (default {DEFAULT_PER_PAGE},
at most {MAX_PER_PAGE}) and returns a JSON array; the `X-Pagination` response header holds
a JSON object with `total`, `total_pages`, `page`, `first_page`, `last_page`,
`previous_page` and `next_page`.

**Errors.** Every error is a JSON object with `code`, `status` and `message`; refused
input adds `errors`, by location (`json`, `query`) and field name.
"""


class TrackerApi(Api):
    """flask-smorest's Api, with its error handling confined to the API.

    flask-smorest would register its JSON error handler for the whole application,
    turning the pages' error pages into JSON; our handlers live on the API blueprints
    instead (``base.ApiBlueprint``), and ``init_app`` covers the URLs no view matched.
    """

    ERROR_SCHEMA = ErrorOutput

    def _register_error_handlers(self):
        pass


def init_app(app: Flask) -> TrackerApi:
    """Register the API and its OpenAPI document on ``app``."""
    api = TrackerApi(app, spec_kwargs={
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/", "description": "This server"}],
        "security": SECURITY_OPTIONAL,
    })
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.before_request(_unmatched_api_urls_as_json)
    return api


def _unmatched_api_urls_as_json():
    """Answer in JSON when no API view matched (unknown URL, or a method it does not take).

    Blueprint error handlers never see these routing errors, and the application's
    handler renders pages; ``before_request`` runs before Flask raises them, so the
    API's JSON error is given here instead. Redirects (e.g. a missing slash) pass.
    """
    exc = request.routing_exception
    if not isinstance(exc, HTTPException) or (exc.code or 0) < 400:
        return None
    if request.path == "/api" or request.path.startswith("/api/"):
        return http_error(exc)
    return None
