"""Issue 12, items 2, 3, 4 and 19: plans in and out as spreadsheets and seed files.

Importing never changes whether an existing plan is public; an unchanged export imports
back without moving a single value of any table; an import creates agencies only when
told to; and a hostile file (zip bomb, entity expansion, external entity, huge CSV field)
is refused with a 422 before it can hurt the worker.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import MetaData, func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW, SYSTEM
from tracker.exchange.spreadsheets.columns import COLUMN_NAMES
from tracker.extensions import db
from tracker.models import Agency, Plan
from tracker.services.actions import update_action
from tracker.services.plans import get_plan, save_area

SEEDED = ("mexico-2016-review-followup", "mexico-2018-way-forward", "mongolia-odra-2018",
          "kazakhstan-odra", "kazakhstan-2023-analysis")


# --------------------------------------------------------------------------- helpers


def upload(client, data: bytes, filename="plan.csv", mode="check", **ticks):
    """Post a file to the secretariat's import page, as its form does."""
    form = {"file": FileStorage(io.BytesIO(data), filename), "mode": mode,
            "csrf_token": csrf_token(client, "/secretariat/import")}
    form.update({name: "y" for name, ticked in ticks.items() if ticked})
    # Encoded here: the test client would spool a body over 500 KB to a temporary file
    # that it never closes.
    boundary, body = encode_multipart(form)
    return client.post("/secretariat/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def seed_load(app, slug=None):
    result = cli(app, "seed", "load", *([slug] if slug else []))
    assert result.exit_code == 0, result.output
    return result


def csv_bytes(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for row in rows for k in row))
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


