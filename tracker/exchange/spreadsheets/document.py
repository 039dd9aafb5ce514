"""Spreadsheet rows into one plan document, with the row each item came from."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from tracker.exchange.spreadsheets.columns import (
    ACTION_COLUMNS,
    PLAN_COLUMNS,
    RECOMMENDATION_COLUMNS,
    REQUIRED_COLUMNS,
    Problem,
    SpreadsheetRefused,
    present,
)
from tracker.extensions import db
from tracker.models import Status
from tracker.schemas.action import parse_milestone

AGENCY = re.compile(r"^(?P<name>.+?)\s*\[(?P<acronym>[^\[\]]+)\]$")
YES_NO = {"yes": True, "no": False, "true": True, "false": False}


def rows_to_document(rows: list[tuple[int, dict]]) -> tuple[dict, dict[str, list]]:
    """A plan document from spreadsheet rows, and where each document item came from.

    The second value maps each section to its items' first rows; for ``agencies``, to
    every (row, column) that names the agency, so a refused agency is reported on each.
    Items come in the order of their first row. Cells repeated across rows must agree;
    a disagreement is a problem naming both rows.
    """
    problems: list[Problem] = []
    statuses = _status_names()
    columns = set(rows[0][1]) if rows else set()
    plan: dict = {}
    plan_rows: dict[str, int] = {}
    areas: dict[str, dict] = {}
    recs: dict[str, dict] = {}
    actions: dict[str, dict] = {}
    agencies: dict[str, dict] = {}
    origins: dict[str, list] = {"plan": [], "areas": [], "recommendations": [], "actions": [], "agencies": []}

    def merge(target: dict, seen_at: dict, key: str, value, number: int, column: str):
        if not present(value):
            return
        if key in target and present(target[key]) and target[key] != value:
            problems.append(
                Problem(number, column, f"Disagrees with row {seen_at[key]} ({target[key]!r}); repeated cells must match or be blank.")
            )
            return
        if key not in target or not present(target[key]):
            target[key], seen_at[key] = value, number

    def agency_refs(number: int, column: str, cell) -> list[str]:
        refs = []
        for token in _split(cell):
            match = AGENCY.match(token)
            name, acronym = (match["name"].strip(), match["acronym"].strip()) if match else (token, None)
            key = acronym or name
            if key not in agencies:
                agencies[key] = {"key": key, "name": name, "acronym": acronym}
                origins["agencies"].append([])
            mentions = origins["agencies"][list(agencies).index(key)]
            if (number, column) not in mentions:
                mentions.append((number, column))
            refs.append(key)
        return refs

    for number, row in rows:
        if not origins["plan"]:
            origins["plan"].append(number)
        for column, name in PLAN_COLUMNS.items():
            merge(plan, plan_rows, name, _text(row.get(column), dates=True), number, column)
        source = _parse_source(row.get("plan_source"))
        for name, value in source.items():
            merge(plan, plan_rows, name, value, number, "plan_source")
        if present(row.get("published")):
            published = YES_NO.get(str(_text(row["published"])).lower())
            if published is None:
                problems.append(Problem(number, "published", f"Write yes or no, not {_text(row['published'])!r}."))
            merge(plan, plan_rows, "published", published, number, "published")

        area_code = _text(row.get("area_code"))
        if area_code:
            if area_code not in areas:
                areas[area_code] = {"code": area_code, "_rows": {}}
                origins["areas"].append(number)
            area = areas[area_code]
            merge(area, area["_rows"], "name", _text(row.get("area_name")), number, "area_name")
            for name, value in _parse_source(row.get("area_source")).items():
                merge(area, area["_rows"], name, value, number, "area_source")
        elif present(row.get("area_name")) or present(row.get("area_source")):
            problems.append(Problem(number, "area_code", "An area name or source needs an area code."))

        rec_code = _text(row.get("recommendation_code"))
        if rec_code:
            rec = recs.get(rec_code)
            if rec is None:
                rec = recs[rec_code] = {"code": rec_code, "area": area_code, "_rows": {}}
                origins["recommendations"].append(number)
            for column, name in RECOMMENDATION_COLUMNS.items():
                value = _text(row.get(column))
                if name == "status" and value:
                    value = statuses.get(value.lower(), value)
                merge(rec, rec["_rows"], name, value, number, column)
            if present(row.get("institutions")):
                merge(rec, rec["_rows"], "institutions", agency_refs(number, "institutions", row["institutions"]), number, "institutions")
            for name, value in _parse_source(row.get("recommendation_source")).items():
                merge(rec, rec["_rows"], name, value, number, "recommendation_source")
        elif any(present(row.get(c)) for c in RECOMMENDATION_COLUMNS if c != "recommendation_code"):
            problems.append(Problem(number, "recommendation_code", "Recommendation cells need a recommendation code."))

        action_code = _text(row.get("action_code"))
        if action_code:
            action = actions.get(action_code)
            if action is None:
                # Without an action_area column, an action is in the area of its first row.
                area = None if "action_area" in columns else area_code
                action = actions[action_code] = {"code": action_code, "area": area, "recommendations": [], "_rows": {}}
                origins["actions"].append(number)
            for column, name in ACTION_COLUMNS.items():
                value = _text(row.get(column), dates=True)
                if name == "status" and value:
                    value = statuses.get(value.lower(), value)
                merge(action, action["_rows"], name, value, number, column)
            merge(action, action["_rows"], "area", _text(row.get("action_area")), number, "action_area")
            if present(row.get("lead_agency")):
                [lead, *extra] = agency_refs(number, "lead_agency", row["lead_agency"])
                if extra:
                    problems.append(Problem(number, "lead_agency", "Name one lead agency; put the others in supporting_agencies."))
                merge(action, action["_rows"], "lead_agency", lead, number, "lead_agency")
            if present(row.get("supporting_agencies")):
                merge(action, action["_rows"], "supporting_agencies", agency_refs(number, "supporting_agencies", row["supporting_agencies"]), number, "supporting_agencies")
            if present(row.get("milestones")):
                merge(action, action["_rows"], "milestones", _parse_milestones(number, row["milestones"], problems), number, "milestones")
            for name, value in _parse_source(row.get("action_source")).items():
                merge(action, action["_rows"], name, value, number, "action_source")
            if rec_code and rec_code not in action["recommendations"]:
                action["recommendations"].append(rec_code)
        elif any(present(row.get(c)) for c in (*ACTION_COLUMNS, "action_area", "lead_agency", "supporting_agencies", "milestones") if c != "action_code"):
            problems.append(Problem(number, "action_code", "Action cells need an action code."))

    slugs = {row.get("plan_slug") for _, row in rows if present(row.get("plan_slug"))}
    if len(slugs) > 1:
        problems.append(Problem(None, "plan_slug", f"One plan per file; found {len(slugs)}: {', '.join(sorted(map(str, slugs)))}."))
    if problems:
        raise SpreadsheetRefused(problems)

    # An optional plan column that the file has but leaves blank clears the value; a
    # column the file does not have leaves the stored value alone.
    for column, name in PLAN_COLUMNS.items():
        if column in columns and column not in REQUIRED_COLUMNS:
            plan.setdefault(name, None)
    if "plan_source" in columns:
        for name in ("source_document", "source_section", "source_lines"):
            plan.setdefault(name, None)

    def clean(item: dict) -> dict:
        return {k: v for k, v in item.items() if k != "_rows" and v is not None}

    document = {
        "plan": dict(plan),
        "agencies": list(agencies.values()),
        "areas": [clean(a) for a in areas.values()],
        "recommendations": [clean(r) for r in recs.values()],
        "actions": [clean(a) for a in actions.values()],
    }
    return document, origins


def _status_names() -> dict[str, str]:
    """Status keys and labels, folded, mapped to keys: a sheet may say "Ongoing" or "ongoing"."""
    names = {}
    for status in db.session.scalars(select(Status)):
        names[status.key.lower()] = status.key
        names[status.label.lower()] = status.key
    return names


def _text(value, *, dates: bool = False) -> str | None:
    if value is None:
        return None
    if dates and isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _split(cell) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def _parse_milestones(number: int, cell, problems: list[Problem]) -> list[dict]:
    milestones = []
    for token in _split(cell):
        milestone = parse_milestone(token)
        if milestone is None or not milestone["title"] or not all(
            _iso_date(milestone[k]) for k in ("due_date", "achieved_on") if k in milestone
        ):
            problems.append(Problem(number, "milestones", (
                "Write each milestone as 'YYYY-MM-DD title', followed by ' (achieved YYYY-MM-DD)' "
                f"once reached; not {token!r}."
            )))
            continue
        milestones.append(milestone)
    return milestones


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _parse_source(cell) -> dict:
    if not present(cell):
        return {}
    parts = [p.strip() or None for p in str(cell).split(" | ")] + [None, None]
    return {"source_document": parts[0], "source_section": parts[1], "source_lines": parts[2]}
