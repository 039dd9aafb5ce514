"""The status vocabulary is data an administrator edits on /admin/statuses: add, rename,
recolour, reorder, map to the IRM scale, retire; a status in use is never deleted."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests import factories
from tests.charts.conftest import svg_texts
from tests.conftest import csrf_token
from tests.factories import NOW, SYSTEM
from tracker.models import Status
from tracker.services.actions import update_action
from tracker.services.errors import ValidationFailed
from tracker.services.recommendations import set_recommendation_status

CANCELLED = {"key": "cancelled", "label": "Cancelled", "description": "Dropped by the government.",
             "colour": "#cc79a7", "default_percent": "0", "irm_completion": "limited", "is_final": "1"}


def post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/statuses"), **data})


@pytest.fixture
def plan_with_work(db_session):
    plan = factories.plan(slug="vocab")
    rec = factories.recommendation(plan, code="R1")
    action = factories.action(plan, code="A1", recommendations=["R1"], status="ongoing", percent_complete=20)
    return plan, rec, action


def test_an_added_status_appears_in_forms_charts_and_legends_at_once(plan_with_work, client, auth, db_session):
    _plan, rec, action = plan_with_work
    login_as = auth.login_as
    login_as("admin")
    before = client.get("/plans/vocab/gantt.svg")
    response = post(client, "/admin/statuses", CANCELLED)
    assert response.status_code == 302
    listing = client.get("/admin/statuses").get_data(as_text=True)
    assert "Cancelled" in listing and "#cc79a7" in listing and "Limited" in listing

    auth.logout()
    login_as("secretariat")
    form = client.get(f"/secretariat/plans/vocab/actions/{action.id}/edit").get_data(as_text=True)
    assert '<option value="cancelled"' in form

    update_action(action, {"status": "cancelled", "reason": "Dropped"}, expected_version=action.version,
                  actor=SYSTEM, now=NOW)
    set_recommendation_status(rec, {"status": "cancelled", "reason": "Dropped"}, actor=SYSTEM, now=NOW)
    gantt_page = client.get("/plans/vocab/gantt").get_data(as_text=True)
    assert re.search(r'<li><span class="hchart-swatch" style="--c:#cc79a7"></span>Cancelled</li>', gantt_page)
    after = client.get("/plans/vocab/gantt.svg")
    assert after.headers["ETag"] != before.headers["ETag"]  # the data version moved: no stale image
    assert "Cancelled" in svg_texts(after.data)
    assert "Cancelled" in svg_texts(client.get("/plans/vocab/scorecard.svg").data)
    header = next(csv.reader(io.StringIO(client.get("/plans/vocab/scorecard.csv").get_data(as_text=True))))
    assert "Cancelled" in header
    plan_page = client.get("/plans/vocab").get_data(as_text=True)
    assert re.search(r'<td data-status="cancelled" data-total>1</td>', plan_page)
    # A final status: the action is not overdue, and the open data says where it sits on the IRM scale.
    statuses = list(csv.DictReader(io.StringIO(client.get("/open-data/statuses.csv").get_data(as_text=True))))
    assert {s["key"]: s["irm_completion"] for s in statuses}["cancelled"] == "limited"
    actions = list(csv.DictReader(io.StringIO(client.get("/open-data/actions.csv").get_data(as_text=True))))
    assert {(a["code"], a["status_irm"]) for a in actions if a["plan_slug"] == "vocab"} == {("A1", "limited")}


def test_a_retired_status_stays_on_its_records_but_is_offered_no_more(plan_with_work, client, auth, db_session):
    plan, _rec, action = plan_with_work
    login_as = auth.login_as
    other = factories.action(plan, code="A2", status="pending")
    login_as("admin")
    ongoing = db_session.get(Status, "ongoing")
    response = post(client, "/admin/statuses/ongoing", {
        "label": "In progress", "description": ongoing.description, "colour": ongoing.colour,
        "default_percent": "50", "irm_completion": "substantial", "retired": "1"})
    assert response.status_code == 302
    assert ongoing.retired and ongoing.label == "In progress"  # renamed and retired

    # Its action keeps it (and its edit form still shows it); another action cannot take it.
    assert action.status_key == "ongoing"
    update_action(action, {"title": "Renamed"}, expected_version=action.version, actor=SYSTEM, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        update_action(other, {"status": "ongoing", "reason": "Started"}, expected_version=other.version,
                      actor=SYSTEM, now=NOW)
    assert "retired" in refused.value.errors["status"][0]
    auth.logout()
    login_as("secretariat")
    assert '<option value="ongoing"' in client.get(f"/secretariat/plans/vocab/actions/{action.id}/edit").get_data(as_text=True)
    assert '<option value="ongoing"' not in client.get(f"/secretariat/plans/vocab/actions/{other.id}/edit").get_data(as_text=True)
    assert "In progress" in client.get("/plans/vocab").get_data(as_text=True)  # old records show it


def test_a_status_in_use_is_never_deleted_an_unused_one_is(plan_with_work, client, login_as, db_session):
    login_as("admin")
    response = post(client, "/admin/statuses/ongoing/delete", {})
    assert response.status_code == 422
    assert "retire it instead" in response.get_data(as_text=True)
    assert db_session.get(Status, "ongoing") is not None
    assert post(client, "/admin/statuses", CANCELLED).status_code == 302
    assert post(client, "/admin/statuses/cancelled/delete", {}).status_code == 302
    assert db_session.get(Status, "cancelled") is None


@pytest.mark.parametrize(("colour", "message"), [
    ("#f0e442", "too light to see on the white page"),   # the palette's yellow on white
    ("#0070b0", "too close to that of"),                 # all but the "ongoing" blue
    ("blue", "Enter a colour as # and six hexadecimal digits"),
])
def test_colours_people_cannot_tell_apart_are_refused_naming_the_field(db_session, client, login_as, colour, message):
    login_as("admin")
    response = post(client, "/admin/statuses", {**CANCELLED, "colour": colour})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'href="#colour"' in page
    assert db_session.get(Status, "cancelled") is None


def test_reordering_moves_a_status_in_every_list(db_session, client, login_as):
    login_as("admin")
    assert post(client, "/admin/statuses/pending/move", {"direction": "up"}).status_code == 302
    order = [s.key for s in db_session.query(Status).order_by(Status.position)]
    assert order == ["fully_achieved", "ongoing", "pending", "under_discussion"]
    page = client.get("/search").get_data(as_text=True)
    assert page.index('value="pending"') < page.index('value="under_discussion"')


def test_the_last_final_status_cannot_be_retired(db_session, client, login_as):
    login_as("admin")
    done = db_session.get(Status, "fully_achieved")
    response = post(client, "/admin/statuses/fully_achieved", {
        "label": done.label, "colour": done.colour, "default_percent": "100", "irm_completion": "complete",
        "is_final": "1", "retired": "1"})
    assert response.status_code == 422 and "only final status" in response.get_data(as_text=True)
    assert not done.retired


def test_only_admins_edit_the_vocabulary(db_session, client, login_as):
    login_as("secretariat")
    assert client.get("/admin/statuses").status_code == 403
