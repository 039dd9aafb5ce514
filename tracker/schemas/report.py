"""Reporting rounds, progress reports, reviews and assessments."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.schemas.base import InputSchema, OptionalText, required_str

PERCENT = validate.Range(0, 100, error="Enter a whole number from 0 to 100.")
URL = validate.URL(schemes={"http", "https"}, require_tld=False, error="Enter a web address starting with http:// or https://.")


class RoundInput(InputSchema):
    name = required_str(validate=validate.Length(max=200))
    opens_on = fields.Date(required=True, error_messages={"required": "This field is required."})
    deadline = fields.Date(required=True, error_messages={"required": "This field is required."})

    @validates_schema
    def deadline_after_opening(self, data, **kwargs):
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            raise ValidationError("The deadline cannot be before the round opens.", "deadline")


class ReportInput(InputSchema):
    """A progress report as an agency writes it; the narrative may wait until submission."""

    narrative = OptionalText(validate=validate.Length(max=20000))
    percent_complete = fields.Integer(
        required=True, validate=PERCENT, error_messages={"required": "This field is required."}
    )
    proposed_status = required_str()
    # None leaves the report's links as they are; a list replaces them.
    links = fields.List(fields.String(validate=[URL, validate.Length(max=2000)]), load_default=None)
    round_id = fields.Integer(load_default=None)


class ReviewInput(InputSchema):
    """An acceptance: an optional comment, private (agency and secretariat) unless made public."""

    comment = fields.String(load_default=None, validate=validate.Length(max=5000))
    comment_public = fields.Boolean(
        load_default=False,
        metadata={"description": "true publishes the comment with the accepted report; by default it stays private."},
    )


class ReturnInput(InputSchema):
    comment = required_str(validate=validate.Length(min=3, max=5000))


class AssessorInput(InputSchema):
    status = required_str()
    justification = required_str(validate=validate.Length(min=3, max=10000))


class AssignInput(InputSchema):
    lead_agency = required_str()
    supporting_agencies = fields.List(fields.String(), load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(max=5000))
