"""API: the agencies (public bodies) that own actions and are named by recommendations; admins add them."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from marshmallow import fields

from tracker.extensions import db
from tracker.models import Agency
from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    LanguageArgument,
    PageRequest,
    created,
    json_body,
    request_body,
    require_admin,
)
from tracker.schemas.messages import N_
from tracker.schemas.output import AgencyOutput
from tracker.schemas.user import AgencyInput
from tracker.services import api_queries
from tracker.services.agencies import create_agency
from tracker.services.errors import NotFound

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


@bp.route("/agencies/<int:agency_id>")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401, 404)
@bp.response(200, AgencyOutput)
def get_agency(agency_id: int):
    """Get an agency"""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(_("No agency %(id)s.", id=agency_id))
    return agency


@bp.route("/agencies", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(
    AgencyInput, {"name": "Ministry of Finance", "acronym": "MOF", "country": "Mexico"}))
@bp.errors(400, 401, 403, 415, 422)
@bp.response(201, AgencyOutput, headers=LOCATION_HEADER)
def new_agency():
    """Create an agency

    For admins. Its name and acronym must be new in its country.
    """
    require_admin(signed_caller(), N_("Only admins create agencies."))
    agency = create_agency(json_body())
    return created(agency, url_for(".get_agency", agency_id=agency.id))
