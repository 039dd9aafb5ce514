"""The domain model: one module per aggregate. Importing this package registers every table."""

from tracker.models.action import Action, Milestone, action_supporting_agencies
from tracker.models.agency import Agency
from tracker.models.assessment import (
    ROUND_CLOSED,
    ROUND_OPEN,
    ROUND_STATES,
    AssessmentRound,
    AssessmentRoundChange,
    RecommendationAssessment,
)
from tracker.models.data_version import DataVersion
from tracker.models.event import EVENT_KINDS, PUBLIC_EVENT_KINDS, Event
from tracker.models.evidence import Evidence
from tracker.models.indicator import (
    DIRECTIONS,
    INDICATOR_KINDS,
    NUMERIC_KINDS,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorValue,
)
from tracker.models.plan import Area, Plan, PlanFigure
from tracker.models.readiness import (
    MARKS,
    RATINGS,
    ReadinessDimension,
    ReadinessEvidence,
    ReadinessQuestion,
    dimension_recommendations,
)
from tracker.models.recommendation import (
    PRIORITIES,
    RESPONSES,
    TIMEFRAMES,
    Recommendation,
    recommendation_actions,
    recommendation_agencies,
    recommendation_links,
)
from tracker.models.reminder import (
    MESSAGE_STATES,
    RULE_KINDS,
    OutboxMessage,
    Reminder,
    ReminderRule,
)
from tracker.models.report import (
    EDITABLE_REPORT_STATES,
    OPEN_REPORT_STATES,
    REPORT_STATES,
    REPORTED_STATES,
    ProgressReport,
    ReportingRound,
    ReportState,
)
from tracker.models.scheduler import SchedulerHeartbeat
from tracker.models.security import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    TOKEN_SCOPES,
    ApiToken,
    SignInFailure,
)
from tracker.models.sign_in import (
    RECOVERY_CODE_COUNT,
    SIGN_IN_METHODS,
    RecoveryCode,
    SignInEvent,
    SingleSignOnDomain,
)
from tracker.models.source import SourceDocument
from tracker.models.status import SEED_LOAD_LABEL, Status, StatusChange
from tracker.models.subscription import CalendarFeed, Subscription
from tracker.models.user import ROLES, User
from tracker.models.webhook import DELIVERY_STATES, WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint

__all__ = [
    "DELIVERY_STATES",
    "DIRECTIONS",
    "EDITABLE_REPORT_STATES",
    "EVENT_KINDS",
    "INDICATOR_KINDS",
    "MARKS",
    "MESSAGE_STATES",
    "NUMERIC_KINDS",
    "OPEN_REPORT_STATES",
    "PRIORITIES",
    "PUBLIC_EVENT_KINDS",
    "RATINGS",
    "RECOVERY_CODE_COUNT",
    "REPORTED_STATES",
    "REPORT_STATES",
    "RESPONSES",
    "ROLES",
    "ROUND_CLOSED",
    "ROUND_OPEN",
    "ROUND_STATES",
    "RULE_KINDS",
    "SEED_LOAD_LABEL",
    "SIGN_IN_METHODS",
    "TIMEFRAMES",
    "TOKEN_DEFAULT_DAYS",
    "TOKEN_MAX_DAYS",
    "TOKEN_SCOPES",
    "WEBHOOK_EVENTS",
    "Action",
    "Agency",
    "ApiToken",
    "Area",
    "AssessmentRound",
    "AssessmentRoundChange",
    "CalendarFeed",
    "DataVersion",
    "Direction",
    "Event",
    "Evidence",
    "Indicator",
    "IndicatorKind",
    "IndicatorValue",
    "Milestone",
    "OutboxMessage",
    "Plan",
    "PlanFigure",
    "ProgressReport",
    "ReadinessDimension",
    "ReadinessEvidence",
    "ReadinessQuestion",
    "Recommendation",
    "RecommendationAssessment",
    "RecoveryCode",
    "Reminder",
    "ReminderRule",
    "ReportState",
    "ReportingRound",
    "SchedulerHeartbeat",
    "SignInEvent",
    "SignInFailure",
    "SingleSignOnDomain",
    "SourceDocument",
    "Status",
    "StatusChange",
    "Subscription",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "action_supporting_agencies",
    "dimension_recommendations",
    "recommendation_actions",
    "recommendation_agencies",
    "recommendation_links",
]
