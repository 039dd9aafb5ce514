"""Reporting rounds, progress reports, reviews and assessments."""

from __future__ import annotations

from functools import cache

from marshmallow import ValidationError, fields, validate, validates_schema

from tracker.config import DEFAULTS
from tracker.schemas.action import AGENCY_KEY, STATUS_KEY
from tracker.schemas.base import (
    N_,
    Date,
    InputSchema,
    Integer,
    List,
    OptionalText,
    Text,
    id_field,
    required_str,
)
from tracker.schemas.plan import LONG_TEXT

URL = validate.URL(schemes={"http", "https"}, require_tld=False, error=N_("Enter a web address starting with http:// or https://."))
# The links a report may carry where no ``MAX_REPORT_LINKS`` setting is given (seed loads, tests).
DEFAULT_MAX_LINKS = DEFAULTS["MAX_REPORT_LINKS"]
COMMENT = 5000


class RoundInput(InputSchema):
    name = required_str(max_length=200)
    opens_on = Date(required=True, error_messages={"required": N_("This field is required.")})
    deadline = Date(required=True, error_messages={"required": N_("This field is required.")})

    @validates_schema
    def deadline_after_opening(self, data, **kwargs):
        if data.get("opens_on") and data.get("deadline") and data["deadline"] < data["opens_on"]:
            raise ValidationError(N_("The deadline cannot be before the round opens."), "deadline")


class ReportInput(InputSchema):
    """A progress report as an agency writes it; the narrative may wait until submission.

    ``max_links`` is how many evidence links it may carry (the ``MAX_REPORT_LINKS`` setting).
    """

    # Forms (the agency's and a reminder link's) send every field: blank is "not given".
    blank_is_missing = True

    narrative = OptionalText(max_length=LONG_TEXT)
    percent_complete = Integer(
        minimum=0, maximum=100, required=True, error_messages={"required": N_("This field is required.")}
    )
    proposed_status = required_str(max_length=STATUS_KEY)
    # None leaves the report's links as they are; a list replaces them.
    links = List(Text(max_length=2000, validate=URL), max_items=DEFAULT_MAX_LINKS, noun=N_("links"), load_default=None)
    round_id = id_field(load_default=None)

    def __init__(self, *args, max_links: int = DEFAULT_MAX_LINKS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["links"].max_items = max_links
        self.fields["links"].metadata["maxItems"] = max_links


@cache
def report_input(max_links: int = DEFAULT_MAX_LINKS) -> ReportInput:
    """``ReportInput`` for ``max_links`` links, built once per process: a schema keeps nothing
    between loads, and building one (copying its fields) costs more than loading a report."""
    return ReportInput(max_links=max_links)


class ReviewInput(InputSchema):
    """An acceptance: an optional comment, private (agency and secretariat) unless made public."""

    comment = Text(load_default=None, max_length=COMMENT)
    comment_public = fields.Boolean(
        load_default=False,
        metadata={"description": "true publishes the comment with the accepted report; by default it stays private."},
    )


class ReturnInput(InputSchema):
    comment = required_str(min_length=3, max_length=COMMENT)


class AssessorInput(InputSchema):
    status = required_str(max_length=STATUS_KEY)
    justification = required_str(min_length=3, max_length=10_000)


class AssignInput(InputSchema):
    lead_agency = required_str(max_length=AGENCY_KEY)
    supporting_agencies = List(Text(max_length=AGENCY_KEY), max_items=50, noun=N_("agencies"), load_default=None)
    reason = Text(load_default=None, max_length=COMMENT)


class ActionChoiceInput(InputSchema):
    """The actions ticked on a plan's workspace for one change to all of them (by id)."""

    actions = List(id_field(message=N_("Tick actions from the list.")), max_items=10_000, noun=N_("actions"),
                   load_default=list)
