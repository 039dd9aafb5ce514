"""Recommendations and their statuses."""

from __future__ import annotations

from marshmallow import validate

from tracker.models import PRIORITIES, RESPONSES, TIMEFRAMES
from tracker.schemas.action import AGENCY_KEY, STATUS_KEY
from tracker.schemas.base import (
    CODE_MAX_LENGTH,
    N_,
    Code,
    InputSchema,
    List,
    Text,
    position_field,
    required_str,
)
from tracker.schemas.plan import SourceFields
from tracker.schemas.translations import translations

# A recommendation as a review words it, with the government's account of what was done.
RECOMMENDATION_TEXT = 10_000


class RecommendationInput(SourceFields):
    code = Code()
    text = required_str(max_length=RECOMMENDATION_TEXT)
    text_translations = translations(RECOMMENDATION_TEXT)
    area = Text(load_default=None, max_length=CODE_MAX_LENGTH)  # an area code of the same plan
    status = required_str(max_length=STATUS_KEY)  # a status key; checked against the vocabulary by the service
    timeframe = Text(load_default=None, max_length=20, validate=validate.OneOf(TIMEFRAMES))
    priority = Text(load_default=None, max_length=20, validate=validate.OneOf(PRIORITIES))
    response = Text(load_default=None, max_length=20, validate=validate.OneOf(RESPONSES))
    actions_taken = Text(load_default=None, max_length=RECOMMENDATION_TEXT)
    # agency keys (acronym or name)
    institutions = List(Text(max_length=AGENCY_KEY), max_items=50, noun=N_("institutions"), load_default=list)
    position = position_field()


class StatusChangeInput(InputSchema):
    status = required_str(max_length=STATUS_KEY)
    reason = required_str(min_length=3, max_length=5000)
