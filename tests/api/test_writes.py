"""Everything the pages change, changed through the API: each operation's happy path, the
permission it needs, a refused field named, and (for actions) a stale ETag.

The operations call the pages' services, so these tests check the API's side of the
contract: who may call, what is answered, and that the change is really stored.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import bearer
from tests.factories import NOW
from tracker.models import Action, Event, Plan, ProgressReport, Status, StatusChange
from tracker.services.reports import save_report


def fields_of(response, location: str = "json") -> set[str]:
    """The refused fields a 422 names."""
    assert response.status_code == 422, (response.status_code, response.get_json())
    return set(response.get_json()["errors"][location])


@pytest.fixture
def staff(world):
    return bearer(world.secretariat)


@pytest.fixture
def agency(world):
    return bearer(world.focal)


@pytest.fixture
def uploads(app, tmp_path):
    """Evidence files go to a folder of this test's own."""
    before = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOAD_DIR"] = before


# ---------------------------------------------------------------- plans and areas


def test_the_secretariat_creates_a_plan_that_stays_private_until_published(client, db_session, world, staff, agency):
    body = {"slug": "budget-2027", "title": "Budget transparency 2027", "country": "Testland", "published": False}
    response = client.post("/api/v1/plans", json=body, headers=staff)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith("/api/v1/plans/budget-2027")
    assert response.get_json()["slug"] == "budget-2027"
    assert client.get("/api/v1/plans/budget-2027").status_code == 404  # the public does not see it
    assert client.get("/api/v1/plans/budget-2027", headers=staff).status_code == 200

    assert client.post("/api/v1/plans", json={**body, "slug": "other"}, headers=agency).status_code == 403
    assert client.post("/api/v1/plans", json={**body, "slug": "other"}).status_code == 401
    read_only = {"Authorization": f"Bearer {factories.api_token(world.secretariat, scope='read')}"}
    assert client.post("/api/v1/plans", json={**body, "slug": "other"}, headers=read_only).status_code == 403
    assert fields_of(client.post("/api/v1/plans", json={**body, "slug": "Not A Slug"}, headers=staff)) == {"slug"}
    assert fields_of(client.post("/api/v1/plans", json=body, headers=staff)) == {"slug"}  # taken
    assert db_session.scalar(select(Plan).where(Plan.slug == "other")) is None


def test_areas_are_added_and_renamed_but_keep_their_code(client, world, staff, agency):
    url = "/api/v1/plans/open-data-plan/areas"
    response = client.post(url, json={"code": "IMP", "name": "Impact", "position": 3}, headers=staff)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"{url}/IMP")
    assert [a["code"] for a in client.get(url).get_json()] == ["GOV", "USE", "IMP"]
    assert fields_of(client.post(url, json={"code": "IMP", "name": "Again"}, headers=staff)) == {"code"}
    assert fields_of(client.post(url, json={"code": "NEW"}, headers=staff)) == {"name"}
    assert client.post(url, json={"code": "AG", "name": "Agency's"}, headers=agency).status_code == 403

    renamed = client.patch(f"{url}/GOV", json={"name": "Governance and leadership", "code": "XXX"}, headers=staff)
    assert renamed.status_code == 200, renamed.get_json()
    assert (renamed.get_json()["code"], renamed.get_json()["name"]) == ("GOV", "Governance and leadership")
    assert client.get(f"{url}/GOV").get_json()["name"] == "Governance and leadership"
    assert client.patch(f"{url}/GOV", json={"name": "Mine"}, headers=agency).status_code == 403
    assert client.patch(f"{url}/NOPE", json={"name": "x"}, headers=staff).status_code == 404
    assert fields_of(client.patch(f"{url}/GOV", json={"name": ""}, headers=staff)) == {"name"}


# ---------------------------------------------------------------- recommendations


