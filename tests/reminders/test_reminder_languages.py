"""A reminder and a weekly digest to a focal point who reads Spanish, or Russian, over a real
SMTP server: no English word of the interface in the subject or either body.

The content stays English (the action titles, codes, the plan's title, the agency's name:
what the secretariat typed), and is taken out of the text before the check; every other
word must come from the recipient's catalogue (``tests.fixtures.interface_words``).
"""

import re
from datetime import UTC, date, datetime

import pytest
from flask import current_app

from tests import factories
from tests.factories import SYSTEM
from tests.fixtures.interface_words import english_words, html_texts, report
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import deliver_pending
from tracker.reminders.run import run_reminder_pass
from tracker.services.actions import assign_actions
from tracker.services.rounds import open_reporting_round
from tracker.services.users import set_language

LINKS = LinkSettings(base_url="http://tracker.test", secret_key="test-secret-key")
# A digest day: the first action is due a week later, the second was due a week before.
MONDAY = date(2027, 3, 22)
TITLES = {
    "K1": ("Publish the 2027 budget as open data", "2027-03-29"),
    "K2": ("Open the register of public contracts", "2027-03-15"),
}


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)


@pytest.mark.parametrize("language", ["es", "ru"])
def test_a_focal_points_reminders_are_in_the_account_language(mailbox, language):
    plan = factories.plan(
        title="Open budget action plan", period_start="2027-01-01", period_end="2028-12-31"
    )
    agency = factories.agency(name="Ministry of Finance", acronym="MINFIN")
    focal = factories.user("agency", agency="MINFIN")
    set_language(focal, language, languages=current_app.config["LANGUAGES"])
    actions = [
        factories.action(plan, code=code, title=title, start_date="2027-01-01", due_date=due)
        for code, (title, due) in TITLES.items()
    ]
    assign_actions(actions, {"lead_agency": "MINFIN"}, actor=SYSTEM, now=at(date(2027, 1, 1)))
    open_reporting_round(
        plan, {"name": "First quarter", "opens_on": "2027-01-01", "deadline": "2027-03-31"}
    )

    now = at(MONDAY)
    run_reminder_pass(now, links=LINKS, templates=current_app.jinja_env, digests=True)
    mail = MailSettings(
        server="127.0.0.1",
        port=mailbox.port,
        use_tls=False,
        use_ssl=False,
        username=None,
        password=None,
        sender="tracker@tracker.test",
        timeout=5,
    )
    deliver_pending(now, mail=mail, links=LINKS, templates=current_app.jinja_env, worker="test")

    received = mailbox.to(focal.email)
    # The reminder (one due soon, one overdue, the round's report) and the weekly digest.
    assert len(received) == 2, [m["Subject"] for m in received]
    content = [
        plan.title,
        agency.name,
        agency.acronym,
        "First quarter",
        *(text for action in actions for text in (action.title, action.code)),
    ]
    texts = []
    for message in received:
        kind = message["Subject"]
        texts += [
            (f"{kind}: subject", message["Subject"]),
            (f"{kind}: text", message.get_body(("plain",)).get_content()),
        ]
        texts += [
            (f"{kind}: HTML {where}", text)
            for where, text in html_texts(message.get_body(("html",)).get_content())
        ]
    # Whole words only: a code may also occur inside a link's token.
    typed = re.compile("|".join(rf"(?<!\w){re.escape(written)}(?!\w)" for written in content))
    texts = [(where, typed.sub(" ", text)) for where, text in texts]
    found = english_words(language, texts)
    assert not found, report(found)
