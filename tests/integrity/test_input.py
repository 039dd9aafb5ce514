"""Bad input gets a 4xx naming the field, never a 500, never a stall for others (issue 12, items 17,
18, 20 and 21).

Every hostile value goes through the real routes, as the person or program that would send it:
the JSON API with a personal token, the secretariat's and the agencies' forms, the spreadsheet
import. Each test checks the status (400, 413 or 422, never 500), a message naming the field,
and that nothing was stored. Dates that no form accepts any more are written straight into the
database, bypassing the services, and then every chart and page is asked for.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from functools import cached_property
from html import unescape

import pytest
import yaml
from sqlalchemy import func, select, update
from werkzeug.test import encode_multipart

from tests import factories
from tests.api.conftest import bearer
from tests.conftest import csrf_token
from tests.factories import NOW
from tracker.exchange.plan_import import import_plan_document
from tracker.exchange.seed_files import read_seed_file
from tracker.extensions import db
from tracker.models import (
    Action,
    Area,
    AssessmentRound,
    Event,
    Evidence,
    Milestone,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingRound,
    StatusChange,
    User,
)
from tracker.routes.charts import DRAWERS, MIME_TYPES
from tracker.services.assessments import record_assessment_round
from tracker.services.errors import ValidationFailed
from tracker.services.reports import save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor

DATE_MESSAGE = "Enter a date between 1900 and 2199."
CODE_MESSAGE = "letters, digits"


class World:
    """A published plan with an area, a recommendation and one action for each of two agencies.

    Its users are made when a test first needs them: hashing a password takes a good part
    of a second, and most tests need one user only.
    """

    def __init__(self):
        self.plan = factories.plan(slug="input-plan", title="Input plan", period_start="2026-01-01",
                                   period_end="2027-12-31")
        factories.area(self.plan, code="GOV", name="Governance", position=1)
        factories.agency(acronym="MIN", name="Ministry of Information")
        factories.agency(acronym="OTH", name="Office of Other Things")
        factories.recommendation(self.plan, code="R1", area="GOV", timeframe="short", position=1)
        self.mine = factories.action(self.plan, code="A1", area="GOV", title="Open the portal",
                                     lead_agency="MIN", recommendations=["R1"], position=1,
                                     milestones=[{"title": "Beta", "due_date": "2026-06-30"}])
        self.theirs = factories.action(self.plan, code="A2", title="Train the staff", lead_agency="OTH",
                                       position=2)

    @cached_property
    def focal(self) -> User:
        return factories.user("agency", agency="MIN")

    @cached_property
    def other_focal(self) -> User:
        return factories.user("agency", agency="OTH")

    @cached_property
    def secretariat(self) -> User:
        return factories.user("secretariat")


@pytest.fixture
def world(app, db_session) -> World:
    return World()


def counts() -> dict[str, int]:
    """Rows of every table a refused request might have written to."""
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Plan, Area, Recommendation, Action, Milestone, ReportingRound, ProgressReport,
                          Evidence, Event, StatusChange)}


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True))


def post_form(client, path: str, data: dict, *, form_path: str | None = None, query: str = ""):
    """Submit a form as a browser would: with the CSRF token from the form's page."""
    return client.post(path + query, data={**data, "csrf_token": csrf_token(client, form_path or path)})


def spreadsheet(**cells) -> bytes:
    """A one-row plan spreadsheet (CSV) with ``cells`` changed."""
    row = {"plan_slug": "imported", "plan_title": "Imported plan", "country": "Testland", "area_code": "GOV",
           "area_name": "Governance", "recommendation_code": "R1", "recommendation_text": "Do the thing",
           "recommendation_status": "pending", "action_code": "A1", "action_title": "Act",
           "action_status": "pending", **cells}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode()


def api_error(response, status: tuple[int, ...] = (400, 422)) -> dict:
    """The API's JSON error, checked for its shape and a refusal status."""
    assert response.status_code in status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == response.status_code and body["status"] and body["message"]
    return body


