"""Translations in the spreadsheet format: extra columns (plan_title_es, milestones_ru, ...), lossless."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from tests.factories import NOW
from tracker.exchange.spreadsheets.columns import COLUMN_NAMES
from tracker.exchange.spreadsheets.importing import import_spreadsheet
from tracker.exchange.spreadsheets.reading import SpreadsheetLimits
from tracker.exchange.spreadsheets.writing import export_rows, to_csv, to_xlsx
from tracker.models import (
    Action,
    Agency,
    Area,
    Event,
    Milestone,
    Plan,
    Recommendation,
    StatusChange,
)
from tracker.services.plans import get_plan
from tracker.services.transaction import Actor

LIMIT = 10 * 1024 * 1024


def run_import(data: bytes, filename="plan.csv", **kwargs):
    return import_spreadsheet(filename, data, actor=Actor.system("test"), now=NOW,
                              limits=SpreadsheetLimits(max_bytes=LIMIT), dry_run=False, **kwargs)


def csv_file(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


ROWS = [
    {"plan_slug": "bilingual", "plan_title": "Open data plan", "plan_title_es": "Plan de datos abiertos",
     "plan_description": "About it.", "plan_description_ru": "О плане.", "country": "Testland",
     "published": "yes",
     "area_code": "GOV", "area_name": "Governance", "area_name_es": "Gobernanza",
     "recommendation_code": "R1", "recommendation_text": "Publish the budget.",
     "recommendation_text_es": "Publicar el presupuesto.", "recommendation_status": "pending",
     "action_code": "A1", "action_title": "Draft the policy", "action_title_fr": "Rédiger la politique",
     "action_description": "Write it.", "action_status": "pending",
     "milestones": "2027-03-31 Policy published (achieved 2027-04-02); 2027-06-30 Portal live",
     "milestones_es": "2027-06-30 Portal en línea"},
    {"plan_slug": "bilingual", "area_code": "GOV", "recommendation_code": "R2",
     "recommendation_text": "Train the staff.", "recommendation_status": "ongoing"},
]


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_plan_imported_with_translation_columns_stores_them(db_session):
    result = run_import(csv_file(ROWS))
    assert result.ok, result.problems
    plan = get_plan("bilingual")
    assert plan.title_translations == {"es": "Plan de datos abiertos"}
    assert plan.description_translations == {"ru": "О плане."}
    area = db_session.scalars(select(Area).where(Area.plan_id == plan.id)).one()
    assert area.name_translations == {"es": "Gobernanza"}
    recs = {r.code: r for r in db_session.scalars(select(Recommendation))}
    assert recs["R1"].text_translations == {"es": "Publicar el presupuesto."}
    assert recs["R2"].text_translations == {}
    action = db_session.scalars(select(Action)).one()
    assert action.title_translations == {"fr": "Rédiger la politique"}
    assert {m.title: m.title_translations for m in action.milestones} == {
        "Policy published": {}, "Portal live": {"es": "Portal en línea"}}


def test_translations_round_trip_losslessly_through_csv_and_xlsx(db_session):
    assert run_import(csv_file(ROWS)).ok
    first_csv, first_xlsx = (to_csv(export_rows(get_plan("bilingual"))),
                             to_xlsx(export_rows(get_plan("bilingual"))))
    header = first_csv.decode("utf-8-sig").splitlines()[0].split(",")
    # The format's columns, then each translated column for each language the plan has.
    assert header[:len(COLUMN_NAMES)] == COLUMN_NAMES
    assert header[len(COLUMN_NAMES):] == [
        f"{column}_{language}" for language in ("es", "fr", "ru")
        for column in ("plan_title", "plan_description", "area_name", "recommendation_text",
                       "action_title", "action_description", "milestones")]

    # Unchanged export into the same database: nothing at all changes.
    events, changes = count(db_session, Event), count(db_session, StatusChange)
    again = run_import(first_csv)
    assert again.ok and not again.summary.changed_anything
    assert (count(db_session, Event), count(db_session, StatusChange)) == (events, changes)

    # Into an empty database: the same files again.
    db_session.execute(delete(Plan))
    db_session.execute(delete(Agency))
    db_session.commit()
    db_session.expunge_all()
    assert run_import(first_xlsx, "plan.xlsx").ok
    assert to_csv(export_rows(get_plan("bilingual"))) == first_csv

    def cells(data):
        return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    assert cells(to_xlsx(export_rows(get_plan("bilingual")))) == cells(first_xlsx)


def test_a_file_without_a_language_s_columns_keeps_its_translations(db_session):
    assert run_import(csv_file(ROWS)).ok
    without = [{k: v for k, v in row.items() if not k.endswith("_es")} for row in ROWS]
    without[0]["plan_title"] = "Open data plan, revised"
    assert run_import(csv_file(without)).ok
    plan = get_plan("bilingual")
    assert plan.title == "Open data plan, revised"
    assert plan.title_translations == {"es": "Plan de datos abiertos"}
    milestone = db_session.scalars(select(Milestone).where(Milestone.title == "Portal live")).one()
    assert milestone.title_translations == {"es": "Portal en línea"}


def test_a_blank_translation_cell_removes_the_translation(db_session):
    assert run_import(csv_file(ROWS)).ok
    cleared = [dict(row) for row in ROWS]
    cleared[0]["plan_title_es"] = ""
    cleared[0]["milestones_es"] = ""
    assert run_import(csv_file(cleared)).ok
    assert get_plan("bilingual").title_translations == {}
    assert count(db_session, Milestone) == 2
    assert all(m.title_translations == {} for m in db_session.scalars(select(Milestone)))


def test_bad_translation_cells_are_named_by_row_and_column(db_session):
    bad = [dict(row) for row in ROWS]
    bad[0]["milestones_es"] = "2027-01-01 Nada"  # no milestone is due that day
    result = run_import(csv_file(bad))
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(2, "milestones_es")]
    assert "2027-01-01 Nada" in result.problems[0].message
    unknown = [dict(row) for row in ROWS]
    unknown[0]["area_name_xx_yy"] = "?"  # not a language code: an unknown column, as before
    result = run_import(csv_file(unknown))
    assert [(p.row, p.column) for p in result.problems] == [(1, "area_name_xx_yy")]
    assert count(db_session, Plan) == 0


def test_an_overlong_translation_is_refused_on_its_column(db_session):
    long = [dict(row) for row in ROWS]
    long[0]["plan_title_es"] = "x" * 301
    result = run_import(csv_file(long))
    assert not result.ok
    assert [(p.row, p.column, p.message) for p in result.problems] == [
        (2, "plan_title_es", "Use at most 300 characters.")]
