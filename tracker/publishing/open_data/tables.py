"""The open data tables: each declared once, with its columns, keys and the query for its rows.

A ``Scope`` is the published plans a download covers (all, or one) and how to link to
their public pages; every table's rows are read for a scope, in the plans' order.
Cells become CSV by the convention of every CSV file (``exchange.csv_files``): text a
spreadsheet would run as a formula is neutralised, dates are ISO 8601.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import aliased

from tracker.exchange.csv_files import csv_bytes
from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Area,
    AssessmentRound,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressReport,
    Recommendation,
    RecommendationAssessment,
    Status,
    StatusChange,
    User,
    action_supporting_agencies,
    recommendation_actions,
    recommendation_agencies,
)
from tracker.models.action import Milestone
from tracker.models.indicator import counting_values
from tracker.models.status import IRM_COMPLETION
from tracker.models.translations import TRANSLATED_FIELDS, translations_attribute
from tracker.services.actors import ActorRef, shown_actor
from tracker.services.plans import get_plan, list_plans
from tracker.services.statuses import status_vocabulary


class Links(Protocol):
    """Absolute URLs of public pages; the caller (a view) knows the routes, services don't."""

    def plan(self, slug: str) -> str: ...

    def recommendation(self, slug: str, code: str) -> str: ...

    def action(self, slug: str, code: str) -> str: ...

    def evidence(self, evidence_id: int) -> str: ...


@dataclass(frozen=True)
class Scope:
    """The published plans a download covers (all of them, or one) and how to link to pages."""

    plans: list[Plan]
    links: Links

    @property
    def plan_ids(self) -> list[int]:
        return [plan.id for plan in self.plans]

    @cached_property
    def _order(self) -> dict[int, int]:
        return {plan.id: i for i, plan in enumerate(self.plans)}

    def plan_order(self, plan_id: int) -> int:
        return self._order[plan_id]


def published_scope(links: Links, slug: str | None = None) -> Scope:
    """Every published plan, or the published plan ``slug`` (``NotFound`` otherwise)."""
    plans = [get_plan(slug, published_only=True)] if slug else list_plans(published_only=True)
    return Scope(plans=plans, links=links)


# --- cells ------------------------------------------------------------------


# --- table declarations -----------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an open data table, as a Table Schema field."""

    name: str
    type: str
    description: str
    required: bool = False
    constraints: dict = field(default_factory=dict)
    format: str | None = None

    def descriptor(self) -> dict:
        described: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.format:
            described["format"] = self.format
        constraints = dict(self.constraints)
        if self.required:
            constraints["required"] = True
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Table:
    """One open data table: its columns, keys and the query that gives its rows."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: Callable[[Scope], list[dict]]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def schema(self) -> dict:
        """The Table Schema: fields, primary key, and the foreign keys that hold."""
        schema: dict[str, Any] = {
            "fields": [column.descriptor() for column in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": list(fields), "reference": {"resource": resource, "fields": list(target)}}
                for fields, resource, target in self.foreign_keys
            ]
        return schema


def _source_columns() -> tuple[Column, ...]:
    return (
        Column("source_document", "string", "The source report (file name in the seed folder), if recorded."),
        Column("source_section", "string", "Chapter, section or table of the source report."),
        Column("source_lines", "string", "Line numbers in the source report's text, e.g. 397-399."),
    )


def source_fields(item) -> dict:
    """Where an item comes from in its source report: the three source columns' values."""
    return {
        "source_document": item.source_document,
        "source_section": item.source_section,
        "source_lines": item.source_lines,
    }


def translation_fields(item, *fields: str) -> dict:
    """The item's ``<field>_translations`` for the plan JSON (the CSV tables keep them in ``translations``)."""
    return {translations_attribute(name): dict(getattr(item, translations_attribute(name)) or {}) for name in fields}