def unpublish(client, slug: str) -> None:
    """Untick "Published" on the plan's edit form, keeping every other field."""
    plan = get_plan(slug)
    fields = ("title", "country", "description", "citation", "period_start", "period_end",
              "source_document", "source_section", "source_lines")
    form = {name: "" if getattr(plan, name) is None else str(getattr(plan, name)) for name in fields}
    form["csrf_token"] = csrf_token(client, f"/secretariat/plans/{slug}/edit")
    response = client.post(f"/secretariat/plans/{slug}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)


def public_status(app, slug: str) -> int:
    """What an anonymous visitor gets for the plan's public page."""
    return app.test_client().get(f"/plans/{slug}").status_code


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table (reflected, so no table is forgotten), in key order."""
    connection = db.session.connection()
    metadata = MetaData()
    metadata.reflect(bind=connection)
    state = {}
    for name, table in sorted(metadata.tables.items()):
        if name == "alembic_version":
            continue
        key = list(table.primary_key.columns) or list(table.columns)
        rows = connection.execute(select(table).order_by(*key)).all()
        state[name] = [tuple(r) for r in rows]
        state[f"{name}:columns"] = [c.name for c in table.columns]
        state[f"{name}:key"] = [list(table.columns).index(c) for c in key]
    return state


def differences(before: dict, after: dict) -> list[str]:
    """What moved between two ``database_state``s, one line per changed value."""
    lines = []
    for name in sorted(k for k in set(before) | set(after) if ":" not in k):
        old, new = before.get(name, []), after.get(name, [])
        if old == new:
            continue
        columns = before.get(f"{name}:columns") or after[f"{name}:columns"]
        key = before.get(f"{name}:key") or after[f"{name}:key"]
        old_by_key = {tuple(r[i] for i in key): r for r in old}
        new_by_key = {tuple(r[i] for i in key): r for r in new}
        found = len(lines)
        for row_key in sorted(set(old_by_key) | set(new_by_key), key=str):
            a, b = old_by_key.get(row_key), new_by_key.get(row_key)
            if a == b:
                continue
            if a is None or b is None:
                lines.append(f"{name} {row_key}: {'added' if a is None else 'removed'} {a or b}")
                continue
            for column, x, y in zip(columns, a, b, strict=True):
                if x != y:
                    lines.append(f"{name} {row_key}.{column}: {x!r} -> {y!r}")
        if len(lines) == found:  # duplicate rows in a table without a key
            lines.append(f"{name}: {len(old)} rows -> {len(new)} rows")
    return lines


def xlsx_with(parts: dict[str, bytes], *, compress=zipfile.ZIP_DEFLATED) -> bytes:
    """A real workbook whose named parts are replaced (or added) with ``parts``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["plan_slug", "plan_title", "country"])
    sheet.append(["hostile", "Hostile plan", "Testland"])
    original = io.BytesIO()
    workbook.save(original)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original.getvalue())) as source, \
            zipfile.ZipFile(out, "w", compression=compress) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def zip_bomb(megabytes: int = 113) -> bytes:
    """About 430 KB that expands to 113 MB of XML, as in the issue."""
    out = io.BytesIO()
    base = xlsx_with({})
    with zipfile.ZipFile(io.BytesIO(base)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
        with target.open(SHEET, "w", force_zip64=True) as member:
            member.write(SHEET_OPEN + b"<sheetData>")
            cell = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
            chunk = cell * (1024 * 1024 // len(cell))
            for _ in range(megabytes):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return out.getvalue()


def billion_laughs(encoding="UTF-8") -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    sheet = (f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE worksheet [{entities}]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>plan_slug</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
             "</sheetData></worksheet>")
    return xlsx_with({SHEET: sheet.encode(encoding.lower())})


def billion_laughs_in_utf16() -> bytes:
    """The same, in UTF-16: a byte scan for "<!DOCTYPE" cannot see it, defusedxml must."""
    return billion_laughs("UTF-16")


def external_entity(target: str) -> bytes:
    sheet = (f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{target}">]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>plan_slug</t></is></c>'
             '<c r="B1" t="inlineStr"><is><t>plan_title</t></is></c>'
             '<c r="C1" t="inlineStr"><is><t>country</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>leak</t></is></c>'
             '<c r="B2" t="inlineStr"><is><t>&xxe;</t></is></c>'
             '<c r="C2" t="inlineStr"><is><t>Testland</t></is></c></row>'
             "</sheetData></worksheet>")
    return xlsx_with({SHEET: sheet.encode()})


def small_zip_bomb() -> bytes:
    """20 MB from about 80 KB: under the size limit, refused for its compression ratio."""
    return zip_bomb(20)


def malformed_xml() -> bytes:
    return xlsx_with({SHEET: SHEET_OPEN + b"<sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>plan"})


def huge_csv_field() -> bytes:
    return b"plan_slug,plan_title,country\r\nhuge," + b"x" * 200_000 + b",Testland\r\n"


def truncated_xlsx() -> bytes:
    return xlsx_with({})[:-200]


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENTS", encoding="utf-8")
    return path


HOSTILE = {
    "zip bomb": (zip_bomb, "plan.xlsx", "expands to more than 50 MiB"),
    "zip bomb under the size limit": (small_zip_bomb, "plan.xlsx", "times its compressed size"),
    "malformed XML": (malformed_xml, "plan.xlsx", "not a readable XLSX workbook"),
    "billion laughs": (billion_laughs, "plan.xlsx", "entit"),
    "billion laughs in UTF-16": (billion_laughs_in_utf16, "plan.xlsx", "entit"),
    "external entity": (None, "plan.xlsx", "entit"),
    "huge CSV field": (huge_csv_field, "plan.csv", "longer than"),
    "truncated workbook": (truncated_xlsx, "plan.xlsx", "Not a valid spreadsheet"),
}


def hostile_file(kind: str, secret_file) -> tuple[bytes, str, str]:
    build, filename, reason = HOSTILE[kind]
    data = external_entity(str(secret_file)) if build is None else build()
    return data, filename, reason


# --------------------------------------------------------------------------- item 2


def test_export_then_import_keeps_a_private_plan_private(app, client, login_as, db_session):
    """Issue 12 item 2: an exported private plan imported back stays private (CSV and XLSX)."""
    seed_load(app)
    login_as("secretariat")
    unpublish(client, "mongolia-odra-2018")
    assert public_status(app, "mongolia-odra-2018") == 404
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/secretariat/plans/mongolia-odra-2018/export.{fmt}").data
        response = upload(client, exported, f"mongolia.{fmt}", mode="import")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert public_status(app, "mongolia-odra-2018") == 404
    csv_export = client.get("/secretariat/plans/mongolia-odra-2018/export.csv").get_data(as_text=True)
    [first] = list(csv.DictReader(io.StringIO(csv_export.lstrip("\ufeff"))))[:1]
    assert first["published"] == "no"


def test_an_existing_plan_keeps_its_state_whatever_the_published_column_says(app, client, login_as, db_session):
    """Issue 12 item 2: the published column never publishes (nor hides) an existing plan."""
    seed_load(app, "mongolia-odra-2018")
    login_as("secretariat")
    unpublish(client, "mongolia-odra-2018")
    exported = client.get("/secretariat/plans/mongolia-odra-2018/export.csv").get_data(as_text=True)
    edited = exported.replace(",no,", ",yes,").encode("utf-8")
    page = upload(client, edited, publish=True).get_data(as_text=True)
    assert "would become public" not in page
    assert "stays private" in page
    upload(client, edited, mode="import", publish=True)
    assert public_status(app, "mongolia-odra-2018") == 404


def test_seed_load_again_keeps_a_seed_plan_the_secretariat_unpublished_private(app, client, login_as, db_session):
    """Issue 12 item 2: seed plans come up published, and a second load never re-publishes one."""
    seed_load(app, "mongolia-odra-2018")
    assert public_status(app, "mongolia-odra-2018") == 200
    login_as("secretariat")
    unpublish(client, "mongolia-odra-2018")
    again = seed_load(app, "mongolia-odra-2018")
    assert "mongolia-odra-2018: unchanged" in again.output
    assert public_status(app, "mongolia-odra-2018") == 404


def test_a_plan_an_import_creates_starts_private_unless_the_file_or_the_form_says(app, client, login_as, db_session):
    """Issue 12 item 2: new plans start private; the published column or the tick box publish them,
    and the check says which plan would become public."""
    login_as("secretariat")
    plain = csv_bytes([row()])
    page = upload(client, plain).get_data(as_text=True)
    assert "No problems found" in page and "would become public" not in page
    assert "private" in page
    upload(client, plain, mode="import")
    assert public_status(app, "imported") == 404
    assert client.get("/secretariat/plans/imported").status_code == 200

    by_column = csv_bytes([row(plan_slug="by-column", published="yes")])
    page = upload(client, by_column).get_data(as_text=True)
    assert "by-column would become public" in page
    upload(client, by_column, mode="import")
    assert public_status(app, "by-column") == 200

    by_form = csv_bytes([row(plan_slug="by-form")])
    page = upload(client, by_form, publish=True).get_data(as_text=True)
    assert "by-form would become public" in page
    upload(client, by_form, mode="import", publish=True)
    assert public_status(app, "by-form") == 200

    bad = upload(client, csv_bytes([row(plan_slug="bad", published="maybe")]))
    assert bad.status_code == 422
    assert re.search(r"<td>2</td><td>published</td><td class=\"problem\">Write yes or no", bad.get_data(as_text=True))


def test_the_cli_publishes_what_it_creates_only_when_told(app, db_session, tmp_path):
    """Issue 12 item 2: `plans import --publish`; the dry run says which plan would become public."""
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([row()]))
    check = cli(app, "plans", "import", str(path), "--dry-run", "--publish")
    assert check.exit_code == 0, check.output
    assert "imported would become public" in check.output
    check = cli(app, "plans", "import", str(path), "--dry-run")
    assert "would become public" not in check.output and "private" in check.output
    assert cli(app, "plans", "import", str(path)).exit_code == 0
    assert public_status(app, "imported") == 404
    path.write_bytes(csv_bytes([row(plan_slug="public-one")]))
    assert cli(app, "plans", "import", str(path), "--publish").exit_code == 0
    assert public_status(app, "public-one") == 200


# --------------------------------------------------------------------------- item 3


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_unchanged_export_of_every_seed_plan_changes_nothing(app, client, login_as, db_session, fmt):
    """Issue 12 item 3: export then import (through the page) of each seed plan moves no value
    of any table, events, status changes and the data version included."""
    seed_load(app)
    login_as("secretariat")
    csrf_token(client, "/secretariat/import")
    for slug in SEEDED:
        exported = client.get(f"/secretariat/plans/{slug}/export.{fmt}").data
        before = database_state()
        response = upload(client, exported, f"{slug}.{fmt}", mode="import")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page
        assert "Nothing changes" in page, slug
        assert differences(before, database_state()) == [], slug


@pytest.mark.slow
def test_a_lived_in_plan_round_trips_through_the_cli_without_a_change(app, login_as, client, db_session, tmp_path):
    """Issue 12 item 3: achieved milestones, area sources, hand-set positions survive `plans export`
    then `plans import`, with no value moved in any table."""
    seed_load(app)
    plan = get_plan("mongolia-odra-2018")
    first, second = plan.areas[0], plan.areas[1]
    save_area(plan, {"code": first.code, "name": first.name, "position": 40, "source_document": "x.txt",
                     "source_section": "Annex", "source_lines": "1-2"})
    save_area(plan, {"code": second.code, "name": second.name, "position": 15, "source_document": second.source_document,
                     "source_section": second.source_section, "source_lines": second.source_lines})
    action = plan.actions[3]
    update_action(action, {"milestones": [
        {"title": "Draft ready", "due_date": "2019-03-31", "achieved_on": "2019-04-02"},
        {"title": "Adopted", "due_date": "2019-06-30"},
    ], "reason": "Milestones agreed"}, expected_version=action.version, actor=SYSTEM, now=NOW)
    plan.recommendations[0].position = 99
    db.session.commit()

    for fmt in ("csv", "xlsx"):
        path = tmp_path / f"plan.{fmt}"
        exported = cli(app, "plans", "export", "mongolia-odra-2018", "--format", fmt, "-o", str(path))
        assert exported.exit_code == 0, exported.output
        before = database_state()
        result = cli(app, "plans", "import", str(path))
        assert result.exit_code == 0, result.output
        assert "mongolia-odra-2018: unchanged" in result.output
        assert differences(before, database_state()) == []
    text = (tmp_path / "plan.csv").read_text(encoding="utf-8-sig")
    assert "2019-03-31 Draft ready (achieved 2019-04-02); 2019-06-30 Adopted" in text
    assert "x.txt | Annex | 1-2" in text


def test_milestones_achieved_dates_survive_into_an_empty_database(app, client, login_as, db_session):
    """Issue 12 item 3: the export carries achieved dates, written as the action form writes them."""
    login_as("secretariat")
    data = csv_bytes([row(action_code="A1", action_title="Act", action_status="ongoing",
                          milestones="2026-03-31 Draft (achieved 2026-04-02); 2026-06-30 Final")])
    assert upload(client, data, mode="import").status_code == 200
    plan = get_plan("imported")
    [action] = plan.actions
    assert [(m.title, m.achieved_on) for m in action.milestones] == [
        ("Draft", date(2026, 4, 2)), ("Final", None)]
    form = client.get(f"/secretariat/plans/imported/actions/{action.id}/edit").get_data(as_text=True)
    assert "2026-03-31 Draft (achieved 2026-04-02)" in form
    bad = upload(client, csv_bytes([row(plan_slug="other", action_code="A1", action_title="Act",
                                        action_status="ongoing", milestones="2026-03-31 Draft (achieved soon)")]))
    assert bad.status_code == 422
    assert "milestones" in bad.get_data(as_text=True)


def test_rows_reordered_on_purpose_still_reorder_the_plan(app, client, login_as, db_session):
    """Issue 12 item 3: keeping positions never stops a deliberate reordering of the rows."""
    seed_load(app, "mexico-2016-review-followup")
    login_as("secretariat")
    exported = client.get("/secretariat/plans/mexico-2016-review-followup/export.csv").get_data(as_text=True)
    lines = exported.lstrip("\ufeff").splitlines(keepends=True)
    rows = list(csv.reader(io.StringIO("".join(lines))))
    header, body = rows[0], rows[1:]
    area = header.index("area_code")
    first_area = body[0][area]
    # Move the first area's rows to the end: that area now comes last, its recommendations too.
    # (Indicator rows stay last: the format writes them after every other row.)
    indicator = header.index("indicator_code")
    indicators = [r for r in body if r[indicator]]
    body = [r for r in body if not r[indicator]]
    moved = [r for r in body if r[area] != first_area] + [r for r in body if r[area] == first_area] + indicators
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *moved])
    response = upload(client, buffer.getvalue().encode(), mode="import")
    assert response.status_code == 200, response.get_data(as_text=True)
    plan = get_plan("mexico-2016-review-followup")
    db.session.refresh(plan)
    assert [a.code for a in plan.areas][-1] == first_area
    again = client.get("/secretariat/plans/mexico-2016-review-followup/export.csv").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(again.lstrip("\ufeff"))))[1:] == moved


