"""Error pages and JSON errors."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.services.errors import Forbidden, NotFound
from tracker.web import outage
from tracker.web.input import too_large_message


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register(app: Flask) -> None:
    """Render HTTP errors as pages (or JSON under /api/)."""
    outage.register(app)  # database down: 503

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return jsonify(error=exc.name, message=exc.description), exc.code
        return render_template("error.html", error=exc), exc.code

    @app.errorhandler(413)
    def too_large(exc):
        exc.description = too_large_message()
        return http_error(exc)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if _wants_json():
            return jsonify(error="Bad Request", message=exc.description), 400
        return render_template("error.html", error=exc), 400

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        from werkzeug.exceptions import NotFound as HTTPNotFound

        return http_error(HTTPNotFound(str(exc)))

    @app.errorhandler(Forbidden)
    def forbidden(exc: Forbidden):
        from werkzeug.exceptions import Forbidden as HTTPForbidden

        return http_error(HTTPForbidden(str(exc)))
