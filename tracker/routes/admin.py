"""Administrators: users, agencies, the status vocabulary, failed sign-ins, the sign-in log
and single sign-on domains."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.models import ROLES
from tracker.publishing.public_views import get_user, list_agencies
from tracker.routes.forms import (
    field_errors,
    form_data,
    now,
    translation_values,
    translations_from_form,
)
from tracker.routes.guards import require_roles
from tracker.services.agencies import create_agency
from tracker.services.errors import ValidationFailed
from tracker.services.sign_in_log import METHOD_NAMES, recent_events
from tracker.services.single_sign_on import allow_domain, domain_rules, remove_domain
from tracker.services.statuses import (
    create_status,
    delete_status,
    move_status,
    status_uses,
    status_vocabulary,
    update_status,
)
from tracker.services.throttling import (
    FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    FREE_FAILURES_PER_ADDRESS,
    recent_failures,
)
from tracker.services.users import create_user, list_users, update_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_roles("admin"))

USER_FIELDS = ("email", "password", "role", "agency")
AGENCY_FIELDS = ("name", "acronym", "country")
STATUS_FIELDS = ("label", "description", "colour", "default_percent", "irm_completion")


@bp.route("/users", methods=["GET", "POST"])
def users():
    """Every user, and a form to create one."""
    if request.method == "POST":
        data = form_data(*USER_FIELDS)
        try:
            user = create_user(data, now=now())
        except ValidationFailed as exc:
            data.pop("password", None)  # never echo a password back into the page
            return _users_page(errors=field_errors(exc), values=data), 422
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for(".users"))
    return _users_page()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change a user's role, agency, or whether the account is active."""
    user = get_user(user_id)
    if request.method == "POST":
        data = {**form_data("role", "agency"), "active": "active" in request.form}
        try:
            update_user(user, data, acting_admin=current_user)
        except ValidationFailed as exc:
            return _edit_page(user, errors=field_errors(exc), values=data), 422
        flash(_("User %(email)s updated.", email=user.email), "success")
        return redirect(url_for(".users"))
    values = {"role": user.role, "agency": _agency_key(user.agency), "active": user.active}
    return _edit_page(user, values=values)


@bp.route("/agencies", methods=["GET", "POST"])
def agencies():
    """Every agency, and a form to create one."""
    if request.method == "POST":
        data = form_data(*AGENCY_FIELDS)
        try:
            agency = create_agency(data)
        except ValidationFailed as exc:
            return _agencies_page(errors=field_errors(exc), values=data), 422
        flash(_("Agency %(name)s created.", name=agency.display_name), "success")
        return redirect(url_for(".agencies"))
    return _agencies_page()


@bp.route("/statuses", methods=["GET", "POST"])
def statuses():
    """The status vocabulary in order, with its uses; a form to add a status."""
    if request.method == "POST":
        data = {**form_data("key", *STATUS_FIELDS), "is_final": "is_final" in request.form,
                **translations_from_form("label")}
        try:
            status = create_status(data)
        except ValidationFailed as exc:
            return _statuses_page(errors=field_errors(exc), values=data | request.form.to_dict()), 422
        flash(_("Status %(label)s added: forms offer it and charts show it from now on.", label=status.label), "success")
        return redirect(url_for(".statuses"))
    return _statuses_page(values={"colour": "", "default_percent": "0", "irm_completion": "not_started"})


@bp.route("/statuses/<key>", methods=["GET", "POST"])
def edit_status(key: str):
    """Rename, recolour, remap or retire a status."""
    status = _status(key)
    if request.method == "POST":
        data = {**form_data(*STATUS_FIELDS), "is_final": "is_final" in request.form,
                "retired": "retired" in request.form, **translations_from_form("label")}
        try:
            update_status(status, data)
        except ValidationFailed as exc:
            return _status_page(status, errors=field_errors(exc), values=data | request.form.to_dict()), 422
        flash(_("Status %(label)s saved.", label=status.label), "success")
        return redirect(url_for(".statuses"))
    values = {name: getattr(status, name) for name in (*STATUS_FIELDS, "is_final", "retired")}
    values |= translation_values(status, "label")
    return _status_page(status, values=values)


@bp.route("/statuses/<key>/move", methods=["POST"])
def move_status_in_order(key: str):
    """Move a status one place up or down the order every page and chart uses."""
    status = _status(key)
    move_status(status, -1 if request.form.get("direction") == "up" else 1)
    flash(_("Status %(label)s moved.", label=status.label), "success")
    return redirect(url_for(".statuses", _anchor=f"status-{status.key}"))