def test_recommendations_are_recorded_edited_and_their_status_set_with_a_reason(client, db_session, world, staff,
                                                                                  agency):
    url = "/api/v1/plans/open-data-plan/recommendations"
    body = {"code": "R3", "text": "Publish procurement data.", "area": "GOV", "status": "pending",
            "institutions": ["MIN"], "priority": "high"}
    response = client.post(url, json=body, headers=staff)
    assert response.status_code == 201, response.get_json()
    rec = response.get_json()
    assert rec["area"]["code"] == "GOV" and [a["acronym"] for a in rec["institutions"]] == ["MIN"]
    rec_url = f"/api/v1/recommendations/{rec['id']}"
    assert response.headers["Location"].endswith(rec_url)
    assert client.get(rec_url).get_json()["code"] == "R3"
    assert fields_of(client.post(url, json={**body, "code": "R4", "area": "NOPE", "institutions": ["ZZZ"]},
                                 headers=staff)) == {"area", "institutions"}
    assert client.post(url, json={**body, "code": "R5"}, headers=agency).status_code == 403

    # An edit keeps the code and the validated status, whatever is sent.
    edited = client.patch(rec_url, json={"text": "Publish all procurement data.", "status": "fully_achieved",
                                         "code": "Z9"}, headers=staff)
    assert edited.status_code == 200, edited.get_json()
    assert (edited.get_json()["text"], edited.get_json()["code"], edited.get_json()["status"]["key"]) == (
        "Publish all procurement data.", "R3", "pending")
    assert edited.get_json()["priority"] == "high"  # what was not sent is kept
    assert client.patch(rec_url, json={"text": "x"}, headers=agency).status_code == 403
    assert fields_of(client.patch(rec_url, json={"priority": "urgent"}, headers=staff)) == {"priority"}

    status = client.post(f"{rec_url}/status", json={"status": "ongoing", "reason": "Tender published."},
                         headers=staff)
    assert status.status_code == 200 and status.get_json()["status"]["key"] == "ongoing"
    change = db_session.scalars(select(StatusChange).where(StatusChange.subject_type == "recommendation",
                                                           StatusChange.subject_id == rec["id"])
                                .order_by(StatusChange.id.desc())).first()
    assert (change.new_status_key, change.reason, change.changed_by_id) == (
        "ongoing", "Tender published.", world.secretariat.id)
    assert fields_of(client.post(f"{rec_url}/status", json={"status": "ongoing"}, headers=staff)) == {"reason"}
    assert fields_of(client.post(f"{rec_url}/status", json={"status": "nope", "reason": "Because"},
                                 headers=staff)) == {"status"}
    assert client.post(f"{rec_url}/status", json={"status": "ongoing", "reason": "Mine"},
                       headers=agency).status_code == 403


# ---------------------------------------------------------------- actions


def test_actions_are_recorded_by_the_secretariat_only(client, world, staff, agency):
    url = "/api/v1/plans/open-data-plan/actions"
    body = {"code": "A9", "title": "Open the procurement portal", "area": "GOV", "lead_agency": "MIN",
            "supporting_agencies": ["OTH"], "status": "pending", "recommendations": ["R1"],
            "start_date": "2027-01-01", "due_date": "2027-12-31",
            "milestones": [{"title": "Tender", "due_date": "2027-04-30"}]}
    response = client.post(url, json=body, headers=staff)
    assert response.status_code == 201, response.get_json()
    action = response.get_json()
    assert action["lead_agency"]["acronym"] == "MIN" and action["recommendations"] == ["R1"]
    assert action["milestones"] == [{"title": "Tender", "due_date": "2027-04-30", "achieved_on": None,
                                     "title_translations": {}}]
    assert response.headers["ETag"] == f'"{action["version"]}"'
    assert client.post(url, json={**body, "code": "A10"}, headers=agency).status_code == 403
    refused = client.post(url, json={**body, "code": "A11", "lead_agency": "ZZZ", "due_date": "2026-01-01"},
                          headers=staff)
    assert fields_of(refused) == {"due_date"}  # the schema's problems come first
    assert fields_of(client.post(url, json={**body, "code": "A11", "lead_agency": "ZZZ"},
                                 headers=staff)) == {"lead_agency"}
    assert fields_of(client.post(url, json=body, headers=staff)) == {"code"}  # A9 is taken


