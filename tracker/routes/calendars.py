"""Calendar feeds (.ics): public ones for published plans, secret ones at each user's address,
and the account page where a user sees, rotates or revokes that address."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.calendars.addresses import (
    calendar_feed,
    feed_owner,
    issue_calendar_feed,
    revoke_calendar_feed,
)
from tracker.calendars.feeds import agency_items, ics, plan_items
from tracker.extensions import db
from tracker.models import ROLES, Agency, Plan, User
from tracker.routes.forms import now
from tracker.routes.guards import require_roles
from tracker.services.api_queries import plan_visible
from tracker.services.permissions import is_staff
from tracker.services.plans import get_plan
from tracker.web.public_cache import public_page

bp = Blueprint("calendars", __name__)

account_bp = Blueprint("calendar_account", __name__, url_prefix="/account/calendar")
account_bp.before_request(require_roles(*ROLES))


@bp.route("/plans/<slug>/calendar.ics")
@public_page
def public_plan(slug: str):
    """A published plan's due dates, milestones and report deadlines, for anyone (kept by the
    public cache until the data changes, like every public page)."""
    plan = get_plan(slug, published_only=True)
    return _calendar(plan_items(plan), plan.title, None)


@bp.route("/calendar/<token>/plans/<slug>.ics")
def private_plan(token: str, slug: str):
    """A plan's calendar at its reader's secret address (unpublished plans they may see too)."""
    user = _owner(token)
    plan = db.session.scalars(select(Plan).where(Plan.slug == slug, plan_visible(user))).first()
    if plan is None:
        abort(404)
    return _calendar(plan_items(plan), plan.title, "private, max-age=300")


@bp.route("/calendar/<token>/agencies/<int:agency_id>.ics")
def private_agency(token: str, agency_id: int):
    """An agency's calendar: for its own focal points, and for the secretariat."""
    user = _owner(token)
    agency = db.session.get(Agency, agency_id)
    if agency is None or not (is_staff(user) or user.agency_id == agency.id):
        abort(404)
    return _calendar(agency_items(agency), agency.display_name, "private, max-age=300")


def _owner(token: str) -> User:
    # 404, not 403: a wrong or revoked address must not tell that it once existed.
    user = feed_owner(token)
    if user is None:
        abort(404)
    return user


def _calendar(items, name: str, cache: str | None) -> Response:
    body = ics(items, name=name, now=now(), base_url=current_app.config["BASE_URL"])
    response = Response(body, mimetype="text/calendar")
    if cache:
        response.headers["Cache-Control"] = cache
    response.headers["Content-Disposition"] = "inline; filename=calendar.ics"
    return response


@account_bp.route("/")
def page():
    """The user's secret calendar address and the feeds it gives."""
    feed = calendar_feed(current_user)
    feeds = []
    if feed is not None:
        base = current_app.config["BASE_URL"].rstrip("/")
        agencies = (db.session.scalars(select(Agency).order_by(Agency.name)).all() if is_staff(current_user)
                    else [current_user.agency] if current_user.agency else [])
        feeds += [(a.display_name, base + url_for("calendars.private_agency", token=feed.token, agency_id=a.id))
                  for a in agencies]
        plans = db.session.scalars(select(Plan).where(plan_visible(current_user)).order_by(Plan.title)).all()
        feeds += [(p.title, base + url_for("calendars.private_plan", token=feed.token, slug=p.slug)) for p in plans]
    return render_template("account/calendar.html", feed=feed, feeds=feeds)


@account_bp.route("/rotate", methods=["POST"])
def rotate():
    """Make a new secret address (the first one, or a replacement: the old one stops working)."""
    had = calendar_feed(current_user) is not None
    issue_calendar_feed(current_user, now=now())
    flash(_("New calendar address made; the old one no longer works.") if had
          else _("Calendar address made."), "success")
    return redirect(url_for(".page"))


@account_bp.route("/revoke", methods=["POST"])
def revoke():
    """Stop the secret address working."""
    if revoke_calendar_feed(current_user):
        flash(_("Calendar address revoked: calendars using it get nothing more."), "success")
    return redirect(url_for(".page"))
