"""Readiness assessments: dimensions, question areas and rated evidence."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Plan, ReadinessDimension, ReadinessEvidence, ReadinessQuestion
from tracker.schemas.readiness import DimensionInput
from tracker.services.errors import ValidationFailed
from tracker.services.plans import assign, find_area
from tracker.services.recommendations import find_recommendation
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def plan_readiness(plan: Plan) -> list[ReadinessDimension]:
    """The plan's readiness dimensions with questions and evidence, in report order."""
    return list(
        db.session.scalars(
            select(ReadinessDimension)
            .where(ReadinessDimension.plan_id == plan.id)
            .options(
                selectinload(ReadinessDimension.questions).selectinload(ReadinessQuestion.evidence),
                selectinload(ReadinessDimension.recommendations),
            )
            .order_by(ReadinessDimension.position)
        )
    )


@dataclass(frozen=True)
class EvidenceView:
    """One evidence statement as a page shows it."""

    mark: str | None
    text: str


@dataclass(frozen=True)
class QuestionView:
    """A question area as a page shows it: its rating and evidence."""

    id: int
    code: str
    title: str
    rating: str | None
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class DimensionView:
    """A dimension as a page shows it: its rating and question areas."""

    code: str
    name: str
    rating: str | None
    questions: tuple[QuestionView, ...]

    @property
    def rated(self) -> bool:
        return bool(self.rating) or any(q.rating for q in self.questions)


def readiness_views(plan: Plan) -> tuple[DimensionView, ...]:
    """``plan_readiness(plan)`` as plain values, what the public plan page shows of it: they
    can be kept across requests (per data version), as ORM objects cannot."""
    return tuple(
        DimensionView(d.code, d.name, d.rating, tuple(
            QuestionView(q.id, q.code, q.title, q.rating, tuple(EvidenceView(e.mark, e.text) for e in q.evidence))
            for q in d.questions))
        for d in plan_readiness(plan)
    )


def save_dimension(plan: Plan, data: dict, *, position: int) -> tuple[ReadinessDimension, bool]:
    """Create or update a dimension (matched by code) with its questions and evidence.

    The dimension is linked to the plan's area of the same code and to the
    recommendations it gave rise to. Returns (dimension, changed).
    """
    fields = validated(DimensionInput(), data)
    with atomic():
        recommendations = []
        for code in fields.pop("recommendations"):
            rec = find_recommendation(plan, code)
            if rec is None:
                raise ValidationFailed({"recommendations": [gettext("Unknown recommendation %(code)r.", code=code)]})
            recommendations.append(rec)
        questions = fields.pop("questions")

        dimension = db.session.scalars(
            select(ReadinessDimension).where(
                ReadinessDimension.plan_id == plan.id, ReadinessDimension.code == fields["code"]
            )
        ).first()
        changed = dimension is None
        if dimension is None:
            dimension = ReadinessDimension(plan_id=plan.id, code=fields["code"], name=fields["name"])
            db.session.add(dimension)
        changed |= assign(dimension, {**fields, "position": position})
        area = find_area(plan, fields["code"])
        if dimension.area is not area:
            dimension.area, changed = area, True
        if {r.id for r in dimension.recommendations} != {r.id for r in recommendations}:
            dimension.recommendations, changed = recommendations, True
        changed |= _save_questions(dimension, questions)
        db.session.flush()
        return dimension, changed


def _save_questions(dimension: ReadinessDimension, questions: list[dict]) -> bool:
    existing = {q.code: q for q in dimension.questions}
    changed = set(existing) != {q["code"] for q in questions}
    kept = []
    for position, data in enumerate(questions):
        evidence = data.pop("evidence")
        question = existing.get(data["code"])
        if question is None:
            question = ReadinessQuestion(code=data["code"], title=data["title"])
            changed = True
        changed |= assign(question, {**data, "position": position})
        changed |= _save_evidence(question, evidence)
        kept.append(question)
    dimension.questions = kept
    return changed


def _save_evidence(question: ReadinessQuestion, evidence: list[dict]) -> bool:
    current = [{name: getattr(item, name) for name in data} for item, data in zip(question.evidence, evidence)]
    if len(question.evidence) == len(evidence) and current == evidence:
        return False
    question.evidence = [ReadinessEvidence(position=i, **e) for i, e in enumerate(evidence)]
    return True