# --- Item 17: hostile JSON through the API -----------------------------------------------------

REPORT = {"narrative": "Portal opened", "percent_complete": 40, "proposed_status": "ongoing"}

# (case, the request body as sent on the wire, the field the answer must name)
HOSTILE_BODIES = [
    ("lone surrogate", json.dumps({**REPORT, "narrative": "Done \ud800"}), "narrative"),
    ("lone low surrogate in a list", json.dumps({**REPORT, "links": ["https://example.org/\udfff"]}), "links"),
    ("surrogate in a field name", json.dumps({**REPORT, "\ud83d": "x"}), "\ufffd"),
    ("empty list for a string", json.dumps({**REPORT, "narrative": []}), "narrative"),
    ("list for a string", json.dumps({**REPORT, "narrative": ["Done"]}), "narrative"),
    ("object for a string", json.dumps({**REPORT, "narrative": {"text": "Done"}}), "narrative"),
    ("object for a status", json.dumps({**REPORT, "proposed_status": {"key": "ongoing"}}), "proposed_status"),
    ("1e23 for an id", json.dumps({**REPORT, "round_id": 1e23}), "round_id"),
    ("2**70 for an id", json.dumps({**REPORT, "round_id": 2**70}), "round_id"),
    ("2**40 for an id", json.dumps({**REPORT, "round_id": 2**40}), "round_id"),
    ("2**70 for a percentage", json.dumps({**REPORT, "percent_complete": 2**70}), "percent_complete"),
    ("-2**70 for a percentage", json.dumps({**REPORT, "percent_complete": -(2**70)}), "percent_complete"),
    ("4,400 digits", json.dumps(REPORT)[:-1] + ', "round_id": ' + "9" * 4400 + "}", "round_id"),
    ("1e400", json.dumps(REPORT)[:-1] + ', "round_id": 1e400}', "round_id"),
    ("NaN", json.dumps({**REPORT, "percent_complete": float("nan")}), "percent_complete"),
    ("Infinity", json.dumps({**REPORT, "percent_complete": float("inf")}), "percent_complete"),
    ("NUL in a string", json.dumps({**REPORT, "narrative": "Done\x00"}), "narrative"),
    ("NUL in a link", json.dumps({**REPORT, "links": ["https://example.org/\x00"]}), "links"),
    ("NUL in a status", json.dumps({**REPORT, "proposed_status": "ongoing\x00"}), "proposed_status"),
    ("deep inside a field", json.dumps({**REPORT, "narrative": "x"})[:-1]
     + ', "links": ' + "[" * 200 + "]" * 200 + "}", "links"),
]


@pytest.mark.parametrize(("case", "body", "field"), HOSTILE_BODIES, ids=[c[0] for c in HOSTILE_BODIES])
def test_hostile_json_is_refused_naming_the_field_and_nothing_is_stored(client, world, case, body, field):
    """Issue 12 item 17: surrogates, wrong types, numbers beyond 64 bits, NUL and deep nesting in a
    JSON body answer 400 or 422 naming the field, in the API's error shape; nothing is stored."""
    before = counts()
    response = client.post(f"/api/v1/actions/{world.mine.id}/reports", data=body,
                           content_type="application/json", headers=bearer(world.focal))
    error = api_error(response)
    named = error.get("errors", {}).get("json", {})
    assert field in named, (case, error)
    assert counts() == before


def test_json_nested_100000_deep_is_refused_at_once(client, world):
    """Issue 12 item 17: JSON nested 100,000 deep answers 400 with a message (it was a 500)."""
    before = counts()
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 60_000 + "1" + "}" * 60_000):
        response = client.post(f"/api/v1/actions/{world.mine.id}/reports", data=body,
                               content_type="application/json", headers=bearer(world.focal))
        error = api_error(response, (400,))
        assert "nested" in error["message"]
    assert counts() == before


