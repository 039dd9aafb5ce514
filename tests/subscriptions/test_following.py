"""Following by email over a real SMTP server: confirm, one digest after changes, one-click unsubscribe."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.factories import SYSTEM
from tracker.extensions import db
from tracker.models import OutboxMessage, Subscription
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import deliver_pending
from tracker.services.recommendations import set_recommendation_status
from tracker.subscriptions.digests import queue_digests

LINKS = LinkSettings(base_url="http://127.0.0.1:5000", secret_key="test-secret-key")
READER = "reader@example.net"


def deliver(mailbox, at):
    mail = MailSettings(server="127.0.0.1", port=mailbox.port, use_tls=False, use_ssl=False, username=None,
                        password=None, sender="tracker@tracker.test", timeout=5)
    return deliver_pending(at, mail=mail, links=LINKS, templates=current_app.jinja_env, worker="test")


def digests(at):
    return queue_digests(at, links=LINKS, templates=current_app.jinja_env)


def link(message, kind: str) -> str:
    """The path of the confirm or unsubscribe link in a mail's text."""
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"http://127\.0\.0\.1:5000(/subscriptions/[^/\s]+/{kind})", text).group(1)


def change(rec, status, at):
    set_recommendation_status(rec, {"status": status, "reason": "Reviewed by the working group"}, actor=SYSTEM,
                              now=at)


@pytest.fixture
def water(db_session):
    plan = factories.plan(slug="water", title="Water plan")
    area = factories.area(plan, code="GOV", name="Governance")
    other_area = factories.area(plan, code="DATA", name="Data")
    rec = factories.recommendation(plan, code="R1", area="GOV")
    other = factories.recommendation(plan, code="R2", area="DATA")
    return plan, area, other_area, rec, other


def follow(client, **target):
    query = "&".join(f"{k}={v}" for k, v in target.items())
    page = client.get(f"/subscribe?{query}")
    assert page.status_code == 200
    return client.post("/subscribe", data={**target, "email": READER, "csrf_token": csrf_token(client, f"/subscribe?{query}")})


