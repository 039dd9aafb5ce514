"""Readiness assessments, assessment rounds and report figures."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models import MARKS, RATINGS
from tracker.schemas.base import (
    CODE_MAX_LENGTH,
    N_,
    Code,
    Date,
    InputSchema,
    Integer,
    List,
    Text,
    required_str,
)
from tracker.schemas.plan import SourceFields

RATING = validate.OneOf(RATINGS, error=N_("Use one of: {choices}."))
FINDING = 10_000  # a question's wording, or the evidence found for it


class EvidenceInput(SourceFields):
    mark = Text(load_default=None, max_length=1, validate=validate.OneOf(MARKS, error=N_("Use +, - or 0.")))
    text = required_str(max_length=FINDING)


class QuestionInput(SourceFields):
    code = Code()
    title = required_str(max_length=FINDING)
    rating = Text(load_default=None, max_length=10, validate=RATING)
    importance = Text(load_default=None, max_length=40)
    evidence = List(fields.Nested(EvidenceInput), max_items=200, noun=N_("pieces of evidence"), load_default=list)


class DimensionInput(SourceFields):
    code = Code()
    name = required_str(max_length=300)
    importance = Text(load_default=None, max_length=40)
    rating = Text(load_default=None, max_length=10, validate=RATING)
    recommendations = List(Text(max_length=CODE_MAX_LENGTH), max_items=200, noun=N_("recommendations"),
                           load_default=list)
    questions = List(fields.Nested(QuestionInput), max_items=200, noun=N_("questions"), load_default=list)


class AssessmentRoundInput(SourceFields):
    name = required_str(max_length=300)
    assessed_on = Date(required=True, error_messages={"required": N_("This field is required.")})


class RoundCloseInput(InputSchema):
    """Closing an assessment round: why is optional (the work is done, usually)."""

    reason = Text(load_default=None, max_length=5000)


REOPEN_REASON_REQUIRED = N_("Say why the round is reopened: the reason is kept in its history.")


class RoundReopenInput(InputSchema):
    """Reopening a closed round changes a record, so the reason is required."""

    reason = required_str(
        max_length=5000, error_messages={"required": REOPEN_REASON_REQUIRED, "null": REOPEN_REASON_REQUIRED},
    )


class FigureInput(SourceFields):
    label = required_str(max_length=300)
    value = fields.Float(required=True, error_messages={"required": N_("This field is required.")})
    unit = Text(load_default=None, max_length=60)
    year = Integer(minimum=1900, maximum=2100, load_default=None)


class RelatedInput(InputSchema):
    plan = required_str(max_length=100)
    code = Code()
