"""What every input schema shares: the field types that bound whatever people and programs send.

Every field of an input schema is one of these (``tests/integrity/test_input.py`` checks it),
so no value reaches a service or the database unbounded, whether it came from a form, the
JSON API, a spreadsheet or a seed file:

- ``Text``: at most ``max_length`` characters, none of which the databases cannot store;
- ``Code``: the code of an area, recommendation, action or readiness item, safe in a URL;
- ``Integer``: a whole number within a range (the databases' integers stop at 2**31 - 1);
- ``Date``: a day from 1900-01-01 to 2199-12-31;
- ``List``: at most ``max_items`` items, counted before any of them is read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import ClassVar

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, utils, validate

from tracker.models.types import EARLIEST_DATE, LATEST_DATE, MAX_INTEGER

# N_ marks the schemas' messages for the catalogue, and the API translates them (``schemas.messages``).
from tracker.schemas.messages import N_

REQUIRED = {"required": N_("This field is required."), "null": N_("This field is required.")}
# Field metadata: take the string exactly as typed (see ``InputSchema.normalise``).
VERBATIM = "verbatim"
DATE_MESSAGE = N_("Enter a date between {first} and {last}.").format(first=EARLIEST_DATE.year, last=LATEST_DATE.year)
CODE_MAX_LENGTH = 40
CODE_MESSAGE = N_(
    "Use at most {max} letters, digits, '.', '_' or '-', starting with a letter or "
    "digit (e.g. A1, R-2 or 3.4): a code is part of the item's web address."
).format(max=CODE_MAX_LENGTH)
# Letters and digits of ASCII only: a code is typed into URLs and spreadsheets, and compared
# as it is; '/', '?', '#', '%' and spaces would break its page's address, and "." or ".." as a
# whole would be resolved away by browsers.
_CODE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{CODE_MAX_LENGTH - 1}}}")
# NUL cannot be stored in PostgreSQL text; a lone UTF-16 surrogate is not a character and
# cannot be encoded as UTF-8 (JSON's "\ud800" escape makes one).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_character(text: str) -> str | None:
    """Why ``text`` cannot be stored as it is, or None: it holds a NUL or a lone surrogate."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return N_("Text may not contain NUL characters (\\x00).")
    return N_("Text may not contain a lone surrogate (\\ud800-\\udfff): it is not a character.")


class InputSchema(Schema):
    """Input as people type it: trimmed, with empty strings meaning "no value".

    Fields declared ``verbatim`` (passwords) are never trimmed: what was typed is the value.
    Unknown fields are refused so a typo in an API call is reported, not ignored.
    A schema with ``blank_is_missing`` treats a field left blank as one not given at all,
    so its default applies, or its "required" message, rather than "may not be null": a
    form sends every field, typed in or not.
    """

    blank_is_missing: ClassVar[bool] = False

    class Meta:
        unknown = RAISE

    @pre_load
    def normalise(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        verbatim = {
            field.data_key or name for name, field in self.load_fields.items() if field.metadata.get(VERBATIM)
        }
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str) and key in verbatim:
                value = value or None  # nothing typed is "no value"; anything typed is kept whole
            elif isinstance(value, str):
                value = value.strip() or None
                if value is None and self.blank_is_missing:
                    continue
            elif isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, date):
                # YAML and spreadsheets hand over dates already parsed.
                value = value.isoformat()
            cleaned[key] = value
        return cleaned