def translation_rows(scope: Scope) -> list[dict]:
    """Every translation of the content in scope, one row per item, field and language.

    One long table rather than a column per language: its schema stays the same whatever
    languages the content is translated into (``models.translations``).
    """
    rows: list[dict] = []

    def add(resource: str, plan_slug: str | None, item: str, obj, fields: tuple[str, ...]) -> None:
        for name in fields:
            for language, text in sorted((getattr(obj, translations_attribute(name)) or {}).items()):
                rows.append({"resource": resource, "plan_slug": plan_slug, "item": item, "field": name,
                             "language": language, "text": text})

    slugs = {plan.id: plan.slug for plan in scope.plans}
    ids = scope.plan_ids
    for plan in scope.plans:
        add("plans", plan.slug, plan.slug, plan, TRANSLATED_FIELDS["plans"])
    for status in status_vocabulary():
        add("statuses", None, status.key, status, TRANSLATED_FIELDS["statuses"])
    for model, resource in ((Area, "areas"), (Recommendation, "recommendations"), (Action, "actions")):
        items = db.session.scalars(
            select(model).where(model.plan_id.in_(ids)).order_by(model.plan_id, model.position, model.id))
        for obj in sorted(items, key=lambda o: scope.plan_order(o.plan_id)):
            add(resource, slugs[obj.plan_id], f"{slugs[obj.plan_id]}/{obj.code}", obj, TRANSLATED_FIELDS[resource])
    found = db.session.execute(
        select(Milestone, Action.plan_id, Action.code).join(Action, Milestone.action_id == Action.id)
        .where(Action.plan_id.in_(ids)).order_by(Action.plan_id, Action.position, Action.id, Milestone.due_date,
                                                  Milestone.id)
    ).all()
    nth: dict[tuple, int] = defaultdict(int)
    for milestone, plan_id, code in sorted(found, key=lambda r: scope.plan_order(r[1])):
        day = (plan_id, code, milestone.due_date)
        nth[day] += 1
        add("milestones", slugs[plan_id], f"{slugs[plan_id]}/{code}/{milestone.due_date.isoformat()}/{nth[day]}",
            milestone, TRANSLATED_FIELDS["milestones"])
    return rows


def _status_column(name: str, what: str, required: bool = True) -> Column:
    return Column(name, "string", f"{what}: a key of the statuses table, e.g. ongoing.", required)


def _irm_column(name: str, what: str) -> Column:
    return Column(name, "string", f"{what}: not_started, limited, substantial or complete.",
                  constraints={"enum": list(IRM_COMPLETION)})


# --- queries ----------------------------------------------------------------


def _sorted(scope: Scope, rows: Iterable[tuple[int, tuple, dict]]) -> list[dict]:
    """Rows in the plans' order, then by the given key; each item is (plan_id, key, row)."""
    return [row for _, _, row in sorted(rows, key=lambda item: (scope.plan_order(item[0]), item[1]))]


def plan_rows(scope: Scope) -> list[dict]:
    """One row per published plan in scope."""
    return [
        {
            "slug": plan.slug,
            "title": plan.title,
            "country": plan.country,
            "description": plan.description or None,
            "citation": plan.citation,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "url": scope.links.plan(plan.slug),
            **source_fields(plan),
            **translation_fields(plan, "title", "description"),
        }
        for plan in scope.plans
    ]


def status_rows(scope: Scope) -> list[dict]:
    """The status vocabulary, with the definitions the statuses carry."""
    return [
        {
            "key": status.key,
            "label": status.label,
            "description": status.description or None,
            "is_final": status.is_final,
            "position": status.position,
            "irm_completion": status.irm_completion,
            "default_percent": status.default_percent,
            "colour": status.colour,
            "retired": status.retired,
            **translation_fields(status, "label"),
        }
        for status in status_vocabulary()
    ]


def area_rows(scope: Scope) -> list[dict]:
    """The areas (pillars, dimensions) of the plans in scope."""
    found = db.session.execute(
        select(Area, Plan.slug).join(Plan, Area.plan_id == Plan.id).where(Area.plan_id.in_(scope.plan_ids))
    ).all()
    return _sorted(scope, (
        (area.plan_id, (area.position, area.id), {
            "id": area.id, "plan_slug": slug, "code": area.code, "name": area.name,
            "position": area.position, **source_fields(area), **translation_fields(area, "name"),
        })
        for area, slug in found
    ))


