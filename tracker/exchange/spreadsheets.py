"""Plans as spreadsheets: one column format for CSV and XLSX, for import and export alike.

Each row is one recommendation-action pair of one plan. Plan and area columns
repeat on every row; a recommendation served by two actions takes two rows, and an
action serving two recommendations appears under each. Cells that repeat may be
left blank after the first row that fills them. The format is documented in
``docs/spreadsheet-format.md``; ``COLUMNS`` below is its source of truth.

An export imported back changes nothing: every stored value the format shows has a
column, and positions are kept while the file lists items in the order an export writes
them (see ``_keep_stored_positions``). Uploaded files are untrusted: an XLSX is checked
member by member before openpyxl reads it (``_check_workbook``).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from defusedxml import DefusedXmlException
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.exchange.plan_import import ImportSummary, import_plan_document
from tracker.extensions import db
from tracker.models import Action, Plan, Recommendation, Status
from tracker.schemas.action import milestone_text, parse_milestone
from tracker.services.agencies import agency_reference
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.plans import get_plan
from tracker.services.transaction import Actor

# (column, what it holds). Order is the order of the exported file.
COLUMNS: list[tuple[str, str]] = [
    ("plan_slug", "The plan's identifier: lower-case letters, digits and hyphens (required)."),
    ("plan_title", "The plan's title (required)."),
    ("country", "The country whose government the plan concerns (required)."),
    ("plan_period_start", "First day of the plan, YYYY-MM-DD."),
    ("plan_period_end", "Last day of the plan, YYYY-MM-DD."),
    ("plan_description", "One paragraph about the plan."),
    ("plan_citation", "Bibliographic reference of the source."),
    ("plan_source", "Source location: document | section | lines."),
    ("published", ("yes or no: whether the public sees the plan, if this import creates it. "
                  "An existing plan keeps its state (change it on the plan's page).")),
    ("area_code", ("Short code of the area (pillar, dimension) of the row's recommendation, "
                  "or of its action when the row has none.")),
    ("area_name", "Name of the area."),
    ("area_source", "Source location of the area: document | section | lines."),
    ("recommendation_code", "Stable code of the recommendation, unique in the plan."),
    ("recommendation_text", "Full text of the recommendation."),
    ("recommendation_status", "Validated status: a status key or label (e.g. ongoing)."),
    ("timeframe", "short, medium or long."),
    ("priority", "high, medium or low."),
    ("response", "The government's response: accepted, partially_accepted, noted or rejected."),
    ("actions_taken", "What the source says was done."),
    ("institutions", "Institutions the recommendation names, separated by ';'."),
    ("recommendation_source", "Source location: document | section | lines."),
    ("action_code", "Stable code of the action, unique in the plan."),
    ("action_title", "Title of the action."),
    ("action_description", "What the action involves."),
    ("action_area", ("The action's own area code (blank: none). Without this column an action "
                    "takes the area of its first row.")),
    ("lead_agency", "Lead agency: 'Name [ACRONYM]', or an existing agency's acronym or name."),
    ("supporting_agencies", "Supporting agencies, separated by ';'."),
    ("start_date", "YYYY-MM-DD."),
    ("due_date", "YYYY-MM-DD, not before start_date."),
    ("action_status", "Status of the action: a status key or label."),
    ("percent_complete", "Whole number from 0 to 100."),
    ("milestones", ("Milestones as 'YYYY-MM-DD title', followed by ' (achieved YYYY-MM-DD)' "
                   "once reached, separated by ';'.")),
    ("action_source", "Source location: document | section | lines."),
]
COLUMN_NAMES = [name for name, _ in COLUMNS]
REQUIRED_COLUMNS = ("plan_slug", "plan_title", "country")

PLAN_COLUMNS = {
    "plan_slug": "slug", "plan_title": "title", "country": "country",
    "plan_period_start": "period_start", "plan_period_end": "period_end",
    "plan_description": "description", "plan_citation": "citation",
}
RECOMMENDATION_COLUMNS = {
    "recommendation_code": "code", "recommendation_text": "text",
    "recommendation_status": "status", "timeframe": "timeframe", "priority": "priority",
    "response": "response", "actions_taken": "actions_taken",
}
ACTION_COLUMNS = {
    "action_code": "code", "action_title": "title", "action_description": "description",
    "start_date": "start_date", "due_date": "due_date", "action_status": "status",
    "percent_complete": "percent_complete",
}
# Which column a service's field error points at, per part of the plan document.
FIELD_COLUMNS = {
    "plan": {**{v: k for k, v in PLAN_COLUMNS.items()}, "source_document": "plan_source",
             "source_section": "plan_source", "source_lines": "plan_source"},
    "areas": {"code": "area_code", "name": "area_name", "source_document": "area_source",
              "source_section": "area_source", "source_lines": "area_source"},
    "recommendations": {**{v: k for k, v in RECOMMENDATION_COLUMNS.items()},
                        "area": "area_code", "institutions": "institutions",
                        "source_document": "recommendation_source",
                        "source_section": "recommendation_source",
                        "source_lines": "recommendation_source"},
    "actions": {**{v: k for k, v in ACTION_COLUMNS.items()}, "area": "action_area",
                "lead_agency": "lead_agency", "supporting_agencies": "supporting_agencies",
                "recommendations": "recommendation_code", "milestones": "milestones",
                "source_document": "action_source", "source_section": "action_source",
                "source_lines": "action_source"},
}

XLSX_MAGIC = b"PK\x03\x04"
AGENCY = re.compile(r"^(?P<name>.+?)\s*\[(?P<acronym>[^\[\]]+)\]$")
YES_NO = {"yes": True, "no": False, "true": True, "false": False}
# Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Members smaller than this are not held to the compression ratio: they cannot hurt,
# and tiny parts of real workbooks can compress unusually well.
RATIO_FLOOR = 1024 * 1024
NOT_VALID = "Not a valid spreadsheet"


@dataclass(frozen=True)
class SpreadsheetLimits:
    """How large an uploaded file may be, and how far an XLSX workbook may expand.

    Defaults match ``tracker.config``; ``from_config`` reads the settings. Apache POI
    refuses ratios above 100 by default too; real plan workbooks stay near 10.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: int = 100

    @classmethod
    def from_config(cls, config: Mapping) -> SpreadsheetLimits:
        return cls(
            max_bytes=config["MAX_SPREADSHEET_BYTES"],
            max_uncompressed_bytes=config["SPREADSHEET_MAX_UNCOMPRESSED_BYTES"],
            max_compression_ratio=config["SPREADSHEET_MAX_COMPRESSION_RATIO"],
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file: where it is, and what to do about it."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"row {self.row}" if self.row else "", self.column or "") if part
        )
        return f"{where}: {self.message}" if where else self.message


