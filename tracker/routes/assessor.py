"""Independent assessors: a status per recommendation for an assessment round."""

from __future__ import annotations

from flask import Blueprint

from tracker.routes.guards import require_roles

bp = Blueprint("assessor", __name__, url_prefix="/assessor")
bp.before_request(require_roles("assessor", "admin"))
