"""What admins do with webhooks: register an endpoint, switch it off or on, re-send a delivery."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import WEBHOOK_EVENTS, Plan, User, WebhookDelivery, WebhookEndpoint
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.transaction import atomic
from tracker.webhooks.addresses import UnsafeAddress, check_url


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    counts: dict[str, int]


def register_endpoint(data: dict, *, acting_admin: User, now: datetime,
                      allow_private: bool) -> tuple[WebhookEndpoint, str]:
    """Register a URL for the chosen events (of one plan, or of all); returns it and its secret.

    The secret is returned here only: the admin copies it into the receiver now.
    """
    errors: dict[str, list[str]] = {}
    url = None
    try:
        url = check_url(data.get("url", ""), allow_private=allow_private)
    except UnsafeAddress as exc:
        errors["url"] = [str(exc)]
    events = [e for e in data.get("events") or [] if e]
    unknown = [e for e in events if e not in WEBHOOK_EVENTS]
    if unknown or not events:
        errors["events"] = [_("Choose at least one of the events listed.")]
    plan = None
    if data.get("plan"):
        plan = db.session.scalars(select(Plan).where(Plan.slug == data["plan"])).first()
        if plan is None:
            errors["plan"] = [_("Choose a plan from the list, or all plans.")]
    if errors:
        raise ValidationFailed(errors)
    secret = "whsec_" + secrets.token_urlsafe(32)
    with atomic():
        endpoint = WebhookEndpoint(url=url, plan_id=plan.id if plan else None,
                                   events=[e for e in WEBHOOK_EVENTS if e in events], secret=secret,
                                   active=True, created_at=now, created_by_id=acting_admin.id)
        db.session.add(endpoint)
        db.session.flush()
    return endpoint, secret


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(_("No such webhook."))
    return endpoint


def set_endpoint_active(endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Switch an endpoint off (nothing more is queued for it) or back on."""
    with atomic():
        endpoint.active = active
    return endpoint


def resend_delivery(delivery_id: int, *, now: datetime) -> WebhookDelivery:
    """Queue a delivery again, now, with a fresh set of tries (its event id is the same, so
    the receiver can tell it is a repeat)."""
    with atomic():
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            raise NotFound(_("No such delivery."))
        if delivery.state == "sending":
            raise ValidationFailed({"delivery": [_("This delivery is being sent right now.")]})
        delivery.state, delivery.next_attempt_at, delivery.attempts = "pending", now, 0
        delivery.delivered_at = None
    return delivery


def endpoint_summaries() -> list[EndpointSummary]:
    """Every endpoint with how many of its deliveries are in each state."""
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    counts: dict[int, dict[str, int]] = {}
    for endpoint_id, state, number in db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.state, func.count())
        .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.state)
    ):
        counts.setdefault(endpoint_id, {})[state] = number
    return [EndpointSummary(e, counts.get(e.id, {})) for e in endpoints]


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = 100) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)
    ))
