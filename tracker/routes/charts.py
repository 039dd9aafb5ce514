"""Public charts: PNG and SVG bytes, cached by the data's version, each with its CSV."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("charts", __name__)
