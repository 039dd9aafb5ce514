"""Error pages and JSON errors."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.services.errors import Forbidden, NotFound
from tracker.web import outage
from tracker.web.input import too_large_message


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _page_words(exc: HTTPException) -> tuple[str, str]:
    """The error page's heading and message in the app's words.

    A view that says why (``abort(403, "...")``, a service's ``Forbidden("...")``) keeps
    its own message; Werkzeug's stock sentences ("You don't have the permission to access
    the requested resource...") are replaced by ours, which say what to do next.
    """
    headings = {
        400: _("This request could not be used"),
        403: _("You cannot use this page"),
        404: _("Page not found"),
        405: _("This page does not take that request"),
        413: _("Too large to accept"),
        429: _("Too many attempts"),
        503: _("Not available just now"),
    }
    messages = {
        400: _("Something in the request was not what this page expects. Go back, check what you sent, and try again."),
        403: _("Your account does not give access to this page. If you need it, ask the secretariat to change "
               "your role, or sign in with another account."),
        404: _("There is no page at this address. Check the address, or find what you are looking for "
               "from the list of plans or the search."),
        405: _("This address does not accept that kind of request. Use the links and buttons on the pages."),
        413: _("What you sent is larger than this site accepts."),
        429: _("There were too many attempts in a short time. Wait a few minutes, then try again."),
        503: _("This part of the site is not available just now. Try again in a few minutes."),
    }
    stock = type(exc).description  # Werkzeug's sentence for the code, unless the view gave its own
    description = exc.description if exc.description and exc.description != stock else None
    return headings.get(exc.code, exc.name), description or messages.get(exc.code, exc.name)


def register(app: Flask) -> None:
    """Render HTTP errors as pages in the app's words (or JSON under /api/)."""
    outage.register(app)  # database down: 503

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            return jsonify(error=exc.name, message=exc.description), exc.code
        heading, message = _page_words(exc)
        return render_template("error.html", error=exc, heading=heading, message=message), exc.code

    @app.errorhandler(413)
    def too_large(exc):
        exc.description = too_large_message()
        return http_error(exc)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if _wants_json():
            return jsonify(error="Bad Request", message=exc.description), 400
        return render_template("error.html", error=exc, heading=_("This form has expired"),
                               message=exc.description), 400

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound):
        from werkzeug.exceptions import NotFound as HTTPNotFound

        return http_error(HTTPNotFound(str(exc)))

    @app.errorhandler(Forbidden)
    def forbidden(exc: Forbidden):
        from werkzeug.exceptions import Forbidden as HTTPForbidden

        return http_error(HTTPForbidden(str(exc)))
