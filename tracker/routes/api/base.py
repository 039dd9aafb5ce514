"""What every API blueprint shares: token authentication, JSON errors, pagination.

Errors have one shape everywhere under /api (``ErrorOutput``)::

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"percent_complete": ["Enter a whole number from 0 to 100."]}}}

``errors`` appears when fields were refused, keyed by where they were sent
(``json`` for the request body, ``query`` for the query string), then by field name.

The messages are in the request's language, chosen as the pages choose it
(``web.languages``: ``?lang=``, the ``lang`` cookie, the token owner's account language,
``Accept-Language``), English when none is asked for. Keys, codes and ``status`` never
change: they are for programs. ``error_response`` translates every message once, when the
error is written (``schemas.messages.translate``), whether it is a schema's, marshmallow's,
werkzeug's or the API's own; a service's sentence comes translated already.
"""

from __future__ import annotations

import http
from copy import deepcopy
from datetime import UTC, date, datetime
from functools import wraps
from typing import NoReturn

import marshmallow as ma
from flask import jsonify, request
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationMetadataSchema, PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from sqlalchemy import Select, func, select
from webargs.flaskparser import abort
from werkzeug.exceptions import HTTPException

from tracker.extensions import csrf, db
from tracker.routes.api.auth import Unauthenticated, authenticate
from tracker.schemas.messages import N_, translate, translate_errors
from tracker.schemas.output import output_language
from tracker.schemas.translations import LANGUAGE_CODE
from tracker.services.errors import EditConflict, Forbidden, NotFound, Throttled, ValidationFailed
from tracker.services.permissions import is_staff
from tracker.web.input import too_large_message

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# Pages beyond this are refused (422): the offset they ask for would overflow the
# database's integers (a 500) long before any list is that long.
MAX_PAGE = 2**31 - 1
FIELD_ERRORS = N_("Some fields were refused; see errors.")


def today() -> date:
    """The date the API judges "overdue" by (UTC)."""
    return datetime.now(UTC).date()


# werkzeug's words for an HTTP error nothing more precise was said about (an unknown URL, a
# method a URL does not take, a body that is not JSON): marked so the catalogue translates them.
# tests/translations/test_api_errors.py checks they are still werkzeug's.
HTTP_DESCRIPTIONS = {
    400: N_("The browser (or proxy) sent a request that this server could not understand."),
    401: N_("The server could not verify that you are authorized to access the URL requested. You either "
            "supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to "
            "supply the credentials required."),
    403: N_("You don't have the permission to access the requested resource. It is either read-protected or "
            "not readable by the server."),
    404: N_("The requested URL was not found on the server. If you entered the URL manually please check your "
            "spelling and try again."),
    405: N_("The method is not allowed for the requested URL."),
    409: N_("A conflict happened while processing the request. The resource might have been modified while "
            "the request was being processed."),
    415: N_("The server does not support the media type transmitted in the request."),
    429: N_("This user has exceeded an allotted request count. Try again later."),
}


def error_response(code: int, message: str | None = None, errors: dict | None = None,
                   headers: dict | None = None, **extra):
    """The JSON error every API failure answers with (``extra``: fields ``ErrorOutput`` documents)."""
    body = {"code": code, "status": http.HTTPStatus(code).phrase,
            "message": translate(message or http.HTTPStatus(code).description)}
    if errors:
        body["errors"] = translate_errors(errors)
    body.update(extra)
    response = jsonify(body)
    response.status_code = code
    response.headers.extend(headers or {})
    return response


def refuse(location: str, errors: dict) -> NoReturn:
    """Answer 422 naming the refused fields of ``location`` ("json" or "query")."""
    abort(422, message=FIELD_ERRORS, errors={location: errors})


def http_error(exc: HTTPException):
    """Any HTTP error, including webargs' validation errors and unexpected 500s, as JSON."""
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or (FIELD_ERRORS if errors else exc.description)
    # Keep the headers werkzeug adds (Allow on 405, WWW-Authenticate), not its HTML type.
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    return error_response(exc.code or 500, message, errors, headers)


def _too_large(exc: HTTPException):
    return error_response(413, too_large_message())


def _unauthenticated(exc: Unauthenticated):
    return error_response(401, str(exc), headers={"WWW-Authenticate": exc.challenge})


def _validation_failed(exc: ValidationFailed):
    # Services validate request bodies, so their field names are those of the JSON body.
    return error_response(422, FIELD_ERRORS, {"json": exc.errors})


def _not_found(exc: NotFound):
    return error_response(404, str(exc))


def _forbidden(exc: Forbidden):
    return error_response(403, str(exc))


def _conflict(exc: EditConflict):
    return error_response(409, str(exc))


def _throttled(exc: Throttled):
    return error_response(429, str(exc), headers={"Retry-After": str(exc.retry_after)})


class PageRequest(PaginationParameters):
    """The page a list request asks for; ``items`` runs the query for that page only."""

    def items(self, query: Select) -> list:
        """The rows of ``query`` on this page; also counts all rows for the X-Pagination header."""
        self.item_count = db.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        return list(db.session.scalars(query.limit(self.page_size).offset(self.first_item)))


