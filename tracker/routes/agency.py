"""Agency focal points: what we owe, and progress reports with evidence."""

from __future__ import annotations

from flask import Blueprint

from tracker.routes.guards import require_roles

bp = Blueprint("agency", __name__, url_prefix="/agency")
bp.before_request(require_roles("agency"))
