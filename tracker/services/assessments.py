"""Assessment rounds: dated, frozen scorecards of a plan's recommendations.

A round is open while assessors record statuses in it and closed once it is a record
of what was found at its date. Nothing in a closed round changes; the plan's assessors
or the secretariat close a round, only the secretariat reopens one (with a reason),
and each change of state is kept in the round's history in the same transaction.
Historical assessments brought by seed files and plan documents are loaded closed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext, lazy_gettext
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import (
    ROUND_CLOSED,
    ROUND_OPEN,
    Action,
    AssessmentRound,
    AssessmentRoundChange,
    Plan,
    ProgressReport,
    Recommendation,
    RecommendationAssessment,
    Status,
    User,
)
from tracker.schemas.readiness import AssessmentRoundInput, RoundCloseInput, RoundReopenInput
from tracker.schemas.report import AssessorInput
from tracker.services.actors import shown_actors
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.history import record_event
from tracker.services.permissions import (
    ASSESSOR_ROLES,
    can_assess_plan,
    can_close_assessment_round,
    can_reopen_assessment_round,
    require,
    sees_unpublished_plans,
)
from tracker.services.plans import assign, get_plan, list_plans
from tracker.services.reports import latest_reported
from tracker.services.statuses import require_status, validated_with_status
from tracker.services.transaction import Actor, atomic
from tracker.services.validation import validated

CLOSED_MESSAGE = (
    "This assessment round is closed: its statuses can no longer change. "
    "Only the secretariat can reopen it."
)
LOADED_CLOSED_REASON = "Loaded as a closed, historical record"


def record_assessment_round(
    plan: Plan, data: dict, *, actor: Actor, now: datetime, justification: str = ""
) -> tuple[AssessmentRound, bool]:
    """Freeze the plan's current recommendation statuses as a dated round (matched by name).

    Used for an assessment that the recommendations' statuses already record, such
    as the OECD's follow-up review loaded from its report. The round is created closed:
    it is a record, and a closed round is never changed here, so loading the same
    document again changes nothing. (A round the secretariat has reopened gets only
    the statuses it lacks; a recommendation already assessed in it keeps its status.)
    Returns (round, changed).
    """
    fields = validated(AssessmentRoundInput(), data)
    with atomic():
        round_ = db.session.scalars(
            select(AssessmentRound)
            .where(AssessmentRound.plan_id == plan.id, AssessmentRound.name == fields["name"])
            .with_for_update()
        ).first()
        if round_ is not None and round_.is_closed:
            return round_, False
        created = round_ is None
        if created:
            round_ = AssessmentRound(
                plan_id=plan.id, name=fields["name"], assessed_on=fields["assessed_on"], state=ROUND_CLOSED
            )
            db.session.add(round_)
        changed = assign(round_, fields) or created
        if created:
            db.session.flush()
            source = round_.human_citation
            reason = f"{LOADED_CLOSED_REASON} ({source})" if source else LOADED_CLOSED_REASON
            _record_change(round_, None, ROUND_CLOSED, actor=actor, now=now, reason=reason)
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


def open_assessment_round(plan: Plan, data: dict, *, user: User, now: datetime) -> AssessmentRound:
    """Open a new (empty) assessment round in which assessors record their statuses.

    Its history starts with who opened it and when.
    """
    _require_assessable(user, plan)
    fields = validated(AssessmentRoundInput(), data)
    with atomic():
        if db.session.scalars(
            select(AssessmentRound.id).where(AssessmentRound.plan_id == plan.id, AssessmentRound.name == fields["name"])
        ).first():
            raise ValidationFailed({"name": [gettext("This plan already has an assessment round with this name.")]})
        round_ = AssessmentRound(plan_id=plan.id, state=ROUND_OPEN, **fields)
        db.session.add(round_)
        db.session.flush()
        _record_change(round_, None, ROUND_OPEN, actor=Actor.of(user), now=now, reason=None)
        return round_


def assessable_plans(user: User) -> list[Plan]:
    """The plans ``user`` may assess (see ``permissions.can_assess_plan``), by country and period."""
    return list_plans(published_only=not sees_unpublished_plans(user))


def assessable_plan(slug: str, user: User) -> Plan:
    """The plan ``slug`` to open a round in: 404 unless ``user`` may assess it."""
    return get_plan(slug, published_only=not sees_unpublished_plans(user))


def assessable_round(round_id: int, user: User) -> AssessmentRound:
    """The round ``round_id``, for an assessor's pages: 404 unless ``user`` may assess its plan."""
    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None or not can_assess_plan(user, _plan_of(round_)):
        raise NotFound(gettext("No such assessment round."))
    return round_


def close_assessment_round(round_: AssessmentRound, data: dict, *, user: User, now: datetime) -> AssessmentRoundChange:
    """Close an open round: from now on none of its statuses can change. The reason is optional.

    The plan's assessors may close it (their work is done), and so may the secretariat.
    """
    require(can_close_assessment_round(user, _plan_of(round_)), lazy_gettext("You may not close this assessment round."))
    fields = validated(RoundCloseInput(), data)
    with atomic():
        locked = _locked(round_)
        if locked.is_closed:
            raise ValidationFailed({"round": [gettext("This round is already closed.")]})
        return _change_state(locked, ROUND_CLOSED, user=user, now=now, reason=fields["reason"])