def test_hostile_json_in_a_review_is_refused_and_the_report_stays_waiting(client, world):
    """Issue 12 item 17: the secretariat's accept and return bodies pass the same guard."""
    report = save_report(world.mine, REPORT, author=world.focal, now=NOW, submit=True)
    headers = bearer(world.secretariat)
    before = counts()
    for verb, body in (("return", {"comment": "Say more \ud800"}), ("return", {"comment": ["Say more"]}),
                       ("accept", {"comment": "Fine\x00"}), ("accept", {"comment": {"a": 1}})):
        response = client.post(f"/api/v1/reports/{report.id}/{verb}", data=json.dumps(body),
                               content_type="application/json", headers=headers)
        assert "comment" in api_error(response)["errors"]["json"], (verb, body)
    db.session.refresh(report)
    assert report.state == "submitted" and report.reviewer_comment is None
    assert counts() == before


def test_valid_json_with_unicode_and_large_but_fitting_numbers_is_still_accepted(client, world):
    """Issue 12 item 17: the guard refuses only what cannot be stored: real text in any script,
    emoji (a surrogate *pair* in JSON) and integers within range pass."""
    body = {**REPORT, "narrative": "Портал открыт ✓ \ud83d\ude80 概要", "percent_complete": 100}
    response = client.post(f"/api/v1/actions/{world.mine.id}/reports", data=json.dumps(body),
                           content_type="application/json", headers=bearer(world.focal))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["narrative"] == "Портал открыт ✓ 🚀 概要"


# --- Item 17: hostile numbers and query strings in the forms ----------------------------------

HUGE = "1" * 23


def _position_forms(world):
    area = db.session.scalars(select(Area).where(Area.plan_id == world.plan.id)).first()
    slug = world.plan.slug
    return [
        (f"/secretariat/plans/{slug}/areas", {"code": "NEW", "name": "New area"}),
        (f"/secretariat/plans/{slug}/areas/{area.id}/edit", {"name": "Governance"}),
        (f"/secretariat/plans/{slug}/recommendations/new", {"code": "R9", "text": "Do more", "status": "pending"}),
        (f"/secretariat/plans/{slug}/actions/new", {"code": "A9", "title": "Act", "status": "pending"}),
        (f"/secretariat/plans/{slug}/actions/{world.mine.id}/edit",
         {"title": "Open the portal", "status": "pending", "version": str(world.mine.version)}),
    ]


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "99999999999999999999", "2147483648", "1e23"])
def test_a_position_too_large_for_the_database_is_refused_on_every_form(client, auth, world, value):
    """Issue 12 item 17: a 23-digit position on the area, recommendation and action forms
    re-renders the form with 422 and a message on the position (it was a 500)."""
    auth.login(world.secretariat.email)
    before = counts()
    for path, data in _position_forms(world):
        response = post_form(client, path, {**data, "position": value})
        assert response.status_code == 422, (path, response.status_code)
        page = page_text(response)
        assert re.search(r'<p class="error" id="position-error">Enter the position as a whole number from 0 to 1,000,000<', page), path
    assert counts() == before


def test_an_action_id_too_large_on_bulk_assignment_is_refused_naming_the_field(client, auth, world):
    """Issue 12 item 17: ``action=99999999999999999999`` on the bulk assignment answers 422 with a
    message on the actions (it was a 500); nothing is reassigned."""
    auth.login(world.secretariat.email)
    before = counts()
    path = f"/secretariat/plans/{world.plan.slug}/assign"
    for chosen in (["99999999999999999999"], [str(world.mine.id), "99999999999999999999"], ["A1"]):
        response = client.post(path, data={"action": chosen, "lead_agency": "OTH",
                                           "csrf_token": csrf_token(client, f"/secretariat/plans/{world.plan.slug}")})
        assert response.status_code == 422, chosen
        assert re.search(r'<p class="error" id="actions-error">[^<]+</p>', page_text(response)), chosen
    db.session.refresh(world.mine)
    assert world.mine.lead_agency.acronym == "MIN"
    assert counts() == before


