"""Content in the reader's language on pages: the template helpers that pick a translation.

The rule (``models.translations.localized``) is the models'; this module only takes the
language from the request (``flask_babel.get_locale()``) and writes the HTML: a
translated text as it is, an untranslated one as the original with ``lang="en"`` (so a
screen reader reads it in English) followed by "(original in English)" in the reader's
language. Status labels are words of the interface as much as content: untranslated,
they fall back to the catalogue (``_()``), then to the original with ``lang="en"`` and no
marker (a marker on every badge and chart legend would drown the page).

The helpers are Jinja globals, so imported macros (badges, tables) reach them too; the
marker's words are looked up once per page, and a table passes the page's language to
each cell (``content_html(item, field, language=language)``) rather than have it looked up again.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from tracker.models.translations import ORIGINAL_LANGUAGE, language_of, localized, status_text


def reader_language() -> str:
    """The language the page is in: the locale Flask-Babel chose for this request (it caches it)."""
    return language_of(get_locale())


def translation_languages(languages: list[str] | None = None) -> list[str]:
    """The languages content may be translated into: the app's ``LANGUAGES`` but the original."""
    configured = languages if languages is not None else current_app.config.get("LANGUAGES", [])
    seen: list[str] = []
    for tag in configured:
        language = language_of(tag)
        if language != ORIGINAL_LANGUAGE and language not in seen:
            seen.append(language)
    return seen


def language_name(language: str) -> str:
    """A language's name in the reader's language, e.g. "español" or "Spanish"."""
    try:
        name = Locale.parse(language).get_display_name(Locale.parse(reader_language())) or language
    except (UnknownLocaleError, ValueError):
        return language
    return name[:1].upper() + name[1:]


def _marker(language: str) -> str:
    # Looked up once per page, not once per untranslated row; kept with its language.
    found = g.get("tracker_original_marker")
    if found is None or found[0] != language:
        found = g.tracker_original_marker = (language, _("(original in English)"))
    return found[1]


def _shortened(text: str, length: int | None) -> str:
    # Jinja's own ``truncate`` filter, so a list cut with ``|truncate(120)`` reads the same.
    return text if length is None else do_truncate(current_app.jinja_env, text, length)


def content_html(item, field: str, length: int | None = None, language: str | None = None) -> Markup:
    """``field`` of ``item`` for the page: the reader's translation, else the marked original;
    cut to ``length`` characters (as ``|truncate``) when given, the marker kept whole.

    ``language``: the page's (``reader_language()``), when the caller has it already: a table
    looks it up once for all its rows rather than once per cell.
    """
    language = language or reader_language()
    return ContentMarking(language, _marker(language)).content(item, field, length)


def content_text(item, field: str, length: int | None = None, *, marked: bool = False) -> str:
    """``field`` of ``item`` as plain text (page titles, attributes, options): no marker, unless
    ``marked`` (plain-text emails), where an untranslated original is followed by the marker."""
    language = reader_language()
    shown = localized(item, field, language)
    text = _shortened(shown.text, length)
    if marked and shown.is_original and language != ORIGINAL_LANGUAGE:
        return f"{text} {_marker(language)}"
    return text


def original_lang() -> Markup:
    """`` lang="en"`` for an element holding the original content on a page in another
    language, where no marker fits (an ``<option>``); nothing on an English page."""
    if reader_language() == ORIGINAL_LANGUAGE:
        return Markup("")
    return Markup(' lang="{}"').format(ORIGINAL_LANGUAGE)


def original_html(text: str | None) -> Markup:
    """Content that exists only in the original (an agency's name, a readiness question, a
    citation): escaped, and marked ``lang="en"`` on a page in another language."""
    return ContentMarking(reader_language(), "").original(text)


@dataclass(frozen=True, slots=True)
class ContentMarking:
    """How a page in ``language`` writes content, for code that writes many cells: the
    language and the marker's words taken once (``page_marking()``), not once per cell.
    ``content`` is ``content_html`` and ``original`` is ``original_html``, which use it."""

    language: str
    marker: str  # "(original in English)" in the page's language; unused on an English page

    def content(self, item, field: str, length: int | None = None) -> Markup:
        """``field`` of ``item``: the translation, else the original marked ``lang="en"`` and
        followed by the marker; cut to ``length`` characters when given."""
        shown = localized(item, field, self.language)
        text = escape(_shortened(shown.text, length))
        if shown.is_original and self.language != ORIGINAL_LANGUAGE:
            return Markup(f'<span lang="{ORIGINAL_LANGUAGE}">{text}</span> '
                          f'<span class="original-language">{escape(self.marker)}</span>')
        return text

    def original(self, text: str | None) -> Markup:
        """Content that exists only in the original: escaped, marked ``lang="en"`` on a page
        in another language."""
        if self.language == ORIGINAL_LANGUAGE:
            return escape(text or "")
        return Markup(f'<span lang="{ORIGINAL_LANGUAGE}">{escape(text or "")}</span>')

    @property
    def original_lang(self) -> Markup:
        """``original_lang()``: `` lang="en"`` on a page in another language, else nothing."""
        return Markup("") if self.language == ORIGINAL_LANGUAGE else Markup(f' lang="{ORIGINAL_LANGUAGE}"')


def page_marking() -> ContentMarking:
    """The request's ``ContentMarking``: its language, and the marker in it."""
    language = reader_language()
    return ContentMarking(language, _marker(language) if language != ORIGINAL_LANGUAGE else "")


def status_label(status) -> str:
    """A status's label as plain text: its stored translation, else the catalogue's, else the original."""
    return status_text(status, reader_language(), _)


def status_label_html(status) -> Markup:
    """``status_label`` for a page, marked ``lang="en"`` when it is the untranslated original."""
    text = status_label(status)
    if reader_language() != ORIGINAL_LANGUAGE and text == status.label:
        return Markup('<span lang="{}">{}</span>').format(ORIGINAL_LANGUAGE, text)
    return Markup.escape(text)


def status_description(status) -> str:
    """A status's definition in the reader's language where the catalogue has it (the default
    vocabulary's), else as the administrator wrote it."""
    return _(status.description) if status.description else ""


def init_app(app: Flask) -> None:
    """Make the helpers Jinja globals."""
    app.jinja_env.globals.update(
        content_html=content_html, content_text=content_text, status_label=status_label,
        status_label_html=status_label_html, status_description=status_description,
        original_lang=original_lang, original_html=original_html, page_marking=page_marking, translation_languages=translation_languages,
        language_name=language_name, reader_language=reader_language,
    )
