"""Assessment rounds: dated, frozen scorecards of a plan's recommendations."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AssessmentRound, Plan, Recommendation, RecommendationAssessment
from tracker.schemas.readiness import AssessmentRoundInput
from tracker.services.plans import assign
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
