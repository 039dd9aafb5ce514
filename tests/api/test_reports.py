"""Progress reports through the API: agencies write them, the secretariat reviews them."""

from datetime import timedelta

from sqlalchemy import event, func, select

from tests import factories
from tests.api.conftest import bearer
from tests.factories import NOW
from tracker.models import ProgressReport, Status, StatusChange
from tracker.services.reports import save_report
from tracker.services.rounds import open_reporting_round


def report(**fields):
    return {"narrative": "Portal launched", "percent_complete": 60, "proposed_status": "ongoing", **fields}


def stored_reports(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(ProgressReport))


def test_agency_submits_and_secretariat_accepts_then_the_action_changes(client, db_session, world):
    action_url = f"/api/v1/actions/{world.overdue.id}"
    response = client.post(f"{action_url}/reports", json=report(submit=True), headers=bearer(world.focal))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["state"] == "submitted" and created["percent_complete"] == 60
    assert created["proposed_status"] == {"key": "ongoing", "label": "Ongoing", "is_final": False,
                                          "label_translations": {}}
    assert response.headers["Location"].endswith(f"/api/v1/reports/{created['id']}")
    # Nothing public changes before the secretariat accepts.
    assert client.get(action_url).get_json()["status"]["key"] == "pending"

    staff = bearer(world.secretariat)
    accepted = client.post(f"/api/v1/reports/{created['id']}/accept", json={"comment": "Thanks", "comment_public": True},
                           headers=staff)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["state"] == "accepted" and accepted.get_json()["reviewer_comment"] == "Thanks"

    action = client.get(action_url).get_json()
    assert (action["status"]["key"], action["percent_complete"]) == ("ongoing", 60)
    change = db_session.scalars(
        select(StatusChange).where(StatusChange.subject_type == "action",
                                   StatusChange.subject_id == world.overdue.id)
        .order_by(StatusChange.id.desc())
    ).first()
    assert (change.old_status_key, change.new_status_key) == ("pending", "ongoing")
    assert change.changed_by_id == world.secretariat.id and "Thanks" in change.reason
    # Once accepted, the report is public.
    assert [r["id"] for r in client.get(f"{action_url}/reports").get_json()] == [created["id"]]

    again = client.post(f"/api/v1/reports/{created['id']}/accept", headers=staff)
    assert again.status_code == 409 and "accepted" in again.get_json()["message"]


def test_a_report_saved_without_submit_is_a_draft(client, world):
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                           json={"percent_complete": 10, "proposed_status": "ongoing"},
                           headers=bearer(world.focal))
    assert response.status_code == 201 and response.get_json()["state"] == "draft"


def test_secretariat_returns_a_report_with_a_comment(client, world):
    submitted = save_report(world.overdue, report(), author=world.focal, now=NOW, submit=True)
    staff = bearer(world.secretariat)
    missing = client.post(f"/api/v1/reports/{submitted.id}/return", json={}, headers=staff)
    assert missing.status_code == 422 and "comment" in missing.get_json()["errors"]["json"]
    response = client.post(f"/api/v1/reports/{submitted.id}/return",
                           json={"comment": "Add the launch date"}, headers=staff)
    assert response.status_code == 200
    assert (response.get_json()["state"], response.get_json()["reviewer_comment"]) == (
        "returned", "Add the launch date")


def test_bad_input_names_each_field_and_stores_nothing(client, db_session, world):
    url = f"/api/v1/actions/{world.overdue.id}/reports"
    focal = bearer(world.focal)
    response = client.post(url, json=report(percent_complete=150, proposed_status="finished"), headers=focal)
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    errors = body["errors"]["json"]
    assert errors["percent_complete"] == ["Enter a whole number from 0 to 100."]
    assert "Unknown status 'finished'" in errors["proposed_status"][0]

    assert "colour" in client.post(url, json=report(colour="red"), headers=focal).get_json()["errors"]["json"]
    assert "submit" in client.post(url, json=report(submit="yes"), headers=focal).get_json()["errors"]["json"]
    submit_empty = client.post(url, json={"percent_complete": 10, "proposed_status": "ongoing",
                                          "submit": True}, headers=focal)
    assert "narrative" in submit_empty.get_json()["errors"]["json"]
    not_json = client.post(url, data={"narrative": "x"}, headers=focal)
    assert not_json.status_code == 415 and not_json.is_json
    not_object = client.post(url, json=[1, 2], headers=focal)
    assert not_object.status_code == 422 and "_schema" in not_object.get_json()["errors"]["json"]
    assert stored_reports(db_session) == 0


