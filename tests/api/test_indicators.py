"""Indicator values through the API: an agency reports one, the secretariat accepts it, it counts."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from tests.api.conftest import bearer
from tracker.models import IndicatorValue


def test_an_agency_reports_a_value_by_api_and_it_counts_once_accepted(client, db_session, world):
    indicator = factories.indicator(world.overdue, code="PORTAL", name="Datasets on the portal")
    action_url = f"/api/v1/actions/{world.overdue.id}"
    [listed] = client.get(action_url).get_json()["indicators"]
    assert (listed["code"], listed["baseline_value"], listed["target_value"], listed["values"]) == (
        "PORTAL", 10.0, 100.0, [])

    body = {"narrative": "Portal launched", "percent_complete": 60, "proposed_status": "ongoing", "submit": True,
            "indicator_values": [{"indicator": indicator.id, "value": 42, "period_date": "2026-06-30"}]}
    response = client.post(f"{action_url}/reports", json=body, headers=bearer(world.focal))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["indicator_values"] == [{"indicator_id": indicator.id, "indicator_code": "PORTAL",
                                           "period_date": "2026-06-30", "value": 42.0, "text": None}]
    assert client.get(action_url).get_json()["indicators"][0]["values"] == []  # not before acceptance

    accepted = client.post(f"/api/v1/reports/{created['id']}/accept", json={}, headers=bearer(world.secretariat))
    assert accepted.status_code == 200
    assert client.get(action_url).get_json()["indicators"][0]["values"] == [
        {"period_date": "2026-06-30", "value": 42.0, "text": None}]


def test_bad_indicator_values_get_a_422_naming_the_item_and_nothing_is_stored(client, db_session, world):
    indicator = factories.indicator(world.overdue)
    body = {"narrative": "x", "percent_complete": 60, "proposed_status": "ongoing",
            "indicator_values": [{"indicator": indicator.id, "value": "many"}, {"value": 3}]}
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json=body, headers=bearer(world.focal))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["indicator_values"]
    assert errors["0"]["value"] == ["Enter a number (e.g. 42 or 3.5)."]
    assert errors["1"]["indicator"] == ["This field is required."]
    assert db_session.scalar(select(func.count()).select_from(IndicatorValue)) == 0

    not_a_list = {**body, "indicator_values": {"indicator": indicator.id}}
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json=not_a_list,
                           headers=bearer(world.focal))
    assert response.status_code == 422
    assert "list" in response.get_json()["errors"]["json"]["indicator_values"][0]


def test_the_openapi_document_describes_indicator_values(client):
    spec = client.get("/api/openapi.json").get_json()
    body = spec["components"]["schemas"]["ReportCreateInput"]["properties"]["indicator_values"]
    assert body["maxItems"] == 50


def test_a_plan_s_own_indicators_are_in_its_detail(client, db_session, world):
    from tests.factories import NOW, SYSTEM
    from tracker.services.indicators import save_indicator

    save_indicator(world.plan, {"code": "RANK", "name": "Rank in the index", "direction": "down",
                                "values": [{"value": 5, "period_date": "2017-12-31"}]}, actor=SYSTEM, now=NOW)
    factories.indicator(world.overdue, code="ON-ACTION")
    db_session.commit()
    detail = client.get(f"/api/v1/plans/{world.plan.slug}").get_json()
    assert [(i["code"], i["values"]) for i in detail["indicators"]] == [
        ("RANK", [{"period_date": "2017-12-31", "value": 5.0, "text": None}])]
