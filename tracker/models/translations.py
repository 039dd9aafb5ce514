"""Content in several languages: the translations of titles and texts, and which one a reader gets.

The tracker's content (plans, areas, recommendations, actions, milestones, status labels)
is written in one original language, English (``ORIGINAL_LANGUAGE``: the seed reports and
the OECD's working language). Any translatable field may also carry translations: each
such field has a JSON column beside it, ``<field>_translations``, holding
``{"es": "...", "ru": "..."}``.

Why a JSON column per field rather than a translations table or SQLAlchemy-Utils'
``TranslationHybrid``:

- **No extra query.** A translation is read with its row: the paged plan page, the
  Gantt and the API's lists stay at the statement counts they had (a translations table
  needs a join or a ``selectinload`` on every read that shows a title, and forgetting one
  is an N+1).
- **Every exchange path keeps it for free.** Backups copy JSON columns as JSON
  (``exchange.backups``), and the spreadsheet, the API and open data read a plain dict.
- **The language is a parameter.** ``TranslationHybrid`` reads the current locale from a
  callable (a Flask global, in practice) inside the model; here the caller passes the
  language (``localized(item, "title", language)``), as the services' rule asks
  (routes and templates take it from ``flask_babel.get_locale()``).
- What we give up: searching or constraining a translation in SQL (nobody asks for it;
  the original is what search and codes use), and a per-translation history row.

The original stays in its own column (``title``, ``text``, ...): every rule, sort and
search that used it is unchanged, and a plan without translations is exactly what it was.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import JSON, text
from sqlalchemy.orm import mapped_column

# The language the content is written in; translations are into other languages.
ORIGINAL_LANGUAGE = "en"

# Every translatable field, by table: the one list the forms, the spreadsheet, the API,
# open data and the tests read.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "plans": ("title", "description"),
    "areas": ("name",),
    "recommendations": ("text",),
    "actions": ("title", "description"),
    "milestones": ("title",),
    "statuses": ("label",),
}


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue, untranslated: English where it is stored, in the
    reader's language where a page, a form or an API error shows it through the catalogue
    (``tracker.web.field_messages``, ``web.content_language.status_label``,
    ``tracker.schemas.messages``). The schemas use ``schemas.messages.N_``, which also records
    a message with placeholders as a template the API can translate filled in."""
    return message


def translations_column():
    """A ``<field>_translations`` column: language code -> text, empty by default."""
    return mapped_column(JSON, default=dict, server_default=text("'{}'"), nullable=False)


TRANSLATIONS_SUFFIX = "_translations"


def translations_attribute(field: str) -> str:
    """The name of the column that holds ``field``'s translations."""
    return f"{field}{TRANSLATIONS_SUFFIX}"


class Localized(NamedTuple):
    """One field's text as a reader gets it: in ``language``, the original when it is untranslated.

    A named tuple: the HTML Gantt makes one per row, and a tuple is made several times faster
    than a frozen dataclass.
    """

    text: str
    language: str

    @property
    def is_original(self) -> bool:
        return self.language == ORIGINAL_LANGUAGE


def language_of(locale) -> str:
    """The bare language of a locale or tag (``es_MX``, ``es-MX``, a Babel ``Locale``): ``es``."""
    if locale is None:
        return ORIGINAL_LANGUAGE
    language = getattr(locale, "language", None) or str(locale)
    return language.replace("-", "_").split("_")[0].lower() or ORIGINAL_LANGUAGE


def translation(item, field: str, language: str) -> str | None:
    """``field`` of ``item`` in ``language``, or None when it has no such translation."""
    if language == ORIGINAL_LANGUAGE:
        return getattr(item, field)
    return (getattr(item, translations_attribute(field), None) or {}).get(language) or None


def merged(stored: dict | None, changes: dict | None) -> dict[str, str]:
    """``stored`` translations with ``changes`` applied: a text sets a language, None removes it."""
    result = dict(stored or {})
    for language, translated in (changes or {}).items():
        if translated:
            result[language] = translated
        else:
            result.pop(language, None)
    return dict(sorted(result.items()))


def with_translations_applied(item, fields: dict) -> dict:
    """``fields`` (a schema's output) with each ``*_translations`` change merged into ``item``'s
    stored ones (``item`` None: a new item, nothing stored), ready to assign or construct with."""
    return {
        name: merged(getattr(item, name, None) if item is not None else None, value)
        if name.endswith(TRANSLATIONS_SUFFIX) else value
        for name, value in fields.items()
    }


def localized(item, field: str, language: str) -> Localized:
    """``field`` of ``item`` in ``language`` where a translation exists, else the original."""
    translated = translation(item, field, language)
    if translated is not None:
        return Localized(translated, language)
    return Localized(getattr(item, field) or "", ORIGINAL_LANGUAGE)


def status_text(status, language: str, catalogue) -> str:
    """A status's label for a reader of ``language``: its stored translation, else the
    interface catalogue's (``catalogue``, a gettext), else the original.

    Status labels are words of the interface as much as content, hence the catalogue step;
    the caller passes its gettext so that this module stays free of Flask.
    """
    shown = localized(status, "label", language)
    return catalogue(shown.text) if shown.is_original else shown.text
