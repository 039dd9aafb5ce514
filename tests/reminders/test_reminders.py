"""Reminders arrive exactly once, on the right days, over a real SMTP server on loopback."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests import factories
from tests.factories import SYSTEM
from tests.fixtures.servers import Mailbox, free_port
from tracker.models import OutboxMessage, Reminder
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import deliver_pending
from tracker.reminders.run import run_reminder_pass
from tracker.services.actions import assign_actions, set_paused, update_action
from tracker.services.reports import save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor

LINKS = LinkSettings(base_url="http://tracker.test", secret_key="test-secret-key")
DUE = date(2027, 3, 31)


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def mail_to(port: int | None) -> MailSettings:
    return MailSettings(server="127.0.0.1" if port else None, port=port or 25, use_tls=False, use_ssl=False,
                        username=None, password=None, sender="tracker@tracker.test", timeout=5)


def run(day: date, mailbox=None, *, digests=False, port=None):
    now = at(day)
    messages = run_reminder_pass(now, links=LINKS, templates=current_app.jinja_env, digests=digests)
    mail = mail_to(port or (mailbox.port if mailbox else None))
    outcome = deliver_pending(now, mail=mail, links=LINKS, templates=current_app.jinja_env, worker="test")
    return messages, outcome


@pytest.fixture
def world(db_session):
    plan = factories.plan(period_start="2027-01-01", period_end="2028-12-31")
    agency = factories.agency(acronym="MIN")
    focal = factories.user("agency", agency="MIN")
    secretariat = factories.user("secretariat")
    action = factories.action(plan, start_date="2027-01-01", due_date=DUE.isoformat())
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    return plan, agency, focal, secretariat, action


def subjects(mailbox, address):
    return [m["Subject"] for m in mailbox.to(address)]


def test_due_date_reminders_arrive_30_and_7_days_before_and_on_the_day_once_each(world, mailbox):
    _, _, focal, _, action = world
    sent_on = {}
    day = DUE - timedelta(days=40)
    while day <= DUE:
        before = len(mailbox.to(focal.email))
        run(day, mailbox)
        if len(mailbox.to(focal.email)) > before:
            sent_on[(DUE - day).days] = mailbox.to(focal.email)[-1]
        day += timedelta(days=1)
    assert sorted(sent_on) == [0, 7, 30]
    on_the_day = sent_on[0]
    text = on_the_day.get_body(("plain",)).get_content()
    assert "Due today" in text and action.title in text
    assert "Wednesday 31 March 2027" in sent_on[7].get_body(("plain",)).get_content()
    html = on_the_day.get_body(("html",)).get_content()
    assert "http://tracker.test/r/" in html


def test_overdue_reminders_every_7_days_and_escalation_at_14(world, mailbox):
    _, _, focal, secretariat, _ = world
    for offset in range(1, 23):
        run(DUE + timedelta(days=offset), mailbox)
    overdue = [s for s in subjects(mailbox, focal.email)]
    assert len(overdue) == 4  # days 1, 7, 14 and 21 after the due date: periods 0, 1, 2, 3
    escalations = mailbox.to(secretariat.email)
    assert len(escalations) == 1
    assert "14 days overdue" in escalations[0].get_body(("plain",)).get_content()


def test_one_digest_per_agency_listing_all_its_items(world, mailbox):
    plan, _, focal, secretariat, action = world
    second = factories.action(plan, start_date="2027-01-01", due_date="2027-02-01")
    assign_actions([second], {"lead_agency": "MIN"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    colleague = factories.user("agency", agency="MIN")
    factories.agency(acronym="OTH")
    other_action = factories.action(plan, due_date="2027-06-30")
    assign_actions([other_action], {"lead_agency": "OTH"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    outsider = factories.user("agency", agency="OTH")
    monday = date(2027, 3, 15)
    run(monday, mailbox, digests=True)
    run(monday + timedelta(days=2), mailbox, digests=True)  # same ISO week: nothing new
    digests = [m for m in mailbox.messages if m["Subject"].startswith("Weekly digest")]
    assert sorted(m["To"] for m in digests) == sorted([focal.email, colleague.email, outsider.email])
    body = next(m for m in digests if m["To"] == focal.email).get_body(("plain",)).get_content()
    assert action.title in body and second.title in body and "OVERDUE" in body
    assert other_action.title not in body
    summaries = [m for m in mailbox.to(secretariat.email) if m["Subject"].startswith("Weekly summary")]
    assert len(summaries) == 1


def test_items_for_one_person_travel_in_one_message(world, mailbox):
    plan, _, focal, _, action = world
    twin = factories.action(plan, start_date="2027-01-01", due_date=DUE.isoformat())
    assign_actions([twin], {"lead_agency": "MIN"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    run(DUE - timedelta(days=7), mailbox)
    [message] = mailbox.to(focal.email)
    text = message.get_body(("plain",)).get_content()
    assert action.title in text and twin.title in text


def test_missing_report_reminder_then_late_report_escalation(world, mailbox):
    plan, _, focal, secretariat, _action = world
    open_reporting_round(plan, {"name": "2027 Q1", "opens_on": "2027-01-01", "deadline": "2027-03-20"})
    run(date(2027, 3, 10), mailbox)
    texts = [m.get_body(("plain",)).get_content() for m in mailbox.to(focal.email)]
    assert any("Progress report due by Saturday 20 March 2027" in t for t in texts)
    run(date(2027, 3, 21), mailbox)
    late = [m for m in mailbox.to(secretariat.email) if "Report late" in m.get_body(("plain",)).get_content()]
    assert len(late) == 1


def test_a_submitted_report_stops_missing_report_reminders(world, mailbox):
    plan, _, focal, _, action = world
    open_reporting_round(plan, {"name": "2027 Q1", "opens_on": "2027-01-01", "deadline": "2027-03-20"})
    save_report(action, {"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing"},
                author=focal, now=at(date(2027, 3, 1)), submit=True)
    messages, _ = run(date(2027, 3, 10), mailbox)
    assert not any(r.rule == "missing_report" for m in messages for r in m.reminders)


def test_smtp_down_then_up_delivers_exactly_once(world, mailbox, db_session):
    _, _, focal, _, _ = world
    port = free_port()  # nothing listens here yet
    day = DUE - timedelta(days=7)
    messages, outcome = run(day, port=port)
    assert outcome["failed"] == 1
    [composed] = messages

    def stored():
        db_session.expire_all()
        return db_session.get(OutboxMessage, composed.id)

    message = stored()
    assert message.state == "pending" and message.attempts == 1 and "Connection refused" in message.last_error
    # Not yet time to retry: nothing happens.
    assert deliver_pending(at(day), mail=mail_to(port), links=LINKS,
                           templates=current_app.jinja_env, worker="t")["failed"] == 0
    late_box = Mailbox(port).start()
    try:
        outcome = deliver_pending(at(day) + timedelta(minutes=5), mail=mail_to(port), links=LINKS,
                                  templates=current_app.jinja_env, worker="t")
        assert outcome == {"sent": 1, "kept": 0, "failed": 0, "skipped": 0, "left": 0}
        outcome = deliver_pending(at(day) + timedelta(hours=1), mail=mail_to(port), links=LINKS,
                                  templates=current_app.jinja_env, worker="t")
        assert outcome["sent"] == 0
        assert len(late_box.to(focal.email)) == 1
        message = stored()
        assert message.state == "sent" and message.attempts == 2
    finally:
        late_box.stop()


def test_changing_the_due_date_cancels_pending_and_re_arms(world, db_session):
    _, _, focal, secretariat, action = world
    day = DUE - timedelta(days=7)
    [composed] = run_reminder_pass(at(day), links=LINKS, templates=current_app.jinja_env)  # claimed, not yet delivered
    new_due = DUE + timedelta(days=60)
    update_action(
        action,
        {"title": action.title, "status": "pending", "start_date": "2027-01-01",
         "due_date": new_due.isoformat(), "reason": "Budget delayed"},
        expected_version=action.version, actor=Actor.of(secretariat), now=at(day),
    )
    assert db_session.get(OutboxMessage, composed.id).state == "cancelled"
    assert run_reminder_pass(at(day + timedelta(days=1)), links=LINKS, templates=current_app.jinja_env) == []
    [rearmed] = run_reminder_pass(at(new_due - timedelta(days=7)), links=LINKS, templates=current_app.jinja_env)
    assert rearmed.recipient == focal.email
    assert "Due Sunday 30 May 2027" in rearmed.body_text


def test_pausing_cancels_and_resuming_re_arms(world, db_session):
    _, _, _focal, secretariat, action = world
    day = DUE - timedelta(days=7)
    [composed] = run_reminder_pass(at(day), links=LINKS, templates=current_app.jinja_env)
    set_paused(action, True, reason="Waiting for the law", actor=Actor.of(secretariat), now=at(day))
    assert db_session.get(OutboxMessage, composed.id).state == "cancelled"
    assert run_reminder_pass(at(DUE), links=LINKS, templates=current_app.jinja_env) == []
    set_paused(action, False, reason="Law passed", actor=Actor.of(secretariat), now=at(DUE))
    [again] = run_reminder_pass(at(DUE), links=LINKS, templates=current_app.jinja_env)
    assert "Due today" in again.body_text


def test_with_no_smtp_messages_are_kept_in_the_outbox(world, db_session):
    _, _, focal, _, _ = world
    _, outcome = run(DUE - timedelta(days=7))
    assert outcome["kept"] == 1
    message = db_session.scalars(select(OutboxMessage)).one()
    assert message.state == "kept" and message.recipient == focal.email and "Due" in message.body_text


def test_reminder_keys_are_unique_per_rule_recipient_item_and_period(world, db_session):
    run_reminder_pass(at(DUE - timedelta(days=7)), links=LINKS, templates=current_app.jinja_env)
    run_reminder_pass(at(DUE - timedelta(days=6)), links=LINKS, templates=current_app.jinja_env)
    keys = db_session.scalars(select(Reminder.key)).all()
    assert len(keys) == len(set(keys)) == 1
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def six_overdue_actions_with_reports_missing(plan):
    """Six actions of MIN, each overdue since 9 March 2027 and without its report for the round."""
    actions = [factories.action(plan, title=f"Overdue task {letter}", start_date="2027-01-01", due_date="2027-03-09")
               for letter in "ABCDEF"]
    assign_actions(actions, {"lead_agency": "MIN"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    open_reporting_round(plan, {"name": "2027 Q1", "opens_on": "2027-01-01", "deadline": "2027-03-20"})
    return actions


def test_a_reminder_lists_each_action_once_with_everything_owed_on_it(world, mailbox):
    """Issue 15: 6 actions, each overdue and with a report missing, made 12 entries; now 6,
    each with both lines and one set of links."""
    plan, _, focal, _, _ = world
    actions = six_overdue_actions_with_reports_missing(plan)
    run(date(2027, 3, 10), mailbox)
    [message] = mailbox.to(focal.email)
    text = message.get_body(("plain",)).get_content()
    entries = [line for line in text.splitlines() if line.startswith("* ")]
    assert len(entries) == 7  # the six, and the world's own action with its report missing
    for action in actions:
        [entry] = [line for line in entries if action.title in line]
        block = text.split(entry, 1)[1].split("\n* ", 1)[0]
        assert "- Overdue since Tuesday 9 March 2027" in block
        assert "- Progress report due by Saturday 20 March 2027" in block
        assert block.count("Report progress: http://tracker.test/r/") == 1
    assert text.count("Overdue since") == 6 and text.count("Progress report due by") == 7
    assert message["Subject"] == "Reminder: 7 actions need your attention"
    html = message.get_body(("html",)).get_content()
    assert html.count("Report progress</a>") == 7 and all(html.count(a.title) == 1 for a in actions)


def test_the_weekly_digest_lists_each_action_once(world, mailbox):
    plan, _, focal, _, _ = world
    actions = six_overdue_actions_with_reports_missing(plan)
    run(date(2027, 3, 15), mailbox, digests=True)
    [digest] = [m for m in mailbox.to(focal.email) if m["Subject"].startswith("Weekly digest")]
    text = digest.get_body(("plain",)).get_content()
    for action in actions:
        assert text.count(action.title) == 1, action.title
        block = text.split(action.title, 1)[1].split("\n* ", 1)[0]
        assert "Progress report for 2027 Q1 due by Saturday 20 March 2027" in block
    assert "Actions (7, overdue first)" in text
