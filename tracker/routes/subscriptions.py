"""Following a plan, an area or a recommendation by email: the form, confirming, unsubscribing.

``/subscribe?plan=<slug>[&area=<code>|&recommendation=<code>]``, then the links in the mails:
``/subscriptions/<token>/confirm`` and ``/subscriptions/<token>/unsubscribe``. Confirming
and unsubscribing from a page take a button press (a POST), so a mail scanner that follows
links changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale

from tracker.extensions import csrf
from tracker.reminders.compose import LinkSettings
from tracker.routes.forms import field_errors, now
from tracker.services.errors import ValidationFailed
from tracker.subscriptions.follow import (
    confirm,
    followed_by,
    followed_thing,
    subscribe,
    subscription_by_token,
    unsubscribe,
)

bp = Blueprint("subscriptions", __name__)


def _links() -> LinkSettings:
    return LinkSettings(base_url=current_app.config["BASE_URL"].rstrip("/"), secret_key=current_app.config["SECRET_KEY"])


@bp.route("/subscribe", methods=["GET", "POST"])
def new():
    """Ask for email when statuses change in a published plan, area or recommendation."""
    source = request.values  # the form posts the followed thing back; a link names it in the query
    try:
        followed = followed_thing(source.get("plan"), source.get("area"), source.get("recommendation"))
    except ValidationFailed as exc:
        return render_template("public/subscribe.html", followed=None, errors=field_errors(exc), values={}), 404
    values = {"plan": followed.plan.slug, "area": followed.area.code if followed.area else "",
              "recommendation": followed.recommendation.code if followed.recommendation else ""}
    if request.method == "POST":
        email = request.form.get("email", "")
        try:
            subscribe(email, followed, now=now(), links=_links(), templates=current_app.jinja_env,
                      locale=str(get_locale()))
        except ValidationFailed as exc:
            return render_template("public/subscribe.html", followed=followed, errors=field_errors(exc),
                                   values={**values, "email": email}), 422
        return render_template("public/subscription.html", step="asked", followed=followed)
    return render_template("public/subscribe.html", followed=followed, errors={}, values=values)


@bp.route("/subscriptions/<token>/confirm", methods=["GET", "POST"])
def confirm_page(token: str):
    """The confirmation link: a button that confirms (GET alone changes nothing)."""
    subscription = subscription_by_token(token)
    if request.method == "POST":
        subscription = confirm(token, now=now())
        return render_template("public/subscription.html", step="confirmed", followed=followed_by(subscription))
    return render_template("public/subscription.html", step="confirm", followed=followed_by(subscription),
                           token=token)


@bp.route("/subscriptions/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no token; the URL's secret is the key
def unsubscribe_page(token: str):
    """Unsubscribe: one click from the mail program (POST), or a button on this page."""
    subscription = subscription_by_token(token)
    if request.method == "POST":
        subscription = unsubscribe(token, now=now())
        return render_template("public/subscription.html", step="unsubscribed", followed=followed_by(subscription))
    return render_template("public/subscription.html", step="unsubscribe", followed=followed_by(subscription),
                           token=token)
