"""A plan's reporting cadence: set on the plan form, in the spreadsheet and by the API;
the scheduler opens one round per period of it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import bearer
from tests.conftest import csrf_token
from tests.factories import NOW, SYSTEM
from tracker.models import ReportingRound
from tracker.services.plans import get_plan
from tracker.services.rounds import open_scheduled_rounds, period_of


@pytest.mark.parametrize(("cadence", "day", "expected"), [
    ("monthly", date(2027, 2, 14), ("2027-02", date(2027, 2, 1), date(2027, 2, 28))),
    ("quarterly", date(2027, 5, 2), ("2027 Q2", date(2027, 4, 1), date(2027, 6, 30))),
    ("half-yearly", date(2027, 9, 30), ("2027 H2", date(2027, 7, 1), date(2027, 12, 31))),
    ("yearly", date(2027, 1, 1), ("2027", date(2027, 1, 1), date(2027, 12, 31))),
])
def test_each_cadence_has_its_period(cadence, day, expected):
    assert period_of(cadence, day) == expected


def rounds_of(db_session, plan):
    return [(r.name, r.opens_on, r.deadline) for r in db_session.scalars(
        select(ReportingRound).where(ReportingRound.plan_id == plan.id).order_by(ReportingRound.opens_on))]


def test_the_plan_form_sets_the_cadence_and_the_scheduler_opens_rounds_on_it(db_session, client, login_as):
    plan = factories.plan(slug="monthly-plan")
    login_as("secretariat")
    form = client.get("/secretariat/plans/monthly-plan/edit").get_data(as_text=True)
    assert '<option value="manual" selected' in form
    response = client.post("/secretariat/plans/monthly-plan/edit", data={
        "csrf_token": csrf_token(client, "/secretariat/plans/monthly-plan/edit"),
        "title": plan.title, "country": plan.country, "reporting_cadence": "monthly"})
    assert response.status_code == 302
    assert plan.reporting_cadence == "monthly"

    open_scheduled_rounds(date(2027, 2, 14))
    open_scheduled_rounds(date(2027, 2, 20))  # the same period: no second round
    open_scheduled_rounds(date(2027, 3, 1))
    assert rounds_of(db_session, plan) == [("2027-02", date(2027, 2, 1), date(2027, 2, 28)),
                                           ("2027-03", date(2027, 3, 1), date(2027, 3, 31))]

    refused = client.post("/secretariat/plans/monthly-plan/edit", data={
        "csrf_token": csrf_token(client, "/secretariat/plans/monthly-plan/edit"),
        "title": plan.title, "country": plan.country, "reporting_cadence": "weekly"})
    assert refused.status_code == 422 and "Choose the reporting cadence from the list" in refused.get_data(as_text=True)
    assert plan.reporting_cadence == "monthly"


def test_the_spreadsheet_carries_the_cadence_and_a_blank_keeps_it(db_session):
    from tracker.exchange.spreadsheets.importing import import_spreadsheet
    from tracker.exchange.spreadsheets.writing import export_rows, to_csv

    plan = factories.plan(slug="sheet-cadence", reporting_cadence="half-yearly")
    factories.recommendation(plan, code="R1")
    rows = export_rows(plan)
    assert {r["plan_reporting_cadence"] for r in rows} == {"half-yearly"}
    for row in rows:
        row["plan_reporting_cadence"] = "yearly"
    assert import_spreadsheet("p.csv", to_csv(rows), actor=SYSTEM, now=NOW).ok
    assert get_plan("sheet-cadence").reporting_cadence == "yearly"
    for row in rows:
        row["plan_reporting_cadence"] = ""
    assert import_spreadsheet("p.csv", to_csv(rows), actor=SYSTEM, now=NOW).ok
    assert get_plan("sheet-cadence").reporting_cadence == "yearly"
    for row in rows:
        row["plan_reporting_cadence"] = "fortnightly"
    result = import_spreadsheet("p.csv", to_csv(rows), actor=SYSTEM, now=NOW)
    assert any(p.column == "plan_reporting_cadence" for p in result.problems), result.problems


def test_the_api_sets_the_cadence_and_an_actions_weight(db_session, client):
    plan = factories.plan(slug="api-cadence")
    factories.agency(acronym="MIN")
    action = factories.action(plan, code="A1", lead_agency="MIN")
    staff = bearer(factories.user("secretariat"))
    response = client.patch("/api/v1/plans/api-cadence", json={"reporting_cadence": "quarterly"}, headers=staff)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reporting_cadence"] == "quarterly" and plan.reporting_cadence == "quarterly"
    assert plan.title.startswith("Plan")  # what was not sent is kept

    bad = client.patch("/api/v1/plans/api-cadence", json={"reporting_cadence": "weekly"}, headers=staff)
    assert bad.status_code == 422 and "reporting_cadence" in bad.get_json()["errors"]["json"]
    agency = bearer(factories.user("agency", agency="MIN"))
    assert client.patch("/api/v1/plans/api-cadence", json={"reporting_cadence": "yearly"},
                        headers=agency).status_code == 403

    read = client.get(f"/api/v1/actions/{action.id}", headers=staff).get_json()
    changed = client.patch(f"/api/v1/actions/{action.id}", json={"version": read["version"], "weight": 4},
                           headers=staff)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["weight"] == 4 and action.weight == 4
    stale = client.patch(f"/api/v1/actions/{action.id}", json={"version": read["version"], "weight": 1},
                         headers=staff)
    assert stale.status_code == 409 and action.weight == 4
    # Neither a version nor an If-Match header: the precondition is required (428), named.
    no_version = client.patch(f"/api/v1/actions/{action.id}", json={"weight": 1}, headers=staff)
    assert no_version.status_code == 428 and "version" in no_version.get_json()["errors"]["json"]
    bad_version = client.patch(f"/api/v1/actions/{action.id}", json={"weight": 1, "version": "x"}, headers=staff)
    assert bad_version.status_code == 422 and "version" in bad_version.get_json()["errors"]["json"]