def recommendation_rows(scope: Scope) -> list[dict]:
    """The recommendations with their validated status, institutions and actions."""
    found = db.session.execute(
        select(Recommendation, Plan.slug, Area.code, Status.label, Status.irm_completion)
        .join(Plan, Recommendation.plan_id == Plan.id)
        .outerjoin(Area, Recommendation.area_id == Area.id)
        .join(Status, Recommendation.status_key == Status.key)
        .where(Recommendation.plan_id.in_(scope.plan_ids))
    ).all()
    institutions: dict[int, list[Agency]] = defaultdict(list)
    for rec_id, agency in db.session.execute(
        select(recommendation_agencies.c.recommendation_id, Agency)
        .join(Agency, Agency.id == recommendation_agencies.c.agency_id)
        .join(Recommendation, Recommendation.id == recommendation_agencies.c.recommendation_id)
        .where(Recommendation.plan_id.in_(scope.plan_ids))
        .order_by(Agency.name)
    ).all():
        institutions[rec_id].append(agency)
    action_codes: dict[int, list[str]] = defaultdict(list)
    for rec_id, code in db.session.execute(
        select(recommendation_actions.c.recommendation_id, Action.code)
        .join(Action, Action.id == recommendation_actions.c.action_id)
        .where(Action.plan_id.in_(scope.plan_ids))
        .order_by(Action.position, Action.id)
    ).all():
        action_codes[rec_id].append(code)
    return _sorted(scope, (
        (rec.plan_id, (rec.position, rec.id), {
            "plan_slug": slug,
            "code": rec.code,
            "area_id": rec.area_id,
            "area_code": area_code,
            "text": rec.text,
            "status": rec.status_key,
            "status_label": status_label,
            "status_irm": status_irm,
            "timeframe": rec.timeframe,
            "priority": rec.priority,
            "response": rec.response,
            "actions_taken": rec.actions_taken,
            "institution_ids": [a.id for a in institutions[rec.id]],
            "institutions": [a.display_name for a in institutions[rec.id]],
            "action_codes": action_codes[rec.id],
            "url": scope.links.recommendation(slug, rec.code),
            **source_fields(rec),
            **translation_fields(rec, "text"),
        })
        for rec, slug, area_code, status_label, status_irm in found
    ))


def action_rows(scope: Scope) -> list[dict]:
    """The actions with owners, dates, percent complete and validated status."""
    lead = aliased(Agency)
    found = db.session.execute(
        select(Action, Plan.slug, Area.code, Status.label, lead, Status.irm_completion)
        .join(Plan, Action.plan_id == Plan.id)
        .outerjoin(Area, Action.area_id == Area.id)
        .join(Status, Action.status_key == Status.key)
        .outerjoin(lead, Action.lead_agency_id == lead.id)
        .where(Action.plan_id.in_(scope.plan_ids))
    ).all()
    supporting: dict[int, list[Agency]] = defaultdict(list)
    for action_id, agency in db.session.execute(
        select(action_supporting_agencies.c.action_id, Agency)
        .join(Agency, Agency.id == action_supporting_agencies.c.agency_id)
        .join(Action, Action.id == action_supporting_agencies.c.action_id)
        .where(Action.plan_id.in_(scope.plan_ids))
        .order_by(Agency.name)
    ).all():
        supporting[action_id].append(agency)
    rec_codes: dict[int, list[str]] = defaultdict(list)
    for action_id, code in db.session.execute(
        select(recommendation_actions.c.action_id, Recommendation.code)
        .join(Recommendation, Recommendation.id == recommendation_actions.c.recommendation_id)
        .where(Recommendation.plan_id.in_(scope.plan_ids))
        .order_by(Recommendation.position, Recommendation.id)
    ).all():
        rec_codes[action_id].append(code)
    return _sorted(scope, (
        (action.plan_id, (action.position, action.id), {
            "plan_slug": slug,
            "code": action.code,
            "area_id": action.area_id,
            "area_code": area_code,
            "title": action.title,
            "description": action.description or None,
            "lead_agency_id": action.lead_agency_id,
            "lead_agency": lead_agency.display_name if lead_agency else None,
            "supporting_agency_ids": [a.id for a in supporting[action.id]],
            "supporting_agencies": [a.display_name for a in supporting[action.id]],
            "start_date": action.start_date,
            "due_date": action.due_date,
            "percent_complete": action.percent_complete,
            "weight": action.weight,
            "status": action.status_key,
            "status_label": status_label,
            "status_irm": status_irm,
            "recommendation_codes": rec_codes[action.id],
            "updated_at": action.updated_at,
            "url": scope.links.action(slug, action.code),
            **source_fields(action),
            **translation_fields(action, "title", "description"),
        })
        for action, slug, area_code, status_label, lead_agency, status_irm in found
    ))