class Text(fields.String):
    """A string of ``min_length`` to ``max_length`` characters that the databases can store.

    The length is checked before anything else is done with the text, and before validators
    given with ``validate`` run, so one message says what is wrong.
    """

    default_error_messages: ClassVar[dict[str, str]] = {
        "too_long": N_("Use at most {max:,} characters."),
        "too_short": N_("Use at least {min:,} characters."),
    }

    def __init__(self, *, max_length: int, min_length: int = 0, **kwargs):
        # The API's OpenAPI document states the limits too (apispec reads these keys).
        limits = {"maxLength": max_length, **({"minLength": min_length} if min_length else {})}
        kwargs["metadata"] = {**limits, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.min_length = min_length

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if len(text) < self.min_length:
            raise self.make_error("too_short", min=self.min_length)
        problem = unstorable_character(text)
        if problem:
            raise ValidationError(problem)
        return text


def required_str(*, max_length: int, **kwargs) -> Text:
    """A required, non-empty text field (``error_messages`` may override the usual ones)."""
    messages = {**REQUIRED, **kwargs.pop("error_messages", {})}
    return Text(required=True, error_messages=messages, max_length=max_length, **kwargs)


# Passwords are never altered, only refused when they are too long to be a password: hashing
# megabytes of "password" on every sign-in would be work anyone could make the server do.
PASSWORD_MAX_LENGTH = 1024


def password_field(**kwargs) -> Text:
    """A required password, taken exactly as typed: spaces at either end are part of it."""
    return required_str(load_only=True, max_length=PASSWORD_MAX_LENGTH, metadata={VERBATIM: True}, **kwargs)


class OptionalText(Text):
    """Free text that may be left empty; an empty form field becomes ``""``, not an error."""

    def __init__(self, **kwargs):
        super().__init__(load_default="", allow_none=True, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        result = super().deserialize(value, attr, data, **kwargs)
        return "" if result is None else result


class Code(Text):
    """The code an item is known by in its plan (``A1``, ``R-2``, ``3.4``), and in its URLs.

    Required unless said otherwise; the one rule for the codes of areas, recommendations,
    actions and readiness dimensions and questions.
    """

    default_error_messages: ClassVar[dict[str, str]] = {"too_long": CODE_MESSAGE, "not_a_code": CODE_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", True)
        kwargs.setdefault("error_messages", REQUIRED)
        super().__init__(max_length=CODE_MAX_LENGTH, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if not _CODE.fullmatch(code):
            raise self.make_error("not_a_code")
        return code


class Integer(fields.Integer):
    """A whole number from ``minimum`` to ``maximum``; anything else gets one message saying so.

    Numbers are bounded because the databases' integers are (2**31 - 1 for PostgreSQL's
    ``integer``): a larger one overflowed in a query or an insert, a 500.
    """

    def __init__(self, *, minimum: int, maximum: int, message: str | None = None, **kwargs):
        message = message or N_("Enter a whole number from {minimum:,} to {maximum:,}.").format(minimum=minimum, maximum=maximum)
        errors = {"invalid": message, "too_large": message, **kwargs.pop("error_messages", {})}
        super().__init__(validate=validate.Range(minimum, maximum, error=message), error_messages=errors,
                         **kwargs)

    def _validated(self, value) -> int:
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")  # 2.5 is not a whole number; int() would make it 2
        return super()._validated(value)


def id_field(**kwargs) -> Integer:
    """The id of a stored item, as the databases' integer ids can hold it."""
    return Integer(minimum=1, maximum=MAX_INTEGER, **kwargs)


# Positions order items within a plan; a million leaves room for any plan and for gaps.
MAX_POSITION = 1_000_000


def position_field() -> Integer:
    """An item's place in its list (0 when not given)."""
    return Integer(minimum=0, maximum=MAX_POSITION, load_default=0)


class Date(fields.Date):
    """A day written YYYY-MM-DD, from 1900-01-01 to 2199-12-31: the one date type of every schema.

    Dates outside that range were accepted once (an action due 9999-12-31 broke the plan's
    Gantt for everyone, since nothing can be drawn a day after it).
    """

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(EARLIEST_DATE, LATEST_DATE, error=DATE_MESSAGE), **kwargs)


class List(fields.List):
    """A list of at most ``max_items`` items: a longer one is refused before any item is read."""

    default_error_messages: ClassVar[dict[str, str]] = {"too_many": N_("Give at most {max:,} {noun}.")}

    def __init__(self, inner, *, max_items: int, noun: str = N_("items"), **kwargs):
        kwargs["metadata"] = {"maxItems": max_items, **kwargs.get("metadata", {})}
        super().__init__(inner, **kwargs)
        self.max_items = max_items
        self.noun = noun

    def _deserialize(self, value, attr, data, **kwargs):
        if utils.is_collection(value) and len(value) > self.max_items:
            raise self.make_error("too_many", max=self.max_items, noun=self.noun)
        return super()._deserialize(value, attr, data, **kwargs)


# Indicator values and targets: wide enough for any count, budget or index score, and far
# from the float limits where arithmetic (change per year) would overflow.
NUMBER_LIMIT = 1e15


class Number(fields.Float):
    """A finite number from -10**15 to 10**15 (decimals allowed); one message says so otherwise."""

    def __init__(self, *, message: str | None = None, **kwargs):
        message = message or N_("Enter a number (e.g. 42 or 3.5).")
        errors = {"invalid": message, "special": message, **kwargs.pop("error_messages", {})}
        kwargs["metadata"] = {"minimum": -NUMBER_LIMIT, "maximum": NUMBER_LIMIT, **kwargs.get("metadata", {})}
        super().__init__(validate=validate.Range(-NUMBER_LIMIT, NUMBER_LIMIT, error=message),
                         error_messages=errors, allow_nan=False, **kwargs)
