"""Request bodies: how large they may be, and what JSON in them may hold.

Hostile bodies are refused before any work is done for them, so one sender cannot stall
everyone else (issue 12, items 17 and 18):

- Size. Only a file upload (``multipart/form-data``) may be as large as ``MAX_CONTENT_LENGTH``
  (16 MB). Any other body, JSON or a plain form, and each field of an upload other than its
  files, is refused above ``MAX_FORM_AND_JSON_BYTES`` (512 KB): 413, answered from the
  Content-Length before a byte is read (a body sent without one is cut off at the limit).
- JSON. Every request body is parsed by ``loads`` below (the app's JSON provider), which refuses what the databases
  cannot store or the server should not work through, naming the field: a NUL or a lone
  surrogate in any string or field name (PostgreSQL cannot store either), an integer beyond
  64 bits, a number that is infinite or not a number, and nesting deeper than ``MAX_DEPTH``.
  The input schemas then check types, lengths and ranges field by field.
"""

from __future__ import annotations

import json
import math
from collections import deque
from typing import Any

from flask import Flask, Request, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    RequestEntityTooLarge,
    UnprocessableEntity,
)

from tracker.schemas.base import unstorable_character

# No request body of this service nests deeper than a report's list of links (2 levels).
MAX_DEPTH = 32
_INT64 = 2**63
_TOO_LARGE = "This number is too large: whole numbers must fit in 64 bits."
_NOT_FINITE = "Send a finite number (not NaN or Infinity)."


class RefusedJSON(ValueError):
    """A JSON body that parses but cannot be accepted: ``path`` leads to the refused value.

    A ``ValueError``, as a body that does not parse is, so that ``Request.get_json`` hands
    it to ``on_json_loading_failed``.
    """

    def __init__(self, message: str, path: tuple = (), *, status: int = 422):
        super().__init__(message)
        self.message = message
        self.path = path
        self.status = status

    def http_exception(self) -> HTTPException:
        """The 400 or 422 to answer, with the field named in the API's error shape."""
        named = [str(step) for step in self.path]
        text = f"{'.'.join(named)}: {self.message}" if named else self.message
        exc = (UnprocessableEntity if self.status == 422 else BadRequest)(text)
        exc.data = {"message": text}
        if named:
            errors: Any = [self.message]
            for step in reversed(named):
                errors = {step: errors}
            exc.data["errors"] = {"json": errors}
        return exc


class _Refused:
    """What a parse hook puts in place of a number it refuses, reported with its path."""

    def __init__(self, message: str):
        self.message = message


def _parse_int(text: str):
    # Judged by its digits first: int() of a 5,000-digit string is slow, then refused anyway.
    if len(text.lstrip("-")) > 19:
        return _Refused(_TOO_LARGE)
    number = int(text)
    return number if -_INT64 <= number < _INT64 else _Refused(_TOO_LARGE)


def _parse_float(text: str):
    number = float(text)
    return number if math.isfinite(number) else _Refused(_NOT_FINITE)  # 1e400 is inf


def _parse_constant(name: str):
    return _Refused(_NOT_FINITE)  # NaN, Infinity, -Infinity


def loads(data: str | bytes) -> Any:
    """Parse a request body's JSON, refusing (``RefusedJSON``) what cannot be accepted."""
    try:
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float,
                           parse_constant=_parse_constant)
    except RecursionError:
        # The parser nests one level per bracket; 100,000 brackets exhaust the stack.
        raise RefusedJSON(f"The JSON is nested more than {MAX_DEPTH} levels deep.", status=400) from None
    _refuse_problems(value)
    return value


def _refuse_problems(value: Any) -> None:
    """Raise ``RefusedJSON`` for the first problem found, breadth first (top-level fields first)."""
    queue = deque([(value, (), 0)])
    while queue:
        item, path, depth = queue.popleft()
        if isinstance(item, _Refused):
            raise RefusedJSON(item.message, path)
        if isinstance(item, str):
            problem = unstorable_character(item)
            if problem:
                raise RefusedJSON(problem, path)
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise RefusedJSON(f"The JSON is nested more than {MAX_DEPTH} levels deep.", path[:1], status=400)
        if isinstance(item, list):
            queue.extend((inner, (*path, index), depth + 1) for index, inner in enumerate(item))
            continue
        for key, inner in item.items():
            problem = unstorable_character(key)
            if problem:
                # The name as it can be shown: the offending characters replaced.
                shown = "".join("\ufffd" if unstorable_character(c) else c for c in key)
                raise RefusedJSON(problem, (*path, shown))
            queue.append((inner, (*path, key), depth + 1))


class TrackerJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with ``loads`` above: ``request.get_json()`` parses every body with it."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class TrackerRequest(Request):
    """Flask's request with the body limits described above, naming what JSON it refused."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.mimetype == "multipart/form-data" or not current_app:
            return limit
        small = current_app.config["MAX_FORM_AND_JSON_BYTES"]
        return small if limit is None else min(limit, small)

    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is not None or not current_app:
            return super().max_form_memory_size
        return current_app.config["MAX_FORM_AND_JSON_BYTES"]

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, RefusedJSON):
            raise e.http_exception()
        if e is not None:
            from flask_babel import gettext as _

            raise BadRequest(_("The request body is not valid JSON: %(problem)s", problem=e))
        return super().on_json_loading_failed(e)  # not sent as JSON: 415


def too_large_message() -> str:
    """What a 413 says: which limit the request went over, and that nothing was stored."""
    from flask_babel import gettext as _

    config = current_app.config
    if request.mimetype == "multipart/form-data" and (request.content_length or 0) > config["MAX_CONTENT_LENGTH"]:
        return _("The upload is larger than the %(limit)s MB limit; nothing was stored.",
                 limit=config["MAX_CONTENT_LENGTH"] // (1024 * 1024))
    limit = config["MAX_FORM_AND_JSON_BYTES"] // 1024
    if request.mimetype == "multipart/form-data":
        return _("A field of the form is larger than the %(limit)s KB limit for forms and JSON; nothing was stored.",
                 limit=limit)
    return _("The request is larger than the %(limit)s KB limit for forms and JSON; nothing was stored.", limit=limit)


def init_app(app: Flask) -> None:
    """Use ``TrackerRequest`` and ``TrackerJSONProvider``; refuse an oversized body before anything else runs."""
    app.request_class = TrackerRequest
    app.json = TrackerJSONProvider(app)

    @app.before_request
    def refuse_oversized_bodies():
        # The first check of every request (registered before any other): CSRF checks and
        # API authentication read nothing, let alone the database, for a body refused here.
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
