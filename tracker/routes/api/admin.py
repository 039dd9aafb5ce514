"""API for admins: users and the status vocabulary, with the same rules as the admin pages.

Agencies are in ``agencies`` (listing them is public; creating one is for admins).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Status, User
from tracker.routes.api.auth import SECURITY, SECURITY_OPTIONAL, signed_caller
from tracker.routes.api.base import (
    LOCATION_HEADER,
    ApiBlueprint,
    PageRequest,
    created,
    json_body,
    refuse,
    request_body,
    require_admin,
)
from tracker.schemas.messages import N_
from tracker.schemas.output import StatusDetailOutput, UserOutput
from tracker.schemas.status import NewStatusInput, StatusInput
from tracker.schemas.user import UserInput, UserUpdateInput
from tracker.services.errors import NotFound
from tracker.services.statuses import (
    create_status,
    delete_status,
    move_status,
    status_vocabulary,
    update_status,
)
from tracker.services.users import create_user, update_user

bp = ApiBlueprint("api_admin", __name__, url_prefix="/api/v1",
                  description="For admins: user accounts and the status vocabulary.")


def _admin() -> User:
    user = signed_caller()
    require_admin(user, N_("Only admins manage users and the status vocabulary."))
    return user


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No user %(id)s.", id=user_id))
    return user


@bp.route("/users")
@bp.doc(security=SECURITY)
@bp.errors(401, 403)
@bp.response(200, UserOutput(many=True))
@bp.paginated()
def list_users(page: PageRequest):
    """List users

    For admins, by role and email.
    """
    _admin()
    return page.items(select(User).order_by(User.role, User.email, User.id))


@bp.route("/users", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(UserInput, {
    "email": "focal@mof.example.gov", "password": "a long passphrase", "role": "agency", "agency": "MOF"}))
@bp.errors(400, 401, 403, 415, 422)
@bp.response(201, UserOutput, headers=LOCATION_HEADER)
def new_user():
    """Create a user

    For admins. An agency focal point names its agency (acronym or name); the email must be new.
    """
    _admin()
    user = create_user(json_body(), now=datetime.now(UTC))
    return created(user, url_for(".get_user", user_id=user.id))


@bp.route("/users/<int:user_id>")
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404)
@bp.response(200, UserOutput)
def get_user(user_id: int):
    """Get a user

    For admins.
    """
    _admin()
    return _user(user_id)


@bp.route("/users/<int:user_id>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(UserUpdateInput, {"active": False}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, UserOutput)
def change_user(user_id: int):
    """Change a user's role, agency or whether the account is active

    For admins; send only what changes. The user's API tokens stop working when the role
    or agency changes (they work only under those they were made for). Admins cannot remove
    their own access.
    """
    admin = _admin()
    user = _user(user_id)
    current = {"role": user.role, "agency": (user.agency.acronym or user.agency.name) if user.agency else None,
               "active": user.active}
    return update_user(user, {**current, **json_body()}, acting_admin=admin)


@bp.route("/statuses")
@bp.doc(security=SECURITY_OPTIONAL)
@bp.errors(401)
@bp.response(200, StatusDetailOutput(many=True))
@bp.paginated()
def list_statuses(page: PageRequest):
    """List the status vocabulary

    In the order every page and chart uses, retired statuses included.
    """
    return page.items(select(Status).order_by(Status.position, Status.key))


def _status(key: str) -> Status:
    status = next((s for s in status_vocabulary() if s.key == key), None)
    if status is None:
        raise NotFound(_("No status %(key)r.", key=key))
    return status


@bp.route("/statuses", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(NewStatusInput, {
    "key": "delayed", "label": "Delayed", "colour": "#d55e00", "default_percent": 0,
    "irm_completion": "limited"}))
@bp.errors(400, 401, 403, 415, 422)
@bp.response(201, StatusDetailOutput)
def new_status():
    """Add a status

    For admins. Its key never changes; forms offer it and charts show it at once.
    """
    _admin()
    return create_status(json_body()), 201


@bp.route("/statuses/<key>", methods=["PATCH"])
@bp.doc(security=SECURITY, requestBody=request_body(StatusInput, {"label": "Under way", "retired": False}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, StatusDetailOutput)
def change_status(key: str):
    """Rename, recolour, remap or retire a status

    For admins; send only what changes. The last final status offered cannot be retired.
    """
    _admin()
    status = _status(key)
    current = {name: getattr(status, name) for name in StatusInput().fields}
    current["description"] = current["description"] or ""
    return update_status(status, {**current, **json_body()})


@bp.route("/statuses/<key>", methods=["DELETE"])
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404, 422)
@bp.response(200, StatusDetailOutput(many=True))
def remove_status(key: str):
    """Delete a status

    For admins, only a status nothing names; one in use is refused (422): retire it instead.
    The answer is the vocabulary that remains.
    """
    _admin()
    delete_status(_status(key))
    return status_vocabulary()


class MoveInput(Schema):
    direction = fields.String(required=True, validate=validate.OneOf(("up", "down")),
                              metadata={"description": "up: one place earlier; down: one place later."})


@bp.route("/statuses/<key>/move", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(MoveInput, {"direction": "up"}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, StatusDetailOutput(many=True))
def move(key: str):
    """Move a status one place up or down the order

    For admins. The answer is the whole vocabulary in its new order.
    """
    _admin()
    status = _status(key)
    direction = json_body().get("direction")
    if direction not in ("up", "down"):
        refuse("json", {"direction": [N_("Use up or down.")]})
    return move_status(status, -1 if direction == "up" else 1)