@dataclass
class SpreadsheetImport:
    """The outcome of an import: the problems found, or what was (or would be) changed."""

    problems: list[Problem] = field(default_factory=list)
    summary: ImportSummary | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


class SpreadsheetRefused(ValidationFailed):
    """The file was refused; ``problems`` lists where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__({"file": [str(p) for p in problems]})
        self.problems = problems


# --- export -----------------------------------------------------------------


def export_rows(plan: Plan) -> list[dict[str, str]]:
    """The plan as rows of the spreadsheet format, in area, recommendation, action order."""
    recs = db.session.scalars(
        select(Recommendation)
        .where(Recommendation.plan_id == plan.id)
        .options(
            selectinload(Recommendation.institutions),
            selectinload(Recommendation.actions).selectinload(Action.area),
            selectinload(Recommendation.actions).selectinload(Action.supporting_agencies),
            selectinload(Recommendation.actions).selectinload(Action.lead_agency),
            selectinload(Recommendation.actions).selectinload(Action.milestones),
        )
        .order_by(Recommendation.position, Recommendation.id)
    ).all()
    actions = db.session.scalars(
        select(Action)
        .where(Action.plan_id == plan.id)
        .options(selectinload(Action.recommendations))
        .order_by(Action.position, Action.id)
    ).all()

    plan_cells = {
        "plan_slug": plan.slug, "plan_title": plan.title, "country": plan.country,
        "plan_period_start": _date_cell(plan.period_start),
        "plan_period_end": _date_cell(plan.period_end),
        "plan_description": plan.description or "", "plan_citation": plan.citation or "",
        "plan_source": _source_cell(plan), "published": "yes" if plan.published else "no",
    }
    rows: list[dict[str, str]] = []

    def add(area, rec=None, action=None):
        row = dict.fromkeys(COLUMN_NAMES, "")
        row.update(plan_cells)
        if area is not None:
            row.update(area_code=area.code, area_name=area.name, area_source=_source_cell(area))
        if rec is not None:
            row.update({column: _cell(getattr(rec, attr)) for column, attr in RECOMMENDATION_COLUMNS.items()})
            row["recommendation_status"] = rec.status_key
            row["institutions"] = "; ".join(_agency_cell(a) for a in rec.institutions)
            row["recommendation_source"] = _source_cell(rec)
        if action is not None:
            row.update({column: _cell(getattr(action, attr)) for column, attr in ACTION_COLUMNS.items()})
            row["action_status"] = action.status_key
            row["action_area"] = action.area.code if action.area else ""
            row["lead_agency"] = _agency_cell(action.lead_agency) if action.lead_agency else ""
            row["supporting_agencies"] = "; ".join(_agency_cell(a) for a in action.supporting_agencies)
            row["milestones"] = "; ".join(
                milestone_text(m.due_date, m.title, m.achieved_on)
                for m in sorted(action.milestones, key=lambda m: (m.due_date, m.title))
            )
            row["action_source"] = _source_cell(action)
        rows.append(row)

    areas: list = [*plan.areas, None]
    for area in areas:
        area_id = area.id if area else None
        area_recs = [r for r in recs if r.area_id == area_id]
        for rec in area_recs:
            # Ordered by code, not position: the sheet carries codes, so a re-import exports alike.
            linked = sorted(rec.actions, key=lambda a: _natural(a.code))
            for action in linked or [None]:
                add(area, rec, action)
        loose = sorted(
            (a for a in actions if a.area_id == area_id and not a.recommendations),
            key=lambda a: _natural(a.code),
        )
        for action in loose:
            add(area, None, action)
        if area is not None and not area_recs and not loose:
            add(area)
    if not rows:
        add(None)
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """UTF-8 CSV (with a byte-order mark so spreadsheet programs read accents right)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMN_NAMES, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _neutralise(v) for k, v in row.items()})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    """An XLSX workbook with one sheet, ``plan``, in the same columns as the CSV."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "plan"
    sheet.append(COLUMN_NAMES)
    for row in rows:
        sheet.append([_neutralise(row[name]) for name in COLUMN_NAMES])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import -----------------------------------------------------------------


def import_spreadsheet(
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    now: datetime,
    limits: SpreadsheetLimits = SpreadsheetLimits(),
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


def read_rows(
    filename: str, data: bytes, *, limits: SpreadsheetLimits = SpreadsheetLimits()
) -> list[tuple[int, dict[str, object]]]:
    """The data rows of a CSV or XLSX file as (row number, {column: value}), header checked."""
    if not data:
        raise SpreadsheetRefused([Problem(None, None, "The file is empty.")])
    if len(data) > limits.max_bytes:
        raise SpreadsheetRefused([Problem(
            None, None,
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {limits.max_bytes / 1e6:.0f} MB.",
        )])
    table = _read_xlsx(data, limits) if data.startswith(XLSX_MAGIC) else _read_csv(filename, data)
    if not table or not any(_present(v) for v in table[0]):
        raise SpreadsheetRefused([Problem(1, None, "The file has no header row.")])

    header = [str(v).strip().lower() if v is not None else "" for v in table[0]]
    problems = [
        Problem(1, name or f"column {i + 1}", "Unknown column; see the spreadsheet format for the known columns.")
        for i, name in enumerate(header)
        if name not in COLUMN_NAMES and (name or any(_present(r[i]) for r in table[1:] if i < len(r)))
    ]
    problems += [Problem(1, name, "Missing column (required).") for name in REQUIRED_COLUMNS if name not in header]
    seen = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(1, name, "This column appears twice."))
        seen.add(name)
    if problems:
        raise SpreadsheetRefused(problems)

    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {name: _unneutralise(values[i]) if i < len(values) else None for i, name in enumerate(header) if name}
        if any(_present(v) for v in row.values()):
            rows.append((number, row))
    if not rows:
        raise SpreadsheetRefused([Problem(None, None, "The file has a header but no data rows.")])
    return rows


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
        if not _present(value):
            return
        if key in target and _present(target[key]) and target[key] != value:
            problems.append(
                Problem(number, column, f"Disagrees with row {seen_at[key]} ({target[key]!r}); repeated cells must match or be blank.")
            )
            return
        if key not in target or not _present(target[key]):
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
        if _present(row.get("published")):
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
        elif _present(row.get("area_name")) or _present(row.get("area_source")):
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
            if _present(row.get("institutions")):
                merge(rec, rec["_rows"], "institutions", agency_refs(number, "institutions", row["institutions"]), number, "institutions")
            for name, value in _parse_source(row.get("recommendation_source")).items():
                merge(rec, rec["_rows"], name, value, number, "recommendation_source")
        elif any(_present(row.get(c)) for c in RECOMMENDATION_COLUMNS if c != "recommendation_code"):
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
            if _present(row.get("lead_agency")):
                [lead, *extra] = agency_refs(number, "lead_agency", row["lead_agency"])
                if extra:
                    problems.append(Problem(number, "lead_agency", "Name one lead agency; put the others in supporting_agencies."))
                merge(action, action["_rows"], "lead_agency", lead, number, "lead_agency")
            if _present(row.get("supporting_agencies")):
                merge(action, action["_rows"], "supporting_agencies", agency_refs(number, "supporting_agencies", row["supporting_agencies"]), number, "supporting_agencies")
            if _present(row.get("milestones")):
                merge(action, action["_rows"], "milestones", _parse_milestones(number, row["milestones"], problems), number, "milestones")
            for name, value in _parse_source(row.get("action_source")).items():
                merge(action, action["_rows"], name, value, number, "action_source")
            if rec_code and rec_code not in action["recommendations"]:
                action["recommendations"].append(rec_code)
        elif any(_present(row.get(c)) for c in (*ACTION_COLUMNS, "action_area", "lead_agency", "supporting_agencies", "milestones") if c != "action_code"):
            problems.append(Problem(number, "action_code", "Action cells need an action code."))

    slugs = {row.get("plan_slug") for _, row in rows if _present(row.get("plan_slug"))}
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
        column = FIELD_COLUMNS.get(section, {}).get(field_name.split(".")[0].split("[")[0])
        for message in messages if isinstance(messages, list) else [messages]:
            for row, where in places or [(None, None)]:
                problems.append(Problem(row, where or column or field_name or None, str(message)))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


# --- reading files ----------------------------------------------------------


def _read_csv(filename: str, data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetRefused(
            [Problem(None, None, f"{NOT_VALID}: {filename} is not a CSV file in UTF-8, nor an XLSX workbook.")]
        ) from None
    if "\x00" in text:
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: {filename} is not a spreadsheet (binary data).")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = f"a cell is longer than {csv.field_size_limit():,} characters"
        else:
            reason = f"the CSV cannot be read ({exc})"
        raise SpreadsheetRefused([Problem(reader.line_num or None, None, f"{NOT_VALID}: {reason}.")]) from None


def _read_xlsx(data: bytes, limits: SpreadsheetLimits) -> list[list[object]]:
    _check_workbook(data, limits)
    try:
        # openpyxl warns about parts it ignores (data validation, styles); they do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                return [list(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds of error for a damaged file)
        # defusedxml (openpyxl uses it when installed) refuses what _check_workbook's scan
        # cannot see, such as entities in a part encoded in UTF-16; openpyxl wraps its error.
        refusal = _cause(exc, DefusedXmlException)
        reason = (
            f"the workbook declares XML entities ({refusal!r})" if refusal
            else f"not a readable XLSX workbook ({' '.join(str(exc).split())})"
        )
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: {reason}.")]) from None


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first exception of ``kind`` in its chain of causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _check_workbook(data: bytes, limits: SpreadsheetLimits) -> None:
    """Refuse a workbook that would expand too far, or whose XML declares entities.

    Run before openpyxl opens it. The sizes are the ones each member declares; Python's
    zipfile stops reading a member at its declared size (and fails its checksum), so a
    member cannot expand past what is checked here. Workbooks never contain a DTD; a part
    that declares one is refused, since its entities can expand without bound ("billion
    laughs") or read files of the server (external entities).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: the XLSX file is damaged ({exc}).")]) from None
    limit_mib = limits.max_uncompressed_bytes / 2**20
    total = 0
    for info in members:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetRefused([Problem(None, None, (
                f"{NOT_VALID}: the workbook expands to more than {limit_mib:.0f} MiB of data "
                f"({info.filename} alone is {info.file_size / 2**20:.1f} MiB)."
            ))])
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise SpreadsheetRefused([Problem(None, None, (
                f"{NOT_VALID}: {info.filename} expands to {ratio:.0f} times its compressed size "
                f"(at most {limits.max_compression_ratio} is accepted); it looks like a zip bomb."
            ))])
    try:
        for info in members:
            if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_entities(archive, info):
                raise SpreadsheetRefused([Problem(None, None, (
                    f"{NOT_VALID}: {info.filename} declares a document type or entities, which "
                    "workbooks never do (they could expand without bound or read the server's files)."
                ))])
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        # A damaged member, an encrypted one or an unknown compression method.
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: the XLSX file is damaged ({exc}).")]) from None


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member's XML has a ``<!DOCTYPE`` or ``<!ENTITY`` (read in chunks)."""
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


# --- cells ------------------------------------------------------------------


def _status_names() -> dict[str, str]:
    """Status keys and labels, folded, mapped to keys: a sheet may say "Ongoing" or "ongoing"."""
    names = {}
    for status in db.session.scalars(select(Status)):
        names[status.key.lower()] = status.key
        names[status.label.lower()] = status.key
    return names


def _present(value) -> bool:
    return value is not None and str(value).strip() != ""


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
    if not _present(cell):
        return {}
    parts = [p.strip() or None for p in str(cell).split(" | ")] + [None, None]
    return {"source_document": parts[0], "source_section": parts[1], "source_lines": parts[2]}


def _source_cell(item) -> str:
    parts = [item.source_document, item.source_section, item.source_lines]
    if not any(parts):
        return ""
    return " | ".join(p or "" for p in parts)


def _agency_cell(agency) -> str:
    return agency_reference(agency.name, agency.acronym)


def _date_cell(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _natural(code: str) -> list:
    """Sort key that puts A2 before A10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def _neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _unneutralise(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value
