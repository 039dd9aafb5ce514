"""Webhooks reach a real HTTP receiver on loopback: once each, signed, retried with back-off."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories
from tests.conftest import csrf_token
from tests.fixtures.receivers import WebhookReceiver
from tracker.extensions import db
from tracker.models import WebhookDelivery
from tracker.services.actions import assign_actions
from tracker.services.reports import accept_report, return_report, save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor
from tracker.webhooks.delivery import MAX_ATTEMPTS, WebhookSettings, deliver_webhooks
from tracker.webhooks.endpoints import register_endpoint, resend_delivery
from tracker.webhooks.events import queue_overdue_actions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LOOPBACK = WebhookSettings(timeout=5, allow_private=True)
EVERYTHING = ["report.submitted", "report.accepted", "report.returned", "status.changed", "action.overdue",
              "round.opened"]


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def setting(db_session):
    plan = factories.plan()
    factories.agency(acronym="MIN")
    action = factories.action(plan, due_date="2026-12-31")
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="MIN")
    assign_actions([action], {"lead_agency": "MIN"}, actor=Actor.of(secretariat), now=NOW)
    admin = factories.user("admin")
    return plan, action, secretariat, focal, admin


def register(url, admin, events=EVERYTHING, plan=None):
    return register_endpoint({"url": url, "events": events, "plan": plan}, acting_admin=admin, now=NOW,
                             allow_private=True)


def deliver(at=NOW, settings=LOOPBACK):
    return deliver_webhooks(at, settings=settings, worker="test")


def verified(request, secret) -> dict:
    """The request's JSON body, after checking its signature as a receiver would."""
    parts = dict(item.split("=", 1) for item in request.headers["X-Tracker-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{request.body}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), "bad signature"
    assert parts["t"] == request.headers["X-Tracker-Timestamp"]
    return json.loads(request.body)


def test_each_event_of_a_report_arrives_once_with_a_valid_signature(setting, receiver):
    plan, action, secretariat, focal, admin = setting
    _, secret = register(receiver.url, admin)
    report = save_report(action, {"narrative": "Half done", "percent_complete": 50, "proposed_status": "ongoing"},
                         author=focal, now=NOW, submit=True)
    return_report(report, {"comment": "Add the minutes"}, reviewer=secretariat, now=NOW + timedelta(hours=1))
    save_report(action, {"narrative": "Half done, minutes attached", "percent_complete": 50,
                         "proposed_status": "ongoing"}, author=focal, now=NOW + timedelta(hours=2), submit=True,
                report=report)
    accept_report(report, {"comment": "Thanks"}, reviewer=secretariat, now=NOW + timedelta(hours=3))
    later = NOW + timedelta(hours=4)

    assert deliver(later)["delivered"] == 5
    assert deliver(later + timedelta(hours=1))["delivered"] == 0  # nothing twice

    bodies = [verified(r, secret) for r in receiver.received]
    assert [b["event"] for b in bodies] == [
        "report.submitted", "report.returned", "report.submitted", "status.changed", "report.accepted"]
    assert len({b["id"] for b in bodies}) == 5
    assert all(b["plan"]["slug"] == plan.slug for b in bodies)
    change = bodies[3]["data"]
    assert (change["old_status"], change["new_status"], change["new_percent"]) == ("pending", "ongoing", 50)
    assert bodies[4]["data"]["subject"] == {"type": "action", "id": action.id, "code": action.code}
    assert receiver.received[0].headers["X-Tracker-Event"] == "report.submitted"
    assert receiver.received[0].path == "/hooks/tracker"


def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_try(setting):
    plan, _, _, _, admin = setting
    with WebhookReceiver(fail_first=2) as receiver:
        _, secret = register(receiver.url, admin, events=["round.opened"])
        open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"},
                             now=NOW)
        assert deliver(NOW)["retrying"] == 1
        delivery = db.session.query(WebhookDelivery).one()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
        assert "receiver down for maintenance" in delivery.last_error
        assert deliver(NOW + timedelta(seconds=30))["retrying"] == 0  # backing off: not yet
        assert deliver(NOW + timedelta(minutes=1))["retrying"] == 1
        assert deliver(NOW + timedelta(minutes=2))["delivered"] == 0  # the second wait is 2 minutes
        assert deliver(NOW + timedelta(minutes=3))["delivered"] == 1
        db.session.refresh(delivery)
        assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == (
            "delivered", 3, 204, None)
        assert receiver.refused == 2
        assert len(receiver.received) == 1
        assert verified(receiver.received[0], secret)["data"]["round"]["name"] == "Q4 2026"


def test_a_receiver_that_never_answers_is_given_up_and_can_be_re_sent(setting):
    plan, _, _, _, admin = setting
    with WebhookReceiver(fail_first=MAX_ATTEMPTS) as receiver:
        register(receiver.url, admin, events=["round.opened"])
        open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"},
                             now=NOW)
        at = NOW
        for _ in range(MAX_ATTEMPTS):
            deliver(at)
            at += timedelta(hours=6)
        delivery = db.session.query(WebhookDelivery).one()
        assert (delivery.state, delivery.attempts) == ("failed", MAX_ATTEMPTS)
        assert receiver.received == []
        resend_delivery(delivery.id, now=at)
        assert deliver(at)["delivered"] == 1
        assert len(receiver.received) == 1


