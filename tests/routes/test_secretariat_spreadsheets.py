"""The secretariat's spreadsheet pages: upload, check, import, download."""

import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.fixtures.seed import load
from tests.services.test_spreadsheets import csv_bytes, row
from tracker.models import Plan


def upload(client, data: bytes, filename="plan.csv", mode="check"):
    return client.post(
        "/secretariat/import",
        data={"file": (io.BytesIO(data), filename), "mode": mode,
              "csrf_token": csrf_token(client, "/secretariat/import")},
        content_type="multipart/form-data",
    )


def test_only_the_secretariat_and_admins_reach_the_pages(client, auth):
    response = client.get("/secretariat/import")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    auth.login_as("agency")
    assert client.get("/secretariat/import").status_code == 403
    assert client.get("/secretariat/plans").status_code == 403


def test_check_lists_problems_by_row_and_column_then_import_creates_the_plan(client, login_as, db_session):
    login_as("secretariat")
    bad = csv_bytes([row(), row(recommendation_code="R2", due_date="soon", action_code="A1",
                                action_title="Act", action_status="pending")])
    response = upload(client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 problem; nothing was imported" in page
    assert re.search(r"<td>3</td><td>due_date</td><td class=\"problem\">Not a valid date.</td>", page)

    good = csv_bytes([row(), row(recommendation_code="R2")])
    page = upload(client, good).get_data(as_text=True)
    assert "No problems found" in page and "2 recommendations to create" in page
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0

    page = upload(client, good, mode="import").get_data(as_text=True)
    assert "Imported" in page and "2 recommendations created" in page
    assert client.get("/secretariat/plans/imported").status_code == 200


def test_missing_file_is_named(client, login_as):
    login_as("secretariat")
    response = client.post("/secretariat/import", data={"mode": "check", "csrf_token": csrf_token(client, "/secretariat/import")})
    assert response.status_code == 422
    assert "Choose a CSV or XLSX file." in response.get_data(as_text=True)


def test_an_upload_over_the_request_limit_gets_a_clear_page(client, login_as):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    login_as("secretariat")
    # Encode the body ourselves: the test client would spool 17 MB to a temporary
    # file that it never closes once the app refuses to read it.
    boundary, body = encode_multipart({
        "file": FileStorage(io.BytesIO(b"x" * (17 * 1024 * 1024)), "huge.csv"),
        "mode": "check",
        "csrf_token": csrf_token(client, "/secretariat/import"),
    })
    response = client.post(
        "/secretariat/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 413
    assert "larger than the 16 MB limit; nothing was stored" in response.get_data(as_text=True)


@pytest.mark.seeded
def test_download_csv_and_xlsx(app, client, login_as):
    load(app, "mongolia-odra-2018")
    login_as("secretariat")
    response = client.get("/secretariat/plans/mongolia-odra-2018/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="mongolia-odra-2018.csv"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).count("mongolia-odra-2018,") >= 15
    response = client.get("/secretariat/plans/mongolia-odra-2018/export.xlsx")
    assert response.data.startswith(b"PK\x03\x04")
    assert client.get("/secretariat/plans/mongolia-odra-2018/export.pdf").status_code == 404
