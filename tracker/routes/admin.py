"""Administrators: users and agencies."""

from __future__ import annotations

from flask import Blueprint

from tracker.routes.guards import require_roles

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_roles("admin"))
