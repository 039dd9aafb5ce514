"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from tracker.routes.forms import now
from tracker.services.errors import Throttled
from tracker.services.users import sign_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never redirect a user to another host after sign-in.
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("public.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    errors: dict[str, str] = {}
    email = request.form.get("email", "").strip()
    if request.method == "POST":
        password = request.form.get("password", "")
        if not email:
            errors["email"] = _("Enter your email address.")
        if not password:
            errors["password"] = _("Enter your password.")
        if not errors:
            try:
                user = sign_in(email, password, remote_addr=request.remote_addr, now=now())
            except Throttled as exc:
                errors["password"] = str(exc)
                return render_template("auth/login.html", errors=errors, email=email), 429
            if user is not None:
                login_user(user)
                flash(_("Signed in as %(email)s.", email=user.email), "success")
                return redirect(_safe_next(request.args.get("next")))
            errors["password"] = _("The email or password is not correct.")
    status = 422 if errors else 200
    return render_template("auth/login.html", errors=errors, email=email), status


@bp.route("/sign-out", methods=["POST"])
@login_required
def logout():
    """Sign out (POST, so another site cannot sign people out with a link)."""
    logout_user()
    flash(_("Signed out."), "info")
    return redirect(url_for("public.index"))