def test_an_action_is_changed_with_if_match_and_a_stale_etag_changes_nothing(client, db_session, world, staff,
                                                                             agency):
    url = f"/api/v1/actions/{world.supported.id}"
    read = client.get(url, headers=staff)
    etag = read.headers["ETag"]
    assert etag == f'"{read.get_json()["version"]}"'

    changed = client.patch(url, json={"weight": 3}, headers={**staff, "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["weight"] == 3 and changed.headers["ETag"] != etag

    stale = client.patch(url, json={"weight": 5}, headers={**staff, "If-Match": etag})
    assert stale.status_code == 412 and stale.headers["ETag"] == changed.headers["ETag"]
    db_session.refresh(world.supported)
    assert world.supported.weight == 3

    missing = client.patch(url, json={"weight": 5}, headers=staff)
    assert missing.status_code == 428 and "version" in missing.get_json()["errors"]["json"]

    # A date change needs a reason, as on the page; nothing is written without one.
    current = changed.headers["ETag"]
    no_reason = client.patch(url, json={"due_date": "2199-06-30"}, headers={**staff, "If-Match": current})
    assert fields_of(no_reason) == {"reason"}
    moved = client.patch(url, json={"due_date": "2199-06-30", "reason": "Budget moved."},
                         headers={**staff, "If-Match": current})
    assert moved.status_code == 200 and moved.get_json()["due_date"] == "2199-06-30"
    assert client.patch(url, json={"weight": 0}, headers={**staff, "If-Match": "*"}).status_code == 422
    assert client.patch(url, json={"weight": 2}, headers={**agency, "If-Match": "*"}).status_code == 403


def test_an_action_is_paused_and_resumed_with_a_reason_on_its_timeline(client, db_session, world, staff, agency):
    url = f"/api/v1/actions/{world.overdue.id}"
    assert fields_of(client.post(f"{url}/pause", json={}, headers=staff)) == {"reason"}
    assert client.post(f"{url}/pause", json={"reason": "Superseded"}, headers=agency).status_code == 403
    paused = client.post(f"{url}/pause", json={"reason": "Superseded by A7."}, headers=staff)
    assert paused.status_code == 200, paused.get_json()
    assert db_session.get(Action, world.overdue.id).paused is True
    event = db_session.scalars(select(Event).where(Event.subject_id == world.overdue.id)
                               .order_by(Event.id.desc())).first()
    assert event.reason == "Superseded by A7."
    assert client.post(f"{url}/resume", json={"reason": "Back in the plan."}, headers=staff).status_code == 200
    assert db_session.get(Action, world.overdue.id).paused is False


def test_actions_are_assigned_to_another_agency(client, db_session, world, staff, agency):
    url = "/api/v1/plans/open-data-plan/assign"
    body = {"actions": [world.overdue.id, world.done.id], "lead_agency": "OTH", "reason": "Reorganised."}
    assert client.post(url, json=body, headers=agency).status_code == 403
    assert fields_of(client.post(url, json={**body, "lead_agency": "ZZZ"}, headers=staff)) == {"lead_agency"}
    assert fields_of(client.post(url, json={**body, "actions": ["x"]}, headers=staff)) == {"actions"}
    response = client.post(url, json=body, headers=staff)
    assert response.status_code == 200, response.get_json()
    assert {a["code"]: a["lead_agency"]["acronym"] for a in response.get_json()} == {"A1": "OTH", "A3": "OTH"}


# ---------------------------------------------------------------- indicators


def test_indicators_are_added_to_actions_and_recommendations_and_edited(client, world, staff, agency):
    body = {"code": "IND-1", "name": "Datasets published", "kind": "number", "direction": "up",
            "baseline_value": 10, "target_value": 100}
    response = client.post(f"/api/v1/actions/{world.overdue.id}/indicators", json=body, headers=staff)
    assert response.status_code == 201, response.get_json()
    location = response.headers["Location"]
    assert client.get(location).get_json()["code"] == "IND-1"
    rec_id = client.get("/api/v1/plans/open-data-plan/recommendations").get_json()[0]["id"]
    assert fields_of(client.post(f"/api/v1/recommendations/{rec_id}/indicators", json=body,
                                 headers=staff)) == {"code"}
    assert client.post(f"/api/v1/recommendations/{rec_id}/indicators", json={**body, "code": "IND-2"},
                       headers=staff).status_code == 201
    assert client.post(f"/api/v1/actions/{world.overdue.id}/indicators", json={**body, "code": "IND-3"},
                       headers=agency).status_code == 403

    edited = client.patch(location, json={"target_value": 150}, headers=staff)
    assert edited.status_code == 200 and edited.get_json()["target_value"] == 150
    assert edited.get_json()["name"] == "Datasets published"
    assert fields_of(client.patch(location, json={"kind": "colour"}, headers=staff)) == {"kind"}
    assert client.patch(location, json={"target_value": 1}, headers=agency).status_code == 403


# ---------------------------------------------------------------- rounds


def test_reporting_rounds_are_opened_by_the_secretariat(client, world, staff, agency):
    url = "/api/v1/plans/open-data-plan/rounds"
    response = client.post(url, json={"name": "2027 Q1", "opens_on": "2027-01-01", "deadline": "2027-03-31"},
                           headers=staff)
    assert response.status_code == 201, response.get_json()
    assert [r["name"] for r in client.get(url).get_json()] == ["2027 Q1"]
    assert fields_of(client.post(url, json={"name": "Bad", "opens_on": "2027-01-01", "deadline": "2026-01-01"},
                                 headers=staff)) == {"deadline"}
    assert client.post(url, json={"name": "Mine", "opens_on": "2027-01-01", "deadline": "2027-03-31"},
                       headers=agency).status_code == 403


def test_assessment_rounds_opened_assessed_closed_and_reopened(client, db_session, world, staff, agency):
    # Assessors hold no API tokens (the integrity work's rule: tokens are for the secretariat,
    # admins and agencies); admins are assessors too, so the assessor's operations are theirs here.
    assessor = bearer(factories.user("admin"))
    url = "/api/v1/plans/open-data-plan/assessment-rounds"
    body = {"name": "Independent review", "assessed_on": "2026-11-01"}
    assert client.post(url, json=body, headers=agency).status_code == 403
    assert fields_of(client.post(url, json={"name": "No date"}, headers=assessor)) == {"assessed_on"}
    opened = client.post(url, json=body, headers=assessor)
    assert opened.status_code == 201, opened.get_json()
    round_url = opened.headers["Location"]
    assert client.get(round_url).get_json()["state"] == "open"
    assert [r["name"] for r in client.get(url).get_json()] == ["Independent review"]

    rec_id = client.get("/api/v1/plans/open-data-plan/recommendations").get_json()[0]["id"]
    assess_url = f"{round_url}/recommendations/{rec_id}"
    assessed = client.put(assess_url, json={"status": "ongoing", "justification": "Portal live for two ministries."},
                          headers=assessor)
    assert assessed.status_code == 200, assessed.get_json()
    assert assessed.get_json()["status"]["key"] == "ongoing"
    assert fields_of(client.put(assess_url, json={"status": "ongoing"}, headers=assessor)) == {"justification"}
    assert client.put(assess_url, json={"status": "ongoing", "justification": "Mine to say"},
                      headers=agency).status_code == 403
    assert client.put(assess_url, json={"status": "ongoing", "justification": "Not an assessor"},
                      headers=staff).status_code == 403
    assert client.post(f"{round_url}/close", headers=agency).status_code == 403

    closed = client.post(f"{round_url}/close", headers=assessor)
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    assert fields_of(client.put(assess_url, json={"status": "pending", "justification": "Too late now"},
                                headers=assessor)) == {"round"}
    assert client.post(f"{round_url}/reopen", json={"reason": "Wrong report cited."},
                       headers=agency).status_code == 403
    assert fields_of(client.post(f"{round_url}/reopen", json={}, headers=staff)) == {"reason"}
    reopened = client.post(f"{round_url}/reopen", json={"reason": "Wrong report cited."}, headers=staff)
    assert reopened.status_code == 200 and reopened.get_json()["state"] == "open"


# ---------------------------------------------------------------- reports and evidence


def test_a_draft_is_edited_submitted_returned_and_resubmitted(client, db_session, world, staff, agency):
    created = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                          json={"percent_complete": 10, "proposed_status": "ongoing"}, headers=agency)
    report_url = created.headers["Location"]
    edited = client.patch(report_url, json={"narrative": "Tender out.", "links": ["https://example.org/t"]},
                          headers=agency)
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert (body["state"], body["narrative"], body["percent_complete"]) == ("draft", "Tender out.", 10)
    assert [e["url"] for e in body["evidence"]] == ["https://example.org/t"]
    assert fields_of(client.patch(report_url, json={"percent_complete": 101}, headers=agency)) == {
        "percent_complete"}
    outsider = bearer(world.outsider)
    assert client.patch(report_url, json={"narrative": "Theirs"}, headers=outsider).status_code == 404
    assert client.patch(report_url, json={"narrative": "Staff"}, headers=staff).status_code == 404  # a draft

    submitted = client.post(f"{report_url}/submit", headers=agency)
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    assert client.patch(report_url, json={"narrative": "Later"}, headers=agency).status_code == 409

    client.post(f"{report_url}/return", json={"comment": "Link the datasets."}, headers=staff)
    resubmitted = client.patch(report_url, json={"narrative": "Tender out; datasets linked.", "submit": True},
                               headers=agency)
    assert resubmitted.status_code == 200, resubmitted.get_json()
    assert resubmitted.get_json()["state"] == "submitted"
    assert db_session.get(ProgressReport, created.get_json()["id"]).narrative == "Tender out; datasets linked."


def test_an_empty_draft_cannot_be_submitted(client, world, agency):
    created = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                          json={"percent_complete": 10, "proposed_status": "ongoing"}, headers=agency)
    assert fields_of(client.post(f"{created.headers['Location']}/submit", headers=agency)) == {"narrative"}


