"""Every signed-in user's own account: password, two-factor authentication, API tokens, sign-in log."""

from __future__ import annotations

from contextlib import nullcontext

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models import ROLES, TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from tracker.routes.auth import start_session
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.guards import require_roles
from tracker.services import two_factor as tfa
from tracker.services.errors import ValidationFailed
from tracker.services.sign_in_log import METHOD_NAMES, events_for_user
from tracker.services.tokens import TOKEN_ROLES, create_token, revoke_token, token_views
from tracker.services.users import change_password, set_language
from tracker.web import languages

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_request(require_roles(*ROLES))


@bp.route("/")
def settings():
    """Change one's password; two-factor authentication; personal API tokens; one's sign-in log."""
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


@bp.route("/language", methods=["POST"])
def language():
    """The account's language: pages on any browser that chose none, and every email.

    This browser's language cookie follows, so the choice shows at once here.
    """
    user = current_user._get_current_object()
    choice = request.form.get("locale", "")
    try:
        set_language(user, choice, languages=current_app.config["LANGUAGES"])
    except ValidationFailed as exc:
        return _settings_page(language_errors=field_errors(exc)), 422
    response = redirect(url_for(".settings"))
    if user.locale:
        languages.remember(response, user.locale)
    else:  # the browser's own choice again
        response.delete_cookie(languages.COOKIE)
    with force_locale(user.locale) if user.locale else nullcontext():  # the new language's words
        flash(_("Your language was saved."), "success")
    return response


TOTP_PENDING = "totp_pending_secret"


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    """Turn two-factor authentication on: a QR code and the secret, then a code from the app.

    The secret waits in the session until a code proves the app has it; the recovery codes
    are shown once, on the response that turns it on.
    """
    user = current_user._get_current_object()
    if user.has_two_factor:
        return redirect(url_for(".settings"))
    errors: dict[str, str] = {}
    secret = session.get(TOTP_PENDING)
    if request.method == "POST" and secret:
        try:
            codes = tfa.enable(user, secret, form_data("code"), now=now())
        except ValidationFailed as exc:
            errors = field_errors(exc)
        else:
            session.pop(TOTP_PENDING, None)
            return _recovery_codes_page(codes, just_enabled=True)
    if not secret:
        secret = session[TOTP_PENDING] = tfa.new_secret()
    uri = tfa.provisioning_uri(user.email, secret, current_app.config["TWO_FACTOR_ISSUER"])
    page = render_template("account/two_factor.html", secret=secret, qr_svg=tfa.qr_code_svg(uri), errors=errors,
                           required=tfa.required_for(user, current_app.config["REQUIRE_2FA_ROLES"]))
    return page, (422 if errors else 200), {"Cache-Control": "no-store"}


@bp.route("/two-factor/recovery-codes", methods=["POST"])
def recovery_codes():
    """New recovery codes, given a current code; the old ones stop working."""
    try:
        codes = tfa.regenerate_recovery_codes(current_user, form_data("code"), now=now())
    except ValidationFailed as exc:
        return _settings_page(two_factor_errors=field_errors(exc)), 422
    return _recovery_codes_page(codes, just_enabled=False)


@bp.route("/two-factor/disable", methods=["POST"])
def disable_two_factor():
    """Turn two-factor off, given a current code (not for roles that require it)."""
    if tfa.required_for(current_user, current_app.config["REQUIRE_2FA_ROLES"]):
        errors = {"code": _("Your role requires two-factor authentication; it cannot be turned off.")}
        return _settings_page(two_factor_errors=errors), 422
    try:
        tfa.disable(current_user, form_data("code"), now=now())
    except ValidationFailed as exc:
        return _settings_page(two_factor_errors=field_errors(exc)), 422
    flash(_("Two-factor authentication is off."), "success")
    return redirect(url_for(".settings"))


def _recovery_codes_page(codes: list[str], *, just_enabled: bool):
    # Not a redirect: the codes exist nowhere else to show again. Keep them out of caches.
    page = render_template("account/recovery_codes.html", codes=codes, just_enabled=just_enabled)
    return page, 200, {"Cache-Control": "no-store"}


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
                   new_token_name=None, two_factor_errors=None, language_errors=None):
    return render_template(
        "account/settings.html",
        two_factor_errors=two_factor_errors or {},
        unused_recovery_codes=tfa.unused_recovery_codes(current_user) if current_user.has_two_factor else 0,
        two_factor_required=tfa.required_for(current_user, current_app.config["REQUIRE_2FA_ROLES"]),
        sign_ins=events_for_user(current_user),
        method_names=METHOD_NAMES,
        tokens=token_views(current_user, now=now()),
        api_access=current_user.role in TOKEN_ROLES,
        default_days=TOKEN_DEFAULT_DAYS,
        max_days=TOKEN_MAX_DAYS,
        password_errors=password_errors or {},
        language_errors=language_errors or {},
        language_options=[(code, languages.native_name(code)) for code in current_app.config["LANGUAGES"]],
        token_errors=token_errors or {},
        token_values=token_values or {},
        new_token=new_token,
        new_token_name=new_token_name,
    )
