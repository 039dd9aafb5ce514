"""Open data: CSV and JSON per plan, a Frictionless Data Package, Atom feeds of status changes."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("open_data", __name__)
