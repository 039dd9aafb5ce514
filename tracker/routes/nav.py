"""The navigation shown on every page, by role."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (roles that see it, label, endpoint); None means everyone, signed in or not.
ITEMS = (
    (None, _l("Plans"), "public.index"),
    (None, _l("Search"), "public.search"),
    (None, _l("Changes"), "public.changes"),
    (None, _l("Open data"), "open_data.index"),
    (("agency",), _l("What we owe"), "agency.owe"),
    (("secretariat", "admin"), _l("Review queue"), "secretariat.review_queue"),
    (("secretariat", "admin"), _l("Manage plans"), "secretariat.plans"),
    (("secretariat", "admin"), _l("Import"), "secretariat.import_plan"),
    (("assessor", "admin"), _l("Assessments"), "assessor.rounds"),
    (("admin",), _l("Users"), "admin.users"),
    (("admin",), _l("Reminders"), "reminders_admin.log"),
    (("admin", "secretariat", "agency", "assessor"), _l("Account"), "account.settings"),
)


def navigation() -> list[tuple[str, str]]:
    """(label, url) pairs for the signed-in user's role, or for the public."""
    role = current_user.role if current_user.is_authenticated else None
    items = [
        (str(label), url_for(endpoint))
        for roles, label, endpoint in ITEMS
        if (roles is None or role in roles) and endpoint in current_app.view_functions
    ]
    if current_user.is_authenticated:
        items.append((str(_l("Sign out")), url_for("auth.logout")))
    else:
        items.append((str(_l("Sign in")), url_for("auth.login")))
    return items
