"""Plans and areas."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.schemas.base import InputSchema, OptionalText, required_str

SLUG = validate.Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    error="Use lower-case letters, digits and single hyphens, e.g. mexico-2018-review.",
)


class SourceFields(InputSchema):
    """Where an item came from."""

    source_document = fields.String(load_default=None, validate=validate.Length(max=200))
    source_section = fields.String(load_default=None, validate=validate.Length(max=300))
    source_lines = fields.String(load_default=None, validate=validate.Length(max=40))


class PlanInput(SourceFields):
    slug = required_str(validate=[validate.Length(max=100), SLUG])
    title = required_str(validate=validate.Length(max=300))
    country = required_str(validate=validate.Length(max=100))
    description = OptionalText()
    citation = fields.String(load_default=None, validate=validate.Length(max=500))
    period_start = fields.Date(load_default=None)
    period_end = fields.Date(load_default=None)
    published = fields.Boolean(load_default=True)
    reporting_cadence = fields.String(
        load_default="manual",
        validate=validate.OneOf(("manual", "quarterly", "half-yearly", "yearly"), error="Choose one of: {choices}."),
    )

    @validates_schema
    def period_in_order(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError("The period cannot end before it starts.", "period_end")


class AreaInput(InputSchema):
    code = required_str(validate=validate.Length(max=40))
    name = required_str(validate=validate.Length(max=300))
    position = fields.Integer(load_default=0)
    source_document = fields.String(load_default=None)
    source_section = fields.String(load_default=None)
    source_lines = fields.String(load_default=None)
