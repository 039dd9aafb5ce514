"""Reading plans, areas, recommendations and actions through the API, with filters and pages."""

import json

from tests import factories
from tests.api.conftest import bearer


def codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()]


def test_plan_list_gives_slug_title_country_period_and_counts(client, world):
    factories.plan(slug="hidden-plan", published=False)
    response = client.get("/api/v1/plans")
    assert response.status_code == 200 and response.is_json
    plans = {p["slug"]: p for p in response.get_json()}
    assert "hidden-plan" not in plans
    plan = plans["open-data-plan"]
    assert plan["title"] == "Open data plan" and plan["country"] == "Testland"
    assert plan["period"] == {"start": "2026-01-01", "end": "2027-12-31"}
    assert plan["counts"] == {"areas": 2, "recommendations": 2, "actions": 3, "overdue_actions": 1}


def test_plan_detail_lists_its_areas_and_unpublished_plans_are_404_for_the_public(client, world):
    detail = client.get("/api/v1/plans/open-data-plan").get_json()
    assert detail["slug"] == "open-data-plan"
    assert [(a["code"], a["name"]) for a in detail["areas"]] == [("GOV", "Governance"), ("USE", "Use")]

    factories.plan(slug="hidden-plan", published=False)
    response = client.get("/api/v1/plans/hidden-plan")
    assert response.status_code == 404 and response.get_json()["message"] == "No plan 'hidden-plan'."
    staff = bearer(world.secretariat)
    assert client.get("/api/v1/plans/hidden-plan", headers=staff).status_code == 200
    assert "hidden-plan" in [p["slug"] for p in client.get("/api/v1/plans", headers=staff).get_json()]


def test_areas_of_a_plan(client, world):
    assert codes(client.get("/api/v1/plans/open-data-plan/areas")) == ["GOV", "USE"]


def test_recommendations_in_report_order_with_status_key_and_label(client, world):
    response = client.get("/api/v1/plans/open-data-plan/recommendations")
    assert codes(response) == ["R1", "R2"]
    r1 = response.get_json()[0]
    assert r1["status"]["key"] == "pending" and r1["status"]["label"] == "Pending"
    assert r1["area"] == {"code": "GOV", "name": "Governance", "name_translations": {}}
    assert r1["action_ids"] == [world.overdue.id] and r1["plan"] == "open-data-plan"
    assert codes(client.get("/api/v1/plans/open-data-plan/recommendations?status=ongoing")) == ["R2"]
    assert codes(client.get("/api/v1/plans/open-data-plan/recommendations?area=GOV")) == ["R1"]


def test_actions_filtered_by_agency_status_overdue_and_area(client, world):
    url = "/api/v1/plans/open-data-plan/actions"
    assert codes(client.get(url)) == ["A1", "A2", "A3"]
    # An agency's actions are those it leads or supports; by acronym or by id.
    assert codes(client.get(f"{url}?agency=MIN")) == ["A1", "A2"]
    assert codes(client.get(f"{url}?agency={world.other.id}")) == ["A2", "A3"]
    assert codes(client.get(f"{url}?status=ongoing")) == ["A2"]
    # A3 is past its due date but fully achieved, so it is not overdue.
    assert codes(client.get(f"{url}?overdue=true")) == ["A1"]
    assert codes(client.get(f"{url}?overdue=false")) == ["A2", "A3"]
    assert codes(client.get(f"{url}?agency=OTH&overdue=true")) == []
    assert codes(client.get(f"{url}?area=GOV")) == ["A1"]


def test_an_action_shows_owners_dates_iso_and_overdue(client, world):
    action = client.get(f"/api/v1/actions/{world.overdue.id}").get_json()
    assert action["code"] == "A1" and action["plan"] == "open-data-plan"
    assert action["lead_agency"]["acronym"] == "MIN"
    assert (action["start_date"], action["due_date"]) == ("2019-01-01", "2020-01-31")
    assert action["overdue"] is True and action["status"] == {
        "key": "pending", "label": "Pending", "is_final": False, "label_translations": {}}
    assert action["recommendations"] == ["R1"]
    supported = client.get(f"/api/v1/actions/{world.supported.id}").get_json()
    assert [a["acronym"] for a in supported["supporting_agencies"]] == ["MIN"]
    assert supported["overdue"] is False


def test_unknown_filter_values_are_refused_naming_the_argument(client, world):
    url = "/api/v1/plans/open-data-plan/actions"
    response = client.get(f"{url}?status=finished&agency=NOPE&area=XYZ")
    assert response.status_code == 422
    errors = response.get_json()["errors"]["query"]
    assert set(errors) == {"status", "agency", "area"}
    assert "pending" in errors["status"][0]  # the message lists the known keys
    assert "GOV" in errors["area"][0]
    response = client.get(f"{url}?overdue=maybe")
    assert response.status_code == 422 and "overdue" in response.get_json()["errors"]["query"]


def test_lists_are_paged_with_page_and_per_page(client, db_session):
    for n in range(5):
        factories.agency(name=f"Body {n}", acronym=f"B{n}", country="Paginia")
    response = client.get("/api/v1/agencies?country=Paginia&per_page=2&page=2")
    assert [a["name"] for a in response.get_json()] == ["Body 2", "Body 3"]
    assert json.loads(response.headers["X-Pagination"]) == {
        "total": 5, "total_pages": 3, "first_page": 1, "last_page": 3,
        "page": 2, "previous_page": 1, "next_page": 3,
    }
    last = client.get("/api/v1/agencies?country=Paginia&per_page=2&page=3")
    assert [a["name"] for a in last.get_json()] == ["Body 4"]

    for bad in ("per_page=201", "per_page=0", "page=0"):
        response = client.get(f"/api/v1/agencies?{bad}")
        assert response.status_code == 422, bad
        assert list(response.get_json()["errors"]["query"]) == [bad.split("=")[0]]


def test_default_page_size_is_50(client, db_session):
    for n in range(51):
        factories.agency(name=f"Body {n:02}", acronym=None, country="Bigland")
    response = client.get("/api/v1/agencies?country=Bigland")
    assert len(response.get_json()) == 50
    assert json.loads(response.headers["X-Pagination"])["total_pages"] == 2


def test_an_agency_sees_only_its_own_actions_of_an_unpublished_plan(client, world):
    hidden = factories.plan(slug="hidden-plan", published=False)
    factories.action(hidden, code="MINE", lead_agency="MIN")
    factories.action(hidden, code="THEIRS", lead_agency="OTH")
    focal = bearer(world.focal)
    assert "hidden-plan" in [p["slug"] for p in client.get("/api/v1/plans", headers=focal).get_json()]
    assert codes(client.get("/api/v1/plans/hidden-plan/actions", headers=focal)) == ["MINE"]
    assert client.get("/api/v1/plans/hidden-plan/actions").status_code == 404
    assert codes(client.get("/api/v1/plans/hidden-plan/actions", headers=bearer(world.outsider))) == ["THEIRS"]
