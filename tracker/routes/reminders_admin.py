"""Admins' view of reminders: the outbox log with attempts, and per-agency answers."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from tracker.extensions import db
from tracker.models import MESSAGE_STATES, OutboxMessage
from tracker.reminders.log import agency_stats, message_log, state_counts
from tracker.routes.guards import require_roles

bp = Blueprint("reminders_admin", __name__, url_prefix="/admin/reminders")
bp.before_request(require_roles("admin"))


@bp.route("/")
def log():
    """Every message (pending, sent, kept, failed attempts) and, per agency, reminders answered."""
    state = request.args.get("state") or None
    if state is not None and state not in MESSAGE_STATES:
        abort(404)
    return render_template(
        "admin/reminders.html", messages=message_log(state), counts=state_counts(),
        states=MESSAGE_STATES, state=state, agencies=agency_stats(),
    )


@bp.route("/<int:message_id>")
def message(message_id: int):
    """One message as it was (or will be) sent: the app's outbox when no SMTP is set up."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("admin/reminder_message.html", message=message)
