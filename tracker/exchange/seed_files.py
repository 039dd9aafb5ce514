"""Reading the seed files in ``seed/plans/`` into plan documents and loading them.

``seed/sources.yaml`` gives the cited reports' bibliographic data once per document; each
plan document carries the entries for the documents it cites, so a load records them and
dates the plan's statuses by their source.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from dateutil.relativedelta import relativedelta
from flask_babel import gettext

from tracker.exchange.plan_import import ImportSummary, import_plan_document
from tracker.models import SEED_LOAD_LABEL, SourceDocument
from tracker.models.types import EARLIEST_DATE, LATEST_DATE
from tracker.schemas.base import DATE_MESSAGE
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import Actor

SEED_ACTOR_LABEL = SEED_LOAD_LABEL
SOURCES_FILE = "sources.yaml"
RECOMMENDATION_FIELDS = (
    "code", "area", "text", "status", "timeframe", "priority", "response", "actions_taken",
)


def seed_paths(seed_dir: str, slug: str | None = None) -> list[Path]:
    """The seed files, in name order, or just the one for ``slug``."""
    plans = Path(seed_dir) / "plans"
    paths = sorted(plans.glob("*.yaml"))
    if slug is not None:
        paths = [p for p in paths if p.stem == slug]
        if not paths:
            known = ", ".join(p.stem for p in sorted(plans.glob("*.yaml")))
            raise ValidationFailed({"slug": [gettext("No seed file for %(slug)r; known: %(known)s.", slug=slug, known=known)]})
    return paths


def load_seed_document(path: Path, document: dict, *, now: datetime, dry_run: bool = False) -> ImportSummary:
    """Load (or check) one seed plan through the plan import, all or nothing.

    Seed files list every body they name under ``agencies``, so those are created. A
    seed plan is the product's real data: published when the load creates it (unless
    its file says ``published: false``), and left as the secretariat set it afterwards,
    so loading again never re-publishes a plan someone unpublished.

    The statuses it records are the report's: they take effect on the plan's latest
    assessment round's date (what the round is the record of), else on the report's own
    date (``SourceDocument.effective_day``), and they say which report they came from.
    """
    report = _plan_report(document)
    rounds = [r["assessed_on"] for r in document.get("assessment_rounds") or [] if isinstance(r.get("assessed_on"), date)]
    return import_plan_document(
        document,
        actor=Actor.system(SEED_ACTOR_LABEL),
        now=now,
        reason=f"Imported from the {report.short_reference} report." if report else "Imported from the source report.",
        dry_run=dry_run,
        create_agencies=True,
        effective_on=max(rounds) if rounds else (report.effective_day if report else None),
    )


def _plan_report(document: dict) -> SourceDocument | None:
    """The plan's source report as described in the document (unsaved: only read here)."""
    name = (document.get("plan") or {}).get("source_document")
    for item in document.get("sources") or []:
        if isinstance(item, dict) and item.get("document") == name:
            fields = {k: item.get(k) for k in ("author", "year", "title", "issued_on")}
            return SourceDocument(name=name, **fields)
    return None