# --------------------------------------------------------------------------- item 4


def test_an_unknown_agency_is_refused_on_every_row_with_the_closest_known_ones(app, client, login_as, db_session):
    """Issue 12 item 4: `DRO` typed for `DOR` creates nothing; each row naming it gets a problem
    naming it and the closest agencies of the plan's country."""
    factories.agency(name="Directorate of Revenue", acronym="DOR", country="Testland")
    factories.agency(name="Ministry of Data", acronym="MOD", country="Testland")
    login_as("secretariat")
    agencies_before = db_session.scalar(select(func.count()).select_from(Agency))
    data = csv_bytes([
        row(action_code="A1", action_title="Act", action_status="pending", lead_agency="DRO"),
        row(recommendation_code="R2", action_code="A2", action_title="Act too", action_status="pending",
            lead_agency="MOD", supporting_agencies="DRO"),
    ])
    for mode in ("check", "import"):
        response = upload(client, data, mode=mode)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(r"<td>2</td><td>lead_agency</td><td class=\"problem\">Unknown agency (&#39;|')DRO", page)
        assert re.search(r"<td>3</td><td>supporting_agencies</td><td class=\"problem\">Unknown agency (&#39;|')DRO", page)
        assert "Directorate of Revenue [DOR]" in page
    assert db_session.scalar(select(func.count()).select_from(Agency)) == agencies_before
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0


