"""Percent complete rolls up from actions to recommendations, areas and plans, in one rule,
and every place that shows it (scorecard JSON, CSV, pages, home) says the same."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.publishing.completion import plan_completion, weighted_mean
from tracker.services.actions import update_action
from tracker.services.reports import accept_report, save_report


def test_weighted_mean_counts_an_empty_weight_as_one():
    assert weighted_mean([(100, None), (0, None)]) == 50
    assert weighted_mean([(100, 3), (0, None)]) == 75
    assert weighted_mean([]) is None


@pytest.fixture
def two_areas(db_session):
    """Area G: R1 (A1 100 % weight 3, A2 0 %) and R2 (A3 50 %); area D: R3 (no action)."""
    plan = factories.plan(slug="rollup-plan")
    governance = factories.area(plan, code="G", name="Governance")
    data = factories.area(plan, code="D", name="Data")
    r1 = factories.recommendation(plan, code="R1", area="G")
    r2 = factories.recommendation(plan, code="R2", area="G")
    r3 = factories.recommendation(plan, code="R3", area="D")
    factories.action(plan, code="A1", recommendations=["R1"], percent_complete=100, weight=3, status="ongoing")
    factories.action(plan, code="A2", recommendations=["R1"], percent_complete=0)
    factories.action(plan, code="A3", recommendations=["R2"], percent_complete=50, status="ongoing")
    return plan, governance, data, r1, r2, r3


def test_recommendations_areas_and_the_plan_roll_up(two_areas):
    plan, governance, data, r1, r2, _r3 = two_areas
    completion = plan_completion(plan.id)
    assert completion.recommendations == {r1.id: 75, r2.id: 50}  # R3: no action, no figure
    assert completion.area(governance.id) == 62.5
    assert completion.area(data.id) is None
    assert completion.percent == 62.5


def test_scorecard_json_csv_and_pages_carry_percent_per_area_and_plan(two_areas, client):
    body = client.get("/api/v1/plans/rollup-plan/scorecard").get_json()
    assert {a["code"]: a["percent"] for a in body["areas"]} == {"G": 62.5, "D": None}
    assert body["percent"] == 62.5

    rows = list(csv.reader(io.StringIO(client.get("/plans/rollup-plan/scorecard.csv").get_data(as_text=True))))
    assert rows[0][-1] == "Percent complete"
    assert {row[1]: row[-1] for row in rows[1:-1]} == {"G": "62.5", "D": ""}
    assert rows[-1][-1] == "62.5"

    page = client.get("/plans/rollup-plan").get_data(as_text=True)
    assert re.search(r"<td data-percent data-total>\s*62%\s*</td>", page)  # 62.5 rounds to even
    home = client.get("/").get_data(as_text=True)
    assert re.search(r"<strong>62%</strong>\s*complete", home)


def test_a_weight_changes_the_figures_and_is_edited_like_any_field(two_areas, client):
    plan, *_ = two_areas
    a1 = next(a for a in plan.actions if a.code == "A1")
    update_action(a1, {"weight": None}, expected_version=a1.version, actor=SYSTEM, now=NOW)
    assert plan_completion(plan.id).percent == 50  # R1 now a plain mean: 50; R2: 50
    body = client.get("/api/v1/plans/rollup-plan/actions").get_json()
    assert {a["code"]: a["weight"] for a in body} == {"A1": None, "A2": None, "A3": None}


def test_the_scorecard_as_of_a_date_uses_the_percents_of_then(two_areas, client):
    plan, *_ = two_areas
    a3 = next(a for a in plan.actions if a.code == "A3")
    update_action(a3, {"percent_complete": 90, "reason": "Faster"}, expected_version=a3.version,
                  actor=SYSTEM, now=NOW + timedelta(days=30))
    now = client.get("/api/v1/plans/rollup-plan/scorecard").get_json()
    then = client.get(f"/api/v1/plans/rollup-plan/scorecard?as_of={NOW.date().isoformat()}").get_json()
    assert now["percent"] == 82.5 and then["percent"] == 62.5


def test_weight_is_refused_out_of_range_naming_the_field(login_as, client, db_session):
    from tests.conftest import csrf_token

    plan = factories.plan(slug="weights")
    login_as("secretariat")
    response = client.post("/secretariat/plans/weights/actions/new", data={
        "csrf_token": csrf_token(client, "/secretariat/plans/weights/actions/new"),
        "code": "W1", "title": "Weighed", "status": "pending", "percent_complete": "0", "weight": "0",
    })
    assert response.status_code == 422
    assert "Enter the weight as a whole number from 1 to 1,000" in response.get_data(as_text=True)
    response = client.post("/secretariat/plans/weights/actions/new", data={
        "csrf_token": csrf_token(client, "/secretariat/plans/weights/actions/new"),
        "code": "W1", "title": "Weighed", "status": "pending", "percent_complete": "0", "weight": "4",
    })
    assert response.status_code == 302
    assert plan.actions[0].weight == 4


def test_the_review_page_offers_full_achievement_only_when_every_action_is_reported_done(db_session, client, login_as):
    plan = factories.plan(slug="offer")
    factories.agency(acronym="MIN")
    rec = factories.recommendation(plan, code="R1")
    first = factories.action(plan, code="A1", recommendations=["R1"], lead_agency="MIN")
    second = factories.action(plan, code="A2", recommendations=["R1"], lead_agency="MIN")
    focal = factories.user("agency", agency="MIN")
    reviewer = factories.user("secretariat")
    done = {"narrative": "Done", "percent_complete": 100, "proposed_status": "fully_achieved"}
    one = save_report(first, done, author=focal, now=NOW, submit=True)
    accept_report(one, {}, reviewer=reviewer, now=NOW)
    two = save_report(second, done, author=focal, now=NOW, submit=True)

    login_as("secretariat")
    assert "Mark R1" not in client.get(f"/secretariat/reviews/{one.id}").get_data(as_text=True)
    accept_report(two, {}, reviewer=reviewer, now=NOW)
    page = client.get(f"/secretariat/reviews/{two.id}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">Mark R1 fully achieved</a>', page)
    assert link, page
    assert rec.status_key == "pending"  # an offer, never automatic

    form = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<option value="fully_achieved"[^>]*selected', form)
    assert "Every action has an accepted progress report at 100%." in form


def test_the_spreadsheet_carries_the_weight_both_ways(two_areas, db_session):
    from tracker.exchange.spreadsheets.importing import import_spreadsheet
    from tracker.exchange.spreadsheets.writing import export_rows, to_csv
    from tracker.services.plans import get_plan

    plan, *_ = two_areas
    rows = export_rows(plan)
    assert {r["action_code"]: r["action_weight"] for r in rows if r["action_code"]} == {"A1": "3", "A2": "", "A3": ""}
    for row in rows:
        if row["action_code"] == "A2":
            row["action_weight"] = "2"
    result = import_spreadsheet("plan.csv", to_csv(rows), actor=SYSTEM, now=NOW)
    assert result.ok, result.problems
    weights = {a.code: a.weight for a in get_plan("rollup-plan").actions}
    assert weights == {"A1": 3, "A2": 2, "A3": None}
    for row in rows:
        if row["action_code"] == "A2":
            row["action_weight"] = "heavy"
    refused = import_spreadsheet("plan.csv", to_csv(rows), actor=SYSTEM, now=NOW)
    assert any(p.column == "action_weight" for p in refused.problems), refused.problems
