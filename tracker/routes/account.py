"""Every signed-in user's own account: password and personal API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models import ROLES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from tracker.routes.auth import start_session
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.guards import require_roles
from tracker.services.errors import ValidationFailed
from tracker.services.tokens import TOKEN_ROLES, create_token, revoke_token, token_views
from tracker.services.users import change_password

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_request(require_roles(*ROLES))


@bp.route("/")
def settings():
    """Change one's password; create, list and revoke personal API tokens."""
    return _settings_page()


@bp.route("/password", methods=["POST"])
def password():
    """Change one's own password, given the current one.

    Every session of the user ends (a stolen cookie with them); this device gets a new one.
    """
    user = current_user._get_current_object()
    try:
        change_password(user, form_data("current_password", "new_password"))
    except ValidationFailed as exc:
        return _settings_page(password_errors=field_errors(exc)), 422
    start_session(user)
    flash(_("Your password was changed."), "success")
    return redirect(url_for(".settings"))


@bp.route("/tokens", methods=["POST"])
def tokens():
    """Create a token and show it on this response only: it is stored as a hash."""
    data = form_data("name", "scope", "days")
    try:
        token, secret = create_token(current_user, data, now=now())
    except ValidationFailed as exc:
        return _settings_page(token_errors=field_errors(exc), token_values=data), 422
    response = _settings_page(new_token=secret, new_token_name=token.name)
    # Not a redirect: the token exists nowhere else to show again. Keep it out of caches.
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    """Revoke one of one's own tokens; it stops working at once."""
    token = revoke_token(current_user, token_id, now=now())
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for(".settings"))


def _settings_page(password_errors=None, token_errors=None, token_values=None, new_token=None,
                   new_token_name=None):
    return render_template(
        "account/settings.html",
        tokens=token_views(current_user, now=now()),
        api_access=current_user.role in TOKEN_ROLES,
        default_days=TOKEN_DEFAULT_DAYS,
        max_days=TOKEN_MAX_DAYS,
        password_errors=password_errors or {},
        token_errors=token_errors or {},
        token_values=token_values or {},
        new_token=new_token,
        new_token_name=new_token_name,
    )
