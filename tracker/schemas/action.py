"""Actions and milestones, and the one-line text a milestone is written as."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.schemas.base import InputSchema, OptionalText, required_str
from tracker.schemas.plan import SourceFields


class MilestoneInput(InputSchema):
    title = required_str(validate=validate.Length(max=300))
    due_date = fields.Date(required=True, error_messages={"required": "This field is required."})
    achieved_on = fields.Date(load_default=None)


# A milestone as people write it: "2026-03-31 Portal launched", optionally followed by
# "(achieved 2026-04-02)". The action form (one per line) and the spreadsheet's
# milestones cell (separated by ';') both read and write this text.
MILESTONE_LINE = re.compile(r"^(?P<due>\S+)\s*(?P<title>.*?)(?:\s*\(achieved\s+(?P<achieved>[^)\s]+)\))?$")


def parse_milestone(text: str) -> dict | None:
    """``MilestoneInput`` data from one milestone's text, or None for a blank one.

    Dates stay as typed: ``MilestoneInput`` checks them and names the bad one.
    """
    match = MILESTONE_LINE.match(text.strip())
    if not match:
        return None
    milestone = {"due_date": match["due"], "title": match["title"]}
    if match["achieved"]:
        milestone["achieved_on"] = match["achieved"]
    return milestone


def milestone_text(due_date: date, title: str, achieved_on: date | None) -> str:
    """One milestone as ``parse_milestone`` reads it back."""
    text = f"{due_date.isoformat()} {title}"
    return f"{text} (achieved {achieved_on.isoformat()})" if achieved_on else text


class ActionInput(SourceFields):
    code = required_str(validate=validate.Length(max=40))
    title = required_str(validate=validate.Length(max=500))
    description = OptionalText()
    area = fields.String(load_default=None)  # an area code of the same plan
    lead_agency = fields.String(load_default=None)  # agency key (acronym or name)
    supporting_agencies = fields.List(fields.String(), load_default=list)
    start_date = fields.Date(load_default=None)
    due_date = fields.Date(load_default=None)
    percent_complete = fields.Integer(
        load_default=0,
        validate=validate.Range(0, 100, error="Enter a whole number from 0 to 100."),
    )
    status = required_str()
    recommendations = fields.List(fields.String(), load_default=list)  # recommendation codes
    milestones = fields.List(fields.Nested(MilestoneInput), load_default=list)
    position = fields.Integer(load_default=0)

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            raise ValidationError("The due date cannot be before the start date.", "due_date")