def read_seed_file(path: str | os.PathLike) -> dict:
    """A plan document from one seed file: agency keys resolved, months turned into dates."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict) or not isinstance(raw.get("plan"), dict):
        raise ValidationFailed({"plan": [gettext("%(path)s: not a seed file (no 'plan' mapping).", path=path)]})
    document = to_plan_document(raw)
    document["sources"] = _cited_sources(Path(path).parent.parent / SOURCES_FILE, document)
    return document


def _cited_sources(sources_path: Path, document: dict) -> list[dict]:
    """The entries of ``seed/sources.yaml`` for the documents the plan cites."""
    if not sources_path.is_file():
        return []
    with open(sources_path, encoding="utf-8") as handle:
        listed = (yaml.safe_load(handle) or {}).get("sources") or []
    cited = set(_cited_documents(document))
    return [item for item in listed if isinstance(item, dict) and item.get("document") in cited]


def _cited_documents(value) -> list[str]:
    """Every ``source_document`` named anywhere in a plan document."""
    if isinstance(value, list):
        return [name for item in value for name in _cited_documents(item)]
    if not isinstance(value, dict):
        return []
    found = [value["source_document"]] if isinstance(value.get("source_document"), str) else []
    return found + [name for v in value.values() for name in _cited_documents(v)]


def to_plan_document(raw: dict) -> dict:
    """Translate the seed file format into the document ``import_plan_document`` takes."""
    plan = _plan(raw["plan"])
    start = plan.get("period_start")
    return {
        "plan": plan,
        "agencies": [
            {"key": a["key"], "name": a["name"], "acronym": a.get("acronym")}
            for a in _listed(raw, "agencies")
        ],
        "areas": [
            {"code": a["code"], "name": a["name"], **_source_fields(a.get("source"))}
            for a in _listed(raw, "areas")
        ],
        "recommendations": [_recommendation(item) for item in _listed(raw, "recommendations")],
        "actions": [_action(item, start) for item in _listed(raw, "actions")],
        "readiness": [_with_sources(d) for d in _listed(raw.get("readiness") or {}, "dimensions")],
        "assessment_rounds": [_with_sources(r) for r in _listed(raw, "assessment_rounds")],
        "figures": [_with_sources(f) for f in _listed(raw, "figures")],
        "indicators": [_indicator(item) for item in _listed(raw, "indicators")],
    }


def _indicator(item: dict) -> dict:
    """An indicator: baseline and target as ``{value, date}``, each value with its own source."""
    indicator = {k: v for k, v in item.items() if k not in ("source", "baseline", "target", "values")}
    for name in ("baseline", "target"):
        given = item.get(name) or {}
        if given:
            indicator[f"{name}_value"], indicator[f"{name}_date"] = given.get("value"), given.get("date")
    indicator["values"] = [
        {"value": v.get("value"), "period_date": v.get("date"), **_source_fields(v.get("source"))}
        for v in item.get("values") or []
    ]
    indicator.update(_source_fields(item.get("source")))
    return indicator


def _listed(mapping: dict, key: str) -> list:
    """A list the seed file may leave out or leave empty."""
    return mapping.get(key) or []


def _plan(item: dict) -> dict:
    plan = {k: v for k, v in item.items() if k not in ("source", "source_reference")}
    plan["citation"] = item.get("source_reference")
    plan.setdefault("published", True)  # applies only when the load creates the plan
    plan.update(_source_fields(item.get("source")))
    return plan


def _recommendation(item: dict) -> dict:
    rec = {k: v for k, v in item.items() if k in RECOMMENDATION_FIELDS}
    if item.get("related"):
        rec["related"] = item["related"]
    rec["institutions"] = list(item.get("institutions") or [])
    rec.update(_source_fields(item.get("source")))
    return rec


def _action(item: dict, plan_start: date | None) -> dict:
    """An action: its lead and supporting agencies by key, and months of the plan as dates."""
    action = {
        k: v
        for k, v in item.items()
        if k not in ("source", "lead", "supporting", "start_month", "duration_months")
    }
    action["lead_agency"] = item.get("lead")
    action["supporting_agencies"] = list(item.get("supporting") or [])
    if item.get("start_month") is not None:
        action["start_date"], action["due_date"] = month_span(
            plan_start, item["start_month"], item.get("duration_months") or 1
        )
    action["milestones"] = [
        {"title": m["title"], "due_date": m.get("date") or month_end(plan_start, m["month"])}
        for m in item.get("milestones") or []
    ]
    action.update(_source_fields(item.get("source")))
    return action


def month_span(plan_start: date | None, start_month: int, duration_months: int) -> tuple[date, date]:
    """Real dates for "month N, for D months" of a plan: first day of N to last day of N+D-1.

    Month 1 is the month the plan starts in.
    """
    if plan_start is None:
        raise ValidationFailed({"plan.period_start": [gettext("Needed to date actions given in months.")]})
    first = _plus_months(plan_start, start_month - 1)
    return first, month_end(plan_start, start_month + duration_months - 1)


def month_end(plan_start: date, month: int) -> date:
    """The last day of month ``month`` of a plan (month 1 is the plan's first month)."""
    return _plus_months(plan_start, month) - timedelta(days=1)


def _plus_months(plan_start: date, months: int) -> date:
    """The first day of the plan's first month, ``months`` months on.

    Counted only from a start within the accepted dates, and refused when the count leaves
    them: the arithmetic would otherwise fail past the year 9999 (a crash, not a message).
    """
    if not EARLIEST_DATE <= plan_start <= LATEST_DATE:
        raise ValidationFailed({"plan.period_start": [DATE_MESSAGE]})
    day = plan_start.replace(day=1) + relativedelta(months=months)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationFailed({"actions": [gettext("Month %(months)s of the plan: %(DATE_MESSAGE)s", months=months, DATE_MESSAGE=DATE_MESSAGE)]})
    return day


def iter_documents(seed_dir: str, slug: str | None = None) -> Iterator[tuple[Path, dict]]:
    for path in seed_paths(seed_dir, slug):
        yield path, read_seed_file(path)


def _with_sources(value):
    """``value`` with every nested ``source: {...}`` mapping turned into source_* fields."""
    if isinstance(value, list):
        return [_with_sources(v) for v in value]
    if not isinstance(value, dict):
        return value
    converted = {k: _with_sources(v) for k, v in value.items() if k != "source"}
    converted.update(_source_fields(value.get("source")))
    return converted


def _source_fields(source: dict | None) -> dict:
    if not source:
        return {}
    lines = source.get("lines")
    return {
        "source_document": source.get("document"),
        "source_section": source.get("section"),
        "source_lines": str(lines) if lines is not None else None,
    }
