"""The status vocabulary as an administrator edits it (``services.statuses``)."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models.status import IRM_COMPLETION
from tracker.schemas.base import (
    N_,
    InputSchema,
    Integer,
    OptionalText,
    Text,
    position_field,
    required_str,
)
from tracker.schemas.translations import translations

STATUS_KEY_PATTERN = r"[a-z][a-z0-9_]{0,39}"
COLOUR_PATTERN = r"#[0-9a-fA-F]{6}"


class StatusInput(InputSchema):
    """A status's editable fields; its key is given once, when it is added, and never changes
    (records, exports and API filters name it)."""

    label = required_str(max_length=100)
    label_translations = translations(100)
    description = OptionalText(max_length=2000)
    colour = required_str(max_length=7, validate=validate.Regexp(
        COLOUR_PATTERN, error=N_("Enter a colour as # and six hexadecimal digits, for example #0072b2.")))
    default_percent = Integer(minimum=0, maximum=100, load_default=0)
    is_final = fields.Boolean(load_default=False)
    irm_completion = Text(max_length=20, load_default="not_started",
                          validate=validate.OneOf(IRM_COMPLETION, error=N_("Choose one of: {choices}.")))
    retired = fields.Boolean(load_default=False)
    position = position_field()


class NewStatusInput(StatusInput):
    key = required_str(max_length=40, validate=validate.Regexp(
        STATUS_KEY_PATTERN, error=N_("Use lower-case letters, digits and underscores, starting with a letter.")))
