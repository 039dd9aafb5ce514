"""Writing a plan as spreadsheet rows, and the rows as CSV or XLSX."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.exchange.csv_files import csv_bytes, neutralise
from tracker.exchange.spreadsheets.columns import (
    ACTION_COLUMNS,
    COLUMN_NAMES,
    INDICATOR_COLUMNS,
    RECOMMENDATION_COLUMNS,
    TRANSLATED_COLUMNS,
    columns_with_translations,
)
from tracker.extensions import db
from tracker.models import Action, Indicator, Plan, Recommendation
from tracker.models.translations import translations_attribute
from tracker.schemas.action import milestone_text
from tracker.services.agencies import agency_reference
from tracker.services.statuses import status_vocabulary


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
        .options(selectinload(Action.recommendations), selectinload(Action.milestones))
        .order_by(Action.position, Action.id)
    ).all()

    plan_cells = {
        "plan_slug": plan.slug, "plan_title": plan.title, "country": plan.country,
        "plan_period_start": _date_cell(plan.period_start),
        "plan_period_end": _date_cell(plan.period_end),
        "plan_description": plan.description or "", "plan_citation": plan.citation or "",
        "plan_source": _source_cell(plan), "plan_reporting_cadence": plan.reporting_cadence,
        # The one exception to the CSV convention (see exchange.csv_files): the format
        # promises yes/no to the people who fill it in.
        "published": "yes" if plan.published else "no",
    }
    rows: list[dict[str, str]] = []
    irm = {s.key: s.irm_completion for s in status_vocabulary()}
    # Translation columns only for the languages the plan has translations in: a plan
    # without any exports exactly as before.
    languages = _languages(plan, recs, actions)
    columns = columns_with_translations(languages)
    plan_cells |= _translation_cells(plan, "plan", languages)

    def add(area, rec=None, action=None):
        row = dict.fromkeys(columns, "")
        row.update(plan_cells)
        if area is not None:
            row.update(area_code=area.code, area_name=area.name, area_source=_source_cell(area))
            row.update(_translation_cells(area, "areas", languages))
        if rec is not None:
            row.update({column: _cell(getattr(rec, attr)) for column, attr in RECOMMENDATION_COLUMNS.items()})
            row["recommendation_status"] = rec.status_key
            row["recommendation_status_irm"] = irm.get(rec.status_key, "")
            row["institutions"] = "; ".join(_agency_cell(a) for a in rec.institutions)
            row["recommendation_source"] = _source_cell(rec)
            row.update(_translation_cells(rec, "recommendations", languages))
        if action is not None:
            row.update({column: _cell(getattr(action, attr)) for column, attr in ACTION_COLUMNS.items()})
            row["action_status"] = action.status_key
            row["action_status_irm"] = irm.get(action.status_key, "")
            row["action_area"] = action.area.code if action.area else ""
            row["lead_agency"] = _agency_cell(action.lead_agency) if action.lead_agency else ""
            row["supporting_agencies"] = "; ".join(_agency_cell(a) for a in action.supporting_agencies)
            row["milestones"] = "; ".join(
                milestone_text(m.due_date, m.title, m.achieved_on)
                for m in sorted(action.milestones, key=lambda m: (m.due_date, m.title))
            )
            row["action_source"] = _source_cell(action)
            row.update(_translation_cells(action, "actions", languages))
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
    rows += _indicator_rows(plan, plan_cells, columns)
    return rows


def _languages(plan: Plan, recs, actions) -> list[str]:
    """Every language the plan's content is translated into, in order."""
    found: set[str] = set()
    items = [plan, *plan.areas, *recs, *actions, *(m for a in actions for m in a.milestones)]
    for item in items:
        for _part, field in TRANSLATED_COLUMNS.values():
            found.update(getattr(item, translations_attribute(field), None) or {})
    return sorted(found)


def _translation_cells(item, part: str, languages: list[str]) -> dict[str, str]:
    """The item's translation columns of ``part`` (``columns.TRANSLATED_COLUMNS``)."""
    cells = {}
    for column, (column_part, field) in TRANSLATED_COLUMNS.items():
        if column_part != part:
            continue
        for language in languages:
            if field == "milestones":
                cells[f"{column}_{language}"] = "; ".join(
                    milestone_text(m.due_date, m.title_translations[language], None)
                    for m in sorted(item.milestones, key=lambda m: (m.due_date, m.title))
                    if (m.title_translations or {}).get(language)
                )
            else:
                cells[f"{column}_{language}"] = (getattr(item, translations_attribute(field)) or {}).get(language, "")
    return cells


def _indicator_rows(plan: Plan, plan_cells: dict[str, str], columns: list[str]) -> list[dict[str, str]]:
    """One row per indicator: its cells, the code of what it measures, its source values."""
    rows = []
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.position, Indicator.code)
    )
    for indicator in indicators:
        row = dict.fromkeys(columns, "")
        row.update(plan_cells)
        row.update({column: _number_or_cell(getattr(indicator, attr)) for column, attr in INDICATOR_COLUMNS.items()})
        row["recommendation_code"] = indicator.recommendation.code if indicator.recommendation_id else ""
        row["action_code"] = indicator.action.code if indicator.action_id else ""
        row["indicator_values"] = "; ".join(
            f"{v.period_date.isoformat()} {v.text if v.text is not None else _number_or_cell(v.value)}"
            + (f" ({_source_cell(v)})" if _source_cell(v) else "")
            for v in indicator.values if v.report_id is None
        )
        row["indicator_source"] = _source_cell(indicator)
        rows.append(row)
    return rows


def _number_or_cell(value) -> str:
    """A float as people write it (10, not 10.0), with full precision; anything else as ``_cell``."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return _cell(value)


def _header(rows: list[dict[str, str]]) -> list[str]:
    # Every row has the same columns: the format's, then the plan's translation columns.
    return list(rows[0]) if rows else COLUMN_NAMES


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """The rows as a CSV file for spreadsheet programs (``exchange.csv_files``)."""
    header = _header(rows)
    return csv_bytes(header, ([row[name] for name in header] for row in rows), for_spreadsheets=True)


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    """An XLSX workbook with one sheet, ``plan``, in the same columns as the CSV."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "plan"
    header = _header(rows)
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(row[name]) for name in header])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
