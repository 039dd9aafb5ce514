"""Dates, numbers and percentages as the reader's language writes them, through Babel.

The one place pages, emails and charts format what people read: "2 de diciembre de
2026", "1 234,5" (French), "42 %". Each function takes the locale; the Jinja filters
(``init_app``) pass the page's (or, under ``force_locale``, the email recipient's).

English pages keep ISO dates (2026-12-02): the tracker's forms and spreadsheets take and
give ISO dates, and the English-reading secretariats compare the two; the other
languages get their own long form. ``DAY_PATTERNS`` is the one line to change that.
Form fields stay ISO in every language and say so ("YYYY-MM-DD").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.dates import get_month_names
from babel.numbers import format_decimal, format_percent
from flask import Flask

DEFAULT_LOCALE = "en"
# A day in running text and tables, per language; missing: Babel's "long" for the language.
DAY_PATTERNS = {"en": "yyyy-MM-dd"}
# A day with its weekday (emails' deadlines); English keeps the tracker's "Thursday 31 December 2026".
FULL_DAY_PATTERNS = {"en": "EEEE d MMMM yyyy"}
NUMBER_PATTERN = "#,##0.####"  # grouped, up to four decimals, no trailing zeros


def _locale(locale) -> str:
    return str(locale or DEFAULT_LOCALE)


def day(value: date | datetime | None, locale=None) -> str:
    """A day as this language writes it in a sentence or a table; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).date() if value.tzinfo else value.date()
    return _day(value, _locale(locale))


# A page of a table writes a hundred dates and percentages, mostly the same few: Babel parses
# the locale and the pattern on every call, which was a tenth of a plan page's time. The
# results are pure functions of (value, locale), so they are kept; the bounds keep memory small.
@lru_cache(maxsize=8192)
def _day(value: date, locale: str) -> str:
    return babel_date(value, DAY_PATTERNS.get(locale.split("_")[0], "long"), locale=locale)


def full_day(value: date | None, locale=None) -> str:
    """A day with its weekday, as emails name deadlines: "jueves, 31 de diciembre de 2026"."""
    if value is None:
        return ""
    locale = _locale(locale)
    return babel_date(value, FULL_DAY_PATTERNS.get(locale.split("_")[0], "full"), locale=locale)


def moment(value: datetime | None, locale=None) -> str:
    """A time of day in UTC with its day: "2026-12-02 14:05 UTC", "2 de diciembre de 2026 14:05 UTC"."""
    if value is None:
        return ""
    value = value.astimezone(UTC) if value.tzinfo else value
    return f"{day(value, locale)} {babel_time(value, 'HH:mm', locale=_locale(locale))} UTC"


def month_abbreviations(locale=None) -> tuple[str, ...]:
    """The twelve months' short names as a calendar axis labels them: "Jan" ..., "ene" ..., "янв." ..."""
    names = get_month_names("abbreviated", context="stand-alone", locale=_locale(locale))
    return tuple(names[month] for month in range(1, 13))


def number(value: float | None, locale=None) -> str:
    """``1234.5`` as "1,234.5" (English), "1 234,5" (French); ``None`` as ""."""
    if value is None:
        return ""
    return format_decimal(value, NUMBER_PATTERN, locale=_locale(locale))


def percent(value: float | None, locale=None) -> str:
    """A percentage given from 0 to 100 ("42" → "42%", "42 %" in French); ``None`` as ""."""
    if value is None:
        return ""
    return _percent(float(value), _locale(locale))


@lru_cache(maxsize=4096)
def _percent(value: float, locale: str) -> str:
    # The language's own pattern (where the sign goes, and the space before it), one decimal at most.
    pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.#")
    return format_percent(value / 100, pattern, locale=locale)


def init_app(app: Flask) -> None:
    """The filters templates use: ``|day``, ``|full_day``, ``|moment``, ``|number``, ``|percent``,
    each in the current locale (the page's, or the recipient's under ``force_locale``), or in
    the one given (``|day(locale)``)."""
    from flask_babel import get_locale

    def current(function):
        # ``locale``: the page's, when the template has it already (a table's rows pass it to
        # each cell rather than have it looked up again).
        return lambda value, locale=None: function(value, locale or get_locale())

    for name, function in (("day", day), ("full_day", full_day), ("moment", moment),
                           ("number", number), ("percent", percent), ("indicator_number", number)):
        app.jinja_env.filters[name] = current(function)