def reopen_assessment_round(round_: AssessmentRound, data: dict, *, user: User, now: datetime) -> AssessmentRoundChange:
    """Reopen a closed round so that assessors can record statuses in it again.

    Only the secretariat (and admins) may, and only with a reason: a closed round is a
    record, and the history must say why it was changed.
    """
    require(can_reopen_assessment_round(user), lazy_gettext("Only the secretariat can reopen an assessment round."))
    fields = validated(RoundReopenInput(), data)
    with atomic():
        locked = _locked(round_)
        if not locked.is_closed:
            raise ValidationFailed({"round": [gettext("This round is already open.")]})
        return _change_state(locked, ROUND_OPEN, user=user, now=now, reason=fields["reason"])


def plan_assessment_round(plan: Plan, round_id: int) -> AssessmentRound:
    """The plan's round ``round_id`` (404 for a round of another plan)."""
    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None or round_.plan_id != plan.id:
        raise NotFound(gettext("No such assessment round in this plan."))
    return round_


@dataclass(frozen=True)
class RoundChangeEntry:
    """A change of a round's state as one viewer sees it: ``who`` as ``services.actors`` names
    the actor to that viewer (an email for staff, a role or agency for others)."""

    change: AssessmentRoundChange
    who: str


@dataclass(frozen=True)
class RoundRecord:
    """A round with the number of statuses recorded in it and the history of its state."""

    round: AssessmentRound
    rated: int
    history: list[RoundChangeEntry]


def plan_round_records(plan: Plan, viewer: User) -> list[RoundRecord]:
    """The plan's assessment rounds, newest first, each with its rated count and history."""
    rounds = db.session.scalars(
        select(AssessmentRound)
        .where(AssessmentRound.plan_id == plan.id)
        .order_by(AssessmentRound.assessed_on.desc(), AssessmentRound.id.desc())
    ).all()
    ids = [r.id for r in rounds]
    rated = dict(
        db.session.execute(
            select(RecommendationAssessment.round_id, func.count())
            .where(RecommendationAssessment.round_id.in_(ids))
            .group_by(RecommendationAssessment.round_id)
        ).all()
    ) if ids else {}
    history = _histories(ids, viewer)
    return [RoundRecord(round=r, rated=rated.get(r.id, 0), history=history[r.id]) for r in rounds]


def round_history(round_: AssessmentRound, viewer: User) -> list[RoundChangeEntry]:
    """Every change of the round's state, oldest first, as ``viewer`` may see it."""
    return _histories([round_.id], viewer)[round_.id]


def _histories(round_ids: list[int], viewer: User) -> dict[int, list[RoundChangeEntry]]:
    history: dict[int, list[RoundChangeEntry]] = {round_id: [] for round_id in round_ids}
    if not round_ids:
        return history
    changes = db.session.scalars(
        select(AssessmentRoundChange)
        .where(AssessmentRoundChange.round_id.in_(round_ids))
        .order_by(AssessmentRoundChange.changed_at, AssessmentRoundChange.id)
    ).all()
    who = shown_actors([(c.changed_by_id, c.changed_by_label) for c in changes], viewer)
    for change in changes:
        history[change.round_id].append(
            RoundChangeEntry(change=change, who=who[(change.changed_by_id, change.changed_by_label)])
        )
    return history


def record_assessor_status(
    round_: AssessmentRound, rec: Recommendation, data: dict, *, assessor: User, now: datetime
) -> RecommendationAssessment:
    """An assessor's independent status for a recommendation in an open round, with a justification.

    It is kept apart from the secretariat's validated status and changes nothing else.
    A closed round is refused: its statuses are a record.
    """
    _require_assessable(assessor, _plan_of(round_))
    require(rec.plan_id == round_.plan_id, lazy_gettext("This recommendation is not part of the round's plan."))
    fields = validated_with_status(AssessorInput(), data)
    with atomic():
        # Locked, so that a round closed meanwhile by someone else refuses this status
        # instead of taking it after its closing.
        if _locked(round_).is_closed:
            raise ValidationFailed({"round": [CLOSED_MESSAGE]})
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


def _require_assessable(user: User, plan: Plan) -> None:
    require(user.role in ASSESSOR_ROLES, lazy_gettext("Only assessors record independent statuses."))
    if not can_assess_plan(user, plan):
        raise NotFound(gettext("No plan %(slug)r.", slug=plan.slug))


def _plan_of(round_: AssessmentRound) -> Plan:
    return db.session.get(Plan, round_.plan_id)


def _locked(round_: AssessmentRound) -> AssessmentRound:
    """The round read again, its row locked until the transaction ends (where the database can)."""
    return db.session.scalars(
        select(AssessmentRound)
        .where(AssessmentRound.id == round_.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _change_state(
    round_: AssessmentRound, state: str, *, user: User, now: datetime, reason: str | None
) -> AssessmentRoundChange:
    old = round_.state
    round_.state = state
    change = _record_change(round_, old, state, actor=Actor.of(user), now=now, reason=reason)
    db.session.flush()
    return change


def _record_change(
    round_: AssessmentRound, old: str | None, new: str, *, actor: Actor, now: datetime, reason: str | None
) -> AssessmentRoundChange:
    change = AssessmentRoundChange(
        round_id=round_.id, old_state=old, new_state=new, changed_by_id=actor.user_id,
        changed_by_label=actor.label, changed_at=now, reason=reason,
    )
    db.session.add(change)
    return change


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
        report = latest_reported(action)
        if report is not None:
            proposed.append((action, report))
    assessed = db.session.scalars(
        select(RecommendationAssessment)
        .join(AssessmentRound)
        .where(RecommendationAssessment.recommendation_id == rec.id)
        .order_by(AssessmentRound.assessed_on.desc())
    ).all()
    return StatusViews(validated=rec.status, proposed=proposed, assessed=list(assessed))