HOSTILE_QUERIES = ["", "?slug=other-plan", "?_method=GET", "?_external=1&_scheme=javascript", "?_anchor=x",
                   "?area=GOV&status=pending&overdue=1&agency=99999999999999999999", "?agency=&area=",
                   "?page=2&plan=x"]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_bulk_assignment_answers_without_error_whatever_the_query_string_and_fields(client, auth, world, query):
    """Issue 12 item 17: the workspace and its bulk assignment, with and without each query
    parameter and form field, never answer 500; the filters carried on are the workspace's own."""
    auth.login(world.secretariat.email)
    workspace = f"/secretariat/plans/{world.plan.slug}"
    page = client.get(workspace + query)
    assert page.status_code == 200, page.status_code
    form_action = re.search(r'<form method="post" action="([^"]+/assign[^"]*)"', page.get_data(as_text=True))
    assert form_action and not re.search(r"[?&](slug|_\w+|page|plan)=", unescape(form_action.group(1)))
    fields = {"action": str(world.theirs.id), "lead_agency": "MIN"}
    for given in ({}, {"action": fields["action"]}, {"lead_agency": "MIN"}, fields):
        response = post_form(client, f"{workspace}/assign", given, form_path=workspace, query=query)
        assert response.status_code in (302, 422), (given, response.status_code)
        if response.status_code == 302:
            location = response.headers["Location"]
            assert location.startswith(workspace) and "#" not in location, location
            assert not re.search(r"[?&](slug|_\w+|page|plan)=", location), location
        else:  # named in the summary above the form (the form itself lists no action when none match)
            assert re.search(r'<a href="#(actions|lead_agency)">', page_text(response)), given


# --- Item 18: a cap on links, on every text, and on bodies before they are read ---------------


def _links(n: int) -> list[str]:
    return [f"https://example.org/evidence/{i:05d}" for i in range(n)]


def test_25000_links_are_refused_before_any_work_and_another_agency_writes_right_after(client, world):
    """Issue 12 item 18: a report with 25,000 evidence links is refused with 413 before the body is
    read; nothing is stored and no lock is held: another agency's report goes in right after."""
    before = counts()
    body = json.dumps({**REPORT, "links": _links(25_000)})
    response = client.post(f"/api/v1/actions/{world.mine.id}/reports", data=body,
                           content_type="application/json", headers=bearer(world.focal))
    error = api_error(response, (413,))
    assert "KB" in error["message"] and "nothing was stored" in error["message"]
    assert counts() == before

    response = client.post(f"/api/v1/actions/{world.theirs.id}/reports", json=REPORT,
                           headers=bearer(world.other_focal))
    assert response.status_code == 201, response.get_json()


def test_25000_links_on_the_agency_form_are_refused_with_a_page(client, auth, world):
    """Issue 12 item 18: the same through the agency's report form (multipart, with a file box)
    and through a form of plain fields: 413 with a message, nothing stored."""
    auth.login(world.focal.email)
    url = f"/agency/actions/{world.mine.id}/report"
    token = csrf_token(client, url)
    before = counts()
    links = "\n".join(_links(25_000))
    fields = {"narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing", "intent": "submit",
              "links": links, "csrf_token": token}
    # The multipart body is built in memory: the test client would spool one this large to a
    # temporary file it never closes (a ResourceWarning, an error here).
    boundary, multipart = encode_multipart(fields)
    for body, content_type in ((multipart, f"multipart/form-data; boundary={boundary}"),
                               (fields, "application/x-www-form-urlencoded")):
        response = client.post(url, data=body, content_type=content_type)
        assert response.status_code == 413, content_type
        assert "nothing was stored" in page_text(response)
    assert counts() == before


