"""Assessment rounds: dated, frozen scorecards of a plan's recommendations."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import (
    Action,
    AssessmentRound,
    Plan,
    ProgressReport,
    Recommendation,
    RecommendationAssessment,
    Status,
    User,
)
from tracker.schemas.readiness import AssessmentRoundInput
from tracker.schemas.report import AssessorInput
from tracker.services.errors import ValidationFailed
from tracker.services.history import record_event
from tracker.services.permissions import require
from tracker.services.plans import assign
from tracker.services.statuses import require_status, validated_with_status
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated


def record_assessment_round(
    plan: Plan, data: dict, *, actor: Actor, now: datetime, justification: str = ""
) -> tuple[AssessmentRound, bool]:
    """Freeze the plan's current recommendation statuses as a dated round (matched by name).

    Used for an assessment that the recommendations' statuses already record, such
    as the OECD's follow-up review loaded from its report. A round is frozen: a
    recommendation already assessed in it keeps its status when this runs again.
    Returns (round, changed).
    """
    fields = validated(AssessmentRoundInput(), data)
    with atomic():
        round_ = db.session.scalars(
            select(AssessmentRound).where(
                AssessmentRound.plan_id == plan.id, AssessmentRound.name == fields["name"]
            )
        ).first()
        changed = round_ is None
        if round_ is None:
            round_ = AssessmentRound(plan_id=plan.id, name=fields["name"], assessed_on=fields["assessed_on"])
            db.session.add(round_)
        changed |= assign(round_, fields)
        existing = {a.recommendation_id: a for a in round_.assessments}
        recs = db.session.scalars(select(Recommendation).where(Recommendation.plan_id == plan.id))
        for rec in recs:
            assessment = existing.get(rec.id)
            if assessment is None:
                round_.assessments.append(
                    RecommendationAssessment(
                        recommendation=rec, status_key=rec.status_key, justification=justification,
                        assessor_id=actor.user_id, recorded_at=now,
                    )
                )
                changed = True
        db.session.flush()
        return round_, changed


def round_totals(round_: AssessmentRound) -> Counter:
    """How many recommendations the round gave each status."""
    return Counter(a.status_key for a in round_.assessments)


def open_assessment_round(plan: Plan, data: dict) -> AssessmentRound:
    """Open a new (empty) assessment round in which assessors record their statuses."""
    fields = validated(AssessmentRoundInput(), data)
    with atomic():
        if db.session.scalars(
            select(AssessmentRound.id).where(AssessmentRound.plan_id == plan.id, AssessmentRound.name == fields["name"])
        ).first():
            raise ValidationFailed({"name": ["This plan already has an assessment round with this name."]})
        round_ = AssessmentRound(plan_id=plan.id, **fields)
        db.session.add(round_)
        db.session.flush()
        return round_


def record_assessor_status(
    round_: AssessmentRound, rec: Recommendation, data: dict, *, assessor: User, now: datetime
) -> RecommendationAssessment:
    """An assessor's independent status for a recommendation in a round, with a justification.

    It is kept apart from the secretariat's validated status and changes nothing else.
    """
    require(assessor.role in ("assessor", "admin"), "Only assessors record independent statuses.")
    require(rec.plan_id == round_.plan_id, "This recommendation is not part of the round's plan.")
    fields = validated_with_status(AssessorInput(), data)
    with atomic():
        assessment = db.session.scalars(
            select(RecommendationAssessment).where(
                RecommendationAssessment.round_id == round_.id,
                RecommendationAssessment.recommendation_id == rec.id,
            )
        ).first()
        if assessment is None:
            assessment = RecommendationAssessment(round=round_, recommendation=rec, recorded_at=now)
            db.session.add(assessment)
        assessment.status_key = fields["status"]
        assessment.justification = fields["justification"]
        assessment.assessor_id = assessor.id
        assessment.recorded_at = now
        record_event(
            rec, "assessed", f"Assessed as {require_status(fields['status']).label} in {round_.name}",
            actor=Actor.of(assessor), now=now, reason=fields["justification"],
        )
        db.session.flush()
        return assessment


@dataclass(frozen=True)
class StatusViews:
    """A recommendation's three statuses, kept apart: validated, proposed, assessed."""

    validated: Status
    proposed: list[tuple[Action, ProgressReport]]  # latest submitted/accepted report per action
    assessed: list[RecommendationAssessment]       # one per assessment round, newest first


def recommendation_status_views(rec: Recommendation) -> StatusViews:
    """The secretariat's validated status, the agencies' proposals and the assessors' statuses."""
    proposed = []
    for action in rec.actions:
        report = db.session.scalars(
            select(ProgressReport)
            .where(ProgressReport.action_id == action.id, ProgressReport.state.in_(("submitted", "accepted")))
            .order_by(ProgressReport.submitted_at.desc())
        ).first()
        if report is not None:
            proposed.append((action, report))
    assessed = db.session.scalars(
        select(RecommendationAssessment)
        .join(AssessmentRound)
        .where(RecommendationAssessment.recommendation_id == rec.id)
        .order_by(AssessmentRound.assessed_on.desc())
    ).all()
    return StatusViews(validated=rec.status, proposed=proposed, assessed=list(assessed))
