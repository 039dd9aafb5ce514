"""Indicators as the secretariat defines them, and their values as agencies report them."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models.indicator import DIRECTIONS, INDICATOR_KINDS
from tracker.schemas.base import (
    N_,
    Code,
    Date,
    InputSchema,
    Number,
    Text,
    id_field,
    position_field,
    required_str,
)
from tracker.schemas.plan import SourceFields

KIND_MESSAGE = N_("Choose number, percent, yes/no or text.")
DIRECTION_MESSAGE = N_("Choose up or down.")


class IndicatorInput(SourceFields):
    """An indicator's definition: what is measured, from where to where, by when."""

    blank_is_missing = True

    code = Code()
    name = required_str(max_length=300)
    unit = Text(load_default=None, max_length=60)
    kind = Text(max_length=20, load_default="number", validate=validate.OneOf(INDICATOR_KINDS, error=KIND_MESSAGE))
    direction = Text(max_length=10, load_default="up", validate=validate.OneOf(DIRECTIONS, error=DIRECTION_MESSAGE))
    baseline_value = Number(load_default=None, allow_none=True)
    baseline_date = Date(load_default=None, allow_none=True)
    target_value = Number(load_default=None, allow_none=True)
    target_date = Date(load_default=None, allow_none=True)
    data_source = Text(load_default=None, max_length=500)
    position = position_field()

    @validates_schema
    def sensible_figures(self, data, **kwargs):
        errors = {}
        if data.get("kind") == "text":
            for name in ("baseline_value", "target_value"):
                if data.get(name) is not None:
                    errors[name] = ["A text indicator has no numeric baseline or target: leave this blank."]
        if data.get("kind") == "yes_no":
            for name in ("baseline_value", "target_value"):
                if data.get(name) not in (None, 0, 1):
                    errors[name] = ["A yes/no indicator takes 1 (yes) or 0 (no)."]
        if data.get("kind") == "percent":
            for name in ("baseline_value", "target_value"):
                if data.get(name) is not None and not 0 <= data[name] <= 100:
                    errors[name] = ["Enter a percent from 0 to 100."]
        if data.get("baseline_date") and data.get("target_date") and data["target_date"] < data["baseline_date"]:
            errors["target_date"] = ["The target date cannot be before the baseline date."]
        if errors:
            raise ValidationError(errors)


class IndicatorValueInput(InputSchema):
    """One value reported for an indicator: a number, or yes/no, or text, for a date.

    ``value`` takes a number (yes is 1, no 0; "yes" and "no" are read too); the service
    checks it against the indicator's kind.
    """

    blank_is_missing = True

    indicator = id_field(required=True, error_messages={"required": N_("This field is required.")},
                         metadata={"description": "The indicator's id."})
    value = fields.Raw(required=True, error_messages={"required": N_("Enter the value.")},
                       metadata={"description": "A number; for yes/no indicators true/false, yes/no or 1/0; "
                                                "for text indicators a text of at most 2,000 characters."})
    period_date = Date(load_default=None, metadata={"description": "The day the value describes "
                                                                   "(the report's date when not given)."})


# The most values one report may carry: an action has a handful of indicators.
MAX_VALUES_PER_REPORT = 50
TEXT_VALUE = 2000