def test_links_per_report_are_capped_with_a_message(app, client, world):
    """Issue 12 item 18: more links than the setting allows (50) is a 422 naming the links;
    exactly that many is accepted."""
    limit = app.config["MAX_REPORT_LINKS"]
    assert limit == 50
    before = counts()
    url = f"/api/v1/actions/{world.mine.id}/reports"
    response = client.post(url, json={**REPORT, "links": _links(limit + 1)}, headers=bearer(world.focal))
    assert "at most 50" in " ".join(api_error(response, (422,))["errors"]["json"]["links"])
    assert counts() == before
    response = client.post(url, json={**REPORT, "links": _links(limit)}, headers=bearer(world.focal))
    assert response.status_code == 201 and len(response.get_json()["evidence"]) == limit


def test_links_over_the_cap_on_the_agency_form_are_refused(client, auth, world):
    """Issue 12 item 18: the agency's form says the same on its links box."""
    auth.login(world.focal.email)
    url = f"/agency/actions/{world.mine.id}/report"
    before = counts()
    response = post_form(client, url, {"narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing",
                                       "links": "\n".join(_links(51)), "intent": "save"})
    assert response.status_code == 422
    assert re.search(r'<p class="error" id="links-error">Give at most 50 evidence links', page_text(response))
    assert counts() == before


def _text_forms(world):
    """(form path, valid fields, the field made too long, its limit) for text that had no cap."""
    slug = world.plan.slug
    rec = db.session.scalars(select(Recommendation).where(Recommendation.plan_id == world.plan.id)).first()
    return [
        (f"/secretariat/plans/{slug}/edit", {"title": "Input plan", "country": "Testland"}, "description", 20_000),
        (f"/secretariat/plans/{slug}/areas", {"code": "NEW", "name": "New"}, "source_document", 200),
        (f"/secretariat/plans/{slug}/recommendations/new", {"code": "R9", "status": "pending"}, "text", 10_000),
        (f"/secretariat/plans/{slug}/recommendations/new", {"code": "R9", "text": "Do", "status": "pending"},
         "actions_taken", 10_000),
        (f"/secretariat/plans/{slug}/actions/new", {"code": "A9", "title": "Act", "status": "pending"},
         "description", 20_000),
        (f"/secretariat/plans/{slug}/recommendations/{rec.id}/status", {"status": "ongoing"}, "reason", 5_000),
    ]


def test_every_text_field_has_a_length_cap_with_a_message(client, auth, world):
    """Issue 12 item 18: text that had no cap (descriptions, recommendation texts, an area's
    source) is refused past its limit with 422 and a message on the field; one character less
    would do. (test_every_input_schema_bounds_its_fields covers every schema.)"""
    auth.login(world.secretariat.email)
    before = counts()
    for path, data, name, limit in _text_forms(world):
        response = post_form(client, path, {**data, name: "x" * (limit + 1)})
        assert response.status_code == 422, (path, name, response.status_code)
        assert re.search(rf'<p class="error" id="{name}-error">[^<]* must be {limit:,} characters or fewer<', page_text(response)), \
            (path, name)
    assert counts() == before


def test_a_form_body_over_the_limit_is_refused_before_it_is_read(app, client, auth, world):
    """Issue 12 item 18: a plain form far larger than any real one answers 413 with a message."""
    auth.login(world.secretariat.email)
    limit = app.config["MAX_FORM_AND_JSON_BYTES"]
    assert limit < app.config["MAX_CONTENT_LENGTH"] // 10
    before = counts()
    response = post_form(client, f"/secretariat/plans/{world.plan.slug}/recommendations/new",
                         {"code": "R9", "status": "pending", "text": "x" * (limit + 1)})
    assert response.status_code == 413
    assert "nothing was stored" in page_text(response)
    assert counts() == before


