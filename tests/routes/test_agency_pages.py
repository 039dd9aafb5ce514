"""Agency focal points: what we owe, and reporting with evidence through the pages."""

import io
import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker.models import ProgressReport
from tracker.services.reports import return_report
from tracker.services.rounds import open_reporting_round


@pytest.fixture
def uploads(app, tmp_path):
    """Evidence files go to a folder of this test's own."""
    before = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOAD_DIR"] = before


@pytest.fixture
def setting(db_session):
    plan = factories.plan()
    factories.agency(acronym="MIN")
    factories.agency(acronym="OTH")
    soon = factories.action(plan, code="SOON", title="Open the portal", lead_agency="MIN", due_date="2099-12-31")
    late = factories.action(plan, code="LATE", title="Publish the inventory", lead_agency="MIN",
                            start_date="2020-01-01", due_date="2020-06-30")
    helped = factories.action(plan, code="HELP", title="Train the data stewards", lead_agency="OTH",
                              supporting_agencies=["MIN"], due_date="2099-06-30")
    foreign = factories.action(plan, code="FOREIGN", title="Run the hackathon", lead_agency="OTH",
                               due_date="2099-06-30")
    open_reporting_round(plan, {"name": "Round 2026", "opens_on": "2020-01-01", "deadline": "2099-12-31"})
    return SimpleNamespace(plan=plan, soon=soon, late=late, helped=helped, foreign=foreign)


def report_form(intent="draft", **fields):
    return {"narrative": "", "percent_complete": "30", "proposed_status": "ongoing", "links": "",
            "intent": intent, **fields}


