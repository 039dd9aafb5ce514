"""Form errors as people read them (issue 15): one message per field in their words, in
form order, never an internal key, with an error summary linking each field and every
refused control marked invalid."""

import re
from html import unescape

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker.web.field_messages import FIELDS, form_messages, problem_of

# What gave the game away before: internal keys and marshmallow's own words.
INTERNAL = re.compile(r"links\.\d|milestones\.\d|lead agency:|_schema|This field is required|Missing data for")


def post(client, url, data, *, token_page):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_page)})


def summary_links(page: str) -> list[tuple[str, str]]:
    """(target id, text) of each link in the error summary, in order."""
    box = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [(target, unescape(text)) for target, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box)]


def field_message(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(name)}-error">([^<]+)</p>', page)
    return unescape(found[1]) if found else ""


def assert_marked_invalid(page: str, name: str, tag: str) -> None:
    """The control itself says it is invalid and points at its message (and hint, if any)."""
    control = re.search(rf'<{tag}[^>]*\bid="{re.escape(name)}"[^>]*>', page)
    assert control, f"no <{tag} id={name}>"
    assert 'aria-invalid="true"' in control[0], control[0]
    assert re.search(rf'aria-describedby="[^"]*\b{re.escape(name)}-error\b', control[0]), control[0]
    assert re.search(rf'<div class="field has-error">\s*<label for="{re.escape(name)}"', page), name


def assert_summary_matches_fields(page: str, expected: list[tuple[str, str]]) -> None:
    assert "There is a problem" in page
    assert 'id="error-summary"' in page and 'tabindex="-1"' in page and " autofocus" in page
    assert summary_links(page) == expected
    for target, message in expected:
        assert field_message(page, target) == message, target
        assert f'id="{target}"' in page  # each link lands on its field
    assert not INTERNAL.search(unescape(page)), INTERNAL.search(unescape(page))


@pytest.fixture
def reporting(db_session):
    plan = factories.plan()
    factories.agency(acronym="MIN")
    action = factories.action(plan, code="A1", title="Publish the inventory", lead_agency="MIN",
                              due_date="2099-06-30")
    return plan, action


