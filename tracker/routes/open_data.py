"""Open data: CSV and JSON per plan, a Frictionless Data Package, Atom feeds of status changes.

Everything here is public and read-only: published plans, validated data only (see
``publishing.open_data``). Responses carry an ETag (feed readers and harvesters ask
again cheaply) and allow any origin, since open data is meant to be reused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext

from tracker.publishing.open_data import package, tables
from tracker.publishing.open_data.feed import Feed, status_change_feed
from tracker.routes.forms import now
from tracker.services.errors import NotFound

bp = Blueprint("open_data", __name__)

ATOM_TYPE = "application/atom+xml"


class PublicLinks:
    """Absolute URLs of the public pages, for the rows and feed entries that point to them."""

    def plan(self, slug: str) -> str:
        return url_for("public.plan", slug=slug, _external=True)

    def recommendation(self, slug: str, code: str) -> str:
        return url_for("public.recommendation", slug=slug, code=code, _external=True)

    def action(self, slug: str, code: str) -> str:
        return url_for("public.action", slug=slug, code=code, _external=True)

    def evidence(self, evidence_id: int) -> str:
        return url_for("public.evidence", evidence_id=evidence_id, _external=True)


def _scope(slug: str | None = None) -> tables.Scope:
    return tables.published_scope(PublicLinks(), slug)


def _license() -> dict[str, str]:
    return package.license_from(current_app.config)


def _table(resource: str) -> tables.Table:
    table = tables.get_table(resource)
    if table is None:
        raise NotFound(gettext("No open data table %(resource)r.", resource=resource))
    return table


def _tag_authority() -> str:
    """The authority of tag: URIs: configured, else the host people reach the app at.

    It comes from configuration rather than the request, so entry ids stay the same
    whichever name or proxy a reader used.
    """
    configured = current_app.config.get("OPEN_DATA_TAG_AUTHORITY")
    return configured or urlsplit(current_app.config["BASE_URL"]).hostname or request.host.split(":")[0]


def _download(body: bytes, mimetype: str, filename: str | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    if mimetype.startswith("text/"):
        response.charset = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    # Revalidate every time (the ETag makes that cheap): an accepted report shows at once.
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


def _plan_downloads(slug: str) -> dict:
    return {
        "json": url_for("open_data.plan_json", slug=slug, _external=True),
        "datapackage": url_for("open_data.plan_datapackage", slug=slug, _external=True),
        "csv": {
            name: url_for("open_data.plan_csv", slug=slug, resource=name, _external=True)
            for name in tables.TABLES
        },
        "feed": url_for("open_data.plan_feed", slug=slug, _external=True),
    }


@bp.route("/open-data/")
def index():
    """The downloads, per plan and for all plans together, with their licence and feeds."""
    scope = _scope()
    return render_template(
        "open_data/index.html",
        plans=scope.plans,
        tables=list(tables.TABLES.values()),
        license=_license(),
        last_changed=package.last_changed(scope),
    )


@bp.route("/open-data/datapackage.json")
def datapackage():
    """A Frictionless Data Package of every published plan, its tables as CSV next to it."""
    descriptor = package.data_package(
        _scope(),
        name="action-plan-tracker",
        title="Action plans and recommendations: accountability open data",
        description=(
            "Every published plan of the tracker: the recommendations of each review with the "
            "status the secretariat validated, the actions that implement them with their owners, "
            "dates and progress, the agencies involved, assessment rounds, and the history of "
            "every status change. Drafts and reports not yet accepted are not included."
        ),
        homepage=url_for("open_data.index", _external=True),
        license=_license(),
    )
    return _download(package.to_json(descriptor), "application/json")


@bp.route("/open-data/<resource>.csv")
def table_csv(resource: str):
    """One table of the package, every published plan together."""
    table = _table(resource)
    return _download(tables.table_csv(table, _scope()), "text/csv", f"{resource}.csv")


@bp.route("/open-data/plans/<slug>.json")
def plan_json(slug: str):
    """Everything public about one plan as one JSON document."""
    scope = _scope(slug)
    document = package.plan_document(scope, license=_license(), downloads=_plan_downloads(slug))
    return _download(package.to_json(document), "application/json", f"{slug}.json")


@bp.route("/open-data/plans/<slug>/datapackage.json")
def plan_datapackage(slug: str):
    """A Data Package of one plan, its tables as CSV next to it."""
    scope = _scope(slug)
    (plan,) = scope.plans
    descriptor = package.data_package(
        scope,
        name=slug,
        title=plan.title,
        description=plan.description or plan.title,
        homepage=url_for("public.plan", slug=slug, _external=True),
        license=_license(),
    )
    return _download(package.to_json(descriptor), "application/json")


@bp.route("/open-data/plans/<slug>/<resource>.csv")
def plan_csv(slug: str, resource: str):
    """One table of one plan."""
    table = _table(resource)
    return _download(tables.table_csv(table, _scope(slug)), "text/csv", f"{slug}-{resource}.csv")


@bp.route("/feeds/status-changes.atom")
def feed():
    """The latest status changes of every published plan, newest first."""
    scope = _scope()
    body = status_change_feed(scope, Feed(
        title="Status changes: all plans",
        id=url_for("open_data.feed", _external=True),
        self_url=url_for("open_data.feed", _external=True),
        page_url=url_for("public.index", _external=True),
        tag_authority=_tag_authority(),
        updated_when_empty=package.last_changed(scope) or now(),
        name_plans=True,
    ))
    return _download(body, ATOM_TYPE)


@bp.route("/plans/<slug>/status-changes.atom")
def plan_feed(slug: str):
    """The latest status changes of one published plan, newest first."""
    scope = _scope(slug)
    (plan,) = scope.plans
    body = status_change_feed(scope, Feed(
        title=f"Status changes: {plan.title}",
        id=url_for("open_data.plan_feed", slug=slug, _external=True),
        self_url=url_for("open_data.plan_feed", slug=slug, _external=True),
        page_url=url_for("public.plan", slug=slug, _external=True),
        tag_authority=_tag_authority(),
        updated_when_empty=package.last_changed(scope) or now(),
        name_plans=False,
    ))
    return _download(body, ATOM_TYPE)
