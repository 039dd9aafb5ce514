"""Indicators in the open data package, the plan's JSON, the API's plan and the Atom feeds:
only values that count (accepted reports, source documents), never a draft's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from xml.etree import ElementTree

import frictionless

from tests import factories
from tests.factories import NOW
from tracker.services.actions import assign_actions
from tracker.services.reports import accept_report, save_report
from tracker.services.transaction import Actor

ATOM = "{http://www.w3.org/2005/Atom}"


def rows(client, path) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, path
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_accepted_values_reach_the_package_the_plan_json_and_the_feed(client, db_session, tmp_path):
    plan = factories.plan(slug="measured", title="Measured plan")
    factories.agency(acronym="MIN")
    rec = factories.recommendation(plan, code="GOV-1")
    action = factories.action(plan, code="A1", recommendations=["GOV-1"])
    secretariat, focal = factories.user("secretariat"), factories.user("agency", agency="MIN")
    assign_actions([action], {"lead_agency": "MIN", "reason": "Owns it"}, actor=Actor.of(secretariat), now=NOW)
    portal = factories.indicator(action, code="PORTAL", name="Datasets on the portal", unit="datasets")
    law = factories.indicator(rec, code="LAW", name="Law adopted", kind="yes_no", baseline_value=0, target_value=1)
    accepted = save_report(action, {"narrative": "Live", "percent_complete": 40, "proposed_status": "ongoing",
                                    "indicator_values": [{"indicator": portal.id, "value": 42,
                                                          "period_date": "2026-06-30"}]},
                           author=focal, now=NOW, submit=True)
    accept_report(accepted, {}, reviewer=secretariat, now=NOW + timedelta(hours=1))
    save_report(action, {"narrative": "Law passed", "percent_complete": 60, "proposed_status": "ongoing",
                         "indicator_values": [{"indicator": law.id, "value": "yes"}]},
                author=focal, now=NOW + timedelta(days=1), submit=True)  # waiting for review: not public
    db_session.commit()

    indicators = rows(client, "/open-data/plans/measured/indicators.csv")
    assert [(r["code"], r["subject_type"], r["subject_code"]) for r in indicators] == [
        ("LAW", "recommendation", "GOV-1"), ("PORTAL", "action", "A1")]  # by position, then code
    values = rows(client, "/open-data/plans/measured/indicator_values.csv")
    assert [(v["indicator_code"], v["value"], v["period_date"], v["origin"]) for v in values] == [
        ("PORTAL", "42.0", "2026-06-30", "progress_report")]

    validation = frictionless.validate(_save_package(client, tmp_path))
    assert validation.valid, validation.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])

    document = client.get("/open-data/plans/measured.json").get_json()
    [law_json, portal_json] = document["indicators"]
    assert portal_json["values"][0]["value"] == 42.0 and law_json["values"] == []

    feed = ElementTree.fromstring(client.get("/plans/measured/status-changes.atom").data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert "A1 · PORTAL: 42 datasets on 2026-06-30" in titles
    assert not any("LAW" in title for title in titles)


def _save_package(client, folder) -> str:
    response = client.get("/open-data/plans/measured/datapackage.json")
    descriptor = response.get_json()
    (folder / "datapackage.json").write_bytes(response.data)
    for resource in descriptor["resources"]:
        (folder / resource["path"]).write_bytes(client.get(f"/open-data/plans/measured/{resource['path']}").data)
    return str(folder / "datapackage.json")
