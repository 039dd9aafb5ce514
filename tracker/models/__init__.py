"""The domain model: one module per aggregate. Importing this package registers every table."""

from tracker.models.action import Action, Milestone, action_supporting_agencies
from tracker.models.agency import Agency
from tracker.models.plan import Area, Plan
from tracker.models.recommendation import (
    PRIORITIES,
    RESPONSES,
    TIMEFRAMES,
    Recommendation,
    recommendation_actions,
    recommendation_agencies,
)
from tracker.models.report import REPORT_STATES, ProgressReport, ReportingRound
from tracker.models.status import Status, StatusChange
from tracker.models.user import ROLES, User

__all__ = [
    "PRIORITIES",
    "REPORT_STATES",
    "RESPONSES",
    "ROLES",
    "TIMEFRAMES",
    "Action",
    "Agency",
    "Area",
    "Milestone",
    "Plan",
    "ProgressReport",
    "Recommendation",
    "ReportingRound",
    "Status",
    "StatusChange",
    "User",
    "action_supporting_agencies",
    "recommendation_actions",
    "recommendation_agencies",
]