def test_every_input_schema_bounds_its_fields():
    """Issue 12 items 18, 20, 21: every field of every input schema is bounded: text by a length,
    lists by a number of items, whole numbers by a range, dates by the accepted years (one date
    type), codes by the one code rule."""
    from marshmallow import fields as ma_fields

    from tracker.schemas import action, base, plan, readiness, recommendation, report, user  # noqa: F401

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    problems = []

    def check(where: str, field) -> None:
        if isinstance(field, ma_fields.Nested):
            return  # its schema is an InputSchema of its own, checked too
        if isinstance(field, ma_fields.List):
            if not isinstance(field, base.List):
                problems.append(f"{where}: a list without a cap on its items")
            check(f"{where}[]", field.inner)
        elif isinstance(field, ma_fields.Date):
            if not isinstance(field, base.Date):
                problems.append(f"{where}: a date that is not schemas.base.Date")
        elif isinstance(field, ma_fields.Integer):
            if not isinstance(field, base.Integer):
                problems.append(f"{where}: a whole number that is not schemas.base.Integer")
        elif isinstance(field, ma_fields.String) and not isinstance(field, base.Text):
            problems.append(f"{where}: text that is not schemas.base.Text (no cap)")
        elif field.name == "code" and not isinstance(field, base.Code):
            problems.append(f"{where}: a code that is not schemas.base.Code")

    schemas = list(subclasses(base.InputSchema))
    assert len(schemas) >= 20
    for schema in schemas:
        for name, field in schema().fields.items():
            check(f"{schema.__name__}.{name}", field)
    assert not problems, "\n".join(problems)


# --- Item 20: dates from 1900 to 2199, and charts that survive any stored date ----------------

OUT_OF_RANGE = ["9999-12-31", "2200-01-01", "1899-12-31", "0001-01-01"]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_date_out_of_range_is_refused_on_every_dated_form(client, auth, world, day):
    """Issue 12 item 20: an action due 9999-12-31 (or any date outside 1900-2199) is refused
    with "Enter a date between 1900 and 2199" on the field; nothing is stored."""
    auth.login(world.secretariat.email)
    slug = world.plan.slug
    action = {"code": "A9", "title": "Act", "status": "pending"}
    forms = [
        (f"/secretariat/plans/{slug}/actions/new", {**action, "due_date": day}, "due_date"),
        (f"/secretariat/plans/{slug}/actions/new", {**action, "start_date": day}, "start_date"),
        (f"/secretariat/plans/{slug}/actions/new", {**action, "milestones": f"{day} Launch"}, "milestones"),
        (f"/secretariat/plans/{slug}/actions/{world.mine.id}/edit",
         {"title": "Open the portal", "status": "pending", "due_date": day, "reason": "Moved",
          "version": str(world.mine.version)}, "due_date"),
        (f"/secretariat/plans/{slug}/edit", {"title": "Input plan", "country": "Testland", "period_end": day},
         "period_end"),
        ("/secretariat/plans/new", {"slug": "dated", "title": "Dated", "country": "Testland",
                                    "period_start": day}, "period_start"),
        (f"/secretariat/plans/{slug}/rounds", {"name": "Q1", "opens_on": day, "deadline": "2199-12-31"}, "opens_on"),
    ]
    before = counts()
    for path, data, name in forms:
        response = post_form(client, path, data)
        assert response.status_code == 422, (path, name, response.status_code)
        assert re.search(rf'<p class="error" id="{name}-error">[^<]* must be a date between 1900 and 2199[^<]*<',
                         page_text(response)), (path, name)
    assert counts() == before


def test_the_first_and_last_accepted_days_are_accepted(client, auth, world):
    """Issue 12 item 20: 1900-01-01 and 2199-12-31 are inside the range."""
    auth.login(world.secretariat.email)
    response = post_form(client, f"/secretariat/plans/{world.plan.slug}/actions/new", {
        "code": "A9", "title": "A long one", "status": "pending", "start_date": "1900-01-01",
        "due_date": "2199-12-31", "milestones": "2199-12-31 The end"})
    assert response.status_code == 302
    action = db.session.scalars(select(Action).where(Action.code == "A9")).one()
    assert (action.start_date, action.due_date) == (date(1900, 1, 1), date(2199, 12, 31))
    assert client.get(f"/plans/{world.plan.slug}/gantt.svg").status_code == 200


