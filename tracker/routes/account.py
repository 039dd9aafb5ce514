"""Every signed-in user's own account: password and personal API tokens."""

from __future__ import annotations

from flask import Blueprint

from tracker.models import ROLES
from tracker.routes.guards import require_roles

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_request(require_roles(*ROLES))
