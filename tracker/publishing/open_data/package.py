"""The Data Package that describes the tables, and one plan as a single JSON document."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from tracker.exchange.csv_files import iso
from tracker.extensions import db
from tracker.models import (
    PUBLIC_EVENT_KINDS,
    Action,
    AssessmentRound,
    Event,
    Milestone,
    Plan,
    PlanFigure,
    ProgressReport,
    ReadinessDimension,
    ReadinessQuestion,
    Recommendation,
    RecommendationAssessment,
    ReportState,
    StatusChange,
    recommendation_links,
)
from tracker.publishing.open_data.tables import (
    TABLES,
    Scope,
    action_rows,
    agency_rows,
    area_rows,
    indicator_rows,
    indicator_value_rows,
    plan_rows,
    recommendation_rows,
    source_fields,
    status_change_rows,
    status_rows,
)
from tracker.services.access import public_review_comment

# The licence of everything under /open-data unless the app's ``OPEN_DATA_LICENSE`` says
# otherwise (a mapping with name, path and title, as a Data Package ``licenses`` entry).
DEFAULT_LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}

def license_from(config) -> dict[str, str]:
    """The open data licence: the app's ``OPEN_DATA_LICENSE``, or CC-BY-4.0."""
    return dict(config.get("OPEN_DATA_LICENSE") or DEFAULT_LICENSE)


# --- last change, package ---------------------------------------------------


def last_changed(scope: Scope) -> datetime | None:
    """When the public data of the plans in scope last changed.

    Used as the package's ``created`` date and the feeds' ``updated``: it is the
    same until something public changes, so downloads are stable (and cacheable)
    and a draft or a submitted report never changes them.
    """
    ids = scope.plan_ids
    if not ids:
        return None
    queries = (
        select(func.max(Plan.created_at)).where(Plan.id.in_(ids)),
        select(func.max(StatusChange.changed_at)).where(StatusChange.plan_id.in_(ids)),
        select(func.max(Action.updated_at)).where(Action.plan_id.in_(ids)),
        # Events of unaccepted reports must not even move the "last changed" date.
        select(func.max(Event.occurred_at)).where(Event.plan_id.in_(ids), Event.kind.in_(PUBLIC_EVENT_KINDS)),
        select(func.max(RecommendationAssessment.recorded_at))
        .join(AssessmentRound, RecommendationAssessment.round_id == AssessmentRound.id)
        .where(AssessmentRound.plan_id.in_(ids)),
    )
    times = [db.session.scalar(query) for query in queries]
    return max((t for t in times if t is not None), default=None)


def data_package(scope: Scope, *, name: str, title: str, description: str, homepage: str,
                 license: dict[str, str]) -> dict:
    """A Frictionless (tabular) Data Package describing every table, with relative CSV paths.

    Each resource's ``path`` is ``<table>.csv`` next to the package descriptor, so the
    package works from any host and once downloaded into one folder.
    """
    sources = []
    for plan in scope.plans:
        source = {"title": plan.citation or plan.title}
        if source not in sources:
            sources.append(source)
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "homepage": homepage,
        "licenses": [license],
        "sources": sources,
    }
    changed = last_changed(scope)
    if changed is not None:
        package["created"] = iso(changed)
    package["resources"] = [
        {
            "profile": "tabular-data-resource",
            "name": table.name,
            "path": f"{table.name}.csv",
            "title": table.title,
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table.schema(),
        }
        for table in TABLES.values()
    ]
    return package


# --- one plan as JSON -------------------------------------------------------


def _jsonable(row: dict) -> dict:
    return {key: iso(value) for key, value in row.items()}


def _without(row: dict, *names: str) -> dict:
    return {key: value for key, value in row.items() if key not in names}


def plan_document(scope: Scope, *, license: dict[str, str], downloads: dict) -> dict:
    """One published plan as a JSON document: everything public about it, nested.

    The plan, its areas, recommendations (with related recommendations of other
    published plans), actions (with milestones and accepted progress reports),
    agencies, assessment rounds, readiness dimensions, headline figures and the
    status history. Columns are those of the CSV files; lists stay lists.
    """
    (plan,) = scope.plans
    figures = db.session.scalars(
        select(PlanFigure).where(PlanFigure.plan_id == plan.id).order_by(PlanFigure.position)
    ).all()
    return {
        "plan": _jsonable(plan_rows(scope)[0]),
        "license": license,
        "last_changed": iso(last_changed(scope)),
        "statuses": [_jsonable(row) for row in status_rows(scope)],
        "areas": [_jsonable(_without(row, "plan_slug")) for row in area_rows(scope)],
        "agencies": [_jsonable(row) for row in agency_rows(scope)],
        "recommendations": _recommendations(scope),
        "actions": _actions(scope),
        "assessment_rounds": _assessment_rounds(plan),
        "readiness": _readiness(plan),
        "figures": [
            {"label": f.label, "value": f.value, "unit": f.unit, "year": f.year, **source_fields(f)}
            for f in figures
        ],
        "indicators": _indicators(scope),
        "status_changes": [_jsonable(_without(row, "plan_slug")) for row in status_change_rows(scope)],
        "downloads": downloads,
    }


def _indicators(scope: Scope) -> list[dict]:
    """The indicators, each with its values that count (the rows of indicator_values)."""
    values: dict[str, list[dict]] = defaultdict(list)
    for row in indicator_value_rows(scope):
        values[row["indicator_code"]].append(_jsonable(_without(row, "plan_slug", "indicator_code")))
    return [{**_jsonable(_without(row, "plan_slug")), "values": values[row["code"]]}
            for row in indicator_rows(scope)]


