"""Secretariat pages: plans and areas, recommendations, actions and their owners, reporting
rounds, assessment rounds (closing and reopening them), the review of agency reports, and
bringing plans in from spreadsheets and out again.

Every form page follows one pattern: GET shows the form filled from the stored item;
POST reads the form, calls one service, and either redirects with a message or shows
the same form again, with what the user typed and a message per field (422), or with
the saved-versus-yours comparison when someone else saved first (409).

One blueprint, ``secretariat``, with one module per section of the pages; the form
helpers they share are in ``forms``.
"""

from __future__ import annotations

from flask import Blueprint

from tracker.routes.guards import require_roles
from tracker.services.permissions import STAFF_ROLES

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

# Only the secretariat (and admins) may use these pages.
bp.before_request(require_roles(*STAFF_ROLES))

# Each section adds its routes to ``bp`` when imported; they need ``bp`` defined first.
from tracker.routes.secretariat import (
    actions,
    dashboard,
    forms,
    indicators,
    plans,
    recommendations,
    reviews,
    rounds,
    spreadsheets,
    workspace,
)

bp.context_processor(forms.form_choices)

__all__ = [
    "actions", "bp", "dashboard", "indicators", "plans", "recommendations", "reviews", "rounds", "spreadsheets",
    "workspace",
]
