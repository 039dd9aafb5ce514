"""Which language a page is in, and the switcher that changes it.

The choice, first that names one of ``LANGUAGES`` wins:

1. ``?lang=`` in the URL: a link someone shared ("read this in Spanish") and the
   switcher's own links; it is the most explicit and the most recent word.
2. The ``lang`` cookie: what this browser last chose with the switcher (``?lang=`` sets
   it), so the choice survives the next click without putting ``?lang=`` on every link.
3. The signed-in user's account language (``users.locale``): the default on a browser
   that chose nothing yet, and the only one emails can use. It comes after the cookie so
   the switcher still works for a signed-in user; saving the account page sets the
   cookie too, so a new account choice shows at once.
4. ``Accept-Language``: a first visit, before any choice (``es-MX`` finds ``es``).
5. English, the language of the source reports.

The JSON API chooses the same way for its error messages, with one difference: it ignores
the session, so the account is the bearer token's owner (``use_account``), and a caller that
names no language gets English.

On the command line, the operator's locale (``LANG``) chooses: the commands' messages and
their ``--help`` (``tracker.cli_help``).

The public cache (``tracker.web.public_cache``) makes the same choice (without the
account: it only answers visitors who are not signed in) and keys pages by it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, Response, current_app, g, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

COOKIE = "lang"
PARAMETER = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
DEFAULT = "en"
# Where ``use_account`` keeps the user of a request not signed in by session (the API's token).
ACCOUNT = "language_account"


def choose(languages: list[str], *, query: str | None = None, cookie: str | None = None,
           account: str | None = None, accept_language: str | None = None) -> str:
    """The language to use, in the order of precedence above."""
    for chosen in (query, cookie, account):
        if chosen and chosen.strip().lower() in languages:
            return chosen.strip().lower()
    return parse_accept_header(accept_language, LanguageAccept).best_match(languages) or DEFAULT


def known(code: str | None, languages: list[str]) -> str | None:
    """``code`` if it names one of ``languages`` (case aside), else None."""
    code = (code or "").strip().lower()
    return code if code in languages else None


def select_for_request() -> str | None:
    """Flask-Babel's locale selector: the request's choice. Outside a request (the command
    line, the scheduler) the operator's environment (``LANGUAGE``, ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``), as other command-line programs do; emails set their
    recipient's language themselves with ``force_locale``."""
    if not has_request_context():
        return environment_language(current_app.config["LANGUAGES"])
    user = request_account()
    account = getattr(user, "locale", None) if user is not None else None
    return choose(current_app.config["LANGUAGES"], query=request.args.get(PARAMETER),
                  cookie=request.cookies.get(COOKIE), account=account,
                  accept_language=request.headers.get("Accept-Language"))


def request_account():
    """Whose account language the request may use: the user a request authenticated as some
    other way than the session (``use_account``: the API's bearer token, or nobody), else the
    signed-in user of the pages, else None."""
    if ACCOUNT in g:
        return g.get(ACCOUNT)
    from flask_login import current_user

    return current_user if current_user.is_authenticated else None


def use_account(user) -> None:
    """Choose by ``user``'s account (None: no account) for the rest of this request, instead of
    the session's; the API calls it once it knows the token's owner, since it ignores the
    session cookie. A locale chosen already (before the caller was known) is chosen again."""
    from flask_babel import refresh

    setattr(g, ACCOUNT, user)
    refresh()


def environment_language(languages: list[str]) -> str:
    """The language the environment's locale variables name, if one of ``languages``; else English."""
    # gettext's order; not Babel's default_locale, which reads LC_CTYPE (Python sets it to C.UTF-8).
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            code = value.split(":")[0].split(".")[0].split("_")[0].lower()
            return code if code in languages else DEFAULT
    return DEFAULT


def native_name(code: str) -> str:
    """The language named in itself, as its speakers look for it: "Español", "Русский"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Choice:
    """One link of the switcher."""

    code: str
    name: str
    url: str
    current: bool


def switcher(current: str) -> list[Choice]:
    """This page in each language: the same path and query, with ``lang`` set."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER]
    choices = []
    for code in current_app.config["LANGUAGES"]:
        query = urlencode([*args, (PARAMETER, code)])
        choices.append(Choice(code, native_name(code), f"{request.script_root}{request.path}?{query}",
                              code == current))
    return choices


def remember(response: Response, code: str) -> None:
    """Keep ``code`` in the language cookie (one year), unless it is there already."""
    if request.cookies.get(COOKIE) == code:
        return
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure or current_app.config["SESSION_COOKIE_SECURE"])
    # A shared cache must not keep a response that sets a cookie (it was public otherwise).
    response.cache_control.public = False
    response.cache_control.private = True


def init_app(app: Flask) -> None:
    """Remember a ``?lang=`` choice in the cookie; give templates the switcher and the locale
    (``<html lang>``, emails included)."""
    from flask_babel import get_locale, refresh

    app.jinja_env.globals["get_locale"] = get_locale

    @app.before_request
    def choose_again():
        # Flask-Babel keeps the locale on the app context, which a request shares with an
        # app context already pushed (a test's, a CLI's): each request chooses its own.
        g.pop(ACCOUNT, None)
        refresh()

    @app.after_request
    def remember_choice(response: Response) -> Response:
        chosen = known(request.args.get(PARAMETER), app.config["LANGUAGES"])
        if chosen and request.method in ("GET", "HEAD"):
            remember(response, chosen)
        return response

    @app.context_processor
    def languages():
        if not has_request_context():
            return {}
        from flask_babel import get_locale

        return {"language_switcher": lambda: switcher(str(get_locale() or DEFAULT))}
