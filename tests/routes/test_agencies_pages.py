"""The public agencies index and the reminders log: published plans only, nothing private."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.models import OutboxMessage, Reminder
from tracker.services.actions import update_action
from tracker.services.reports import save_report

TODAY = NOW.date()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def delivered_reminder(plan, agency, action, *, sent_at, n, rule="overdue"):
    message = OutboxMessage(
        recipient="focal@private.example.org", kind="reminder", subject="Secret subject line",
        message_id=f"<agencies-{n}@test>", state="sent", next_attempt_at=NOW, created_at=NOW, sent_at=sent_at,
        body_text="Private body text",
    )
    return Reminder(
        key=f"agencies-test-{n}", rule=rule, recipient="focal@private.example.org", plan_id=plan.id,
        agency_id=agency.id, action_id=action.id, period=str(n), created_at=NOW, message=message,
    )


def row_of(page: str, name: str) -> list[str]:
    """The cells of the index row whose heading names ``name``."""
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\"><a href=\"/agencies/\d+\">{re.escape(name)}</a>.*?</tr>", page, re.DOTALL)
    assert row, f"no row for {name}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row.group(0), re.DOTALL)]


def test_the_agencies_index_gives_each_agency_its_figures_from_published_plans(client, db_session):
    public = factories.plan(slug="public-plan")
    hidden = factories.plan(slug="hidden-plan", published=False)
    lead = factories.agency(name="Statistics Office", acronym="STO")
    factories.agency(name="Helper Agency", acronym="HLP")
    secret = factories.agency(name="Only In Drafts", acronym="OID")
    due = TODAY - timedelta(days=30)
    done = factories.action(public, lead_agency="STO", due_date=due, start_date=due - timedelta(days=90))
    late = factories.action(public, lead_agency="STO", due_date=due, start_date=due - timedelta(days=90),
                            supporting_agencies=["HLP"])
    factories.action(public, lead_agency="STO", due_date=due, start_date=due - timedelta(days=90))  # overdue
    factories.action(public, lead_agency="STO", due_date=TODAY + timedelta(days=60))  # open
    factories.action(hidden, lead_agency="STO", due_date=due, start_date=due - timedelta(days=90))  # not counted
    factories.action(hidden, lead_agency="OID")
    update_action(done, {"status": "fully_achieved", "percent_complete": 100, "reason": "Done."},
                  expected_version=done.version, actor=SYSTEM, now=NOW.replace(day=1) - timedelta(days=40))
    update_action(late, {"status": "fully_achieved", "percent_complete": 100, "reason": "Done."},
                  expected_version=late.version, actor=SYSTEM, now=NOW)

    page = text(client.get("/agencies"))
    assert "<h1>Agencies</h1>" in page
    # led, complete, of which late, overdue, open, supports, reports on time, reminders answered
    assert row_of(page, "Statistics Office (STO)")[:6] == ["4", "2", "1", "1 ⚠ overdue", "1", "0"]
    assert row_of(page, "Helper Agency (HLP)")[:6] == ["0", "0", "0", "0", "0", "1"]
    assert f'href="/agencies/{lead.id}"' in page
    assert "Only In Drafts" not in page and f"/agencies/{secret.id}" not in page
    assert client.get(f"/agencies/{secret.id}/reminders").status_code == 404


def test_the_reminders_log_says_what_was_sent_and_answered_without_private_details(client, db_session):
    plan = factories.plan(slug="reminded", title="Reminded plan")
    hidden = factories.plan(slug="hidden-reminders", published=False)
    agency = factories.agency(name="Water Board", acronym="WAB")
    author = factories.user("agency", agency="WAB")
    action = factories.action(plan, code="W1", title="Map the wells", lead_agency="WAB")
    other = factories.action(plan, code="W2", title="Count the pumps", lead_agency="WAB")
    secret = factories.action(hidden, code="H1", title="Draft work", lead_agency="WAB")
    db_session.add(delivered_reminder(plan, agency, action, sent_at=NOW - timedelta(days=10), n=1))
    db_session.add(delivered_reminder(plan, agency, other, sent_at=NOW - timedelta(days=3), n=2, rule="due_soon"))
    db_session.add(delivered_reminder(hidden, agency, secret, sent_at=NOW - timedelta(days=2), n=3))
    db_session.flush()
    save_report(action, {"narrative": "Wells mapped", "percent_complete": 50, "proposed_status": "ongoing"},
                author=author, now=NOW - timedelta(days=5), submit=True)

    summary = text(client.get("/agencies/reminders"))
    cells = row_of(summary, "Water Board (WAB)")
    assert cells[:3] == ["2", "1", "1"]  # sent, answered, not answered: the unpublished plan's is left out
    assert text(client.get("/agencies")).count(f'href="/agencies/{agency.id}/reminders"') >= 1

    log = text(client.get(f"/agencies/{agency.id}/reminders"))
    assert "Showing 1–2 of 2 reminders" in log
    assert re.search(r"W2</a> Count the pumps.*?Due soon.*?Not yet", log, re.DOTALL)
    answered_on = (NOW - timedelta(days=5)).date().isoformat()
    assert re.search(rf"W1</a> Map the wells.*?Overdue.*?Yes, report submitted {answered_on}", log, re.DOTALL)
    for private in ("focal@private.example.org", "Secret subject line", "Private body text", "Draft work", "H1"):
        assert private not in log and private not in summary
    bad = client.get(f"/agencies/{agency.id}/reminders?page=zzz")
    assert bad.status_code == 200 and "page: 'zzz' is not a whole number" in text(bad)
