"""Calendar feeds parse with icalendar, keep their UIDs when dates move, and stay private."""

import re
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from tests import factories
from tests.conftest import csrf_token
from tests.factories import SYSTEM
from tracker.extensions import db
from tracker.services.actions import assign_actions, update_action
from tracker.services.rounds import open_reporting_round

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def events(response) -> dict[str, tuple[date, str]]:
    """UID -> (start date, summary) of every VEVENT in an .ics answer."""
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    return {str(e["uid"]): (e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT")}


def unpublish(plan):
    plan.published = False
    db.session.commit()


@pytest.fixture
def plan_with_dates(db_session):
    plan = factories.plan(slug="water")
    factories.agency(acronym="MIN")
    action = factories.action(plan, code="A1", title="Publish the water data", due_date="2026-12-31",
                              milestones=[{"title": "Draft portal", "due_date": "2026-09-30"}])
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}, now=NOW)
    return plan, action


def test_a_published_plans_feed_parses_and_keeps_its_uids_when_a_date_moves(client, plan_with_dates):
    plan, action = plan_with_dates
    before = events(client.get("/plans/water/calendar.ics"))
    assert sorted(summary for _, summary in before.values()) == [
        "Due: A1 Publish the water data", "Milestone: Draft portal (A1)", f"Report deadline: Q4 2026 ({plan.title})"]
    due_uid = next(uid for uid, (_, s) in before.items() if s.startswith("Due:"))
    assert before[due_uid][0] == date(2026, 12, 31)

    update_action(action, {"due_date": "2027-03-31", "reason": "Procurement slipped"}, actor=SYSTEM, now=NOW,
                  expected_version=action.version)
    after = events(client.get("/plans/water/calendar.ics"))
    assert set(after) == set(before)  # the same events, moved: calendars update them in place
    assert after[due_uid][0] == date(2027, 3, 31)


def test_an_unpublished_plan_has_no_public_feed(client, plan_with_dates):
    plan, _ = plan_with_dates
    unpublish(plan)
    assert client.get("/plans/water/calendar.ics").status_code == 404


def test_a_secret_address_gives_the_agencys_feed_until_it_is_revoked(client, login_as, plan_with_dates):
    plan, _ = plan_with_dates
    unpublish(plan)  # an agency still sees its own unpublished plan's dates
    focal = login_as("agency", agency="MIN")
    page = client.get("/account/calendar/").get_data(as_text=True)
    assert "You have no calendar address" in page
    client.post("/account/calendar/rotate", data={"csrf_token": csrf_token(client, "/account/calendar/")})
    page = client.get("/account/calendar/").get_data(as_text=True)
    addresses = re.findall(r'value="(http[^"]+\.ics)"', page)
    agency_feed = next(a for a in addresses if "/agencies/" in a)
    plan_feed = next(a for a in addresses if "/plans/water.ics" in a)
    path = agency_feed.split("5000", 1)[1]
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    summaries = {s for _, s in events(client.get(path)).values()}
    assert "Due: A1 Publish the water data" in summaries
    assert len(events(client.get(plan_feed.split("5000", 1)[1]))) == 3
    other = factories.agency(acronym="OTH")
    assert client.get(re.sub(r"/agencies/\d+", f"/agencies/{other.id}", path)).status_code == 404

    # Rotating: the old address stops working.
    from tests.conftest import Auth
    Auth(client).login(focal.email)
    client.post("/account/calendar/rotate", data={"csrf_token": csrf_token(client, "/account/calendar/")})
    assert client.get(path).status_code == 404
    new_path = re.findall(r'value="http[^"]+5000([^"]+/agencies/[^"]+)"',
                          client.get("/account/calendar/").get_data(as_text=True))[0]
    assert client.get(new_path).status_code == 200
    client.post("/account/calendar/revoke", data={"csrf_token": csrf_token(client, "/account/calendar/")})
    assert client.get(new_path).status_code == 404


def test_a_secret_address_does_not_open_plans_its_owner_cannot_see(client, login_as, plan_with_dates):
    del plan_with_dates  # the published plan "water" and agency MIN
    hidden = factories.plan(slug="hidden", published=False)
    login_as("agency", agency="MIN")
    client.post("/account/calendar/rotate", data={"csrf_token": csrf_token(client, "/account/calendar/")})
    page = client.get("/account/calendar/").get_data(as_text=True)
    plan_feed = re.findall(r'value="http[^"]+5000([^"]+/plans/water\.ics)"', page)[0]
    assert "hidden.ics" not in page
    assert client.get(plan_feed.replace("water.ics", f"{hidden.slug}.ics")).status_code == 404
