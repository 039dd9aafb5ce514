"""Signing in and out, and starting a session.

Sessions are signed cookies: the server cannot delete a copy someone kept, so each names
the user's session generation, and ending sessions moves it on (``services.users``).

Signing in takes a first factor (a password, or single sign-on through the identity
provider) and, for users who turned it on, a second one (a code from their authenticator
app or a recovery code) unless this device is remembered. Between the two the session
holds only who passed the first factor, when, and how; it is no sign-in. Every attempt
goes to the sign-in log (``services.sign_in_log``).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.extensions import db
from tracker.models import User
from tracker.routes.forms import field_errors, form_data, now
from tracker.routes.nav import landing
from tracker.services import two_factor
from tracker.services.errors import SignInRefused, Throttled, ValidationFailed
from tracker.services.sign_in_log import NoticeSettings, record_attempt
from tracker.services.single_sign_on import account_for_identity
from tracker.services.throttling import check_not_throttled, record_failure
from tracker.services.users import end_sessions, find_user_by_email, sign_in
from tracker.web import oidc

bp = Blueprint("auth", __name__)

PENDING = "two_factor_pending"
# The second factor must follow the first within this many seconds.
PENDING_SECONDS = 600
REMEMBER_COOKIE = "tracker_device"
# Pages a user who must turn two-factor on may still reach (see ``require_two_factor``).
OPEN_WHILE_ENROLLING = {"account.two_factor", "auth.logout", "static"}


def _safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None.

    Only same-site paths: never redirect a user to another host after sign-in. None lets
    the sign-in send the user to their role's landing page (``nav.landing``).
    """
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _clear_session() -> None:
    """Forget everything the session held, its CSRF token included (Flask-WTF makes a new one)."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's copy of the token, kept for the rest of the request


def start_session(user) -> None:
    """Sign ``user`` in on a fresh session: nothing of the session before is kept.

    A session someone planted before sign-in (and the CSRF token they read from it) is
    worth nothing afterwards.
    """
    _clear_session()
    login_user(user)


def _log(user: User | None, email: str, method: str, succeeded: bool, when: datetime, detail: str | None = None):
    notice = NoticeSettings(current_app.config["BASE_URL"]) if current_app.config["SIGN_IN_NOTICES"] else None
    record_attempt(user=user, email=email, remote_addr=request.remote_addr, method=method, succeeded=succeeded,
                   now=when, detail=detail, notice=notice)


@bp.before_app_request
def require_two_factor():
    """Users of the roles in ``REQUIRE_2FA_ROLES`` turn two-factor on before anything else.

    API requests are not concerned: they carry tokens, not sessions.
    """
    roles = current_app.config["REQUIRE_2FA_ROLES"]
    if not roles or request.path.startswith("/api/") or request.endpoint in OPEN_WHILE_ENROLLING:
        return None
    if current_user.is_authenticated and two_factor.required_for(current_user, roles) \
            and not current_user.has_two_factor:
        flash(_("Your role requires two-factor authentication: turn it on to continue."), "info")
        return redirect(url_for("account.two_factor"))
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    """Sign in with email and password (when allowed), or go to single sign-on."""
    errors: dict[str, str] = {}
    data = form_data("email", "password")
    if request.method == "POST":
        if not current_app.config["PASSWORD_SIGN_IN"]:
            abort(403, _("Signing in with a password is turned off here: use single sign-on."))
        when = now()
        try:
            user = sign_in(data, remote_addr=request.remote_addr, now=when)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except Throttled as exc:
            email = data.get("email", "").strip()
            _log(find_user_by_email(email), email, "password", False, when, "throttled")
            errors["password"] = str(exc)
            return _login_page(errors, data), 429, {"Retry-After": str(exc.retry_after)}
        else:
            if user is not None:
                return _first_factor_passed(user, "password", when, request.args.get("next"))
            email = data.get("email", "").strip()
            _log(find_user_by_email(email), email, "password", False, when, "wrong email or password")
            errors["password"] = _("The email or password is not correct.")
    return _login_page(errors, data), (422 if errors else 200)


def _login_page(errors: dict[str, str], data: dict[str, str]):
    return render_template(
        "auth/login.html", errors=errors, email=data.get("email", "").strip(),
        password_sign_in=current_app.config["PASSWORD_SIGN_IN"], single_sign_on=oidc.enabled(),
        provider_name=current_app.config["OIDC_PROVIDER_NAME"], next=request.args.get("next"),
    )


def _first_factor_passed(user: User, method: str, when: datetime, next_url: str | None):
    """Sign in, or ask for the second factor first when the user has one and this device is not remembered."""
    config = current_app.config
    if user.has_two_factor:
        if two_factor.is_remembered(user, request.cookies.get(REMEMBER_COOKIE), secret_key=config["SECRET_KEY"],
                                    days=config["REMEMBER_DEVICE_DAYS"], now=when):
            _log(user, user.email, "remembered_device", True, when, f"after {method.replace('_', ' ')}")
            return _signed_in(user, next_url)
        _log(user, user.email, method, True, when, "second factor asked")
        _clear_session()
        session[PENDING] = {"user": user.id, "generation": user.session_generation, "method": method,
                            "at": int(when.timestamp()), "next": _safe_next(next_url)}
        return redirect(url_for(".two_factor_step"))
    _log(user, user.email, method, True, when)
    return _signed_in(user, next_url)


def _signed_in(user: User, next_url: str | None):
    """Start the session and go where the sign-in came from (``next``), else to the role's landing."""
    start_session(user)
    flash(_("Signed in as %(email)s.", email=user.email), "success")
    return redirect(_safe_next(next_url) or landing(user))