def test_confirm_then_one_digest_after_changes_then_unsubscribe_in_one_click(client, water, mailbox):
    _, _, _, rec, other = water
    asked = follow(client, plan="water")
    assert "Check your inbox" in asked.get_data(as_text=True)
    assert READER not in asked.get_data(as_text=True)
    start = datetime.now(UTC)  # the form's request wrote the confirmation at the real time
    change(rec, "ongoing", start)
    assert digests(start + timedelta(minutes=2)) == 0  # not confirmed: nothing but the confirmation
    deliver(mailbox, start + timedelta(minutes=2))
    [confirmation] = mailbox.to(READER)
    assert "Confirm: follow Water plan" in confirmation["Subject"]
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    confirm_path = link(confirmation, "confirm")
    assert "Confirm your subscription" in client.get(confirm_path).get_data(as_text=True)  # a GET changes nothing
    assert digests(start + timedelta(minutes=3)) == 0
    confirmed = client.post(confirm_path, data={"csrf_token": csrf_token(client, confirm_path)})
    assert "Subscription confirmed" in confirmed.get_data(as_text=True)

    at = datetime.now(UTC) + timedelta(minutes=5)
    change(rec, "fully_achieved", at + timedelta(minutes=1))
    change(other, "ongoing", at + timedelta(minutes=2))
    assert digests(at + timedelta(hours=1)) == 1
    assert digests(at + timedelta(hours=2)) == 0  # told once
    deliver(mailbox, at + timedelta(hours=2))
    deliver(mailbox, at + timedelta(hours=3))
    confirmation_and_digest = mailbox.to(READER)
    assert len(confirmation_and_digest) == 2
    digest = confirmation_and_digest[1]
    assert digest["Subject"] == "Water plan: 2 status changes"
    text = digest.get_body(("plain",)).get_content()
    assert "R1 Recommendation" in text and "Ongoing → Fully achieved" in text and "R2" in text
    unsubscribe_url = digest["List-Unsubscribe"].strip("<>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link(digest, "unsubscribe") in unsubscribe_url

    # What a mail program does for one-click unsubscribe (RFC 8058): a POST, no cookie, no form token.
    one_click = current_app.test_client().post(unsubscribe_url.split("5000", 1)[1],
                                               data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "Unsubscribed" in one_click.get_data(as_text=True)
    change(rec, "ongoing", at + timedelta(hours=4))
    assert digests(at + timedelta(hours=5)) == 0
    assert client.get(unsubscribe_url.split("5000", 1)[1]).status_code == 404


def test_an_area_follower_hears_only_of_that_area(client, water, mailbox):
    _, _, _, rec, other = water
    follow(client, plan="water", area="GOV")
    deliver(mailbox, datetime.now(UTC))
    confirm_path = link(mailbox.to(READER)[0], "confirm")
    client.post(confirm_path, data={"csrf_token": csrf_token(client, confirm_path)})
    at = datetime.now(UTC)
    change(other, "ongoing", at + timedelta(minutes=1))
    assert digests(at + timedelta(minutes=2)) == 0
    change(rec, "ongoing", at + timedelta(minutes=3))
    assert digests(at + timedelta(minutes=4)) == 1


def test_the_form_names_a_bad_address_and_an_unknown_plan(client, water):
    bad = client.post("/subscribe", data={"plan": "water", "email": "not an address",
                                          "csrf_token": csrf_token(client, "/subscribe?plan=water")})
    assert bad.status_code == 422 and "Enter an email address" in bad.get_data(as_text=True)
    assert client.get("/subscribe?plan=nope").status_code == 404


def test_a_followers_address_is_never_public(client, water, mailbox):
    follow(client, plan="water")
    deliver(mailbox, datetime.now(UTC))
    confirm_path = link(mailbox.to(READER)[0], "confirm")
    client.post(confirm_path, data={"csrf_token": csrf_token(client, confirm_path)})
    for path in ("/plans/water", "/open-data/plans/water.json", "/open-data/datapackage.json",
                 "/api/plans/water", "/plans/water/status-changes.atom", confirm_path):
        assert READER not in client.get(path).get_data(as_text=True), path


def test_a_long_digest_lists_fifty_changes_and_links_to_the_rest(water):
    plan, _, _, _, _ = water
    recs = [factories.recommendation(plan, code=f"L{n}") for n in range(60)]
    start = datetime.now(UTC)
    db.session.add(Subscription(email=READER, plan_id=plan.id, token="long-digest", created_at=start,
                                confirmed_at=start, notified_until=start))
    db.session.commit()
    for n, rec in enumerate(recs):
        change(rec, "ongoing", start + timedelta(seconds=n + 1))
    assert digests(start + timedelta(hours=1)) == 1
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "subscription_digest")).one()
    assert message.subject == "Water plan: 60 status changes"
    assert message.body_text.count("Pending → Ongoing") == 50
    assert "... and 10 more: http://127.0.0.1:5000/plans/water/changes" in message.body_text


def test_followers_of_one_plan_each_read_the_digest_in_their_language(db_session, mailbox):
    """One digest's rows serve every follower of a plan; each mail names the plan, the
    recommendation and the statuses in its reader's language, else the marked original."""
    import flask_babel

    plan = factories.plan(slug="agua", title="Water plan", published=True,
                          title_translations={"es": "Plan del agua"})
    rec = factories.recommendation(plan, code="R1", text="Publish the water data.",
                                   text_translations={"es": "Publicar los datos del agua."})
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for email, locale in (("lector@example.net", "es"), ("lecteur@example.net", "fr")):
        db.session.add(Subscription(email=email, plan_id=plan.id, token=email.split("@")[0], created_at=start,
                                    confirmed_at=start, notified_until=start, locale=locale))
    db.session.commit()
    change(rec, "ongoing", start + timedelta(hours=1))
    assert digests(start + timedelta(hours=2)) == 2
    deliver(mailbox, start + timedelta(hours=2))

    def words(locale, *messages):
        with flask_babel.force_locale(locale):
            return [flask_babel.gettext(m) for m in messages]

    [spanish] = mailbox.to("lector@example.net")
    text = spanish.get_body(("plain",)).get_content()
    html = spanish.get_body(("html",)).get_content()
    pending, ongoing = words("es", "Pending", "Ongoing")
    for body in (text, html):
        assert "Plan del agua" in body and "Publicar los datos del agua." in body
        assert f"{pending} → {ongoing}" in body
        assert "Water plan" not in body and "Publish the water data." not in body
    [french] = mailbox.to("lecteur@example.net")
    text = french.get_body(("plain",)).get_content()
    pending, ongoing, marker = words("fr", "Pending", "Ongoing", "(original in English)")
    assert f"Publish the water data. {marker}" in text and f"{pending} → {ongoing}" in text
    assert "Publicar" not in text
