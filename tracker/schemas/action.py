"""Actions and milestones."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from tracker.schemas.base import (
    CODE_MAX_LENGTH,
    Code,
    Date,
    InputSchema,
    Integer,
    List,
    OptionalText,
    Text,
    position_field,
    required_str,
)
from tracker.schemas.plan import LONG_TEXT, SourceFields

# An agency is named by its acronym or its name (``services.agencies.find_agency``).
AGENCY_KEY = 300
STATUS_KEY = 40


class MilestoneInput(InputSchema):
    title = required_str(max_length=300)
    due_date = Date(required=True, error_messages={"required": "This field is required."})
    achieved_on = Date(load_default=None)


class ActionInput(SourceFields):
    code = Code()
    title = required_str(max_length=500)
    description = OptionalText(max_length=LONG_TEXT)
    area = Text(load_default=None, max_length=CODE_MAX_LENGTH)  # an area code of the same plan
    lead_agency = Text(load_default=None, max_length=AGENCY_KEY)  # agency key (acronym or name)
    supporting_agencies = List(Text(max_length=AGENCY_KEY), max_items=50, noun="agencies", load_default=list)
    start_date = Date(load_default=None)
    due_date = Date(load_default=None)
    percent_complete = Integer(minimum=0, maximum=100, load_default=0)
    status = required_str(max_length=STATUS_KEY)
    # recommendation codes
    recommendations = List(Text(max_length=CODE_MAX_LENGTH), max_items=200, noun="recommendations",
                           load_default=list)
    milestones = List(fields.Nested(MilestoneInput), max_items=100, noun="milestones", load_default=list)
    position = position_field()

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            raise ValidationError("The due date cannot be before the start date.", "due_date")

