"""API for admins: webhooks (register a URL for events, switch it off or on, re-send a delivery),
through the same operations as the admin pages (``webhooks.endpoints``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_smorest import abort
from marshmallow import Schema, fields
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import WEBHOOK_EVENTS, Plan, WebhookDelivery, WebhookEndpoint
from tracker.routes.api.auth import SECURITY, signed_caller
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
from tracker.services.errors import NotFound, ValidationFailed
from tracker.webhooks.endpoints import (
    get_endpoint,
    register_endpoint,
    resend_delivery,
    set_endpoint_active,
)

bp = ApiBlueprint("api_webhooks", __name__, url_prefix="/api/v1",
                  description="For admins: webhooks, signed deliveries of events to your URLs.")


class WebhookInput(Schema):
    url = fields.String(required=True, metadata={"description": "An https address on the internet."})
    events = fields.List(fields.String(metadata={"enum": list(WEBHOOK_EVENTS)}), required=True)
    plan = fields.String(allow_none=True, metadata={"description": "A plan's slug; none for every plan."})


class ActiveInput(Schema):
    active = fields.Boolean(required=True)


class WebhookOutput(Schema):
    id = fields.Integer()
    url = fields.String()
    plan = fields.String(allow_none=True, metadata={"description": "The plan's slug; null for every plan."})
    events = fields.List(fields.String())
    active = fields.Boolean()
    created_at = fields.DateTime()


class NewWebhookOutput(WebhookOutput):
    secret = fields.String(metadata={"description": "Shown once, here: the key of the deliveries' HMAC-SHA256 "
                                                    "signatures. Copy it into the receiver now."})


class DeliveryOutput(Schema):
    id = fields.Integer()
    event = fields.String()
    event_id = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


def _shown(endpoint: WebhookEndpoint, secret: str | None = None) -> dict:
    plan = db.session.get(Plan, endpoint.plan_id) if endpoint.plan_id else None
    shown = {"id": endpoint.id, "url": endpoint.url, "plan": plan.slug if plan else None,
             "events": endpoint.events, "active": endpoint.active, "created_at": endpoint.created_at}
    if secret is not None:
        shown["secret"] = secret
    return shown


def _admin():
    user = signed_caller()
    require_admin(user, N_("Only admins manage webhooks."))
    return user


@bp.route("/webhooks")
@bp.doc(security=SECURITY)
@bp.errors(401, 403)
@bp.response(200, WebhookOutput(many=True))
@bp.paginated()
def list_webhooks(page: PageRequest):
    """List webhooks

    For admins; never their secrets.
    """
    _admin()
    return [_shown(e) for e in page.items(select(WebhookEndpoint).order_by(WebhookEndpoint.id))]


@bp.route("/webhooks", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(WebhookInput, {
    "url": "https://hooks.example.org/tracker", "events": ["report.submitted", "report.accepted"],
    "plan": "open-data-plan"}))
@bp.errors(400, 401, 403, 415, 422)
@bp.response(201, NewWebhookOutput, headers=LOCATION_HEADER)
def register():
    """Register a webhook

    For admins: a URL (checked: no private or loopback address), the events, and one plan
    or every plan. The answer carries the signing secret, once.
    """
    admin = _admin()
    data = json_body()
    problems = {}
    if not isinstance(data.get("url"), str):
        problems["url"] = [N_("Enter the receiver's address.")]
    events = data.get("events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        problems["events"] = [N_("Give a list of event names.")]
    if data.get("plan") is not None and not isinstance(data.get("plan"), str):
        problems["plan"] = [N_("Give a plan's slug, or null for every plan.")]
    if problems:
        refuse("json", problems)
    endpoint, secret = register_endpoint(
        data, acting_admin=admin, now=datetime.now(UTC),
        allow_private=bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]))
    return created(_shown(endpoint, secret), url_for(".get_webhook", endpoint_id=endpoint.id))


@bp.route("/webhooks/<int:endpoint_id>")
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404)
@bp.response(200, WebhookOutput)
def get_webhook(endpoint_id: int):
    """Get a webhook"""
    _admin()
    return _shown(get_endpoint(endpoint_id))


@bp.route("/webhooks/<int:endpoint_id>/deliveries")
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404)
@bp.response(200, DeliveryOutput(many=True))
@bp.paginated()
def list_deliveries(endpoint_id: int, page: PageRequest):
    """List a webhook's deliveries

    Newest first: state, attempts, the receiver's answer and the last error.
    """
    _admin()
    endpoint = get_endpoint(endpoint_id)
    return page.items(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                      .order_by(WebhookDelivery.id.desc()))


@bp.route("/webhooks/<int:endpoint_id>/active", methods=["POST"])
@bp.doc(security=SECURITY, requestBody=request_body(ActiveInput, {"active": False}))
@bp.errors(400, 401, 403, 404, 415, 422)
@bp.response(200, WebhookOutput)
def set_active(endpoint_id: int):
    """Switch a webhook off or on

    Off, nothing more is queued for it.
    """
    _admin()
    endpoint = get_endpoint(endpoint_id)
    active = json_body().get("active")
    if not isinstance(active, bool):
        refuse("json", {"active": [N_("Use true or false.")]})
    return _shown(set_endpoint_active(endpoint, active))


@bp.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.errors(401, 403, 404, 409)
@bp.response(200, DeliveryOutput)
def resend(endpoint_id: int, delivery_id: int):
    """Send a delivery again

    With a fresh set of tries; the scheduler sends it within a minute. One being sent
    right now is a conflict (409).
    """
    _admin()
    endpoint = get_endpoint(endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound(_("No delivery %(delivery)s of webhook %(webhook)s.", delivery=delivery_id, webhook=endpoint_id))
    try:
        return resend_delivery(delivery_id, now=datetime.now(UTC))
    except ValidationFailed as exc:
        abort(409, message=" ".join(exc.errors.get("delivery", [])))