def test_an_empty_report_form_names_each_field_in_form_order(client, login_as, reporting):
    _, action = reporting
    login_as("agency", agency="MIN")
    url = f"/agency/actions/{action.id}/report"
    response = post(client, url, {"narrative": "", "percent_complete": "", "proposed_status": "",
                                  "links": "https://ok.example.org\nnot a link", "intent": "submit"},
                    token_page=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = summary_links(page)
    assert [target for target, _ in summary] == ["narrative", "percent_complete", "proposed_status", "links"]
    assert summary[1][1] == "Enter the percent complete, a whole number from 0 to 100"
    assert summary[2][1] == "Choose the status you propose"
    assert summary[3][1] == "Enter a web address starting with https:// (line 2)"
    assert_summary_matches_fields(page, summary)
    assert_marked_invalid(page, "narrative", "textarea")
    assert_marked_invalid(page, "percent_complete", "input")
    assert_marked_invalid(page, "proposed_status", "select")
    assert_marked_invalid(page, "links", "textarea")
    # The hint is still read out with the error.
    assert re.search(r'<textarea[^>]*id="links"[^>]*aria-describedby="links-hint links-error"', page)


def test_a_refused_file_marks_the_file_input(client, login_as, reporting, app, tmp_path):
    import io
    _, action = reporting
    app.config["UPLOAD_DIR"] = str(tmp_path)
    login_as("agency", agency="MIN")
    url = f"/agency/actions/{action.id}/report"
    response = client.post(url, data={
        "narrative": "Done", "percent_complete": "40", "proposed_status": "ongoing", "links": "", "intent": "draft",
        "file": (io.BytesIO(b"MZ\x90\x00"), "tool.exe"), "csrf_token": csrf_token(client, url),
    }, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert [target for target, _ in summary_links(page)] == ["file"]
    assert_marked_invalid(page, "file", "input")


def test_the_action_form_speaks_of_titles_dates_and_milestone_lines(client, login_as, db_session):
    plan = factories.plan(slug="forms-plan")
    login_as("secretariat")
    url = f"/secretariat/plans/{plan.slug}/actions/new"
    response = post(client, url, {
        "code": "A 1", "title": "", "status": "pending", "lead_agency": "", "start_date": "31/12/2027",
        "due_date": "2027-01-01", "percent_complete": "150", "milestones": "2027-01-01 Fine\n2027-13-40 Bad date",
    }, token_page=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = dict(summary_links(page))
    order = [target for target, _ in summary_links(page)]
    # Form order: code, title, lead agency, dates, percent, milestones.
    assert order == sorted(order, key=["code", "title", "description", "area", "lead_agency", "start_date",
                                       "due_date", "percent_complete", "status", "milestones"].index)
    assert summary["title"] == "Enter a title"
    assert summary["code"].startswith("Use at most 40 letters")  # the schema's own words, specific already
    assert summary["start_date"] == "Enter the start date as a date in the format YYYY-MM-DD, for example 2027-03-31"
    assert summary["percent_complete"] == "Enter the percent complete as a whole number from 0 to 100"
    assert summary["milestones"].endswith("(line 2)") and "YYYY-MM-DD" in summary["milestones"]
    assert_summary_matches_fields(page, summary_links(page))
    assert_marked_invalid(page, "start_date", "input")
    assert_marked_invalid(page, "milestones", "textarea")


def test_date_fields_take_and_show_yyyy_mm_dd_and_say_so(client, login_as, db_session):
    plan = factories.plan(slug="dated-plan")
    login_as("secretariat")
    page = client.get(f"/secretariat/plans/{plan.slug}/actions/new").get_data(as_text=True)
    due = re.search(r'<input id="due_date"[^>]*>', page)[0]
    # A text box, not the browser's date picker that shows the reader's locale's order.
    assert 'type="text"' in due and 'aria-describedby="due_date-hint"' in due
    assert re.search(r'id="due_date-hint">Use the format YYYY-MM-DD, for example 2027-03-31.<', page)


def test_the_plan_form_orders_its_messages_as_the_form(client, login_as, db_session):
    login_as("secretariat")
    url = "/secretariat/plans/new"
    response = post(client, url, {"slug": "Not A Slug", "title": "", "country": "", "period_start": "2027-12-31",
                                  "period_end": "2027-01-01"}, token_page=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = summary_links(page)
    assert [t for t, _ in summary] == ["slug", "title", "country"]  # the period is checked once these pass
    assert dict(summary)["country"] == "Enter the country"
    assert_summary_matches_fields(page, summary)


def test_the_admin_user_form_names_email_password_then_agency(client, login_as, db_session):
    login_as("admin")
    url = "/admin/users"
    response = post(client, url, {"email": "nobody", "password": "short", "role": "agency", "agency": ""},
                    token_page=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = summary_links(page)
    assert summary == [
        ("email", "Enter an email address in the correct format, like name@example.gov"),
        ("password", "The password must be at least 10 characters"),
    ]
    assert_summary_matches_fields(page, summary)
    assert_marked_invalid(page, "email", "input")
    # A focal point without an agency: checked once the fields themselves are right.
    response = post(client, url, {"email": "focal@example.gov", "password": "long enough password", "role": "agency",
                                  "agency": ""}, token_page=url)
    page = response.get_data(as_text=True)
    assert summary_links(page) == [("agency", "An agency user must belong to an agency.")]
    assert_marked_invalid(page, "agency", "select")


def test_the_account_token_form_names_its_fields(client, login_as, db_session):
    login_as("secretariat")
    response = post(client, "/account/tokens", {"name": "", "scope": "read", "days": "0"}, token_page="/account/")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = summary_links(page)
    assert [t for t, _ in summary] == ["name", "days"]
    assert summary[0][1] == "Enter a name"
    assert summary[1][1].startswith("The number of days must be a whole number from 1 to ")
    assert_summary_matches_fields(page, summary)


def test_the_review_return_form_says_what_is_missing(client, login_as, db_session):
    from datetime import UTC, datetime

    from tracker.services.reports import save_report
    plan = factories.plan()
    factories.agency(acronym="MIN")
    action = factories.action(plan, lead_agency="MIN", due_date="2099-06-30")
    author = factories.user("agency", agency="MIN")
    report = save_report(action, {"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing"},
                         author=author, now=datetime.now(UTC), submit=True)
    login_as("secretariat")
    page_url = f"/secretariat/reviews/{report.id}"
    response = post(client, f"{page_url}/return", {"return_comment": ""}, token_page=page_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert summary_links(page) == [("return_comment", "Say what should change")]
    assert_marked_invalid(page, "return_comment", "textarea")


def test_every_problem_a_schema_names_is_recognised(app):
    """The words table knows every message the input schemas give, so none reaches a form raw."""
    for message in ["This field is required.", "Use at most 300 characters.", "Use at least 3 characters.",
                    "Not a valid date.", "Enter a date between 1900 and 2199.", "Enter a whole number from 0 to 100.",
                    "Choose one of: a, b.", "Not a valid email address.", "Unknown agency 'X'.",
                    "Give at most 50 links.", "Enter a web address starting with http:// or https://."]:
        assert problem_of(message)[0] is not None, message
    with app.test_request_context():
        for name in FIELDS:
            words = form_messages({name: ["This field is required."]})
            assert words == {name: str(FIELDS[name].required)}
            assert "This field is required" not in words[name]
