"""Recommendations and their statuses."""

from __future__ import annotations

from marshmallow import fields, validate

from tracker.models import PRIORITIES, RESPONSES, TIMEFRAMES
from tracker.schemas.base import InputSchema, required_str
from tracker.schemas.plan import SourceFields


class RecommendationInput(SourceFields):
    code = required_str(validate=validate.Length(max=40))
    text = required_str()
    area = fields.String(load_default=None)  # an area code of the same plan
    status = required_str()  # a status key; checked against the vocabulary by the service
    timeframe = fields.String(load_default=None, validate=validate.OneOf(TIMEFRAMES))
    priority = fields.String(load_default=None, validate=validate.OneOf(PRIORITIES))
    response = fields.String(load_default=None, validate=validate.OneOf(RESPONSES))
    actions_taken = fields.String(load_default=None)
    institutions = fields.List(fields.String(), load_default=list)  # agency keys (acronym or name)
    position = fields.Integer(load_default=0)


class StatusChangeInput(InputSchema):
    status = required_str()
    reason = required_str(validate=validate.Length(min=3, max=5000))