def test_the_check_lists_the_agencies_to_create_and_the_tick_box_creates_them(app, client, login_as, db_session):
    """Issue 12 item 4: with "create agencies" ticked the check lists them, the import creates them."""
    login_as("secretariat")
    data = csv_bytes([row(action_code="A1", action_title="Act", action_status="pending",
                          lead_agency="Ministry of Data [MOD]", supporting_agencies="Senate")])
    page = upload(client, data, create_agencies=True).get_data(as_text=True)
    assert "Agencies to create" in page
    assert "Ministry of Data [MOD]" in page and "Senate" in page
    assert db_session.scalar(select(func.count()).select_from(Agency)) == 0
    page = upload(client, data, mode="import", create_agencies=True).get_data(as_text=True)
    assert "Agencies created" in page
    names = set(db_session.scalars(select(Agency.name)))
    assert names == {"Ministry of Data", "Senate"}


def test_the_cli_creates_agencies_only_with_create_agencies(app, db_session, tmp_path):
    """Issue 12 item 4: `plans import` refuses unknown agencies unless given --create-agencies."""
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([row(action_code="A1", action_title="Act", action_status="pending",
                                    lead_agency="Ministry of Data [MOD]")]))
    refused = cli(app, "plans", "import", str(path))
    assert refused.exit_code == 1
    assert "Unknown agency 'Ministry of Data [MOD]'" in refused.output
    check = cli(app, "plans", "import", str(path), "--dry-run", "--create-agencies")
    assert check.exit_code == 0, check.output
    assert "agencies to create: Ministry of Data [MOD]" in check.output
    assert db_session.scalar(select(func.count()).select_from(Agency)) == 0
    assert cli(app, "plans", "import", str(path), "--create-agencies").exit_code == 0
    assert db_session.scalars(select(Agency.acronym)).one() == "MOD"