def indicator_rows(scope: Scope) -> list[dict]:
    """The indicators of the plans in scope, with what they measure, baseline and target."""
    found = db.session.execute(
        select(Indicator, Plan.slug).join(Plan, Indicator.plan_id == Plan.id)
        .where(Indicator.plan_id.in_(scope.plan_ids))
    ).all()
    rows = []
    for indicator, slug in found:
        subject_type, subject_code = "plan", ""
        if indicator.action_id is not None:
            subject_type, subject_code = "action", indicator.action.code
        elif indicator.recommendation_id is not None:
            subject_type, subject_code = "recommendation", indicator.recommendation.code
        rows.append((indicator.plan_id, (indicator.position, indicator.code), {
            "plan_slug": slug, "code": indicator.code, "name": indicator.name,
            "subject_type": subject_type, "subject_code": subject_code, "unit": indicator.unit,
            "kind": indicator.kind, "direction": indicator.direction,
            "baseline_value": indicator.baseline_value, "baseline_date": indicator.baseline_date,
            "target_value": indicator.target_value, "target_date": indicator.target_date,
            "data_source": indicator.data_source, **source_fields(indicator),
        }))
    return _sorted(scope, rows)


def indicator_value_rows(scope: Scope) -> list[dict]:
    """The values that count (accepted reports, source documents), by indicator and date."""
    found = db.session.execute(
        select(IndicatorValue, Indicator.code, Indicator.plan_id, Plan.slug, ProgressReport.reviewed_at)
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .outerjoin(ProgressReport, IndicatorValue.report_id == ProgressReport.id)
        .where(Indicator.plan_id.in_(scope.plan_ids), counting_values())
    ).all()
    return _sorted(scope, (
        (plan_id, (code, value.period_date, value.id), {
            "id": value.id, "plan_slug": slug, "indicator_code": code, "period_date": value.period_date,
            "value": value.value, "text": value.text,
            "origin": "progress_report" if value.report_id is not None else "source_document",
            "accepted_at": reviewed_at, **source_fields(value),
        })
        for value, code, plan_id, slug, reviewed_at in found
    ))


def agency_rows(scope: Scope) -> list[dict]:
    """The agencies the plans in scope name: lead and supporting agencies, institutions."""
    ids = scope.plan_ids
    named = union(
        select(Action.lead_agency_id).where(Action.plan_id.in_(ids), Action.lead_agency_id.is_not(None)),
        select(action_supporting_agencies.c.agency_id)
        .join(Action, Action.id == action_supporting_agencies.c.action_id)
        .where(Action.plan_id.in_(ids)),
        select(recommendation_agencies.c.agency_id)
        .join(Recommendation, Recommendation.id == recommendation_agencies.c.recommendation_id)
        .where(Recommendation.plan_id.in_(ids)),
    )
    agencies = db.session.scalars(
        select(Agency).where(Agency.id.in_(select(named.subquery()))).order_by(Agency.country, Agency.name)
    )
    return [
        {"id": a.id, "name": a.name, "acronym": a.acronym, "country": a.country} for a in agencies
    ]


@dataclass(frozen=True)
class StatusChangeRecord:
    """A public status change: what changed, from what to what, when, why, and who as the
    public may know them (a role, an agency, or a source such as "seed")."""

    id: int
    plan_slug: str
    plan_title: str
    subject_type: str
    subject_code: str
    old_status: str | None
    old_label: str | None
    new_status: str
    new_label: str
    old_percent: int | None
    new_percent: int | None
    changed_at: datetime
    role: str
    reason: str


