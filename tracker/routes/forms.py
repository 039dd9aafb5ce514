"""Helpers for HTML forms: turning service errors into per-field messages, reading lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app, request

from tracker.models.translations import TRANSLATIONS_SUFFIX, translations_attribute
from tracker.services.errors import ValidationFailed
from tracker.services.evidence_files import FileStore
from tracker.web.content_language import translation_languages
from tracker.web.field_messages import form_messages


def field_errors(exc: ValidationFailed, order: Iterable[str] | None = None) -> dict[str, str]:
    """One message per field in the user's words, in form order, for the forms macros.

    The words come from ``web.field_messages``. The order is ``order`` when given, else
    the order the browser sent the fields in, which is the form's own (a field it did
    not send, an unticked checkbox group, comes after those it did).
    """
    if order is None:
        order = [*request.form.keys(), *request.files.keys()] if request else []
    return form_messages(_translation_boxes(exc.errors), order)


def _translation_boxes(errors: dict) -> dict:
    """A translation's problem on its own box: ``title_translations.es`` is the form's ``title_es``."""
    found = {}
    for key, messages in errors.items():
        if key.endswith(TRANSLATIONS_SUFFIX) and isinstance(messages, dict):
            field = key.removesuffix(TRANSLATIONS_SUFFIX)
            for language, inner in messages.items():
                found[f"{field}_{language}"] = inner.get("value", inner) if isinstance(inner, dict) else inner
        else:
            found[key] = messages
    return found


def form_data(*names: str) -> dict[str, str]:
    """The named fields of the submitted form (absent ones left out, so defaults apply)."""
    return {name: request.form[name] for name in names if name in request.form}


def lines(name: str) -> list[str]:
    """A textarea with one item per line, as a list of non-blank lines."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def evidence_store() -> FileStore:
    """Where this app keeps evidence files, and how large one may be."""
    return FileStore(current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"])


def now() -> datetime:
    """The time of this request; views read the clock once and pass it to services."""
    return datetime.now(UTC)


def translation_values(item, *fields: str) -> dict[str, str]:
    """The item's stored translations as the form's boxes: ``{"title_es": "..."}``."""
    values = {}
    for name in fields:
        stored = (getattr(item, translations_attribute(name), None) or {}) if item is not None else {}
        for language in translation_languages():
            values[f"{name}_{language}"] = stored.get(language, "")
    return values


def translations_from_form(*fields: str) -> dict[str, dict[str, str]]:
    """The translation boxes of ``fields`` as the services take them: ``{"title_translations": {...}}``.

    A blank box removes that translation; a field whose boxes are not on the form is left
    out, and translations in languages the form does not offer stay as they are.
    """
    data = {}
    languages = translation_languages()
    for name in fields:
        boxes = {language: request.form[f"{name}_{language}"] for language in languages
                 if f"{name}_{language}" in request.form}
        if boxes:
            data[translations_attribute(name)] = boxes
    return data