def test_a_spreadsheet_with_a_date_out_of_range_is_refused_naming_the_cell(client, auth, world):
    """Issue 12 item 20: the spreadsheet import says which row and column hold the bad date."""
    auth.login(world.secretariat.email)
    before = counts()
    data = spreadsheet(due_date="9999-12-31")
    for mode in ("check", "import"):
        response = client.post("/secretariat/import", data={
            "file": (io.BytesIO(data), "plan.csv"), "mode": mode,
            "csrf_token": csrf_token(client, "/secretariat/import")}, content_type="multipart/form-data")
        assert response.status_code == 422
        assert re.search(rf"<td>2</td><td>due_date</td><td class=\"problem\">{re.escape(DATE_MESSAGE)}</td>",
                         response.get_data(as_text=True))
    assert counts() == before


def test_a_seed_file_with_a_date_out_of_range_is_refused_naming_it(app, tmp_path):
    """Issue 12 item 20: seed files pass the same date rule, also for dates counted in months
    from a plan start that is out of range (that arithmetic overflowed)."""
    base = {"plan": {"slug": "far", "title": "Far", "country": "Testland", "period_start": date(2026, 1, 1)},
            "actions": [{"code": "A1", "title": "Act", "status": "pending", "due_date": date(9999, 12, 31)}]}
    far_start = {**base, "plan": {**base["plan"], "period_start": date(9999, 12, 1)},
                 "actions": [{"code": "A1", "title": "Act", "status": "pending", "start_month": 3}]}
    for document, where in ((base, "due_date"), (far_start, "period_start")):
        path = tmp_path / "far.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        with pytest.raises(ValidationFailed) as refused:
            import_plan_document(read_seed_file(path), actor=Actor.system("seed"), now=NOW, reason="test",
                                 dry_run=True)
        assert where in str(refused.value) and DATE_MESSAGE in str(refused.value), str(refused.value)


EXTREMES = {
    "far future": (date(9999, 12, 31), date(9999, 12, 31)),
    "far past": (date(1, 1, 1), date(1, 1, 1)),
    "from the first day to the last": (date(1, 1, 1), date(9999, 12, 31)),
}


@pytest.fixture(params=list(EXTREMES), ids=list(EXTREMES))
def stored_extremes(request, world):
    """The world with dates no form accepts, written straight into the database."""
    early, late = EXTREMES[request.param]
    open_reporting_round(world.plan, {"name": "Q1", "opens_on": "2026-01-01", "deadline": "2026-03-31"})
    record_assessment_round(world.plan, {"name": "Review", "assessed_on": "2016-06-30"},
                            actor=Actor.system("test"), now=NOW, justification="Seeded")
    save_report(world.mine, REPORT, author=world.focal, now=NOW, submit=True)
    db.session.execute(update(Action).values(start_date=early, due_date=late))
    db.session.execute(update(Milestone).values(due_date=late, achieved_on=early))
    db.session.execute(update(Plan).values(period_start=early, period_end=late))
    db.session.execute(update(ReportingRound).values(opens_on=early, deadline=late))
    db.session.execute(update(AssessmentRound).values(assessed_on=late))
    db.session.commit()
    db.session.expire_all()
    return world


