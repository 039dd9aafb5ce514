"""Importing a plan from a spreadsheet, all or nothing, with every problem by row and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from tracker.exchange.plan_import import ImportSummary, import_plan_document
from tracker.exchange.spreadsheets.columns import FIELD_COLUMNS, Problem, SpreadsheetRefused
from tracker.exchange.spreadsheets.document import rows_to_document
from tracker.exchange.spreadsheets.reading import DEFAULT_LIMITS, SpreadsheetLimits, read_rows
from tracker.exchange.spreadsheets.writing import export_rows
from tracker.models.translations import TRANSLATIONS_SUFFIX
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.plans import get_plan
from tracker.services.transaction import Actor


@dataclass
class SpreadsheetImport:
    """The outcome of an import: the problems found, or what was (or would be) changed."""

    problems: list[Problem] = field(default_factory=list)
    summary: ImportSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def import_spreadsheet(
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    now: datetime,
    limits: SpreadsheetLimits = DEFAULT_LIMITS,
    dry_run: bool = False,
    publish: bool = False,
    create_agencies: bool = False,
) -> SpreadsheetImport:
    """Import (or, on a dry run, check) a plan from a CSV or XLSX file, all or nothing.

    Every problem is reported with its row and column; when there is any, nothing is
    stored. ``publish`` publishes the plan if the import creates it; ``create_agencies``
    lets it create the agencies the file names that do not exist yet (otherwise each
    row naming one gets a problem with the closest known agencies).
    """
    try:
        rows = read_rows(filename, data, limits=limits)
        document, origins = rows_to_document(rows)
    except SpreadsheetRefused as exc:
        return SpreadsheetImport(problems=exc.problems)
    _keep_stored_positions(document)
    try:
        summary = import_plan_document(
            document, actor=actor, now=now, reason=f"Imported from {filename}.", dry_run=dry_run,
            publish=publish, create_agencies=create_agencies,
        )
    except ValidationFailed as exc:
        return SpreadsheetImport(problems=_locate(exc.errors, origins))
    return SpreadsheetImport(summary=summary)


def _keep_stored_positions(document: dict) -> None:
    """Give the document's existing items their stored positions where the file's order agrees.

    Positions are not columns: the order of the rows is the order of the plan, so moving
    rows reorders it. But an export lists recommendations by area and actions under
    them, which need not be the order of their stored positions, so numbering items by
    their first row would move positions on every round trip. Hence, per kind (areas,
    recommendations, actions): if the file lists the existing items in the order an
    export of the stored plan does, each keeps its stored position and a new item takes
    the position of the item above it (so it sorts right after it, being newer). If the
    rows were moved, the kind is numbered afresh in the file's order.
    """
    try:
        plan = get_plan(str(document["plan"].get("slug")))
    except NotFound:
        return
    exported = _first_appearances(export_rows(plan))
    stored = {
        "areas": {a.code: a.position for a in plan.areas},
        "recommendations": {r.code: r.position for r in plan.recommendations},
        "actions": {a.code: a.position for a in plan.actions},
    }
    for kind, positions in stored.items():
        items = document[kind]
        codes = [item["code"] for item in items]
        in_file = set(codes)
        if [c for c in codes if c in positions] != [c for c in exported[kind] if c in in_file]:
            continue
        previous = min(positions.values(), default=0) - 1
        for item in items:
            item["position"] = previous = positions.get(item["code"], previous)


def _first_appearances(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """The area, recommendation and action codes of ``rows``, each in order of its first row."""
    order: dict[str, dict[str, None]] = {"areas": {}, "recommendations": {}, "actions": {}}
    for row in rows:
        for kind, column in (("areas", "area_code"), ("recommendations", "recommendation_code"),
                             ("actions", "action_code")):
            if row[column]:
                order[kind].setdefault(row[column], None)
    return {kind: list(codes) for kind, codes in order.items()}


def _locate(errors: dict, origins: dict[str, list]) -> list[Problem]:
    """Turn the plan import's ``section[index].field`` errors into row and column problems."""
    problems = []
    for path, messages in errors.items():
        match = re.match(r"^(?P<section>\w+)(?:\[(?P<index>\d+)\])?(?:\.(?P<field>[\w.\[\]]+))?$", path)
        section = match["section"] if match else path
        index = int(match["index"]) if match and match["index"] else 0
        field_name = (match["field"] or "") if match else ""
        found = origins.get(section) or []
        origin = found[index] if index < len(found) else None
        # An agency is reported on every row and column naming it; anything else on its first row.
        places = origin if isinstance(origin, list) else [(origin, None)]
        field = field_name.split(".")[0].split("[")[0]
        column = FIELD_COLUMNS.get(section, {}).get(field)
        for message in messages if isinstance(messages, list) else [messages]:
            message_column, message = _translation_problem(section, field, str(message))
            for row, where in places or [(None, None)]:
                problems.append(Problem(row, where or message_column or column or field_name or None, message))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


_LANGUAGE_MESSAGE = re.compile(r"^(?P<language>[a-z]{2,3}): (?:value: )?(?P<message>.*)$", re.DOTALL)


def _translation_problem(section: str, field: str, message: str) -> tuple[str | None, str]:
    """A translation's problem ("es: value: Use at most ...") on its own column (plan_title_es)."""
    if not field.endswith(TRANSLATIONS_SUFFIX):
        return None, message
    match = _LANGUAGE_MESSAGE.match(message)
    column = FIELD_COLUMNS.get(section, {}).get(field.removesuffix(TRANSLATIONS_SUFFIX))
    if match is None or column is None:
        return column, message
    return f"{column}_{match['language']}", match["message"]