def status_changes(
    scope: Scope, *, newest_first: bool = False, limit: int | None = None
) -> list[StatusChangeRecord]:
    """The status changes of the plans in scope, oldest first (or newest first, at most ``limit``)."""
    rec, act = aliased(Recommendation), aliased(Action)
    old, new = aliased(Status), aliased(Status)
    code = func.coalesce(rec.code, act.code)
    query = (
        select(StatusChange, Plan.slug, Plan.title, code, old.label, new.label, User.role, Agency)
        .join(Plan, StatusChange.plan_id == Plan.id)
        .outerjoin(rec, and_(StatusChange.subject_type == "recommendation",
                             rec.id == StatusChange.subject_id, rec.plan_id == StatusChange.plan_id))
        .outerjoin(act, and_(StatusChange.subject_type == "action",
                             act.id == StatusChange.subject_id, act.plan_id == StatusChange.plan_id))
        .outerjoin(old, old.key == StatusChange.old_status_key)
        .join(new, new.key == StatusChange.new_status_key)
        .outerjoin(User, User.id == StatusChange.changed_by_id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        # A change whose subject was deleted has no page to point to.
        .where(StatusChange.plan_id.in_(scope.plan_ids), code.is_not(None))
    )
    if newest_first:
        query = query.order_by(StatusChange.changed_at.desc(), StatusChange.id.desc())
    else:
        query = query.order_by(StatusChange.changed_at, StatusChange.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        StatusChangeRecord(
            id=change.id, plan_slug=slug, plan_title=title, subject_type=change.subject_type,
            subject_code=subject_code, old_status=change.old_status_key, old_label=old_label,
            new_status=change.new_status_key, new_label=new_label, old_percent=change.old_percent,
            new_percent=change.new_percent, changed_at=change.changed_at,
            role=shown_actor(ActorRef(change.changed_by_label, role, agency.display_name if agency else None), None),
            reason=change.reason,
        )
        for change, slug, title, subject_code, old_label, new_label, role, agency in db.session.execute(query).all()
    ]


def subject_url(links: Links, record: StatusChangeRecord) -> str:
    """The public page of the recommendation or action a status change is about."""
    if record.subject_type == "action":
        return links.action(record.plan_slug, record.subject_code)
    return links.recommendation(record.plan_slug, record.subject_code)


@dataclass(frozen=True)
class IndicatorValueRecord:
    """A value that counts, as a feed announces it: when it started to count, and where it shows."""

    id: int
    plan_slug: str
    plan_title: str
    indicator_code: str
    indicator_name: str
    unit: str | None
    kind: str
    subject_type: str  # recommendation | action | plan
    subject_code: str
    period_date: Any
    value: float | None
    text: str | None
    counted_at: datetime  # the report's acceptance, or when a source value was recorded


def indicator_value_records(scope: Scope, *, limit: int) -> list[IndicatorValueRecord]:
    """The latest values that count of the plans in scope, newest first."""
    counted_at = func.coalesce(ProgressReport.reviewed_at, IndicatorValue.created_at)
    found = db.session.execute(
        select(IndicatorValue, Indicator, Plan.slug, Plan.title, counted_at.label("counted_at"))
        .join(Indicator, IndicatorValue.indicator_id == Indicator.id)
        .join(Plan, Indicator.plan_id == Plan.id)
        .outerjoin(ProgressReport, IndicatorValue.report_id == ProgressReport.id)
        .where(Indicator.plan_id.in_(scope.plan_ids), counting_values())
        .order_by(counted_at.desc(), IndicatorValue.id.desc())
        .limit(limit)
    ).all()
    records = []
    for value, indicator, slug, title, at in found:
        subject_type, subject_code = "plan", ""
        if indicator.action_id is not None:
            subject_type, subject_code = "action", indicator.action.code
        elif indicator.recommendation_id is not None:
            subject_type, subject_code = "recommendation", indicator.recommendation.code
        if at.tzinfo is None:  # SQLite hands back naive UTC from an expression
            at = at.replace(tzinfo=UTC)
        records.append(IndicatorValueRecord(
            value.id, slug, title, indicator.code, indicator.name, indicator.unit, indicator.kind,
            subject_type, subject_code, value.period_date, value.value, value.text, at,
        ))
    return records


def indicator_url(links: Links, record: IndicatorValueRecord) -> str:
    """The public page showing the indicator: its action's, its recommendation's, or its plan's."""
    if record.subject_type == "action":
        return links.action(record.plan_slug, record.subject_code)
    if record.subject_type == "recommendation":
        return links.recommendation(record.plan_slug, record.subject_code)
    return links.plan(record.plan_slug)


def status_change_rows(scope: Scope) -> list[dict]:
    """Every public status change of the plans in scope, oldest first."""
    return [
        {
            "id": r.id,
            "plan_slug": r.plan_slug,
            "subject_type": r.subject_type,
            "subject_code": r.subject_code,
            "old_status": r.old_status,
            "new_status": r.new_status,
            "old_percent": r.old_percent,
            "new_percent": r.new_percent,
            "changed_at": r.changed_at,
            "changed_by_role": r.role,
            "reason": r.reason,
            "url": subject_url(scope.links, r),
        }
        for r in status_changes(scope)
    ]


def assessment_rows(scope: Scope) -> list[dict]:
    """The status each assessment round gave each recommendation, with its justification."""
    found = db.session.execute(
        select(RecommendationAssessment, AssessmentRound, Plan.slug, Recommendation.code,
               Recommendation.position)
        .join(AssessmentRound, RecommendationAssessment.round_id == AssessmentRound.id)
        .join(Plan, AssessmentRound.plan_id == Plan.id)
        .join(Recommendation, RecommendationAssessment.recommendation_id == Recommendation.id)
        .where(AssessmentRound.plan_id.in_(scope.plan_ids))
    ).all()
    return _sorted(scope, (
        (round_.plan_id, (round_.assessed_on, round_.name, position, assessment.id), {
            "plan_slug": slug,
            "round": round_.name,
            "assessed_on": round_.assessed_on,
            "recommendation_code": code,
            "status": assessment.status_key,
            "justification": assessment.justification or None,
        })
        for assessment, round_, slug, code, position in found
    ))


# --- the tables -------------------------------------------------------------

_PLAN_SLUG = Column("plan_slug", "string", "The plan's slug (plans.slug).", required=True)
_SLUG_FK = (("plan_slug",), "plans", ("slug",))
_AREA_FK = (("area_id",), "areas", ("id",))
_URL = Column("url", "string", "The public page of this item.", format="uri")

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        Table(
            "plans", "Plans",
            "Published plans: each made from one source (a review, an assessment or an action plan).",
            (
                Column("slug", "string", "Stable identifier of the plan.", required=True,
                       constraints={"unique": True}),
                Column("title", "string", "Title of the plan.", required=True),
                Column("country", "string", "The country whose government the plan concerns.", required=True),
                Column("description", "string", "One paragraph about the plan."),
                Column("citation", "string", "Bibliographic reference of the source report."),
                Column("period_start", "date", "First day of the plan's period."),
                Column("period_end", "date", "Last day of the plan's period."),
                _URL,
                *_source_columns(),
            ),
            primary_key=("slug",),
            rows=plan_rows,
        ),
        Table(
            "statuses", "Status vocabulary",
            "The statuses recommendations and actions take, with the OECD's definitions.",
            (
                Column("key", "string", "Stable key of the status.", required=True),
                Column("label", "string", "The status as shown to people.", required=True),
                Column("description", "string", "What the status means."),
                Column("is_final", "boolean", "No further action is expected in this status.", required=True),
                Column("position", "integer", "Display order, from the least to the most advanced."),
                _irm_column("irm_completion", "Where the status sits on the OGP IRM completion scale"),
                Column("default_percent", "integer", "The percent complete an item in this status is taken to have.",
                       constraints={"minimum": 0, "maximum": 100}),
                Column("colour", "string", "The colour pages and charts give the status (#rrggbb)."),
                Column("retired", "boolean", "Retired: kept on old records, no longer given to new ones."),
            ),
            primary_key=("key",),
            rows=status_rows,
        ),
        Table(
            "areas", "Areas",
            "The areas (pillars, dimensions) each plan's recommendations are grouped under.",
            (
                Column("id", "integer", "Identifier of the area, referred to by area_id elsewhere.",
                       required=True, constraints={"unique": True}),
                _PLAN_SLUG,
                Column("code", "string", "Short code of the area, unique within its plan.", required=True),
                Column("name", "string", "Name of the area.", required=True),
                Column("position", "integer", "Order of the area within its plan."),
                *_source_columns(),
            ),
            primary_key=("plan_slug", "code"),
            foreign_keys=(_SLUG_FK,),
            rows=area_rows,
        ),
        Table(
            "recommendations", "Recommendations",
            "What each review asked for, with the status the secretariat validated.",
            (
                _PLAN_SLUG,
                Column("code", "string", "Code of the recommendation, unique within its plan.",
                       required=True),
                Column("area_id", "integer", "The area it is filed under (areas.id)."),
                Column("area_code", "string", "The code of that area."),
                Column("text", "string", "Full text of the recommendation.", required=True),
                _status_column("status", "Validated status"),
                Column("status_label", "string", "The validated status as shown to people."),
                _irm_column("status_irm", "The validated status on the OGP IRM completion scale"),
                Column("timeframe", "string", "short (< 1 year), medium (1-2 years) or long (> 2 years).",
                       constraints={"enum": ["short", "medium", "long"]}),
                Column("priority", "string", "high, medium or low.",
                       constraints={"enum": ["high", "medium", "low"]}),
                Column("response", "string", "The government's response to the recommendation.",
                       constraints={"enum": ["accepted", "partially_accepted", "noted", "rejected"]}),
                Column("actions_taken", "string", "What the source report says was done."),
                Column("institution_ids", "string", "Institutions it names (agencies.id), separated by '; '.",
                       constraints={"pattern": r"\d+(; \d+)*"}),
                Column("institutions", "string", "Names of those institutions, separated by '; '."),
                Column("action_codes", "string", "Codes of the actions implementing it, separated by '; '."),
                _URL,
                *_source_columns(),
            ),
            primary_key=("plan_slug", "code"),
            foreign_keys=(_SLUG_FK, _AREA_FK, (("status",), "statuses", ("key",))),
            rows=recommendation_rows,
        ),
        Table(
            "actions", "Actions",
            "What agencies do to implement the recommendations: owners, dates, progress, status.",
            (
                _PLAN_SLUG,
                Column("code", "string", "Code of the action, unique within its plan.", required=True),
                Column("area_id", "integer", "The area it is filed under (areas.id)."),
                Column("area_code", "string", "The code of that area."),
                Column("title", "string", "Title of the action.", required=True),
                Column("description", "string", "What the action involves."),
                Column("lead_agency_id", "integer", "The lead agency (agencies.id)."),
                Column("lead_agency", "string", "The lead agency's name."),
                Column("supporting_agency_ids", "string",
                       "Supporting agencies (agencies.id), separated by '; '.",
                       constraints={"pattern": r"\d+(; \d+)*"}),
                Column("supporting_agencies", "string",
                       "Names of the supporting agencies, separated by '; '."),
                Column("start_date", "date", "When the action starts."),
                Column("due_date", "date", "When the action is due."),
                Column("percent_complete", "integer", "Validated percent complete.", required=True,
                       constraints={"minimum": 0, "maximum": 100}),
                Column("weight", "integer", "How much the action counts in its recommendations' percent "
                       "complete; empty counts as 1.", constraints={"minimum": 1, "maximum": 1000}),
                _status_column("status", "Validated status"),
                Column("status_label", "string", "The validated status as shown to people."),
                _irm_column("status_irm", "The validated status on the OGP IRM completion scale"),
                Column("recommendation_codes", "string",
                       "Codes of the recommendations it implements, separated by '; '."),
                Column("updated_at", "datetime", "When the action last changed (UTC)."),
                _URL,
                *_source_columns(),
            ),
            primary_key=("plan_slug", "code"),
            foreign_keys=(
                _SLUG_FK, _AREA_FK, (("lead_agency_id",), "agencies", ("id",)),
                (("status",), "statuses", ("key",)),
            ),
            rows=action_rows,
        ),
        Table(
            "indicators", "Indicators",
            "What the plans measure: each indicator with its unit, baseline, target and desired direction, "
            "attached to a recommendation, an action, or the whole plan.",
            (
                _PLAN_SLUG,
                Column("code", "string", "Code of the indicator, unique within its plan.", required=True),
                Column("name", "string", "What is measured.", required=True),
                Column("subject_type", "string", "What it measures: a recommendation, an action or the plan.",
                       required=True, constraints={"enum": ["recommendation", "action", "plan"]}),
                Column("subject_code", "string", "The code of that recommendation or action (empty for the plan)."),
                Column("unit", "string", "Unit of the values, e.g. datasets."),
                Column("kind", "string", "number, percent, yes_no (1 is yes, 0 no) or text.", required=True,
                       constraints={"enum": ["number", "percent", "yes_no", "text"]}),
                Column("direction", "string", "up: higher is better; down: lower is better.", required=True,
                       constraints={"enum": ["up", "down"]}),
                Column("baseline_value", "number", "The baseline value."),
                Column("baseline_date", "date", "The day the baseline describes."),
                Column("target_value", "number", "The target value."),
                Column("target_date", "date", "The day the target is due."),
                Column("data_source", "string", "Who produces the figures."),
                *_source_columns(),
            ),
            primary_key=("plan_slug", "code"),
            foreign_keys=(_SLUG_FK,),
            rows=indicator_rows,
        ),
        Table(
            "indicator_values", "Indicator values",
            "Every value that counts: from progress reports the secretariat accepted, or taken from a "
            "source report (with its reference). Values are never overwritten: this is the history.",
            (
                Column("id", "integer", "Identifier of the value.", required=True, constraints={"unique": True}),
                _PLAN_SLUG,
                Column("indicator_code", "string", "The indicator (indicators.code in the plan).", required=True),
                Column("period_date", "date", "The day the value describes.", required=True),
                Column("value", "number", "The value (yes/no: 1 or 0); empty for text indicators."),
                Column("text", "string", "A text indicator's value."),
                Column("origin", "string", "Where the value comes from.", required=True,
                       constraints={"enum": ["progress_report", "source_document"]}),
                Column("accepted_at", "datetime", "When the secretariat accepted the report (UTC)."),
                *_source_columns(),
            ),
            primary_key=("id",),
            foreign_keys=(_SLUG_FK, (("plan_slug", "indicator_code"), "indicators", ("plan_slug", "code"))),
            rows=indicator_value_rows,
        ),
        Table(
            "agencies", "Agencies",
            "Public bodies the plans name: lead and supporting agencies of actions, "
            "institutions of recommendations.",
            (
                Column("id", "integer", "Identifier of the agency.", required=True),
                Column("name", "string", "Name of the agency.", required=True),
                Column("acronym", "string", "Its acronym, if it has one."),
                Column("country", "string", "Its country.", required=True),
            ),
            primary_key=("id",),
            rows=agency_rows,
        ),
        Table(
            "status_changes", "Status changes",
            "The history of every validated status (and percent complete) of recommendations and actions: "
            "what changed, when and why. Who is given as a role or an agency, never an address.",
            (
                Column("id", "integer", "Identifier of the change.", required=True),
                _PLAN_SLUG,
                Column("subject_type", "string", "What changed: a recommendation or an action.",
                       required=True,
                       constraints={"enum": ["recommendation", "action"]}),
                Column("subject_code", "string", "The code of the recommendation or action.", required=True),
                _status_column("old_status", "Status before the change (empty when first set)",
                               required=False),
                _status_column("new_status", "Status after the change"),
                Column("old_percent", "integer", "Percent complete before (actions only).",
                       constraints={"minimum": 0, "maximum": 100}),
                Column("new_percent", "integer", "Percent complete after (actions only).",
                       constraints={"minimum": 0, "maximum": 100}),
                Column("changed_at", "datetime", "When the change was made (UTC).", required=True),
                Column("changed_by_role", "string",
                       "Who made it, never as an address: a role (Secretariat, Administrator), the "
                       "agency of an agency's focal point, or a system source such as seed."),
                Column("reason", "string", "Why the status changed.", required=True),
                _URL,
            ),
            primary_key=("id",),
            foreign_keys=(
                _SLUG_FK, (("old_status",), "statuses", ("key",)), (("new_status",), "statuses", ("key",)),
            ),
            rows=status_change_rows,
        ),
        Table(
            "assessments", "Assessments",
            "The status each dated assessment round (e.g. the OECD's follow-up) gave each recommendation.",
            (
                _PLAN_SLUG,
                Column("round", "string", "Name of the assessment round.", required=True),
                Column("assessed_on", "date", "The date of the assessment.", required=True),
                Column("recommendation_code", "string", "The recommendation assessed.", required=True),
                _status_column("status", "The status the round gave it"),
                Column("justification", "string", "Why, in the assessor's words."),
            ),
            primary_key=("plan_slug", "round", "recommendation_code"),
            foreign_keys=(
                _SLUG_FK,
                (("plan_slug", "recommendation_code"), "recommendations", ("plan_slug", "code")),
                (("status",), "statuses", ("key",)),
            ),
            rows=assessment_rows,
        ),
        Table(
            "translations", "Translations",
            "Titles and texts in other languages than the original English, entered by the secretariat "
            "(never machine-translated).",
            (
                Column("resource", "string", "The table of the translated item.", required=True,
                       constraints={"enum": list(TRANSLATED_FIELDS)}),
                Column("plan_slug", "string", "The plan of the item (plans.slug); empty for statuses."),
                Column("item", "string", (
                    "The item: a plan's slug; plan_slug/code for areas, recommendations and actions; a status's "
                    "key; plan_slug/action_code/due_date/n for the n-th milestone due that day."), required=True),
                Column("field", "string", "The translated field (plans.title, actions.description, ...).",
                       required=True, constraints={"enum": sorted({f for fs in TRANSLATED_FIELDS.values() for f in fs})}),
                Column("language", "string", "ISO 639 code of the language of the text, e.g. es.", required=True,
                       constraints={"pattern": "[a-z]{2,3}"}),
                Column("text", "string", "The text in that language.", required=True),
            ),
            primary_key=("resource", "item", "field", "language"),
            foreign_keys=(_SLUG_FK,),
            rows=translation_rows,
        ),
    )
}


def get_table(name: str) -> Table | None:
    return TABLES.get(name)


def table_csv(table: Table, scope: Scope) -> bytes:
    """The table as a CSV file of open data: no byte-order mark (``exchange.csv_files``)."""
    return csv_bytes(
        table.column_names, ([row[name] for name in table.column_names] for row in table.rows(scope)),
        for_spreadsheets=False,
    )