@pytest.mark.slow
def test_every_chart_and_page_survives_any_stored_date(app, client, auth, stored_extremes):
    """Issue 12 item 20: with actions, milestones, the plan's period and rounds dated 0001-01-01 or
    9999-12-31 in the database, every chart in every format and every page that shows them
    answers (the Gantt answered 500 for everyone)."""
    w = stored_extremes
    slug = w.plan.slug
    failures = []

    def visit(path: str, expected=(200,)) -> None:
        response = client.get(path)
        if response.status_code not in expected:
            failures.append(f"GET {path}: {response.status_code}")

    for name in DRAWERS:
        for fmt in MIME_TYPES:
            visit(f"/plans/{slug}/{name}.{fmt}")
    for path in (f"/plans/{slug}", f"/plans/{slug}/actions/A1", f"/plans/{slug}/actions/A2",
                 f"/plans/{slug}/recommendations/R1", f"/agencies/{w.mine.lead_agency_id}", "/changes",
                 f"/plans/{slug}/changes", "/", "/search?q=portal", f"/open-data/plans/{slug}.json",
                 f"/plans/{slug}/status-changes.atom", f"/plans/{slug}?as_of=2026-11-23"):
        visit(path)
    auth.login(w.secretariat.email)
    for path in (f"/secretariat/plans/{slug}", f"/secretariat/plans/{slug}?overdue=1",
                 f"/secretariat/plans/{slug}/actions/{w.mine.id}/edit", f"/secretariat/plans/{slug}/rounds",
                 f"/secretariat/plans/{slug}/export.csv", f"/secretariat/plans/{slug}/export.xlsx",
                 f"/secretariat/plans/{slug}/edit", "/secretariat/reviews"):
        visit(path)
    auth.logout()
    auth.login(w.focal.email)
    for path in ("/agency/", f"/agency/actions/{w.mine.id}/report"):
        visit(path, (200, 302))
    assert not failures, "\n".join(failures)


# --- Item 21: codes that make URLs -------------------------------------------------------------

BAD_CODES = ["a/b", "..", ".", "a b", "a?b", "#1", "a%2Fb", "-A1", ".A1", "A1\\", "é1", "A" * 41]


@pytest.mark.parametrize("code", BAD_CODES)
def test_codes_that_are_not_url_safe_are_refused_with_a_message(client, auth, world, code):
    """Issue 12 item 21: an area, recommendation or action code such as ``a/b`` or ``..`` is refused
    with 422 and a message saying what a code may hold; nothing is stored."""
    auth.login(world.secretariat.email)
    slug = world.plan.slug
    before = counts()
    for path, data in ((f"/secretariat/plans/{slug}/areas", {"name": "New"}),
                       (f"/secretariat/plans/{slug}/recommendations/new", {"text": "Do", "status": "pending"}),
                       (f"/secretariat/plans/{slug}/actions/new", {"title": "Act", "status": "pending"})):
        response = post_form(client, path, {**data, "code": code})
        assert response.status_code == 422, (path, response.status_code)
        assert re.search(rf'<p class="error" id="code-error">[^<]*{CODE_MESSAGE}', page_text(response)), path
    assert counts() == before


def test_codes_that_are_not_url_safe_are_refused_in_a_spreadsheet(client, auth, world):
    """Issue 12 item 21: the import names the row and the code column."""
    auth.login(world.secretariat.email)
    data = spreadsheet(action_code="a/b")
    response = client.post("/secretariat/import", data={
        "file": (io.BytesIO(data), "plan.csv"), "mode": "import",
        "csrf_token": csrf_token(client, "/secretariat/import")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert re.search(rf"<td>2</td><td>action_code</td><td class=\"problem\">[^<]*{CODE_MESSAGE}",
                     response.get_data(as_text=True))


@pytest.mark.parametrize("code", ["A-1.2", "R_3", "a1", "2.3", "X" * 40])
def test_url_safe_codes_are_accepted_and_their_pages_open(client, auth, world, code):
    """Issue 12 item 21: letters, digits, '.', '_' and '-' (starting with a letter or digit, at
    most 40) are codes, and the public pages of such actions and recommendations open."""
    auth.login(world.secretariat.email)
    slug = world.plan.slug
    assert post_form(client, f"/secretariat/plans/{slug}/recommendations/new",
                     {"code": code, "text": "Do", "status": "pending"}).status_code == 302
    assert post_form(client, f"/secretariat/plans/{slug}/actions/new",
                     {"code": code, "title": "Act", "status": "pending"}).status_code == 302
    auth.logout()
    assert client.get(f"/plans/{slug}/recommendations/{code}").status_code == 200
    assert client.get(f"/plans/{slug}/actions/{code}").status_code == 200
