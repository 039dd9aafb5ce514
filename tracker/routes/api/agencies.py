"""API: the agencies (public bodies) that own actions and are named by recommendations."""

from __future__ import annotations

from marshmallow import fields

from tracker.routes.api.auth import SECURITY_OPTIONAL
from tracker.routes.api.base import ApiBlueprint, LanguageArgument, PageRequest
from tracker.schemas.output import AgencyOutput
from tracker.services import api_queries

bp = ApiBlueprint("api_agencies", __name__, url_prefix="/api/v1", description="Agencies.")


class AgencyFilters(LanguageArgument):
    country = fields.String(metadata={"description": "Only the agencies of this country."})


@bp.route("/agencies")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401)
@bp.arguments(AgencyFilters, location="query")
@bp.response(200, AgencyOutput(many=True))
@bp.paginated()
def list_agencies(args: dict, page: PageRequest):
    """List agencies

    By country and name. Use an agency's acronym or id to filter a plan's actions.
    """
    return page.items(api_queries.agencies_query(args.get("country")))
