"""The navigation shown on every page, by role, and where each role lands after signing in."""

from __future__ import annotations

from typing import NamedTuple

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

EVERYONE = None
# The public plan list is the secretariat's "Plans" no more: it has its own list of every
# plan, published or not, which links to the public pages. One "Plans" entry per role.
NOT_STAFF = ("public", "agency", "assessor")

# (roles that see it, label, endpoint); EVERYONE means everyone, signed in or not, and
# "public" whoever is not signed in.
ITEMS = (
    (("secretariat",), _l("Work to do"), "secretariat.dashboard"),
    (NOT_STAFF, _l("Plans"), "public.index"),
    (("secretariat", "admin"), _l("Plans"), "secretariat.plans"),
    (EVERYONE, _l("Search"), "public.search"),
    (EVERYONE, _l("Changes"), "public.changes"),
    (EVERYONE, _l("Open data"), "open_data.index"),
    (("agency",), _l("What we owe"), "agency.owe"),
    (("secretariat", "admin"), _l("Review queue"), "secretariat.review_queue"),
    (("secretariat", "admin"), _l("Import"), "secretariat.import_plan"),
    (("assessor", "admin"), _l("Assessments"), "assessor.rounds"),
    (("admin",), _l("Users"), "admin.users"),
    (("admin",), _l("Work to do"), "secretariat.dashboard"),
    (("admin",), _l("Reminders"), "reminders_admin.log"),
    (("admin", "secretariat", "agency", "assessor"), _l("Account"), "account.settings"),
)

# Where each role lands after signing in (a ``next`` address the sign-in came from wins).
LANDINGS = {
    "agency": "agency.owe",
    "secretariat": "secretariat.dashboard",
    "assessor": "assessor.rounds",
    "admin": "admin.users",
}


class NavItem(NamedTuple):
    label: str
    url: str
    current: bool  # the page shown now: aria-current="page"


def landing(user) -> str:
    """The URL ``user`` lands on after signing in: their role's first page of work."""
    endpoint = LANDINGS.get(getattr(user, "role", None), "public.index")
    if endpoint not in current_app.view_functions:
        endpoint = "public.index"
    return url_for(endpoint)


def navigation() -> list[NavItem]:
    """The navigation for the signed-in user's role, or for the public, the page shown now marked."""
    role = current_user.role if current_user.is_authenticated else "public"
    here = request.endpoint
    items = [
        NavItem(str(label), url_for(endpoint), endpoint == here)
        for roles, label, endpoint in ITEMS
        if (roles is EVERYONE or role in roles) and endpoint in current_app.view_functions
    ]
    if current_user.is_authenticated:
        items.append(NavItem(str(_l("Sign out")), url_for("auth.logout"), False))
    else:
        items.append(NavItem(str(_l("Sign in")), url_for("auth.login"), here == "auth.login"))
    return items
