"""Plans and areas."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.models.plan import REPORTING_CADENCES
from tracker.schemas.base import (
    N_,
    Code,
    Date,
    InputSchema,
    Integer,
    OptionalText,
    Text,
    position_field,
    required_str,
)
from tracker.schemas.translations import translations

SLUG = validate.Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    error=N_("Use lower-case letters, digits and single hyphens, e.g. mexico-2018-review."),
)
# Free text people write at length (descriptions, narratives): a long report page's worth.
LONG_TEXT = 20_000


class SourceFields(InputSchema):
    """Where an item came from."""

    source_document = Text(load_default=None, max_length=200)
    source_section = Text(load_default=None, max_length=300)
    source_lines = Text(load_default=None, max_length=40)


class SourceDocumentInput(InputSchema):
    """A source report's bibliographic data (seed/sources.yaml), keyed by its file name."""

    document = required_str(max_length=200)
    author = Text(load_default=None, allow_none=True, max_length=300)
    year = Integer(minimum=1000, maximum=9999, load_default=None, allow_none=True)
    title = required_str(max_length=500)
    publisher = Text(load_default=None, allow_none=True, max_length=300)
    issued_on = Date(load_default=None, allow_none=True)


class PlanInput(SourceFields):
    slug = required_str(max_length=100, validate=SLUG)
    title = required_str(max_length=300)
    title_translations = translations(300)
    country = required_str(max_length=100)
    description = OptionalText(max_length=LONG_TEXT)
    description_translations = translations(LONG_TEXT)
    citation = Text(load_default=None, max_length=500)
    period_start = Date(load_default=None)
    period_end = Date(load_default=None)
    published = fields.Boolean(load_default=True)
    reporting_cadence = Text(
        load_default="manual", max_length=20,
        validate=validate.OneOf(REPORTING_CADENCES, error=N_("Choose one of: {choices}.")),
    )

    @validates_schema
    def period_in_order(self, data, **kwargs):
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            raise ValidationError(N_("The period cannot end before it starts."), "period_end")


class AreaInput(SourceFields):
    code = Code()
    name = required_str(max_length=300)
    name_translations = translations(300)
    position = position_field()
