"""Spreadsheet import and export: one format, a lossless round trip, clear problems."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from tests.factories import NOW
from tests.fixtures.seed import load
from tracker.exchange.spreadsheets.columns import COLUMN_NAMES
from tracker.exchange.spreadsheets.importing import import_spreadsheet
from tracker.exchange.spreadsheets.reading import SpreadsheetLimits
from tracker.exchange.spreadsheets.writing import export_rows, to_csv, to_xlsx
from tracker.models import Action, Agency, Plan, Recommendation, StatusChange
from tracker.services.plans import get_plan
from tracker.services.statuses import history
from tracker.services.transaction import Actor

LIMIT = 10 * 1024 * 1024
SEEDED = ("mexico-2016-review-followup", "mexico-2018-way-forward", "mongolia-odra-2018",
          "kazakhstan-odra", "kazakhstan-2023-analysis")


def run_import(data: bytes, filename="plan.csv", dry_run=False, max_bytes=LIMIT, create_agencies=False):
    return import_spreadsheet(filename, data, actor=Actor.system("test"), now=NOW,
                              limits=SpreadsheetLimits(max_bytes=max_bytes), dry_run=dry_run,
                              create_agencies=create_agencies)


def csv_bytes(rows: list[dict], columns=None) -> bytes:
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def row(**cells):
    base = {"plan_slug": "imported", "plan_title": "Imported plan", "country": "Testland",
            "area_code": "GOV", "area_name": "Governance", "recommendation_code": "R1",
            "recommendation_text": "Do the thing", "recommendation_status": "pending"}
    return {**base, **cells}


def empty_the_database(db_session):
    db_session.execute(delete(Plan))
    db_session.execute(delete(Agency))
    db_session.commit()
    db_session.expunge_all()


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


@pytest.mark.seeded
@pytest.mark.slow
@pytest.mark.parametrize("slug", SEEDED)
def test_every_seeded_plan_round_trips_through_csv(app, db_session, slug):
    load(app, slug)
    first = to_csv(export_rows(get_plan(slug)))
    empty_the_database(db_session)
    assert count(db_session, Recommendation) == 0
    result = run_import(first, create_agencies=True)  # the database was emptied of agencies too
    assert result.ok, result.problems
    assert to_csv(export_rows(get_plan(slug))) == first
    again = run_import(first)
    assert again.ok and not again.summary.changed_anything


@pytest.mark.seeded
def test_xlsx_round_trip_keeps_every_cell(app, db_session):
    load(app, "mongolia-odra-2018")
    first = to_xlsx(export_rows(get_plan("mongolia-odra-2018")))
    empty_the_database(db_session)
    assert run_import(first, "plan.xlsx", create_agencies=True).ok
    second = to_xlsx(export_rows(get_plan("mongolia-odra-2018")))

    def cells(data):
        return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    assert cells(second) == cells(first)
    assert count(db_session, Action) == 15


def test_dry_run_lists_every_problem_with_row_and_column_and_writes_nothing(db_session):
    data = csv_bytes([
        row(),
        row(recommendation_code="R2", recommendation_text="", recommendation_status="almost"),
        row(recommendation_code="R3", action_code="A1", action_title="Act", action_status="pending",
            start_date="2026-13-01", percent_complete="lots"),
    ])
    result = run_import(data, dry_run=True)
    found = {(p.row, p.column) for p in result.problems}
    assert (3, "recommendation_text") in found
    assert (3, "recommendation_status") in found
    assert (4, "start_date") in found
    assert (4, "percent_complete") in found
    assert count(db_session, Plan) == 0


def test_a_real_import_with_one_bad_row_writes_nothing(db_session):
    data = csv_bytes([row(), row(recommendation_code="R2", recommendation_status="unknown-status")])
    result = run_import(data)
    assert [(p.row, p.column) for p in result.problems] == [(3, "recommendation_status")]
    assert "Unknown status 'unknown-status'" in result.problems[0].message
    assert count(db_session, Plan) == count(db_session, Recommendation) == 0


def test_reimport_updates_by_code_instead_of_duplicating(db_session):
    assert run_import(csv_bytes([row(), row(recommendation_code="R2")])).ok
    result = run_import(csv_bytes([row(recommendation_status="Ongoing"), row(recommendation_code="R2")]))
    assert result.ok and result.summary.updated["recommendations"] == 1
    assert count(db_session, Recommendation) == 2
    rec = db_session.scalars(select(Recommendation).where(Recommendation.code == "R1")).one()
    assert rec.status_key == "ongoing"
    assert history(rec)[-1].reason == "Imported from plan.csv."


def test_actions_with_agencies_and_milestones_import(db_session):
    data = csv_bytes([
        row(action_code="A1", action_title="Publish", action_status="ongoing", percent_complete="40",
            lead_agency="Ministry of Data [MOD]", supporting_agencies="Statistics Office [STAT]; Senate",
            start_date="2026-01-01", due_date="2026-12-31", milestones="2026-06-30 Draft; 2026-12-01 Final"),
        row(recommendation_code="R2", action_code="A1"),
    ])
    result = run_import(data, create_agencies=True)
    assert result.ok, result.problems
    action = db_session.scalars(select(Action)).one()
    assert action.lead_agency.acronym == "MOD"
    assert sorted(a.name for a in action.supporting_agencies) == ["Senate", "Statistics Office"]
    assert [r.code for r in action.recommendations] == ["R1", "R2"]
    assert [m.title for m in action.milestones] == ["Draft", "Final"]


def test_unknown_and_missing_columns_are_named(db_session):
    result = run_import(csv_bytes([{"plan_slug": "x", "colour": "red"}]))
    messages = {(p.row, p.column): p.message for p in result.problems}
    assert messages[(1, "colour")].startswith("Unknown column")
    assert messages[(1, "plan_title")] == "Missing column (required)."
    assert messages[(1, "country")] == "Missing column (required)."


def test_repeated_cells_that_disagree_are_reported(db_session):
    result = run_import(csv_bytes([row(), row(recommendation_text="Something else")]))
    [problem] = result.problems
    assert (problem.row, problem.column) == (3, "recommendation_text")
    assert "Disagrees with row 2" in problem.message


def test_two_plans_in_one_file_are_refused(db_session):
    result = run_import(csv_bytes([row(), row(plan_slug="another")]))
    assert any("One plan per file" in p.message for p in result.problems)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "picture.csv", "is not a CSV file in UTF-8"),
        (b"%PDF-1.7\n\x00\x01\x02", "report.pdf", "not a spreadsheet"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "Not a valid spreadsheet: the XLSX file is damaged"),
        (",".join(COLUMN_NAMES).encode() + b"\r\n", "header-only.csv", "no data rows"),
    ],
)
def test_files_that_are_not_spreadsheets_get_a_clear_message(db_session, data, filename, message):
    result = run_import(data, filename)
    assert not result.ok
    assert message in result.problems[0].message


def test_a_50_mb_file_is_refused_before_it_is_parsed(db_session):
    result = run_import(b"x" * (50 * 1024 * 1024), "huge.csv")
    assert [p.message for p in result.problems] == ["The file is 52.4 MB; the limit is 10 MB."]


def test_formula_cells_are_neutralised_in_export_and_restored_on_import(db_session):
    data = csv_bytes([row(recommendation_text="=HYPERLINK(\"http://evil\")")])
    assert run_import(data).ok
    exported = to_csv(export_rows(get_plan("imported"))).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    empty_the_database(db_session)
    assert run_import(exported.encode()).ok
    rec = db_session.scalars(select(Recommendation)).one()
    assert rec.text == '=HYPERLINK("http://evil")'


def test_xlsx_with_dates_as_cells_imports(db_session):
    from datetime import date

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["plan_slug", "plan_title", "country", "action_code", "action_title", "action_status", "start_date", "due_date"])
    sheet.append(["xl", "From Excel", "Testland", "A1", "Act", "Pending", date(2026, 1, 5), date(2026, 3, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(buffer.getvalue(), "plan.xlsx")
    assert result.ok, result.problems
    action = db_session.scalars(select(Action)).one()
    assert (action.start_date, action.due_date, action.status_key) == (date(2026, 1, 5), date(2026, 3, 1), "pending")
    assert count(db_session, StatusChange) == 1


def test_the_format_document_lists_every_column(app):
    import pathlib

    doc = (pathlib.Path(app.root_path).parent / "docs" / "spreadsheet-format.md").read_text()
    missing = [name for name in COLUMN_NAMES if f"| `{name}` |" not in doc]
    assert missing == [], "docs/spreadsheet-format.md is missing columns"


def test_indicators_round_trip_with_their_source_values(db_session):
    from tests import factories
    from tracker.models import Indicator
    from tracker.services.indicators import record_source_value

    plan = factories.plan(slug="measured", title="Measured plan")
    rec = factories.recommendation(plan, code="R1")
    action = factories.action(plan, code="A1", recommendations=["R1"])
    on_action = factories.indicator(action, code="I-ACT", name="Datasets; published", unit="datasets",
                                    source_document="report.txt", source_section="Table 1", source_lines="10-12")
    record_source_value(on_action, {"value": 12.5, "period_date": "2025-06-30"},
                        source={"source_document": "report.txt", "source_section": "Table 1", "source_lines": "11"},
                        now=NOW)
    record_source_value(on_action, {"value": 40, "period_date": "2026-06-30"}, source={}, now=NOW)
    factories.indicator(rec, code="I-LAW", name="Law adopted", kind="yes_no", baseline_value=0, target_value=1,
                        direction="up", data_source="Official journal")
    plan_wide = {"code": "I-RANK", "name": "Rank in the index", "direction": "down", "baseline_value": 10,
                 "baseline_date": "2014-12-31", "values": [{"value": 5, "period_date": "2017-12-31"}]}
    from tracker.services.indicators import save_indicator
    save_indicator(plan, plan_wide, actor=Actor.system("test"), now=NOW)

    first = to_csv(export_rows(get_plan("measured")))
    text = first.decode("utf-8-sig")
    assert "2025-06-30 12.5 (report.txt | Table 1 | 11); 2026-06-30 40" in text
    empty_the_database(db_session)
    assert count(db_session, Indicator) == 0
    result = run_import(first, create_agencies=True)
    assert result.ok, result.problems
    assert to_csv(export_rows(get_plan("measured"))) == first
    assert count(db_session, Indicator) == 3
    again = run_import(first)
    assert again.ok and not again.summary.changed_anything


def test_an_indicator_row_with_bad_cells_names_row_and_column(db_session):
    data = csv_bytes([row(), {**row(recommendation_text="", recommendation_status=""),
                              "area_code": "", "area_name": "", "indicator_code": "I1", "indicator_name": "x",
                              "indicator_values": "last year: 5"}])
    result = run_import(data, dry_run=True)
    assert not result.ok
    assert any("row 3" in str(p) and "indicator_values" in str(p) for p in result.problems), result.problems