def _recommendations(scope: Scope) -> list[dict]:
    ids = scope.plan_ids
    related: dict[int, list[dict]] = defaultdict(list)
    other, other_plan = aliased(Recommendation), aliased(Plan)
    for rec_id, slug, code in db.session.execute(
        select(recommendation_links.c.recommendation_id, other_plan.slug, other.code)
        .join(Recommendation, Recommendation.id == recommendation_links.c.recommendation_id)
        .join(other, other.id == recommendation_links.c.related_id)
        .join(other_plan, other_plan.id == other.plan_id)
        .where(Recommendation.plan_id.in_(ids), other_plan.published.is_(True))
        .order_by(other_plan.slug, other.position)
    ).all():
        related[rec_id].append(
            {"plan_slug": slug, "code": code, "url": scope.links.recommendation(slug, code)}
        )
    rec_ids = dict(
        db.session.execute(
            select(Recommendation.code, Recommendation.id).where(Recommendation.plan_id.in_(ids))
        ).all()
    )
    return [
        {**_jsonable(_without(row, "plan_slug")), "related": related[rec_ids[row["code"]]]}
        for row in recommendation_rows(scope)
    ]


def _actions(scope: Scope) -> list[dict]:
    ids = scope.plan_ids
    milestones: dict[int, list[dict]] = defaultdict(list)
    for milestone in db.session.scalars(
        select(Milestone).join(Action, Milestone.action_id == Action.id)
        .where(Action.plan_id.in_(ids)).order_by(Milestone.due_date, Milestone.id)
    ):
        milestones[milestone.action_id].append(
            {"title": milestone.title, "title_translations": dict(milestone.title_translations or {}),
             "due_date": iso(milestone.due_date), "achieved_on": iso(milestone.achieved_on)}
        )
    reports: dict[int, list[dict]] = defaultdict(list)
    # Accepted reports only: drafts, submitted and returned reports stay with their agency.
    for report in db.session.scalars(
        select(ProgressReport).join(Action, ProgressReport.action_id == Action.id)
        .where(Action.plan_id.in_(ids), ProgressReport.state == ReportState.ACCEPTED)
        .options(selectinload(ProgressReport.evidence), selectinload(ProgressReport.round))
        .order_by(ProgressReport.reviewed_at, ProgressReport.id)
    ):
        reports[report.action_id].append({
            "round": report.round.name if report.round else None,
            "submitted_at": iso(report.submitted_at),
            "accepted_at": iso(report.reviewed_at),
            "narrative": report.narrative,
            "percent_complete": report.percent_complete,
            "status": report.proposed_status_key,
            "secretariat_comment": public_review_comment(report),
            "evidence": [
                {"kind": "link", "url": e.url} if e.kind == "link" else
                {"kind": "file", "url": scope.links.evidence(e.id), "filename": e.filename,
                 "content_type": e.content_type, "size": e.size}
                for e in report.evidence
            ],
        })
    action_ids = dict(db.session.execute(select(Action.code, Action.id).where(Action.plan_id.in_(ids))).all())
    documents = []
    for row in action_rows(scope):
        action_id = action_ids[row["code"]]
        documents.append({
            **_jsonable(_without(row, "plan_slug")),
            "milestones": milestones[action_id],
            "progress_reports": reports[action_id],
        })
    return documents


def _assessment_rounds(plan: Plan) -> list[dict]:
    rounds = db.session.execute(
        select(AssessmentRound).where(AssessmentRound.plan_id == plan.id)
        .order_by(AssessmentRound.assessed_on, AssessmentRound.name)
    ).scalars().all()
    found = db.session.execute(
        select(RecommendationAssessment, Recommendation.code)
        .join(AssessmentRound, RecommendationAssessment.round_id == AssessmentRound.id)
        .join(Recommendation, RecommendationAssessment.recommendation_id == Recommendation.id)
        .where(AssessmentRound.plan_id == plan.id)
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    by_round: dict[int, list[dict]] = defaultdict(list)
    for assessment, code in found:
        by_round[assessment.round_id].append(
            {"recommendation_code": code, "status": assessment.status_key,
             "justification": assessment.justification or None}
        )
    return [
        {"name": r.name, "assessed_on": iso(r.assessed_on), **source_fields(r), "assessments": by_round[r.id]}
        for r in rounds
    ]


def _readiness(plan: Plan) -> list[dict]:
    dimensions = db.session.scalars(
        select(ReadinessDimension)
        .where(ReadinessDimension.plan_id == plan.id)
        .options(
            selectinload(ReadinessDimension.area),
            selectinload(ReadinessDimension.recommendations),
            selectinload(ReadinessDimension.questions).selectinload(ReadinessQuestion.evidence),
        )
        .order_by(ReadinessDimension.position, ReadinessDimension.id)
    ).all()
    return [
        {
            "code": d.code,
            "name": d.name,
            "importance": d.importance,
            "rating": d.rating,
            "area_code": d.area.code if d.area else None,
            "recommendation_codes": [rec.code for rec in d.recommendations],
            **source_fields(d),
            "questions": [
                {
                    "code": q.code,
                    "title": q.title,
                    "rating": q.rating,
                    "importance": q.importance,
                    **source_fields(q),
                    "evidence": [{"mark": e.mark, "text": e.text, **source_fields(e)} for e in q.evidence],
                }
                for q in d.questions
            ],
        }
        for d in dimensions
    ]


def to_json(document: dict) -> bytes:
    """JSON as UTF-8, keys in the order given (readable top-down)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
