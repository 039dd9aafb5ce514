"""Translations of a text field as input: ``{"es": "...", "ru": "..."}`` (``models.translations``)."""

from __future__ import annotations

import re
from typing import ClassVar

from marshmallow import fields

from tracker.models.translations import ORIGINAL_LANGUAGE
from tracker.schemas.base import N_, Text

# A bare ISO 639 language code: the languages the interface offers, and those that come
# next (Kazakh, Mongolian), without a change here. Which ones a form shows is the app's
# ``LANGUAGES`` setting, passed in by the caller.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
MAX_LANGUAGES = 20


class Translations(fields.Dict):
    """Changes to a field's translations, by language: a text sets one, a blank or null removes it.

    Languages left out keep their stored translation (``models.translations.merged``), so a
    form or a file that offers only some languages never erases the others. Each text has
    the limits of the original field (``max_length``); the original language itself is not
    a translation (it is the field).
    """

    default_error_messages: ClassVar[dict[str, str]] = {
        "language": N_("Use a language code such as es, fr or ru (not {language!r})."),
        "original": N_("The original text is in English: give it in the field itself, not as a translation."),
        "too_many": N_("Give at most {max} translations."),
    }

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"description": "Translations by language code, e.g. {\"es\": \"...\"}.",
                              **kwargs["metadata"]}
        super().__init__(keys=fields.String(), values=Text(max_length=max_length, allow_none=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> dict[str, str]:
        if isinstance(value, dict) and len(value) > MAX_LANGUAGES:
            raise self.make_error("too_many", max=MAX_LANGUAGES)
        loaded = super()._deserialize(value, attr, data, **kwargs)
        result = {}
        for language, text in loaded.items():
            if not LANGUAGE_CODE.fullmatch(language or ""):
                raise self.make_error("language", language=language)
            if language == ORIGINAL_LANGUAGE:
                raise self.make_error("original")
            result[language] = (text or "").strip() or None
        return dict(sorted(result.items()))


def translations(max_length: int) -> Translations:
    """A ``<field>_translations`` input: optional; left out, the stored translations stay."""
    return Translations(max_length=max_length)