def test_an_agency_may_not_report_on_another_agencys_action(client, db_session, world):
    # OTH leads neither A1 nor, as a mere supporter, may MIN report on A2.
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json=report(),
                           headers=bearer(world.outsider))
    assert response.status_code == 403 and response.get_json()["message"]
    supporting = client.post(f"/api/v1/actions/{world.supported.id}/reports", json=report(),
                             headers=bearer(world.focal))
    assert supporting.status_code == 403
    staff = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json=report(),
                        headers=bearer(world.secretariat))
    assert staff.status_code == 403
    assert stored_reports(db_session) == 0


def test_only_the_secretariat_reviews_reports(client, world):
    submitted = save_report(world.overdue, report(), author=world.focal, now=NOW, submit=True)
    response = client.post(f"/api/v1/reports/{submitted.id}/accept", headers=bearer(world.focal))
    assert response.status_code == 403
    assert client.post(f"/api/v1/reports/{submitted.id}/accept").status_code == 401


def test_the_public_sees_no_draft_or_submitted_reports(client, world):
    draft = save_report(world.overdue, report(), author=world.focal, now=NOW, submit=False)
    # One open report per action and round: the submitted one is in a round of its own.
    round_ = open_reporting_round(world.plan, {"name": "Round", "opens_on": "2026-01-01", "deadline": "2026-12-31"})
    submitted = save_report(world.overdue, report(round_id=round_.id), author=world.focal,
                            now=NOW + timedelta(hours=1), submit=True)
    url = f"/api/v1/actions/{world.overdue.id}/reports"

    assert client.get(url).get_json() == []
    assert client.get(f"/api/v1/reports/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/reports/{submitted.id}").status_code == 404
    # The agency sees its drafts; the secretariat all but drafts; another agency nothing.
    assert [r["id"] for r in client.get(url, headers=bearer(world.focal)).get_json()] == [
        submitted.id, draft.id]
    assert [r["id"] for r in client.get(url, headers=bearer(world.secretariat)).get_json()] == [submitted.id]
    assert client.get(url, headers=bearer(world.outsider)).get_json() == []
    assert client.get(f"/api/v1/reports/{draft.id}", headers=bearer(world.secretariat)).status_code == 404


def test_a_submission_writes_once_and_answers_without_reading_the_report_back(app, client, db_session, world):
    """Speed guard (counts statements, never time): the token with its user, then the action
    with its plan, the status and the round the report names, in one query; then the writes.
    No open-report check (the unique index refuses a second one); the 201 is made from what
    was written, not read back in a second transaction."""
    headers = bearer(world.focal)
    client.get("/api/v1/plans", headers=headers)  # the token's first use is recorded, once a minute
    round_id = open_reporting_round(
        world.plan, {"name": "Round", "opens_on": "2026-01-01", "deadline": "2026-12-31"}).id
    url = f"/api/v1/actions/{world.overdue.id}/reports"
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split(None, 1)[0].upper())

    engine = db_session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post(url, json=report(submit=True, round_id=round_id), headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["evidence"] == [] and response.get_json()["round"]["id"] == round_id
    assert response.get_json()["proposed_status"]["key"] == "ongoing"
    work = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE")]
    assert work.count("SELECT") <= 2, statements
    last_write = max(i for i, s in enumerate(work) if s != "SELECT")
    assert "SELECT" not in work[last_write:], statements


def test_the_status_and_round_a_report_names_are_checked_as_ever_when_read_with_its_action(
        client, db_session, world):
    """The action's query also reads the status and round the body names (to save round trips):
    what it does not find, or finds and must refuse, is refused as before, field by field."""
    url = f"/api/v1/actions/{world.overdue.id}/reports"
    focal = bearer(world.focal)
    other_plan = factories.plan(slug="other-plan", title="Other plan", period_start="2026-01-01")
    elsewhere = open_reporting_round(other_plan, {"name": "Theirs", "opens_on": "2026-01-01",
                                                  "deadline": "2026-12-31"})
    refused = client.post(url, json=report(round_id=elsewhere.id), headers=focal)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["json"]["round_id"] == ["Unknown reporting round for this plan."]
    huge = client.post(url, json=report(round_id=2**40, proposed_status=" nonsense "), headers=focal)
    assert huge.status_code == 422, huge.get_json()
    assert set(huge.get_json()["errors"]["json"]) == {"round_id", "proposed_status"}
    retired = db_session.get(Status, "ongoing")
    retired.retired = True
    db_session.commit()
    refused = client.post(url, json=report(), headers=focal)
    assert refused.status_code == 422 and "retired" in refused.get_json()["errors"]["json"]["proposed_status"][0]
    assert stored_reports(db_session) == 0
    # An action the caller may not see is 404 before its body is looked at, however bad.
    hidden = client.post("/api/v1/actions/999999/reports", data="{not json", headers={
        **focal, "Content-Type": "application/json"})
    assert hidden.status_code == 404
    ours = client.post(url, data="{not json", headers={**focal, "Content-Type": "application/json"})
    assert ours.status_code == 400
