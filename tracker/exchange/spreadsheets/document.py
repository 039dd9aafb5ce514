"""Spreadsheet rows into one plan document, with the row each item came from."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select

from tracker.exchange.spreadsheets.columns import (
    ACTION_COLUMNS,
    INDICATOR_COLUMNS,
    KEPT_WHEN_BLANK,
    PLAN_COLUMNS,
    RECOMMENDATION_COLUMNS,
    REQUIRED_COLUMNS,
    TRANSLATED_COLUMNS,
    Problem,
    SpreadsheetRefused,
    present,
    translation_column,
)
from tracker.extensions import db
from tracker.models import Status
from tracker.models.translations import translations_attribute
from tracker.schemas.action import milestone_translations, parse_milestone

AGENCY = re.compile(r"^(?P<name>.+?)\s*\[(?P<acronym>[^\[\]]+)\]$")
YES_NO = {"yes": True, "no": False, "true": True, "false": False}


def rows_to_document(rows: list[tuple[int, dict]]) -> tuple[dict, dict[str, list]]:
    """A plan document from spreadsheet rows, and where each document item came from.

    The second value maps each section to its items' first rows; for ``agencies``, to
    every (row, column) that names the agency, so a refused agency is reported on each.
    Items come in the order of their first row. Cells repeated across rows must agree;
    a disagreement is a problem naming both rows.
    """
    built = _DocumentBuilder(statuses=_status_names(), columns=set(rows[0][1]) if rows else set())
    for number, row in rows:
        built.add_row(number, row)
    slugs = {row.get("plan_slug") for _, row in rows if present(row.get("plan_slug"))}
    if len(slugs) > 1:
        built.problems.append(Problem(
            None, "plan_slug", f"One plan per file; found {len(slugs)}: {', '.join(sorted(map(str, slugs)))}."
        ))
    document = built.document()  # matching milestones' translations to their milestones may find problems too
    if built.problems:
        raise SpreadsheetRefused(built.problems)
    return document, built.origins


# Cells that belong to an action: any of them on a row without an action code is a problem.
ACTION_CELLS = tuple(
    c for c in (*ACTION_COLUMNS, "action_area", "lead_agency", "supporting_agencies", "milestones")
    if c != "action_code"
)


class _DocumentBuilder:
    """The plan document being built row by row, the problems found, and each item's rows.

    Every item (the plan, an area, a recommendation, an action) keeps, per field, the
    row that first filled it (``_rows``), so a later row that disagrees is reported
    against it.
    """

    def __init__(self, *, statuses: dict[str, str], columns: set[str]):
        self.statuses = statuses
        self.columns = columns
        # The file's translation columns by part of the document: [(column, field, language)].
        self.translations: dict[str, list[tuple[str, str, str]]] = {}
        for name in sorted(columns):
            found = translation_column(name)
            if found:
                part, field = TRANSLATED_COLUMNS[found[0]]
                self.translations.setdefault(part, []).append((name, field, found[1]))
        self.problems: list[Problem] = []
        self.plan: dict = {}
        self.plan_rows: dict[str, int] = {}
        self.areas: dict[str, dict] = {}
        self.recs: dict[str, dict] = {}
        self.actions: dict[str, dict] = {}
        self.agencies: dict[str, dict] = {}
        self.indicators: dict[str, dict] = {}
        self.origins: dict[str, list] = {
            "plan": [], "areas": [], "recommendations": [], "actions": [], "agencies": [], "indicators": [],
        }

    def add_row(self, number: int, row: dict) -> None:
        """Merge one row's plan, area, recommendation and action cells into the document."""
        if not self.origins["plan"]:
            self.origins["plan"].append(number)
        self._plan(number, row)
        if present(row.get("indicator_code")):
            self._indicator(number, row)
            return
        if any(present(row.get(c)) for c in INDICATOR_COLUMNS if c != "indicator_code") or present(
            row.get("indicator_values")) or present(row.get("indicator_source")):
            self.problems.append(Problem(number, "indicator_code", "Indicator cells need an indicator code."))
        area_code = self._area(number, row)
        rec_code = self._recommendation(number, row, area_code)
        self._action(number, row, area_code, rec_code)

    def document(self) -> dict:
        """The plan document of the rows added (once there are no problems)."""
        # An optional plan column that the file has but leaves blank clears the value; a
        # column the file does not have leaves the stored value alone.
        for column, name in PLAN_COLUMNS.items():
            if column in self.columns and column not in (*REQUIRED_COLUMNS, *KEPT_WHEN_BLANK):
                self.plan.setdefault(name, None)
        if "plan_source" in self.columns:
            for name in ("source_document", "source_section", "source_lines"):
                self.plan.setdefault(name, None)

        def clean(item: dict, part: str) -> dict:
            item = self._translated(item, part)
            return {k: v for k, v in item.items() if k != "_rows" and v is not None}

        return {
            "plan": self._translated(dict(self.plan), "plan"),
            "agencies": list(self.agencies.values()),
            "areas": [clean(a, "areas") for a in self.areas.values()],
            "recommendations": [clean(r, "recommendations") for r in self.recs.values()],
            "actions": [clean(a, "actions") for a in self.actions.values()],
            **({"indicators": [clean(i, "indicators") for i in self.indicators.values()]} if self.indicators else {}),
        }

    def _translated(self, item: dict, part: str) -> dict:
        """``item`` with its translation cells gathered into ``<field>_translations`` changes.

        Every translation column of the file gives each item of its part a change for its
        language: the cell's text, or None (blank: no translation). The milestones' column
        is matched to the action's milestones by date.
        """
        item = dict(item)
        changes: dict[str, dict[str, str | None]] = {}
        for column, field, language in self.translations.get(part, []):
            changes.setdefault(field, {})[language] = item.pop(_cell_key(column), None)
        milestone_texts = changes.pop("milestones", None)
        for field, by_language in changes.items():
            item[translations_attribute(field)] = by_language
        if milestone_texts is not None and part == "actions":
            texts = {language: text for language, text in milestone_texts.items() if text}
            problems = milestone_translations(item.get("milestones") or [], texts, separator=";")
            for language, message in problems.items():
                row = item.get("_rows", {}).get(_cell_key(f"milestones_{language}"))
                self.problems.append(Problem(row, f"milestones_{language}", message))
            for milestone in item.get("milestones") or []:
                milestone["title_translations"] = {**dict.fromkeys(milestone_texts),
                                                   **milestone.get("title_translations", {})}
        return item

    def _merge_translations(self, target: dict, seen_at: dict, number: int, row: dict, part: str) -> None:
        """Merge the row's translation cells of ``part``; repeated cells must agree, as any cell."""
        for column, _field, _language in self.translations.get(part, []):
            self._merge(target, seen_at, _cell_key(column), _text(row.get(column)), number, column)

    # --- one part of a row each ---------------------------------------------------

    def _plan(self, number: int, row: dict) -> None:
        self._merge_columns(self.plan, self.plan_rows, number, row, PLAN_COLUMNS, dates=True)
        self._merge_source(self.plan, self.plan_rows, number, row, "plan_source")
        self._merge_translations(self.plan, self.plan_rows, number, row, "plan")
        if present(row.get("published")):
            published = YES_NO.get(str(_text(row["published"])).lower())
            if published is None:
                self.problems.append(Problem(number, "published", f"Write yes or no, not {_text(row['published'])!r}."))
            self._merge(self.plan, self.plan_rows, "published", published, number, "published")

    def _area(self, number: int, row: dict) -> str | None:
        area_code = _text(row.get("area_code"))
        if area_code:
            if area_code not in self.areas:
                self.areas[area_code] = {"code": area_code, "_rows": {}}
                self.origins["areas"].append(number)
            area = self.areas[area_code]
            self._merge(area, area["_rows"], "name", _text(row.get("area_name")), number, "area_name")
            self._merge_source(area, area["_rows"], number, row, "area_source")
            self._merge_translations(area, area["_rows"], number, row, "areas")
        elif present(row.get("area_name")) or present(row.get("area_source")):
            self.problems.append(Problem(number, "area_code", "An area name or source needs an area code."))
        return area_code

    def _recommendation(self, number: int, row: dict, area_code: str | None) -> str | None:
        rec_code = _text(row.get("recommendation_code"))
        if not rec_code:
            if any(present(row.get(c)) for c in RECOMMENDATION_COLUMNS if c != "recommendation_code"):
                self.problems.append(
                    Problem(number, "recommendation_code", "Recommendation cells need a recommendation code.")
                )
            return rec_code
        rec = self.recs.get(rec_code)
        if rec is None:
            rec = self.recs[rec_code] = {"code": rec_code, "area": area_code, "_rows": {}}
            self.origins["recommendations"].append(number)
        self._merge_columns(rec, rec["_rows"], number, row, RECOMMENDATION_COLUMNS, dates=False)
        if present(row.get("institutions")):
            institutions = self._agency_refs(number, "institutions", row["institutions"])
            self._merge(rec, rec["_rows"], "institutions", institutions, number, "institutions")
        self._merge_source(rec, rec["_rows"], number, row, "recommendation_source")
        self._merge_translations(rec, rec["_rows"], number, row, "recommendations")
        return rec_code

    def _action(self, number: int, row: dict, area_code: str | None, rec_code: str | None) -> None:
        action_code = _text(row.get("action_code"))
        if not action_code:
            if any(present(row.get(c)) for c in ACTION_CELLS):
                self.problems.append(Problem(number, "action_code", "Action cells need an action code."))
            return
        action = self.actions.get(action_code)
        if action is None:
            # Without an action_area column, an action is in the area of its first row.
            area = None if "action_area" in self.columns else area_code
            action = self.actions[action_code] = {"code": action_code, "area": area, "recommendations": [], "_rows": {}}
            self.origins["actions"].append(number)
        seen = action["_rows"]
        self._merge_columns(action, seen, number, row, ACTION_COLUMNS, dates=True)
        self._merge(action, seen, "area", _text(row.get("action_area")), number, "action_area")
        self._action_agencies(action, number, row)
        if present(row.get("milestones")):
            milestones = _parse_milestones(number, row["milestones"], self.problems)
            self._merge(action, seen, "milestones", milestones, number, "milestones")
        self._merge_source(action, seen, number, row, "action_source")
        self._merge_translations(action, seen, number, row, "actions")
        if rec_code and rec_code not in action["recommendations"]:
            action["recommendations"].append(rec_code)

    def _indicator(self, number: int, row: dict) -> None:
        """An indicator's row: its cells, and the code of what it measures (nothing else)."""
        code = _text(row.get("indicator_code"))
        if code in self.indicators:
            self.problems.append(Problem(number, "indicator_code", (
                f"Indicator {code} is on row {self.indicators[code]['_rows']['code']} already; "
                "give each indicator one row.")))
            return
        others = [c for c in (*ACTION_CELLS, *RECOMMENDATION_COLUMNS, "area_code", "area_name", "area_source",
                              "institutions", "recommendation_source", "action_source")
                  if c not in ("recommendation_code",) and present(row.get(c))]
        if others:
            self.problems.append(Problem(number, others[0], (
                "An indicator's row gives only the recommendation_code or action_code of what it measures.")))
        rec_code, action_code = _text(row.get("recommendation_code")), _text(row.get("action_code"))
        if rec_code and action_code:
            self.problems.append(Problem(number, "action_code",
                                         "An indicator measures a recommendation or an action, not both."))
        indicator: dict = {"_rows": {}, "recommendation": rec_code, "action": action_code}
        self._merge_columns(indicator, indicator["_rows"], number, row, INDICATOR_COLUMNS, dates=True)
        self._merge_source(indicator, indicator["_rows"], number, row, "indicator_source")
        indicator["values"] = _parse_values(number, row.get("indicator_values"), self.problems)
        self.indicators[code] = indicator
        self.origins["indicators"].append(number)

    def _action_agencies(self, action: dict, number: int, row: dict) -> None:
        if present(row.get("lead_agency")):
            [lead, *extra] = self._agency_refs(number, "lead_agency", row["lead_agency"])
            if extra:
                self.problems.append(
                    Problem(number, "lead_agency", "Name one lead agency; put the others in supporting_agencies.")
                )
            self._merge(action, action["_rows"], "lead_agency", lead, number, "lead_agency")
        if present(row.get("supporting_agencies")):
            supporting = self._agency_refs(number, "supporting_agencies", row["supporting_agencies"])
            self._merge(action, action["_rows"], "supporting_agencies", supporting, number, "supporting_agencies")

    # --- cells --------------------------------------------------------------------

    def _merge(self, target: dict, seen_at: dict, key: str, value, number: int, column: str) -> None:
        """Fill ``target[key]`` from a cell, unless blank; a different value already there is a problem."""
        if not present(value):
            return
        if key in target and present(target[key]) and target[key] != value:
            self.problems.append(Problem(
                number, column,
                f"Disagrees with row {seen_at[key]} ({target[key]!r}); repeated cells must match or be blank.",
            ))
            return
        if key not in target or not present(target[key]):
            target[key], seen_at[key] = value, number

    def _merge_columns(self, target: dict, seen_at: dict, number: int, row: dict, columns: dict[str, str],
                       *, dates: bool) -> None:
        """Merge the cells of ``columns`` ({column: field}); statuses may be written as keys or labels."""
        for column, name in columns.items():
            value = _text(row.get(column), dates=dates)
            if name == "status" and value:
                value = self.statuses.get(value.lower(), value)
            self._merge(target, seen_at, name, value, number, column)

    def _merge_source(self, target: dict, seen_at: dict, number: int, row: dict, column: str) -> None:
        for name, value in _parse_source(row.get(column)).items():
            self._merge(target, seen_at, name, value, number, column)

    def _agency_refs(self, number: int, column: str, cell) -> list[str]:
        """The agencies a cell names, as keys of the document's agencies (added on first mention)."""
        refs = []
        for token in _split(cell):
            match = AGENCY.match(token)
            name, acronym = (match["name"].strip(), match["acronym"].strip()) if match else (token, None)
            key = acronym or name
            if key not in self.agencies:
                self.agencies[key] = {"key": key, "name": name, "acronym": acronym}
                self.origins["agencies"].append([])
            mentions = self.origins["agencies"][list(self.agencies).index(key)]
            if (number, column) not in mentions:
                mentions.append((number, column))
            refs.append(key)
        return refs


def _cell_key(column: str) -> str:
    # Where an item keeps a translation cell until the document is built: not a field name.
    return f"cell:{column}"


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


INDICATOR_VALUE = re.compile(r"^(?P<date>\S+)\s+(?P<value>.*?)(?:\s*\((?P<source>[^()]*)\))?$")


def _parse_values(number: int, cell, problems: list[Problem]) -> list[dict]:
    """Source values written 'YYYY-MM-DD value (document | section | lines)', separated by ';'."""
    values = []
    for token in _split(cell) if present(cell) else []:
        match = INDICATOR_VALUE.match(token)
        if match is None or not _iso_date(match["date"]) or not match["value"]:
            problems.append(Problem(number, "indicator_values", (
                "Write each value as 'YYYY-MM-DD value', optionally followed by ' (document | section | lines)'; "
                f"not {token!r}.")))
            continue
        values.append({"period_date": match["date"], "value": match["value"], **_parse_source(match["source"])})
    return values


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
