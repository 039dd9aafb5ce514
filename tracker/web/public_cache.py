"""The public's pages and charts served from memory, in front of Flask, never stale.

What the public (a GET with no cookie but the language's and no Authorization header)
sees depends only on the data, the URL, the host and scheme, the language and the day. So the response to
such a request, once rendered, is kept under that key plus the data version
(``publishing.data_version``: moved on in the same transaction as every write), and the
next request with the same key is answered from memory: one indexed read of the
counter, no view, no template, no hooks. A change shows at once, because it moves the
counter and with it every key.

Only views that say so are kept, ``@public_page`` pages and ``@public_response`` charts;
requests for anything else pass straight through. Only a 200 that set no cookie is kept. The stored response is the one Flask produced, with
every header its hooks added (security headers included), so a replay is
byte-for-byte what Flask would send; a request whose If-None-Match names its ETag gets
a 304. Each worker process keeps its own entries, bounded by ``PUBLIC_CACHE_ENTRIES``
(default 512; 0 turns the cache off) and ``PUBLIC_CACHE_BYTES`` (default 64 MiB).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import parse_qs

from flask import Flask, make_response, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_cookie, parse_etags, unquote_etag

from tracker.publishing.data_version import current_data_version
from tracker.web import languages as languages_module
from tracker.web.response_cache import PUBLIC, ResponseCache

KEY = "tracker.web.public_cache.key"          # set by the middleware: this request may be kept
CACHEABLE = "tracker.web.public_cache.keep"   # set by the view: keep its response
KEPT = "public_cache_kept"                # on view functions whose responses may be kept
_DROPPED_IN_304 = frozenset({"content-length", "content-type", "content-disposition"})


def select_locale(environ: dict, languages: list[str]) -> str:
    """The language a visitor who is not signed in gets the page in (``tracker.web.languages``)."""
    query = parse_qs(environ.get("QUERY_STRING", "")).get(languages_module.PARAMETER, [None])[0]
    cookie = parse_cookie(environ).get(languages_module.COOKIE)
    return languages_module.choose(languages, query=query, cookie=cookie,
                                   accept_language=environ.get("HTTP_ACCEPT_LANGUAGE"))


def _only_language_cookie(environ: dict) -> bool:
    """Whether the request carries no cookie, or only the language's (no session: the public)."""
    if "HTTP_COOKIE" not in environ:
        return True
    return set(parse_cookie(environ)) <= {languages_module.COOKIE}


@dataclass(frozen=True)
class Stored:
    """A response as Flask sent it."""

    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None


class PublicCache:
    """WSGI middleware in front of ``app``'s own ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.app, self.wsgi_app = app, wsgi_app
        self.cache = app.extensions.setdefault(PUBLIC, ResponseCache(
            max_entries=int(app.config.get("PUBLIC_CACHE_ENTRIES", 512)),
            max_bytes=int(app.config.get("PUBLIC_CACHE_BYTES", 64 * 1024 * 1024)),
        ))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (self.cache.max_entries == 0 or environ.get("REQUEST_METHOD") != "GET"
                or not _only_language_cookie(environ) or "HTTP_AUTHORIZATION" in environ
                or not self._kept_view(environ)):
            return self.wsgi_app(environ, start_response)
        key = self._key(environ)
        if key is None:  # the database is not answering: Flask says so (503)
            return self.wsgi_app(environ, start_response)
        stored = self.cache.get(key)
        if stored is not None:
            return self._replay(stored, environ, start_response)
        environ[KEY] = key
        sent: dict = {}

        def remember(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        headers = sent.get("headers", [])
        if (not environ.get(CACHEABLE) or sent.get("status") != "200 OK"
                or any(name.lower() == "set-cookie" for name, _ in headers)):
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        etag = next((unquote_etag(value)[0] for name, value in headers if name.lower() == "etag"), None)
        self.cache.put(key, Stored(list(headers), data, etag))
        return [data]

    def _kept_view(self, environ: dict) -> bool:
        """Whether the URL leads to a view whose responses may be kept (no query otherwise)."""
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # no such page, or a redirect: Flask answers
            return False
        return getattr(self.app.view_functions.get(endpoint), KEPT, False)

    def _key(self, environ: dict) -> str | None:
        try:
            with self.app.app_context():
                version = current_data_version()
        except SQLAlchemyError:
            return None
        parts = (
            environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
            select_locale(environ, self.app.config["LANGUAGES"]),
            datetime.now(UTC).date().isoformat(), str(version),
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @staticmethod
    def _replay(stored: Stored, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if stored.etag and parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(stored.etag):
            start_response("304 Not Modified",
                           [(n, v) for n, v in stored.headers if n.lower() not in _DROPPED_IN_304])
            return []
        start_response("200 OK", stored.headers)
        return [stored.body]


def init_app(app: Flask) -> None:
    """Put the cache in front of the app (inside any proxy fix, which must see requests first)."""
    app.wsgi_app = PublicCache(app, app.wsgi_app)


def cacheable() -> str | None:
    """Let the public cache keep this request's response; its key, or None if it may not."""
    key = request.environ.get(KEY)
    if key is None or current_user.is_authenticated:  # signed in some way other than a cookie
        return None
    request.environ[CACHEABLE] = True
    return key


def public_response(view: Callable) -> Callable:
    """A view whose answers to the public the cache may keep (it sets its own ETag)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        cacheable()
        return response

    setattr(wrapper, KEPT, True)
    return wrapper


def public_page(view: Callable) -> Callable:
    """A page the public cache may keep; it carries an ETag so browsers revalidate it cheaply."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        key = cacheable()
        if key is None or response.status_code != 200:
            return response
        response.set_etag(key)
        response.cache_control.public = True
        response.cache_control.no_cache = True  # revalidate every time: a change shows at once
        response.vary.update(("Cookie", "Accept-Language"))
        return response.make_conditional(request)

    setattr(wrapper, KEPT, True)
    return wrapper