def test_webhooks_of_one_plan_hear_nothing_of_another(setting, receiver):
    plan, _, _, _, admin = setting
    other = factories.plan()
    register(receiver.url, admin, events=["round.opened"], plan=other.slug)
    open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}, now=NOW)
    open_reporting_round(other, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}, now=NOW)
    deliver()
    assert [json.loads(r.body)["plan"]["slug"] for r in receiver.received] == [other.slug]


def test_an_overdue_action_is_told_once_per_due_date(setting, receiver):
    _, action, _, _, admin = setting
    register(receiver.url, admin, events=["action.overdue"])
    day_after = datetime(2027, 1, 1, 6, tzinfo=UTC)
    assert queue_overdue_actions(day_after) == 1
    assert queue_overdue_actions(day_after + timedelta(days=1)) == 0
    deliver(day_after + timedelta(days=1))
    assert len(receiver.received) == 1
    body = json.loads(receiver.received[0].body)
    assert body["data"]["action"]["code"] == action.code and body["data"]["days_overdue"] == 1


def test_a_name_that_resolves_to_loopback_is_not_called_unless_allowed(setting, receiver):
    plan, _, _, _, admin = setting
    register(receiver.url.replace("127.0.0.1", "localhost"), admin, events=["round.opened"])
    open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}, now=NOW)
    deliver(settings=WebhookSettings(timeout=5, allow_private=False))
    delivery = db.session.query(WebhookDelivery).one()
    assert receiver.received == []
    assert "non-public address" in delivery.last_error and delivery.state == "pending"


def test_admins_register_a_webhook_see_its_secret_once_and_re_send_a_delivery(client, login_as, receiver):
    admin = login_as("admin")
    page = client.get("/admin/webhooks/")
    assert page.status_code == 200 and "Register a webhook" in page.get_data(as_text=True)
    refused = client.post("/admin/webhooks/", data={
        "url": "http://169.254.169.254/latest/meta-data", "events": ["status.changed"],
        "csrf_token": csrf_token(client, "/admin/webhooks/")})
    assert refused.status_code == 422
    assert "Give a full URL starting with https://" in refused.get_data(as_text=True)
    refused = client.post("/admin/webhooks/", data={
        "url": "https://10.0.0.5/hook", "csrf_token": csrf_token(client, "/admin/webhooks/")})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "public internet addresses" in text and "Choose at least one of the events" in text

    made = client.post("/admin/webhooks/", data={
        "url": "https://hooks.example.org/tracker", "events": ["status.changed", "round.opened"],
        "csrf_token": csrf_token(client, "/admin/webhooks/")})
    assert made.status_code == 201
    secret = next(part.split('"')[0] for part in made.get_data(as_text=True).split('value="')[1:]
                  if part.startswith("whsec_"))
    index = client.get("/admin/webhooks/").get_data(as_text=True)
    assert "https://hooks.example.org/tracker" in index and secret not in index

    # A delivery that reached its receiver can be sent again from the page.
    endpoint, _ = register(receiver.url, admin, events=["round.opened"])
    plan = factories.plan()
    open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"}, now=NOW)
    deliver()
    delivery = db.session.query(WebhookDelivery).filter_by(endpoint_id=endpoint.id).one()
    page = client.get(f"/admin/webhooks/{endpoint.id}")
    assert "delivered" in page.get_data(as_text=True)
    resent = client.post(f"/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend",
                         data={"csrf_token": csrf_token(client, f"/admin/webhooks/{endpoint.id}")})
    assert resent.status_code == 302
    deliver(datetime.now(UTC) + timedelta(minutes=1))
    assert [r.headers["X-Tracker-Delivery"] for r in receiver.received] == [delivery.event_id] * 2


def test_only_admins_reach_the_webhooks_page(client, login_as):
    login_as("secretariat")
    assert client.get("/admin/webhooks/").status_code == 403
