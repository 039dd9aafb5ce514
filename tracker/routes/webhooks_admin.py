"""Admins' webhooks: register URLs for events, see every delivery's outcome, re-send one."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import WEBHOOK_EVENTS, Plan
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.guards import require_roles
from tracker.services.errors import ValidationFailed
from tracker.webhooks.endpoints import (
    endpoint_summaries,
    get_endpoint,
    recent_deliveries,
    register_endpoint,
    resend_delivery,
    set_endpoint_active,
)

bp = Blueprint("webhooks_admin", __name__, url_prefix="/admin/webhooks")
bp.before_request(require_roles("admin"))


def event_names() -> dict[str, str]:
    """What each event is called on the page."""
    return {
        "report.submitted": _("A progress report is submitted"),
        "report.accepted": _("A progress report is accepted"),
        "report.returned": _("A progress report is returned to its agency"),
        "status.changed": _("A recommendation's or action's status changes"),
        "action.overdue": _("An action passes its due date"),
        "round.opened": _("A reporting round opens"),
    }


@bp.route("/", methods=["GET", "POST"])
def index():
    """Every registered endpoint, and a form to register one (its secret is shown once, here)."""
    if request.method == "POST":
        data = {**form_data("url", "plan"), "events": request.form.getlist("events")}
        try:
            endpoint, secret = register_endpoint(
                data, acting_admin=current_user, now=now(),
                allow_private=bool(current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]),
            )
        except ValidationFailed as exc:
            return _index_page(errors=field_errors(exc), values=data), 422
        # Rendered, not redirected: the secret must not travel in the session cookie.
        return render_template("admin/webhook_secret.html", endpoint=endpoint, secret=secret), 201
    return _index_page()


@bp.route("/<int:endpoint_id>")
def endpoint(endpoint_id: int):
    """One endpoint's latest deliveries: state, attempts, the receiver's answer, the last error."""
    found = get_endpoint(endpoint_id)
    return render_template("admin/webhook.html", endpoint=found, deliveries=recent_deliveries(found),
                           event_names=event_names())


@bp.route("/<int:endpoint_id>/active", methods=["POST"])
def set_active(endpoint_id: int):
    """Switch the endpoint off (nothing more is queued for it) or on again."""
    found = set_endpoint_active(get_endpoint(endpoint_id), request.form.get("active") == "1")
    flash(_("Webhook switched on.") if found.active else _("Webhook switched off."), "success")
    return redirect(url_for(".endpoint", endpoint_id=endpoint_id))


@bp.route("/<int:endpoint_id>/deliveries/<int:delivery_id>/resend", methods=["POST"])
def resend(endpoint_id: int, delivery_id: int):
    """Queue a delivery again; the scheduler sends it within a minute."""
    get_endpoint(endpoint_id)
    try:
        resend_delivery(delivery_id, now=now())
    except ValidationFailed as exc:
        flash(" ".join(field_errors(exc).values()), "error")
    else:
        flash(_("Delivery queued again; it is sent within a minute."), "success")
    return redirect(url_for(".endpoint", endpoint_id=endpoint_id))


def _index_page(errors: dict | None = None, values: dict | None = None):
    plans = db.session.scalars(select(Plan).order_by(Plan.title)).all()
    return render_template(
        "admin/webhooks.html", summaries=endpoint_summaries(), plans=[(p.slug, p.title) for p in plans],
        events=[(key, event_names()[key]) for key in WEBHOOK_EVENTS], event_names=event_names(),
        errors=errors or {}, values=values or {"events": []},
        allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"],
    )