# --------------------------------------------------------------------------- item 19


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_file_gets_a_422_on_the_import_page(app, client, login_as, db_session, kind, secret_file):
    """Issue 12 item 19: zip bombs, entity expansion, external entities, huge CSV fields and broken
    workbooks are "not a valid spreadsheet", with the reason; nothing is stored or leaked."""
    data, filename, reason = hostile_file(kind, secret_file)
    login_as("secretariat")
    for mode in ("check", "import"):
        response = upload(client, data, filename, mode=mode)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, page[:2000]
        assert "Not a valid spreadsheet" in page
        assert reason in page
        assert "TOP-SECRET" not in page
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_file_is_refused_by_the_cli(app, db_session, kind, secret_file, tmp_path):
    """Issue 12 item 19: the same files through `plans import`: a clear error, exit 1, nothing stored."""
    data, filename, reason = hostile_file(kind, secret_file)
    path = tmp_path / filename
    path.write_bytes(data)
    result = cli(app, "plans", "import", str(path))
    assert result.exit_code == 1
    assert "Not a valid spreadsheet" in result.output and reason in result.output
    assert "TOP-SECRET" not in result.output
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0


@pytest.mark.slow
def test_the_expansion_limits_are_settings(app, client, login_as, db_session):
    """Issue 12 item 19: a workbook over the configured uncompressed size is refused before reading."""
    sheet = SHEET_OPEN + b"<sheetData>" + b"<row/>" * (400 * 1024) + b"</sheetData></worksheet>"
    data = xlsx_with({SHEET: sheet}, compress=zipfile.ZIP_STORED)  # 2.4 MiB, no compression at all
    login_as("secretariat")
    saved = app.config["SPREADSHEET_MAX_UNCOMPRESSED_BYTES"]
    app.config["SPREADSHEET_MAX_UNCOMPRESSED_BYTES"] = 2 * 1024 * 1024
    try:
        response = upload(client, data, "plan.xlsx")
    finally:
        app.config["SPREADSHEET_MAX_UNCOMPRESSED_BYTES"] = saved
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid spreadsheet: the workbook expands to more than 2 MiB of data" in page
    assert "expands" not in upload(client, data, "plan.xlsx").get_data(as_text=True)  # the default is higher


def test_the_format_has_a_column_for_everything_a_round_trip_needs():
    """Issue 12 items 2 and 3: published, the area's source are columns of the format."""
    assert {"published", "area_source"} <= set(COLUMN_NAMES)