def test_evidence_files_are_uploaded_as_multipart_and_removed(client, world, staff, agency, uploads):
    created = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                          json={"percent_complete": 10, "proposed_status": "ongoing"}, headers=agency)
    report_url = created.headers["Location"]
    upload = client.post(f"{report_url}/evidence", headers=agency, content_type="multipart/form-data",
                         data={"file": (io.BytesIO(b"%PDF-1.4 minutes"), "minutes.pdf")})
    assert upload.status_code == 201, upload.get_json()
    (evidence,) = upload.get_json()["evidence"]
    assert (evidence["kind"], evidence["filename"]) == ("file", "minutes.pdf")
    assert len(list(uploads.iterdir())) == 1

    refused = client.post(f"{report_url}/evidence", headers=agency, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "minutes.pdf")})
    assert fields_of(refused, "files") == {"file"}
    assert fields_of(client.post(f"{report_url}/evidence", headers=agency, content_type="multipart/form-data",
                                 data={}), "files") == {"file"}
    assert client.post(f"{report_url}/evidence", headers=agency, json={"file": "x"}).status_code == 415
    assert client.post(f"{report_url}/evidence", headers=bearer(world.outsider), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4 x"), "x.pdf")}).status_code == 404

    evidence_url = f"{report_url}/evidence/{evidence['id']}"
    assert client.delete(evidence_url, headers=bearer(world.outsider)).status_code == 404
    removed = client.delete(evidence_url, headers=agency)
    assert removed.status_code == 200 and removed.get_json()["evidence"] == []
    assert list(uploads.iterdir()) == []
    assert client.get(report_url, headers=agency).get_json()["evidence"] == []
    assert client.delete(evidence_url, headers=agency).status_code == 404

    # A submitted report's evidence no longer changes.
    client.patch(report_url, json={"narrative": "Done", "submit": True}, headers=agency)
    late = client.post(f"{report_url}/evidence", headers=agency, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4 late"), "late.pdf")})
    assert late.status_code == 409 and list(uploads.iterdir()) == []


def test_a_supporting_agency_may_read_but_not_change_a_submitted_report(client, db_session, world):
    report = save_report(world.supported, {"narrative": "Done", "percent_complete": 50,
                                           "proposed_status": "ongoing"}, author=world.outsider, now=NOW,
                         submit=True)
    url = f"/api/v1/reports/{report.id}"
    assert client.get(url, headers=bearer(world.focal)).status_code == 200
    assert client.patch(url, json={"narrative": "Ours"}, headers=bearer(world.focal)).status_code == 403


# ---------------------------------------------------------------- admins


def test_admins_create_and_change_users_and_agencies(client, db_session, world, staff):
    admin = bearer(factories.user("admin"))
    assert client.get("/api/v1/users", headers=staff).status_code == 403
    body = {"email": "new.focal@example.org", "password": "a long passphrase", "role": "agency", "agency": "MIN"}
    assert client.post("/api/v1/users", json=body, headers=staff).status_code == 403
    assert fields_of(client.post("/api/v1/users", json={**body, "email": "nope"}, headers=admin)) == {"email"}
    assert fields_of(client.post("/api/v1/users", json={**body, "agency": None}, headers=admin)) == {"agency"}
    response = client.post("/api/v1/users", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    user = response.get_json()
    assert (user["role"], user["agency"]["acronym"], user["active"]) == ("agency", "MIN", True)
    assert "password" not in user and "password_hash" not in user
    assert "new.focal@example.org" in [u["email"] for u in client.get("/api/v1/users", headers=admin).get_json()]

    changed = client.patch(response.headers["Location"], json={"active": False}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    assert changed.get_json()["agency"]["acronym"] == "MIN"
    assert fields_of(client.patch(response.headers["Location"], json={"role": "king"}, headers=admin)) == {"role"}

    agency_body = {"name": "Ministry of Finance", "acronym": "MOF", "country": "Testland"}
    assert client.post("/api/v1/agencies", json=agency_body, headers=staff).status_code == 403
    created = client.post("/api/v1/agencies", json=agency_body, headers=admin)
    assert created.status_code == 201 and client.get(created.headers["Location"]).get_json()["acronym"] == "MOF"
    assert fields_of(client.post("/api/v1/agencies", json=agency_body, headers=admin)) == {"name", "acronym"}


def test_admins_edit_the_status_vocabulary(client, db_session, world, staff):
    admin = bearer(factories.user("admin"))
    body = {"key": "delayed", "label": "Delayed", "colour": "#882255", "default_percent": 0}
    assert client.post("/api/v1/statuses", json=body, headers=staff).status_code == 403
    assert fields_of(client.post("/api/v1/statuses", json={**body, "colour": "red"}, headers=admin)) == {"colour"}
    created = client.post("/api/v1/statuses", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    keys = [s["key"] for s in client.get("/api/v1/statuses", query_string={"per_page": 200}).get_json()]
    assert keys[-1] == "delayed"

    renamed = client.patch("/api/v1/statuses/delayed", json={"label": "Late"}, headers=admin)
    assert renamed.status_code == 200 and renamed.get_json()["label"] == "Late"
    assert renamed.get_json()["colour"] == "#882255"
    moved = client.post("/api/v1/statuses/delayed/move", json={"direction": "up"}, headers=admin)
    assert moved.status_code == 200 and [s["key"] for s in moved.get_json()][-2] == "delayed"
    assert fields_of(client.post("/api/v1/statuses/delayed/move", json={"direction": "left"},
                                 headers=admin)) == {"direction"}

    in_use = client.delete("/api/v1/statuses/pending", headers=admin)
    assert fields_of(in_use) == {"status"}
    assert client.delete("/api/v1/statuses/delayed", headers=staff).status_code == 403
    deleted = client.delete("/api/v1/statuses/delayed", headers=admin)
    assert deleted.status_code == 200 and "delayed" not in [s["key"] for s in deleted.get_json()]
    assert db_session.get(Status, "delayed") is None
    assert client.delete("/api/v1/statuses/delayed", headers=admin).status_code == 404


def test_admins_register_webhooks_and_switch_them_off(app, client, world, staff):
    admin = bearer(factories.user("admin"))
    body = {"url": "https://93.184.216.34/hooks", "events": ["report.submitted"], "plan": "open-data-plan"}
    assert client.post("/api/v1/webhooks", json=body, headers=staff).status_code == 403
    assert fields_of(client.post("/api/v1/webhooks", json={**body, "events": ["lunch"]}, headers=admin)) == {
        "events"}
    assert fields_of(client.post("/api/v1/webhooks", json={**body, "url": "http://127.0.0.1/x"},
                                 headers=admin)) == {"url"}
    response = client.post("/api/v1/webhooks", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    hook = response.get_json()
    assert hook["secret"].startswith("whsec_") and hook["plan"] == "open-data-plan"
    listed = client.get("/api/v1/webhooks", headers=admin).get_json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    off = client.post(f"/api/v1/webhooks/{hook['id']}/active", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert fields_of(client.post(f"/api/v1/webhooks/{hook['id']}/active", json={"active": "no"},
                                 headers=admin)) == {"active"}
    assert client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/999999/resend", headers=admin).status_code == 404


# ---------------------------------------------------------------- spreadsheets


def test_the_secretariat_checks_and_imports_a_spreadsheet(client, world, staff, agency):
    from tracker.exchange.spreadsheets.writing import export_rows, to_csv

    data = to_csv(export_rows(world.plan))
    form = {"file": (io.BytesIO(data), "plan.csv")}
    assert client.post("/api/v1/plans/import", data=form, headers=agency,
                       content_type="multipart/form-data").status_code == 403
    checked = client.post("/api/v1/plans/import", data={"file": (io.BytesIO(data), "plan.csv")}, headers=staff,
                          content_type="multipart/form-data")
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json()["ok"] is True and checked.get_json()["dry_run"] is True
    assert checked.get_json()["plan"] == "open-data-plan"

    broken = client.post("/api/v1/plans/import", data={"file": (io.BytesIO(b"not,a\nplan,file\n"), "plan.csv"),
                                                       "mode": "import"},
                         headers=staff, content_type="multipart/form-data")
    assert fields_of(broken, "files") == {"file"} and broken.get_json()["problems"][0]["message"]
    assert fields_of(client.post("/api/v1/plans/import", data={"file": (io.BytesIO(data), "plan.csv"),
                                                               "mode": "maybe"},
                                 headers=staff, content_type="multipart/form-data"), "form") == {"mode"}


@pytest.mark.parametrize(("filename", "content"), [
    ("../../../evil.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("../../../../tmp/owned.pdf", b"<html>owned</html>"),
    ("empty.pdf", b""),
])
def test_hostile_uploads_through_the_api_are_refused_and_store_nothing(client, world, agency, uploads, filename,
                                                                       content):
    created = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                          json={"percent_complete": 10, "proposed_status": "ongoing"}, headers=agency)
    response = client.post(f"{created.headers['Location']}/evidence", headers=agency,
                           content_type="multipart/form-data", data={"file": (io.BytesIO(content), filename)})
    assert fields_of(response, "files") == {"file"}
    assert list(uploads.iterdir()) == []
    assert client.get(created.headers["Location"], headers=agency).get_json()["evidence"] == []


def test_a_valid_file_with_a_traversal_name_is_stored_inside_the_upload_folder(client, world, agency, uploads):
    created = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                          json={"percent_complete": 10, "proposed_status": "ongoing"}, headers=agency)
    response = client.post(f"{created.headers['Location']}/evidence", headers=agency,
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4 fine"), "../../outside.pdf")})
    assert response.status_code == 201, response.get_json()
    (stored,) = uploads.iterdir()
    assert stored.parent == uploads and ".." not in response.get_json()["evidence"][0]["filename"]
