"""The navigation shown on every page, by role."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user


def navigation() -> list[tuple[str, str]]:
    """(label, url) pairs for the signed-in user's role, or for the public."""
    items = [(_("Plans"), url_for("public.index"))]
    if current_user.is_authenticated and current_user.role in ("secretariat", "admin"):
        items.append((_("Manage plans"), url_for("secretariat.plans")))
        items.append((_("Import"), url_for("secretariat.import_plan")))
    if current_user.is_authenticated:
        items.append((_("Sign out"), url_for("auth.logout")))
    else:
        items.append((_("Sign in"), url_for("auth.login")))
    return items
