"""Readiness assessments, assessment rounds and report figures."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models import MARKS, RATINGS
from tracker.schemas.base import InputSchema, required_str
from tracker.schemas.plan import SourceFields

RATING = validate.OneOf(RATINGS, error="Use one of: {choices}.")


class EvidenceInput(SourceFields):
    mark = fields.String(load_default=None, validate=validate.OneOf(MARKS, error="Use +, - or 0."))
    text = required_str()


class QuestionInput(SourceFields):
    code = required_str(validate=validate.Length(max=40))
    title = required_str()
    rating = fields.String(load_default=None, validate=RATING)
    importance = fields.String(load_default=None, validate=validate.Length(max=40))
    evidence = fields.List(fields.Nested(EvidenceInput), load_default=list)


class DimensionInput(SourceFields):
    code = required_str(validate=validate.Length(max=40))
    name = required_str(validate=validate.Length(max=300))
    importance = fields.String(load_default=None, validate=validate.Length(max=40))
    rating = fields.String(load_default=None, validate=RATING)
    recommendations = fields.List(fields.String(), load_default=list)
    questions = fields.List(fields.Nested(QuestionInput), load_default=list)


class AssessmentRoundInput(SourceFields):
    name = required_str(validate=validate.Length(max=300))
    assessed_on = fields.Date(required=True, error_messages={"required": "This field is required."})


class RoundCloseInput(InputSchema):
    """Closing an assessment round: why is optional (the work is done, usually)."""

    reason = fields.String(load_default=None, validate=validate.Length(max=5000))


REOPEN_REASON_REQUIRED = "Say why the round is reopened: the reason is kept in its history."


class RoundReopenInput(InputSchema):
    """Reopening a closed round changes a record, so the reason is required."""

    reason = fields.String(
        required=True, validate=validate.Length(max=5000),
        error_messages={"required": REOPEN_REASON_REQUIRED, "null": REOPEN_REASON_REQUIRED},
    )


class FigureInput(SourceFields):
    label = required_str(validate=validate.Length(max=300))
    value = fields.Float(required=True, error_messages={"required": "This field is required."})
    unit = fields.String(load_default=None, validate=validate.Length(max=60))
    year = fields.Integer(load_default=None, validate=validate.Range(1900, 2100))


class RelatedInput(InputSchema):
    plan = required_str()
    code = required_str()
