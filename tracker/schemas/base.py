"""What every input schema shares."""

from __future__ import annotations

from datetime import date, datetime

from marshmallow import RAISE, Schema, fields, pre_load

REQUIRED = {"required": "This field is required.", "null": "This field is required."}
# Field metadata: take the string exactly as typed (see ``InputSchema.normalise``).
VERBATIM = "verbatim"


class InputSchema(Schema):
    """Input as people type it: trimmed, with empty strings meaning "no value".

    Fields declared ``verbatim`` (passwords) are never trimmed: what was typed is the value.
    Unknown fields are refused so a typo in an API call is reported, not ignored.
    """

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
            elif isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, date):
                # YAML and spreadsheets hand over dates already parsed.
                value = value.isoformat()
            cleaned[key] = value
        return cleaned


def required_str(**kwargs) -> fields.String:
    """A required, non-empty string field (``error_messages`` may override the usual ones)."""
    messages = {**REQUIRED, **kwargs.pop("error_messages", {})}
    return fields.String(required=True, error_messages=messages, **kwargs)


def password_field(**kwargs) -> fields.String:
    """A required password, taken exactly as typed: spaces at either end are part of it."""
    return required_str(load_only=True, metadata={VERBATIM: True}, **kwargs)


class OptionalText(fields.String):
    """Free text that may be left empty; an empty form field becomes ``""``, not an error."""

    def __init__(self, **kwargs):
        super().__init__(load_default="", allow_none=True, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        result = super().deserialize(value, attr, data, **kwargs)
        return "" if result is None else result
