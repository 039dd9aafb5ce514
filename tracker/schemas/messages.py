"""The schemas' messages in the reader's language, when the JSON API shows them.

A schema says what is wrong in English ("This field is required.", "Use at most 300
characters.") and marks the words with ``N_`` for the catalogue. Forms turn them into their
own words (``web.field_messages``); the API sends them as they are, translated here when
its error is written (``routes.api.base.error_response``), so the schemas stay unchanged
and one schema serves every caller.

Two kinds of message are translated:

- a msgid of the catalogue, as it is ("Not a valid integer.", a schema's constant);
- a message made from a template, a msgid with ``{placeholders}`` that marshmallow or a
  schema filled in ("Use at most {max:,} characters." became "Use at most 300 characters."):
  the filled-in values are read back from the message and put into the translated template.

``N_`` here marks a message for the catalogue *and* records a template, so marking a
schema's message is all it takes for the API to translate it. marshmallow's own messages
are marked below. A message neither kind knows is sent as it is (a service's sentence,
translated already when the service wrote it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import gettext

# "{max}", "{max:,}", "{language!r}": a placeholder of str.format, by name.
_PLACEHOLDER = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
_TEMPLATES: dict[str, re.Pattern] = {}
# Every marked message: a value filled into a template that is itself one (a list's noun,
# "links") is translated with it.
_MARKED: set[str] = set()


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue, untranslated (the schema keeps English); a message
    with placeholders is also kept as a template the API translates filled in."""
    _MARKED.add(message)
    if "{" in message and "{{" not in message and _PLACEHOLDER.search(message):
        _TEMPLATES.setdefault(message, _pattern(message))
    return message


def _pattern(template: str) -> re.Pattern:
    """A regular expression matching ``template`` filled in, capturing each value by name."""
    parts, seen, position = [], set(), 0
    for found in _PLACEHOLDER.finditer(template):
        name = found.group(1)
        parts.append(re.escape(template[position:found.start()]))
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        position = found.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.DOTALL)


def template_of(message: str) -> tuple[str, dict[str, str]] | None:
    """The template ``message`` was made from and the values it was filled with, or None."""
    for template, pattern in _TEMPLATES.items():
        found = pattern.fullmatch(message)
        if found:
            return template, found.groupdict()
    return None


def translate(message):
    """``message`` in the current locale's words (anything else than a string unchanged)."""
    if not isinstance(message, str) or not message:
        return message
    translated = gettext(message)
    if translated != message:
        return translated
    found = template_of(message)
    if found is None:
        return message
    template, values = found
    words = gettext(template)
    if words == template:
        return message
    return _PLACEHOLDER.sub(lambda m: _filled(values.get(m.group(1), m.group(0))), words)


def _filled(value: str) -> str:
    """A template's filled-in value in the reader's words when it is a marked message."""
    return gettext(value) if value in _MARKED else value


def translate_errors(errors):
    """``errors`` (field -> messages, nested) with each message translated; the keys unchanged."""
    if isinstance(errors, Mapping):
        return {key: translate_errors(value) for key, value in errors.items()}
    if isinstance(errors, list | tuple):
        return [translate_errors(value) for value in errors]
    return translate(errors)


# marshmallow's own messages (marshmallow.fields, marshmallow.validate, Schema), as it
# formats them for the fields the schemas use. tests/translations/test_api_errors.py checks
# that every message a schema's field can give is marked, here or in the schema.
MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid type."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("String does not match expected pattern."),
    N_("Must be one of: {choices}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_('"{input}" cannot be formatted as a date.'),
    # validate.Range without a message of its own (the API's page and per_page).
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than or equal to {max}."),
    # Flask's, for a body sent as another type than JSON where JSON is read (415).
    N_("Did not attempt to load JSON data because the request Content-Type was not 'application/json'."),
)
