"""Signing in and out, and starting a session.

Sessions are signed cookies: the server cannot delete a copy someone kept, so each names
the user's session generation, and ending sessions moves it on (``services.users``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker.routes.forms import field_errors, form_data, now
from tracker.services.errors import Throttled, ValidationFailed
from tracker.services.users import end_sessions, sign_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a user to another host after sign-in.
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.index")


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


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    errors: dict[str, str] = {}
    data = form_data("email", "password")
    if request.method == "POST":
        try:
            user = sign_in(data, remote_addr=request.remote_addr, now=now())
        except ValidationFailed as exc:
            errors = field_errors(exc)
        except Throttled as exc:
            errors["password"] = str(exc)
            return _login_page(errors, data), 429, {"Retry-After": str(exc.retry_after)}
        else:
            if user is not None:
                start_session(user)
                flash(_("Signed in as %(email)s.", email=user.email), "success")
                return redirect(_safe_next(request.args.get("next")))
            errors["password"] = _("The email or password is not correct.")
    return _login_page(errors, data), (422 if errors else 200)


def _login_page(errors: dict[str, str], data: dict[str, str]):
    return render_template("auth/login.html", errors=errors, email=data.get("email", "").strip())


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