def _pending_user(when: datetime) -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or when.timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_generation != pending.get("generation"):
        return None
    return user


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
def two_factor_step():
    """The second factor: a code from the authenticator app, or a recovery code."""
    when = now()
    user = _pending_user(when)
    if user is None:
        session.pop(PENDING, None)
        flash(_("Sign in first (a sign-in waits ten minutes for its second step)."), "info")
        return redirect(url_for(".login"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            check_not_throttled(user.email, request.remote_addr, now=when)
            method = two_factor.check_code(user, form_data("code"), now=when)
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except Throttled as exc:
            _log(user, user.email, "authenticator", False, when, "throttled")
            return _two_factor_page({"code": str(exc)}), 429, {"Retry-After": str(exc.retry_after)}
        else:
            if method is not None:
                _log(user, user.email, method, True, when)
                next_url = session[PENDING].get("next")
                response = _signed_in(user, next_url)
                if "remember" in request.form and current_app.config["REMEMBER_DEVICE_DAYS"] > 0:
                    response.set_cookie(
                        REMEMBER_COOKIE, two_factor.remember_device(user, secret_key=current_app.config["SECRET_KEY"],
                                                                    now=when),
                        max_age=current_app.config["REMEMBER_DEVICE_DAYS"] * 86400, httponly=True, samesite="Lax",
                        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"],
                    )
                return response
            record_failure(user.email, request.remote_addr, now=when)
            guessed = "recovery_code" if len("".join(c for c in request.form.get("code", "") if c.isalnum())) > 6 \
                else "authenticator"
            _log(user, user.email, guessed, False, when, "wrong code")
            errors["code"] = _("That code is not right. Codes change every 30 seconds, and each works once.")
    return _two_factor_page(errors), (422 if errors else 200)


def _two_factor_page(errors: dict[str, str]):
    return render_template("auth/two_factor.html", errors=errors,
                           remember_days=current_app.config["REMEMBER_DEVICE_DAYS"])


@bp.route("/sign-in/single-sign-on")
def single_sign_on():
    """Go to the identity provider (with a state, a nonce and a PKCE challenge)."""
    if not oidc.enabled():
        abort(404)
    session["sign_in_next"] = _safe_next(request.args.get("next"))
    try:
        return oidc.client().authorize_redirect(url_for(".single_sign_on_callback", _external=True))
    except Exception as exc:  # noqa: BLE001 (the provider unreachable or its discovery document broken)
        current_app.logger.warning("single sign-on: cannot reach the identity provider: %s", exc)
        return _refused(_("The identity provider cannot be reached just now. Try again in a few minutes."), 502)


@bp.route("/sign-in/single-sign-on/callback")
def single_sign_on_callback():
    """Where the identity provider sends people back: check its answer and sign them in."""
    if not oidc.enabled():
        abort(404)
    from authlib.integrations.base_client import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    when = now()
    try:
        token = oidc.client().authorize_access_token()
    except OAuthError as exc:
        # A missing or wrong state (a forged or replayed answer, an old tab), or the
        # provider's own error (the person cancelled, the code was used already).
        _log(None, "(unknown)", "single_sign_on", False, when, f"provider answer refused: {exc.error}")
        return _refused(_("The answer from the identity provider could not be checked (%(why)s). Start again.",
                          why=exc.description or exc.error), 400)
    except JoseError as exc:
        _log(None, "(unknown)", "single_sign_on", False, when, f"ID token refused: {exc.error}")
        return _refused(_("The identity provider's ID token was refused: %(why)s. Nobody was signed in.",
                          why=_token_problem(exc)), 400)
    except RequestException as exc:
        current_app.logger.warning("single sign-on: token request failed: %s", exc)
        return _refused(_("The identity provider cannot be reached just now. Try again in a few minutes."), 502)
    claims = token.get("userinfo")
    if not claims:
        _log(None, "(unknown)", "single_sign_on", False, when, "no ID token")
        return _refused(_("The identity provider sent no ID token. Nobody was signed in."), 400)
    email = str(claims.get(current_app.config["OIDC_EMAIL_CLAIM"]) or "(no email)")[:254]
    try:
        user = account_for_identity(
            dict(claims), email_claim=current_app.config["OIDC_EMAIL_CLAIM"],
            require_verified=current_app.config["OIDC_REQUIRE_VERIFIED_EMAIL"], now=when,
        )
    except SignInRefused as exc:
        _log(find_user_by_email(email), email, "single_sign_on", False, when, str(exc))
        return _refused(str(exc), 403)
    return _first_factor_passed(user, "single_sign_on", when, session.get("sign_in_next"))


def _token_problem(exc) -> str:
    claim = getattr(exc, "claim", "")
    reasons = {
        "expired_token": _("it has expired"),
        "bad_signature": _("its signature does not match the provider's keys (it was altered)"),
        # A wrong nonce is a token issued for another sign-in (replayed); a wrong audience or
        # issuer, one meant for another site or from another provider.
        "invalid_claim": _("its “%(claim)s” claim is wrong", claim=claim),
        "missing_claim": _("its “%(claim)s” claim is missing", claim=claim),
    }
    return reasons.get(exc.error, exc.error)


def _refused(message: str, status: int):
    return render_template("auth/refused.html", message=message), status


@bp.route("/sign-out", methods=["POST"])
@login_required
def logout():
    """Sign out (POST, so another site cannot sign people out with a link).

    Every session of the user ends, on every device: a copy of the cookie kept anywhere
    stops working too.
    """
    end_sessions(current_user)
    logout_user()
    _clear_session()
    flash(_("Signed out."), "info")
    return redirect(url_for("public.index"))