class PageArguments(ma.Schema):
    """``page`` and ``per_page`` query arguments of every list."""

    class Meta:
        unknown = ma.EXCLUDE  # the other query arguments are the list's filters

    page = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    per_page = ma.fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page (default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE})."},
    )

    @ma.post_load
    def page_request(self, data, **kwargs) -> PageRequest:
        return PageRequest(data["page"], data["per_page"])


LANGUAGE_MESSAGE = N_("Give a language code such as es, fr or ru.")


class LanguageArgument(ma.Schema):
    """``lang``: the one language the content is wanted in (``schemas.output.TranslatedOutput``)."""

    lang = ma.fields.String(validate=ma.validate.Regexp(LANGUAGE_CODE, error=LANGUAGE_MESSAGE), metadata={
        "description": "One language for titles and texts, e.g. es: each is given in it where translated, "
                       "else in the original English, with <field>_language saying which. Without it, "
                       "the original with <field>_translations (every translation)."})


def _content_language():
    """Every API answer is in the language ``?lang=`` asks for, or gives every translation."""
    language = request.args.get("lang")
    if language is not None and not LANGUAGE_CODE.fullmatch(language):
        refuse("query", {"lang": [LANGUAGE_MESSAGE]})
    output_language.set(language or None)


def _forget_content_language(exc=None):
    output_language.set(None)


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint that authenticates by token and answers only in JSON.

    CSRF protection is off for API blueprints, and that is safe: CSRF abuses credentials
    a browser attaches on its own (the session cookie), and the API ignores that cookie.
    It trusts only the Authorization header, which a browser never adds to a cross-site
    request by itself, so a forged request arrives anonymous and can change nothing.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        csrf.exempt(self)
        self.before_request(authenticate)
        self.before_request(_content_language)
        self.teardown_request(_forget_content_language)
        self.register_error_handler(HTTPException, http_error)
        self.register_error_handler(413, _too_large)
        self.register_error_handler(Unauthenticated, _unauthenticated)
        self.register_error_handler(ValidationFailed, _validation_failed)
        self.register_error_handler(NotFound, _not_found)
        self.register_error_handler(Forbidden, _forbidden)
        self.register_error_handler(EditConflict, _conflict)
        self.register_error_handler(Throttled, _throttled)

    def paginated(self):
        """Paginate a list with ``page`` and ``per_page``, answering the X-Pagination header.

        flask-smorest's own ``paginate`` names its size argument ``page_size``; ours is
        ``per_page``. The view gets a ``page`` argument (``PageRequest``) and returns
        ``page.items(query)``; the header and its OpenAPI description are flask-smorest's.
        """

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                page = self.PAGINATION_ARGUMENTS_PARSER.parse(PageArguments, request, location="query")
                result, status, headers = unpack_tuple_response(func(*args, page=page, **kwargs))
                if page.item_count is None:
                    raise RuntimeError(f"{request.endpoint} did not use page.items(query)")
                result, headers = self._set_pagination_metadata(page, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["pagination"] = {
                "parameters": {"in": "query", "schema": PageArguments},
                "response": {422: http.HTTPStatus(422).name},
            }
            return wrapper

        return decorator

    def _document_pagination_metadata(self, spec, resp_doc):
        """Document X-Pagination as the JSON object it is (a header ``content``, not a ``schema``:
        a header with an object schema would mean OpenAPI's comma-separated "simple" style)."""
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata, a JSON object.",
            "content": {"application/json": {"schema": PaginationMetadataSchema}},
        }

    def errors(self, *codes: int):
        """Document the error answers an operation may give (all in the ErrorOutput shape)."""

        def decorator(func):
            for code in codes:
                func = self.alt_response(code, response=http.HTTPStatus(code).name)(func)
            return func

        return decorator


def json_body(*, optional: bool = False) -> dict:
    """The request's JSON object (415 if it is not JSON, 400 if it does not parse, 422 if not an object)."""
    if optional and not request.get_data(cache=True):
        return {}
    data = request.get_json()
    if not isinstance(data, dict):
        refuse("json", {"_schema": [N_("Send a JSON object with named fields.")]})
    return dict(data)


def request_body(schema, example: dict | None = None, *, required: bool = True) -> dict:
    """An operation's JSON request body for the OpenAPI document, with an example (the services
    validate it, with the same rules as the pages' forms)."""
    content: dict = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"required": required, "content": {"application/json": content}}


def require_staff(user, message: str = N_("Only the secretariat may do this.")) -> None:
    """403 unless ``user`` is the secretariat or an admin: the rule of the secretariat's pages."""
    if not is_staff(user):
        raise Forbidden(message)


def require_admin(user, message: str = N_("Only admins may do this.")) -> None:
    """403 unless ``user`` is an admin: the rule of the admin pages."""
    if user is None or user.role != "admin":
        raise Forbidden(message)


def created(body, location: str):
    """A 201 answer with its Location header."""
    return body, 201, {"Location": location}


LOCATION_HEADER = {"Location": {"description": "Where the new item is", "schema": {"type": "string"}}}


def stored_values(item, schema) -> dict:
    """``item``'s stored values of ``schema``'s fields (plain columns): what a partial change
    (PATCH) starts from, so the fields a caller leaves out keep their values."""
    values = {}
    for name in schema().fields:
        value = getattr(item, name, None)
        if value is not None:
            values[name] = value
    return values