@bp.route("/statuses/<key>/delete", methods=["POST"])
def remove_status(key: str):
    """Delete a status nothing names; one in use is refused, with the advice to retire it."""
    status = _status(key)
    try:
        delete_status(status)
    except ValidationFailed as exc:
        return _statuses_page(errors=field_errors(exc), values={}), 422
    flash(_("Status %(label)s deleted.", label=status.label), "success")
    return redirect(url_for(".statuses"))


def _status(key: str):
    status = next((s for s in status_vocabulary() if s.key == key), None)
    if status is None:
        abort(404)
    return status


def _statuses_page(errors=None, values=None):
    vocabulary = status_vocabulary()
    return render_template("admin/statuses.html", statuses=vocabulary, uses={s.key: status_uses(s) for s in vocabulary},
                           errors=errors or {}, values=values or {}, **_status_choices())


def _status_page(status, errors=None, values=None):
    return render_template("admin/status.html", status=status, uses=status_uses(status), errors=errors or {},
                           values=values or {}, **_status_choices())


def _status_choices() -> dict:
    """The palette to pick colours from and the IRM completion scale, in words."""
    from tracker.charts.palette import NAMED_COLOURS
    from tracker.models.status import IRM_COMPLETION

    words = {"not_started": _("Not started"), "limited": _("Limited"), "substantial": _("Substantial"),
             "complete": _("Complete")}
    return {"palette": [(_(name), colour) for name, colour in NAMED_COLOURS],
            "irm": [(level, words[level]) for level in IRM_COMPLETION], "irm_words": words}


@bp.route("/sign-ins")
def sign_ins():
    """Failed sign-ins of the last day, by account and address and by address, and which are throttled."""
    by_account, by_address = recent_failures(now())
    return render_template(
        "admin/sign_ins.html", by_account=by_account, by_address=by_address,
        free_per_account=FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS, free_per_address=FREE_FAILURES_PER_ADDRESS,
    )


@bp.route("/sign-in-log")
def sign_in_log():
    """Everyone's latest sign-in attempts (or one account's, ``?email=``), successes and failures."""
    email = request.args.get("email", "").strip()[:254]
    return render_template("admin/sign_in_log.html", sign_ins=recent_events(email=email or None),
                           method_names=METHOD_NAMES, email=email, show_email=True)


@bp.route("/single-sign-on", methods=["GET", "POST"])
def single_sign_on():
    """The email domains whose people get an account at their first single sign-on, and with which role."""
    if request.method == "POST":
        data = form_data("domain", "role", "agency")
        try:
            rule = allow_domain(data, acting_admin=current_user, now=now())
        except ValidationFailed as exc:
            return _single_sign_on_page(errors=field_errors(exc), values=data), 422
        flash(_("People of %(domain)s now get an account at their first single sign-on.", domain=rule.domain),
              "success")
        return redirect(url_for(".single_sign_on"))
    return _single_sign_on_page()


@bp.route("/single-sign-on/<int:rule_id>/remove", methods=["POST"])
def remove_single_sign_on_domain(rule_id: int):
    """Stop creating accounts for a domain (accounts made already stay)."""
    rule = remove_domain(rule_id, acting_admin=current_user)
    flash(_("Accounts are no longer created for %(domain)s.", domain=rule.domain), "success")
    return redirect(url_for(".single_sign_on"))


def _single_sign_on_page(errors: dict | None = None, values: dict | None = None):
    return render_template(
        "admin/single_sign_on.html", rules=domain_rules(), roles=_role_options(), agencies=_agency_options(),
        errors=errors or {}, values=values or {"role": "agency"},
        enabled=current_app.config.get("OIDC_ISSUER") is not None,
    )


def _agency_key(agency) -> str | None:
    # The services find agencies by acronym or name.
    return (agency.acronym or agency.name) if agency else None


def _agency_options() -> list[tuple[str, str]]:
    return [(_agency_key(a), f"{a.display_name} — {a.country}") for a in list_agencies()]


def _role_options() -> list[tuple[str, str]]:
    return [(role, _(role.capitalize())) for role in ROLES]


def _users_page(errors: dict | None = None, values: dict | None = None):
    return render_template(
        "admin/users.html", users=list_users(), roles=_role_options(), agencies=_agency_options(),
        errors=errors or {}, values=values or {"role": "agency"},
    )


def _edit_page(user, errors: dict | None = None, values: dict | None = None):
    return render_template(
        "admin/user.html", user=user, roles=_role_options(), agencies=_agency_options(),
        errors=errors or {}, values=values or {},
    )


def _agencies_page(errors: dict | None = None, values: dict | None = None):
    return render_template(
        "admin/agencies.html", agencies=list_agencies(), errors=errors or {}, values=values or {}
    )
