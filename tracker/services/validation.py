"""Running an input schema and turning its errors into ``ValidationFailed``."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, ValidationError

from tracker.schemas.messages import N_
from tracker.services.errors import ValidationFailed


def validated(schema: Schema, data: Any) -> dict:
    """Load ``data`` with ``schema`` or raise ``ValidationFailed`` naming each bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": [gettext("Expected an object with named fields.")]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(_unknown_field_messages(exc.messages)) from exc


def _unknown_field_messages(messages: dict) -> dict:
    # marshmallow says "Unknown field." under the field's name; say what to do about it.
    return {
        field: [N_("Unknown field: not part of this form.")] if msgs == ["Unknown field."] else msgs
        for field, msgs in messages.items()
    }