def post(client, url, data, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/agency/")}, **kwargs)


def section(page, heading_id, next_id=None):
    part = page.split(f'id="{heading_id}"', 1)[1]
    return part.split(f'id="{next_id}"', 1)[0] if next_id else part


def test_what_we_owe_lists_overdue_actions_first_and_the_missing_reports(client, login_as, setting):
    login_as("agency", agency="MIN")
    page = client.get("/agency/").get_data(as_text=True)

    actions = section(page, "actions-heading")
    assert actions.index("LATE") < actions.index("HELP") < actions.index("SOON")  # then by due date
    assert re.search(r'<tr class="overdue">\s*<th scope="row">LATE Publish the inventory', actions)
    late_row = actions.split("LATE Publish", 1)[1].split("</tr>", 1)[0]
    assert re.search(r"\d+ days overdue", late_row)
    assert "overdue" not in actions.split("SOON Open", 1)[1].split("</tr>", 1)[0]

    missing = section(page, "missing-heading", "actions-heading")
    assert "Round 2026" in missing and "2099-12-31" in missing
    assert "LATE Publish the inventory" in missing and "SOON Open the portal" in missing
    assert f'/agency/actions/{setting.late.id}/report' in missing
    assert "HELP" not in missing  # the lead agency owes that report, not a supporting one
    assert "FOREIGN" not in page


def test_draft_submit_return_and_resubmit_with_a_file(client, login_as, setting, uploads, db_session):
    login_as("agency", agency="MIN")
    new_url = f"/agency/actions/{setting.late.id}/report"
    form = client.get(new_url).get_data(as_text=True)
    assert "Save draft" in form and 'type="file"' in form and "Fully achieved" in form

    # A draft may leave the narrative empty.
    response = post(client, new_url, report_form(links="https://data.example.org/inventory"))
    assert response.status_code == 302
    report_url = response.headers["Location"]
    assert re.fullmatch(r"/agency/reports/\d+", report_url)
    assert client.get(new_url).headers["Location"] == report_url  # carries on with the draft
    page = client.get(report_url).get_data(as_text=True)
    assert "https://data.example.org/inventory</textarea>" in page
    assert "Continue the draft on LATE" in client.get("/agency/").get_data(as_text=True)

    # Submitting needs a narrative, and says so on that field.
    response = post(client, report_url, report_form("submit", links="https://data.example.org/inventory"))
    assert response.status_code == 422
    assert re.search(r'id="narrative-error">Enter what was done<', response.get_data(as_text=True))

    response = post(client, report_url, report_form("submit", narrative="Inventory drafted with 12 agencies",
                                                     links="https://data.example.org/inventory"))
    assert response.status_code == 302 and response.headers["Location"] == "/agency/"
    page = client.get(report_url).get_data(as_text=True)
    assert "Submitted, awaiting review" in page and "Inventory drafted with 12 agencies" in page
    assert "<textarea" not in page and "Save draft" not in page  # read-only now
    response = post(client, report_url, report_form("submit", narrative="Changed my mind"))
    assert response.status_code == 422 and "can no longer be changed" in response.get_data(as_text=True)
    owe = client.get("/agency/").get_data(as_text=True)
    assert "LATE" not in section(owe, "missing-heading", "submitted-heading")
    assert "Read the report on LATE" in section(owe, "submitted-heading", "actions-heading")

    report = db_session.get(ProgressReport, int(report_url.rsplit("/", 1)[1]))
    return_report(report, {"comment": "Give the inventory's web address"},
                  reviewer=factories.user("secretariat"), now=datetime.now(UTC))

    owe = client.get("/agency/").get_data(as_text=True)
    assert "Returned to us" in owe and "Give the inventory&#39;s web address" in owe
    page = client.get(report_url).get_data(as_text=True)
    assert "Returned by the secretariat" in page and "Give the inventory&#39;s web address" in page
    assert "Inventory drafted with 12 agencies</textarea>" in page  # ready to correct

    response = post(
        client, report_url,
        report_form("submit", narrative="Inventory published at data.example.org", percent_complete="70",
                    links="https://data.example.org/inventory",
                    file=(io.BytesIO(b"%PDF-1.4 inventory"), "inventory.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db_session.refresh(report)
    assert (report.state, report.percent_complete) == ("submitted", 70)
    files = [e for e in report.evidence if e.kind == "file"]
    assert [f.filename for f in files] == ["inventory.pdf"]
    assert (uploads / files[0].stored_name).read_bytes() == b"%PDF-1.4 inventory"
    page = client.get(report_url).get_data(as_text=True)
    assert f'href="/evidence/{files[0].id}">inventory.pdf</a>' in page
    assert 'href="https://data.example.org/inventory"' in page


def test_a_refused_file_is_named_and_nothing_is_stored(client, login_as, setting, uploads, db_session):
    """One POST, one transaction (issue 13): a refused file stores neither the report nor
    the other files, and the form comes back as typed with the problem named."""
    login_as("agency", agency="MIN")
    url = f"/agency/actions/{setting.soon.id}/report"
    response = post(client, url, report_form("submit", narrative="Portal in beta",
                                             file=[(io.BytesIO(b"%PDF-1.4 minutes"), "minutes.pdf"),
                                                   (io.BytesIO(b"MZ\x90\x00"), "tool.exe")]),
                    content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="file-error">Files of this type are not accepted', page)
    assert "Nothing was saved or submitted" in page and "Portal in beta</textarea>" in page
    assert db_session.query(ProgressReport).filter_by(action_id=setting.soon.id).all() == []
    assert list(uploads.iterdir()) == []


def test_a_draft_with_files_is_submitted_in_one_transaction(client, login_as, setting, uploads, db_session):
    """Submitting a draft with files stores the fields, the files and the submission together."""
    login_as("agency", agency="MIN")
    url = f"/agency/actions/{setting.soon.id}/report"
    response = post(client, url, report_form(narrative="First words"))
    report_url = response.headers["Location"]
    response = post(client, report_url, report_form("submit", narrative="Done",
                                                    file=(io.BytesIO(b"%PDF-1.4 done"), "done.pdf")),
                    content_type="multipart/form-data")
    assert response.status_code == 302
    report = db_session.query(ProgressReport).filter_by(action_id=setting.soon.id).one()
    db_session.refresh(report)
    assert (report.state, report.narrative) == ("submitted", "Done")
    assert [e.filename for e in report.evidence if e.kind == "file"] == ["done.pdf"]


def test_a_draft_file_can_be_removed(client, login_as, setting, uploads, db_session):
    login_as("agency", agency="MIN")
    url = f"/agency/actions/{setting.soon.id}/report"
    response = post(client, url, report_form(file=(io.BytesIO(b"%PDF-1.4 minutes"), "minutes.pdf")),
                    content_type="multipart/form-data")
    report_url = response.headers["Location"]
    page = client.get(report_url).get_data(as_text=True)
    remove = re.search(r'action="(/agency/evidence/\d+/remove)"', page).group(1)
    response = post(client, remove, {})
    assert response.status_code == 302 and response.headers["Location"] == report_url
    assert "minutes.pdf" not in client.get(report_url).get_data(as_text=True)
    assert list(uploads.iterdir()) == []


def test_an_agency_cannot_open_or_change_another_agencys_reports(client, auth, setting):
    focal = auth.login_as("agency", agency="MIN")
    response = post(client, f"/agency/actions/{setting.late.id}/report",
                    report_form(narrative="Our secret progress"))
    report_url = response.headers["Location"]
    auth.logout()

    auth.login_as("agency", agency="OTH")
    assert client.get(f"/agency/actions/{setting.late.id}/report").status_code == 404
    assert client.get(report_url).status_code == 404
    response = post(client, report_url, report_form("submit", narrative="Hijacked"))
    assert response.status_code == 404
    assert post(client, f"/agency/actions/{setting.late.id}/report", report_form()).status_code == 404
    assert client.get(f"/agency/actions/{setting.foreign.id}/report").status_code == 200  # its own
    auth.logout()

    # A supporting agency sees the action but only the lead agency reports on it.
    auth.login(focal.email)
    assert client.get(f"/agency/actions/{setting.helped.id}/report").status_code == 403
    assert post(client, f"/agency/actions/{setting.helped.id}/report", report_form()).status_code == 403
    assert "Hijacked" not in client.get(report_url).get_data(as_text=True)


def test_only_agency_focal_points_reach_the_agency_pages(client, auth):
    assert "/sign-in" in client.get("/agency/").headers["Location"]
    auth.login_as("secretariat")
    assert client.get("/agency/").status_code == 403


def test_what_we_owe_offers_a_report_only_where_one_can_start_and_says_days_left(client, login_as, db_session):
    """Issue 15: a "Submitted, awaiting review" list; no "Report on ..." for an action whose
    report waits for review or is under way, nor for a complete one; days left in words."""
    from datetime import date, timedelta

    from tracker.services.reports import save_report
    today = datetime.now(UTC).date()
    plan = factories.plan()
    factories.agency(acronym="MIN")
    focal = factories.user("agency", agency="MIN")
    day = timedelta(days=1)
    waiting = factories.action(plan, code="WAIT", title="Write the law", lead_agency="MIN",
                               start_date="2020-01-01", due_date=(today + 18 * day).isoformat())
    drafted = factories.action(plan, code="DRAFT", title="Draft the rules", lead_agency="MIN",
                               start_date="2020-01-01", due_date=(today + day).isoformat())
    factories.action(plan, code="DONE", title="Open the office", lead_agency="MIN", status="fully_achieved",
                            start_date="2020-01-01", due_date=(today - 3 * day).isoformat())
    factories.action(plan, code="LATE", title="Train the staff", lead_agency="MIN",
                            start_date="2020-01-01", due_date=(today - day).isoformat())
    factories.action(plan, code="FRESH", title="Hire the team", lead_agency="MIN",
                             start_date="2020-01-01", due_date=today.isoformat())
    open_reporting_round(plan, {"name": "Round now", "opens_on": "2020-01-01",
                                "deadline": (today + 10 * day).isoformat()})
    moment = datetime.now(UTC)
    save_report(waiting, {"narrative": "Sent to parliament", "percent_complete": 60, "proposed_status": "ongoing"},
                author=focal, now=moment, submit=True)
    save_report(drafted, {"narrative": "", "percent_complete": 10, "proposed_status": "ongoing"},
                author=focal, now=moment, submit=False)
    login_as("agency", agency="MIN")
    page = client.get("/agency/").get_data(as_text=True)

    submitted = section(page, "submitted-heading", "actions-heading")
    assert "Submitted, awaiting review" in page and "Write the law" in submitted
    assert "Draft the rules" not in submitted

    def row(code):
        return section(page, "actions-heading").split(f"{code} ", 1)[1].split("</tr>", 1)[0]

    assert "Report on WAIT" not in page and "Submitted, awaiting review" in row("WAIT")
    assert "Report on DRAFT" not in page and "Continue the report on DRAFT" in row("DRAFT")
    assert "Report on DONE" not in page and "overdue" not in row("DONE")
    assert "Report on LATE" in row("LATE") and "Report on FRESH" in row("FRESH")
    assert "due in 18 days" in row("WAIT") and "due in 1 day<" in row("DRAFT")
    assert "1 day overdue" in row("LATE") and "due today" in row("FRESH")
    # The round's deadline, in words too; the waiting report is not due any more.
    missing = section(page, "missing-heading", "drafts-heading")
    assert "due in 10 days" in missing and "WAIT" not in missing and "Report on LATE" in missing
    assert date.fromisoformat(re.search(r"(\d{4}-\d\d-\d\d) · due in 10 days", missing)[1]) == today + 10 * day
