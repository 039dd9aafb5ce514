"""A cheap fingerprint of a plan's public data, so charts and CSVs are cached by it.

The fingerprint changes whenever anything a public chart shows may have changed:
the plan itself, its areas, recommendations, actions (every update bumps
``Action.version``), milestones, supporting agencies, status changes, timeline events,
reports once submitted, reporting and assessment rounds, readiness ratings, the
agencies it names, its delivered reminders, and the status vocabulary. Draft reports
are left out on purpose: a draft is private and never changes a public chart.

Large tables are summarised in SQL (counts, max ids, max timestamps, the sum of
versions) in one statement; the few small, edited-in-place tables (statuses, areas,
recommendations, readiness ratings, agency names) are hashed row by row, because an
edit there leaves no id or timestamp behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    AssessmentRound,
    Event,
    Milestone,
    OutboxMessage,
    Plan,
    ProgressReport,
    ReadinessDimension,
    ReadinessQuestion,
    Recommendation,
    RecommendationAssessment,
    Reminder,
    ReportingRound,
    ReportState,
    Status,
    StatusChange,
    action_supporting_agencies,
)

PUBLIC_REPORT_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.RETURNED)


@dataclass(frozen=True)
class PlanFingerprint:
    """``version``: a short hex digest of the plan's public data; ``last_modified``: the
    latest timestamp found in it (a lower bound: some edits leave none)."""

    version: str
    last_modified: datetime


def plan_version(plan: Plan) -> str:
    """A short string that changes whenever the plan's public data changes."""
    return plan_fingerprint(plan).version


def plan_fingerprint(plan: Plan) -> PlanFingerprint:
    """The plan's version and the latest timestamp of its public data (see the module docstring)."""
    aggregates = db.session.execute(select(*(q.scalar_subquery() for q in _aggregate_queries(plan.id)))).one()
    digest = hashlib.sha256()
    digest.update(repr((
        plan.id, plan.slug, plan.title, plan.country, plan.period_start, plan.period_end,
        plan.published, tuple(aggregates),
    )).encode())
    for query in _content_queries(plan):
        for row in db.session.execute(query):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    stamps = [plan.created_at, *(v for v in aggregates if isinstance(v, datetime))]
    return PlanFingerprint(version=digest.hexdigest()[:24], last_modified=max(stamps))


def _aggregate_queries(plan_id: int) -> list:
    plan_actions = select(Action.id).where(Action.plan_id == plan_id)
    reports = (ProgressReport.action_id.in_(plan_actions), ProgressReport.state.in_(PUBLIC_REPORT_STATES))
    plan_rounds = select(AssessmentRound.id).where(AssessmentRound.plan_id == plan_id)
    return [
        # Timestamps first; the route takes the latest as Last-Modified.
        select(func.max(Action.updated_at)).where(Action.plan_id == plan_id),
        select(func.max(StatusChange.changed_at)).where(StatusChange.plan_id == plan_id),
        select(func.max(Event.occurred_at)).where(Event.plan_id == plan_id),
        select(func.max(ProgressReport.submitted_at)).where(*reports),
        select(func.max(ProgressReport.reviewed_at)).where(*reports),
        select(func.max(RecommendationAssessment.recorded_at)).where(
            RecommendationAssessment.round_id.in_(plan_rounds)
        ),
        select(func.max(OutboxMessage.sent_at)).join(Reminder, Reminder.message_id == OutboxMessage.id)
        .where(Reminder.plan_id == plan_id),
        # Then counts, ids and versions.
        select(func.count(Action.id)).where(Action.plan_id == plan_id),
        select(func.max(Action.id)).where(Action.plan_id == plan_id),
        select(func.sum(Action.version)).where(Action.plan_id == plan_id),
        select(func.count(Milestone.id)).where(Milestone.action_id.in_(plan_actions)),
        select(func.max(Milestone.id)).where(Milestone.action_id.in_(plan_actions)),
        select(func.count()).select_from(action_supporting_agencies)
        .where(action_supporting_agencies.c.action_id.in_(plan_actions)),
        select(func.sum(action_supporting_agencies.c.agency_id))
        .where(action_supporting_agencies.c.action_id.in_(plan_actions)),
        select(func.count(StatusChange.id)).where(StatusChange.plan_id == plan_id),
        select(func.max(StatusChange.id)).where(StatusChange.plan_id == plan_id),
        select(func.count(Event.id)).where(Event.plan_id == plan_id),
        select(func.max(Event.id)).where(Event.plan_id == plan_id),
        select(func.count(ProgressReport.id)).where(*reports),
        select(func.max(ProgressReport.id)).where(*reports),
        select(func.count(RecommendationAssessment.id)).where(RecommendationAssessment.round_id.in_(plan_rounds)),
        select(func.max(RecommendationAssessment.id)).where(RecommendationAssessment.round_id.in_(plan_rounds)),
        select(func.count(Reminder.id)).where(Reminder.plan_id == plan_id),
        select(func.max(Reminder.id)).where(Reminder.plan_id == plan_id),
        select(func.count(Reminder.id)).where(Reminder.plan_id == plan_id, Reminder.cancelled.is_(True)),
        select(func.count(OutboxMessage.id)).join(Reminder, Reminder.message_id == OutboxMessage.id)
        .where(Reminder.plan_id == plan_id, OutboxMessage.state.in_(("sent", "kept"))),
    ]


def _content_queries(plan: Plan) -> list:
    return [
        select(Status.key, Status.label, Status.colour, Status.position, Status.is_final).order_by(Status.key),
        select(Area.id, Area.code, Area.name, Area.position).where(Area.plan_id == plan.id).order_by(Area.id),
        select(
            Recommendation.id, Recommendation.code, Recommendation.area_id, Recommendation.status_key,
            Recommendation.timeframe, Recommendation.position, Recommendation.text,
        ).where(Recommendation.plan_id == plan.id).order_by(Recommendation.id),
        select(AssessmentRound.id, AssessmentRound.name, AssessmentRound.assessed_on)
        .where(AssessmentRound.plan_id == plan.id).order_by(AssessmentRound.id),
        select(ReportingRound.id, ReportingRound.opens_on, ReportingRound.deadline)
        .where(ReportingRound.plan_id == plan.id).order_by(ReportingRound.id),
        select(
            ReadinessDimension.id, ReadinessDimension.code, ReadinessDimension.name, ReadinessDimension.rating,
            ReadinessDimension.position, ReadinessQuestion.id, ReadinessQuestion.code,
            ReadinessQuestion.title, ReadinessQuestion.rating, ReadinessQuestion.position,
        ).outerjoin(ReadinessQuestion, ReadinessQuestion.dimension_id == ReadinessDimension.id)
        .where(ReadinessDimension.plan_id == plan.id).order_by(ReadinessDimension.id, ReadinessQuestion.id),
        # Agencies are named on the charts; a rename must show.
        select(Agency.id, Agency.name, Agency.acronym).where(Agency.country == plan.country).order_by(Agency.id),
    ]
