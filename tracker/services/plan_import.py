"""Bringing a whole plan in (or up to date) from one document: seed files and spreadsheets.

A plan document is a dict shaped like the seed files (see ``seed/README.md``):
``plan``, ``agencies``, ``areas``, ``recommendations`` (optionally with ``related``
links), ``actions``, ``readiness`` (dimensions), ``assessment_rounds``, ``figures``. Items are
matched by their stable codes, so importing the same document again changes
nothing and an edited document updates in place instead of duplicating.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Plan, ReadinessDimension
from tracker.services.actions import find_action, save_action
from tracker.services.agencies import ensure_agency
from tracker.services.assessments import record_assessment_round
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.plans import (
    create_plan,
    find_area,
    get_plan,
    save_area,
    save_figures,
    update_plan,
)
from tracker.services.readiness import save_dimension
from tracker.services.recommendations import find_recommendation, link_related, save_recommendation
from tracker.services.transaction import Actor, atomic


@dataclass
class ImportSummary:
    """What an import did (or, on a dry run, would do)."""

    slug: str
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        bucket = self.created if created else self.updated if changed else self.unchanged
        bucket[kind] += 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


class _DryRun(Exception):
    """Raised to roll back a dry run after everything has been validated."""


def import_plan_document(
    document: dict, *, actor: Actor, now: datetime, reason: str, dry_run: bool = False
) -> ImportSummary:
    """Create or update a plan and everything in it, all or nothing.

    Every problem in the document is collected (as ``section[index].field``) and
    raised together in one ``ValidationFailed``; nothing is stored then. A dry run
    validates and counts, then rolls back.
    """
    summary = ImportSummary(slug=str((document.get("plan") or {}).get("slug")))
    try:
        with atomic():
            _import(document, summary, actor=actor, now=now, reason=reason)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _import(document: dict, summary: ImportSummary, *, actor, now, reason) -> None:
    errors: dict[str, list[str]] = {}

    def attempt(path: str, operation):
        try:
            return operation()
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                key = path if name == "_schema" else f"{path}.{name}"
                errors.setdefault(key, []).extend(_as_list(messages))
            return None

    plan = attempt("plan", lambda: _save_plan(document.get("plan") or {}, summary, now=now))
    if plan is None:
        raise ValidationFailed(errors)

    # Documents may name bodies by a local key; services find them by acronym or name.
    aliases: dict[str, str] = {}
    for index, item in enumerate(document.get("agencies") or []):
        fields = {"name": item.get("name"), "acronym": item.get("acronym"), "country": plan.country}
        agency = attempt(f"agencies[{index}]", lambda f=fields: ensure_agency(f))
        if agency is not None:
            aliases[item.get("key") or item.get("acronym") or item.get("name")] = (
                agency.acronym or agency.name
            )

    for index, area in enumerate(document.get("areas") or []):
        existed = find_area(plan, str(area.get("code"))) is not None
        result = attempt(f"areas[{index}]", lambda a=area, i=index: save_area(plan, {"position": i, **a}))
        if result:
            summary.count("areas", created=not existed, changed=result[1])

    related: list[tuple[int, str, list]] = []
    for kind, save in (("recommendations", save_recommendation), ("actions", save_action)):
        for index, item in enumerate(document.get(kind) or []):
            if kind == "recommendations" and isinstance(item, dict) and "related" in item:
                item = dict(item)
                related.append((index, str(item.get("code")), item.pop("related") or []))
            existed = _exists(plan, kind, item)
            result = attempt(
                f"{kind}[{index}]",
                lambda i=item, n=index, s=save: s(
                    plan, {"position": n, **_resolve(i, aliases)}, actor=actor, now=now, reason=reason
                ),
            )
            if result:
                summary.count(kind, created=not existed, changed=result[1])

    for index, code, references in related:
        rec = find_recommendation(plan, code)
        if rec is not None and attempt(
            f"recommendations[{index}].related", lambda r=rec, refs=references: link_related(r, refs)
        ):
            summary.count("links", created=False, changed=True)

    for index, dimension in enumerate(document.get("readiness") or []):
        existed = _dimension_exists(plan, dimension)
        result = attempt(
            f"readiness[{index}]", lambda d=dimension, i=index: save_dimension(plan, d, position=i)
        )
        if result:
            summary.count("readiness dimensions", created=not existed, changed=result[1])

    for index, round_ in enumerate(document.get("assessment_rounds") or []):
        result = attempt(
            f"assessment_rounds[{index}]",
            lambda r=round_: record_assessment_round(plan, r, actor=actor, now=now),
        )
        if result:
            summary.count("assessment rounds", created=False, changed=result[1])

    if document.get("figures") and attempt("figures", lambda: save_figures(plan, document["figures"])):
        summary.count("figure lists", created=False, changed=True)

    if errors:
        raise ValidationFailed(errors)


def _resolve(item: dict, aliases: dict[str, str]) -> dict:
    """The item with its agency references translated through ``aliases``."""
    if not isinstance(item, dict):
        return item
    resolved = dict(item)
    for name in ("institutions", "supporting_agencies"):
        if isinstance(item.get(name), list):
            resolved[name] = [aliases.get(k, k) for k in item[name]]
    if isinstance(item.get("lead_agency"), str):
        resolved["lead_agency"] = aliases.get(item["lead_agency"], item["lead_agency"])
    return resolved


def _save_plan(fields: dict, summary: ImportSummary, *, now) -> Plan:
    try:
        plan = get_plan(str(fields.get("slug")))
    except NotFound:
        plan = create_plan(fields, now=now)
        summary.count("plans", created=True, changed=True)
        return plan
    changed = update_plan(plan, fields)
    summary.count("plans", created=False, changed=changed)
    return plan


def _dimension_exists(plan: Plan, dimension) -> bool:
    code = dimension.get("code") if isinstance(dimension, dict) else None
    return bool(code) and db.session.scalars(
        select(ReadinessDimension.id).where(
            ReadinessDimension.plan_id == plan.id, ReadinessDimension.code == str(code)
        )
    ).first() is not None


def _exists(plan: Plan, kind: str, item: dict) -> bool:
    code = item.get("code") if isinstance(item, dict) else None
    if not code:
        return False
    finder = find_recommendation if kind == "recommendations" else find_action
    return finder(plan, str(code)) is not None


def _as_list(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{k}: {' '.join(_as_list(v))}" for k, v in messages.items()]
    return [str(m) for m in messages] if isinstance(messages, list | tuple) else [str(messages)]

