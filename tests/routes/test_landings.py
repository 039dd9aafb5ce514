"""Where each role lands after signing in, the secretariat's work dashboard, the navigation's
current page, and error pages in the app's words."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW, SYSTEM
from tracker.extensions import db
from tracker.models import OutboxMessage, Reminder
from tracker.services.actions import assign_actions
from tracker.services.reports import save_report
from tracker.services.rounds import open_reporting_round


def nav_links(page: str) -> list[tuple[str, bool]]:
    """The main navigation's links: (label, marked as the current page)."""
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.DOTALL).group(1)
    return [(label.strip(), bool(current))
            for current, label in re.findall(r'<a href="[^"]*"( aria-current="page")?>([^<]+)</a>', nav)]


@pytest.mark.parametrize(("role", "landing"), [
    ("agency", "/agency/"),
    ("secretariat", "/secretariat/"),
    ("assessor", "/assessor/"),
    ("admin", "/admin/users"),
])
def test_each_role_lands_on_its_own_page_after_signing_in(client, auth, db_session, role, landing):
    user = factories.user(role=role)
    response = auth.login(user.email)
    assert response.status_code == 302 and response.location == landing
    assert client.get(landing).status_code == 200


def test_a_next_address_wins_over_the_landing(client, db_session):
    user = factories.user(role="agency")
    response = client.post("/sign-in?next=/plans/some-plan", data={
        "email": user.email, "password": factories.PASSWORD, "csrf_token": csrf_token(client)})
    assert response.location == "/plans/some-plan"


def test_the_navigation_marks_the_current_page_and_gives_the_secretariat_one_plans_entry(client, login_as, db_session):
    public = nav_links(client.get("/search").get_data(as_text=True))
    assert ("Search", True) in public and ("Plans", False) in public
    login_as("secretariat")
    links = nav_links(client.get("/secretariat/plans").get_data(as_text=True))
    assert [label for label, _ in links].count("Plans") == 1
    assert "Manage plans" not in [label for label, _ in links]
    assert [label for label, current in links if current] == ["Plans"]
    assert links[0] == ("Work to do", False)
    assert [label for label, current in nav_links(client.get("/secretariat/").get_data(as_text=True))
            if current] == ["Work to do"]


def delivered_reminder(plan, agency, action, *, sent_at, n):
    """A reminder about ``action`` delivered at ``sent_at`` (as the outbox leaves it)."""
    message = OutboxMessage(
        recipient="focal@example.org", kind="reminder", subject="Reminder", message_id=f"<landing{n}@test>",
        state="sent", next_attempt_at=NOW, created_at=NOW, sent_at=sent_at,
    )
    return Reminder(
        key=f"landing-{n}", rule="overdue", recipient="focal@example.org", plan_id=plan.id,
        agency_id=agency.id, action_id=action.id, period=str(n), created_at=NOW, message=message,
    )


def figures(page: str, slug: str) -> dict[str, str]:
    row = re.search(rf'<tr data-plan="{slug}">(.*?)</tr>', page, re.DOTALL).group(1)
    return {name: re.sub(r"<[^>]+>", " ", value).split()[0]
            for name, value in re.findall(r'<td data-figure="(\w+)">(.*?)</td>', row, re.DOTALL)}


def test_the_work_dashboard_counts_waiting_overdue_missing_and_unanswered_per_plan(client, login_as, db_session):
    busy = factories.plan(slug="busy", title="Busy plan")
    factories.plan(slug="calm", title="Calm plan")
    agency = factories.agency(acronym="MOF")
    old = date(2020, 1, 1)
    late = factories.action(busy, code="A1", start_date=old, due_date=date(2020, 6, 30))
    also_late = factories.action(busy, code="A2", start_date=old, due_date=date(2020, 9, 30))
    reported = factories.action(busy, code="A3", due_date=date(2099, 1, 1))
    assign_actions([late, also_late, reported], {"lead_agency": "MOF"}, actor=SYSTEM, now=NOW)
    open_reporting_round(busy, {"name": "This year", "opens_on": "2026-01-01", "deadline": "2099-12-31"})
    focal = factories.user("agency", agency="MOF")
    save_report(reported, {"narrative": "Done a part", "percent_complete": 20, "proposed_status": "ongoing"},
                author=focal, now=NOW, submit=True)
    # Two reminders about A1 and A3: A3's was answered by the report submitted after it.
    db.session.add(delivered_reminder(busy, agency, late, sent_at=NOW - timedelta(days=3), n=1))
    db.session.add(delivered_reminder(busy, agency, reported, sent_at=NOW - timedelta(days=3), n=2))
    db.session.flush()

    login_as("secretariat")
    page = client.get("/secretariat/").get_data(as_text=True)
    assert "Work to do" in page
    # A3 is reported in the round; A1 and A2 are not: 2 missing.
    assert figures(page, "busy") == {"waiting": "1", "overdue": "2", "missing": "2", "unanswered": "1"}
    assert "This year, deadline 2099-12-31" in page
    assert figures(page, "calm") == {"waiting": "0", "overdue": "0", "missing": "no", "unanswered": "0"}
    assert page.index('data-plan="busy"') < page.index('data-plan="calm"')  # most to do first


def test_the_work_dashboard_is_the_secretariats(client, login_as, db_session):
    login_as("agency")
    response = client.get("/secretariat/")
    assert response.status_code == 403


def test_a_forbidden_page_speaks_the_apps_words(client, login_as, db_session):
    login_as("agency")
    page = client.get("/secretariat/plans").get_data(as_text=True)
    assert "You cannot use this page" in page and "ask the secretariat" in page
    assert "Forbidden" not in page and "You don't have the permission" not in page


def test_a_reason_given_by_the_view_is_kept(client, app, db_session, monkeypatch):
    token = csrf_token(client)
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)
    response = client.post("/sign-in", data={"email": "x@example.org", "password": "x", "csrf_token": token})
    assert response.status_code == 403
    assert "Signing in with a password is turned off here" in response.get_data(as_text=True)


def test_not_found_and_wrong_method_pages_speak_the_apps_words(client, db_session):
    missing = client.get("/no/such/page").get_data(as_text=True)
    assert "Page not found" in missing and "There is no page at this address" in missing
    assert "was not found on the server" not in missing
    wrong = client.post("/search", data={"csrf_token": csrf_token(client)})
    assert wrong.status_code == 405
    text = wrong.get_data(as_text=True)
    assert "This address does not accept that kind of request" in text
    assert "not allowed for the requested URL" not in text


def test_api_errors_stay_json(client, db_session):
    response = client.get("/api/v1/plans/no-such-plan")
    assert response.status_code == 404 and response.is_json
