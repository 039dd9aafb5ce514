"""The world the access matrix (tests/test_access_matrix.py) is checked against.

Built once, through the real services, with one object of every kind a route can be
asked about: a published and an unpublished plan, agencies A and B, a user per role,
progress reports of A in every state with a stored evidence file each (one open report
per action and round, so each in a round of its own; the withdrawn one on an action
that passed from A to B), rounds, an
outbox message, API tokens and signed reminder links. It keeps ids, slugs and codes
only (no ORM objects), so it outlives the sessions the tests open and close.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select

from tests import factories
from tests.factories import NOW
from tracker.calendars.addresses import issue_calendar_feed
from tracker.extensions import db
from tracker.models import Evidence, OutboxMessage, Subscription, User, WebhookDelivery
from tracker.reminders.links import sign_report_link
from tracker.services.actions import assign_actions
from tracker.services.assessments import open_assessment_round
from tracker.services.reports import accept_report, add_evidence_file, return_report, save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.tokens import create_token
from tracker.services.transaction import Actor
from tracker.webhooks.endpoints import register_endpoint
from tracker.webhooks.events import queue_event

REPORT_STATES = ("draft", "submitted", "returned", "accepted", "withdrawn")
SEARCH_WORD = "zebracorn"  # in public and private texts alike, so a search finds both


@dataclass
class World:
    pub_slug: str = "access-open-plan"
    hidden_slug: str = "access-hidden-plan"
    pub_area_id: int = 0
    hidden_area_id: int = 0
    rec_code: str = "AR1"
    rec_id: int = 0
    hidden_rec_code: str = "HR1"
    hidden_rec_id: int = 0
    action_a_id: int = 0        # published plan, led by agency A
    action_a_code: str = "AA1"
    action_b_id: int = 0        # published plan, led by agency B
    action_b_code: str = "AB1"
    hidden_action_id: int = 0   # unpublished plan, led by agency A
    hidden_action_code: str = "HA1"
    indicator_id: int = 0       # published plan, on action A
    indicator_code: str = "AI1"
    hidden_indicator_id: int = 0   # unpublished plan
    hidden_indicator_code: str = "HI1"
    agency_a_id: int = 0
    agency_b_id: int = 0
    hidden_agency_id: int = 0   # leads an action of the unpublished plan only
    reporting_round_id: int = 0
    assessment_round_id: int = 0           # published plan, open
    hidden_assessment_round_id: int = 0    # unpublished plan, open
    message_id: int = 0
    # "draft", "submitted", "returned", "accepted" (A's reports on action A),
    # "withdrawn" (A's draft on an action since passed to B) and "hidden_accepted"
    # (A's accepted report on the unpublished plan's action).
    reports: dict[str, int] = field(default_factory=dict)
    evidence: dict[str, int] = field(default_factory=dict)   # same keys: each report's file
    files: dict[str, bytes] = field(default_factory=dict)    # stored name -> content
    users: dict[str, int] = field(default_factory=dict)      # role -> user id
    emails: dict[str, str] = field(default_factory=dict)     # role -> email
    token_ids: dict[str, int] = field(default_factory=dict)  # role -> its API token's id
    secrets: dict[str, str] = field(default_factory=dict)    # role -> its API token
    calendar_token: str = ""    # A's focal point's secret calendar address
    subscription_token: str = ""  # someone's (unconfirmed) email subscription to the published plan
    webhook_id: int = 0
    webhook_delivery_id: int = 0
    link: str = ""              # signed reminder link: A's focal point, action A
    link_foreign: str = ""      # signed for A's focal point, but for B's action
    # Texts only A (and, once submitted, the secretariat) may read: never on a page or in
    # an API answer the public or agency B gets. All contain the word SEARCH_WORD.
    private_texts: list[str] = field(default_factory=list)

    def restore_files(self, upload_dir: str) -> None:
        """Put back evidence files a test removed from disk (the database rows come back by rollback)."""
        for name, content in self.files.items():
            path = os.path.join(upload_dir, name)
            if not os.path.exists(path):
                with open(path, "wb") as handle:
                    handle.write(content)


def build_world(upload_dir: str, secret_key: str) -> World:
    """Create the world through the services; every call commits (into the caller's transaction)."""
    w = World()
    plan = factories.plan(slug=w.pub_slug, title="Access: published plan", country="Accessland")
    hidden = factories.plan(slug=w.hidden_slug, title=f"Unpublished {SEARCH_WORD} plan", country="Accessland",
                            published=False)
    w.pub_area_id = factories.area(plan, code="PUB", name="Published area").id
    w.hidden_area_id = factories.area(hidden, code="HID", name="Hidden area").id
    w.agency_a_id = factories.agency(acronym="ACCA", name="Agency A", country="Accessland").id
    w.agency_b_id = factories.agency(acronym="ACCB", name="Agency B", country="Accessland").id
    w.hidden_agency_id = factories.agency(acronym="ACCH", name="Agency H", country="Accessland").id

    w.rec_id = factories.recommendation(plan, code=w.rec_code, area="PUB", text=f"Public {SEARCH_WORD} rec").id
    w.hidden_rec_id = factories.recommendation(hidden, code=w.hidden_rec_code, area="HID",
                                               text=f"Unpublished {SEARCH_WORD} recommendation").id
    action_a = factories.action(plan, code=w.action_a_code, lead_agency="ACCA", recommendations=[w.rec_code],
                                title=f"Public {SEARCH_WORD} action of A")
    action_b = factories.action(plan, code=w.action_b_code, lead_agency="ACCB", recommendations=[w.rec_code],
                                title=f"Public {SEARCH_WORD} action of B")
    hidden_action = factories.action(hidden, code=w.hidden_action_code, lead_agency="ACCA",
                                     recommendations=[w.hidden_rec_code], title=f"Unpublished {SEARCH_WORD} action")
    factories.action(hidden, code="HH1", lead_agency="ACCH", title=f"Unpublished {SEARCH_WORD} action of H")
    w.action_a_id, w.action_b_id, w.hidden_action_id = action_a.id, action_b.id, hidden_action.id
    w.indicator_id = factories.indicator(action_a, code=w.indicator_code).id
    w.hidden_indicator_id = factories.indicator(hidden_action, code=w.hidden_indicator_code).id
    w.private_texts = [hidden.title, f"Unpublished {SEARCH_WORD} recommendation", f"Unpublished {SEARCH_WORD} assessment",
                       f"Unpublished {SEARCH_WORD} action", f"Unpublished {SEARCH_WORD} action of H"]

    w.reporting_round_id = open_reporting_round(
        plan, {"name": "Access round", "opens_on": "2020-01-01", "deadline": "2099-12-31"}
    ).id
    users = {
        "agency": factories.user("agency", agency="ACCA"),
        "agency_b": factories.user("agency", agency="ACCB"),
        "secretariat": factories.user("secretariat"),
        "admin": factories.user("admin"),
        "assessor": factories.user("assessor"),
        "someone_else": factories.user("secretariat"),  # owns a token nobody else may revoke
    }
    for role, user in users.items():
        w.users[role], w.emails[role] = user.id, user.email
    w.assessment_round_id = open_assessment_round(
        plan, {"name": "Access assessment", "assessed_on": "2026-11-01"}, user=users["assessor"], now=NOW
    ).id
    w.hidden_assessment_round_id = open_assessment_round(
        hidden, {"name": f"Unpublished {SEARCH_WORD} assessment", "assessed_on": "2026-11-01"},
        user=users["admin"], now=NOW,
    ).id
    for role in ("agency", "agency_b", "secretariat", "admin", "someone_else"):
        # At the real time: the API checks expiry against the clock.
        token, secret = create_token(users[role], {"name": f"access matrix {role}", "scope": "read_write"},
                                     now=datetime.now(UTC))
        w.token_ids[role], w.secrets[role] = token.id, secret

    focal, reviewer = users["agency"], users["secretariat"]
    # One open report per action and round: each report of action A in a round of its own,
    # the draft in the current round (the latest opened).
    rounds = {
        state: open_reporting_round(plan, {"name": f"Access {state} round", "opens_on": f"2019-0{n}-01",
                                           "deadline": "2019-12-31"}).id
        for n, state in enumerate(("accepted", "returned", "submitted"), start=1)
    }

    def report(action, state: str, key: str) -> None:
        narrative = f"Narrative of the {key} {SEARCH_WORD} report"
        data = {"narrative": narrative, "percent_complete": 40, "proposed_status": "ongoing",
                "round_id": rounds.get(state) if action.id == w.action_a_id else None}
        made = save_report(action, data, author=focal, now=NOW, submit=False)
        content = b"%PDF-1.4 evidence of the " + key.encode() + b" report\n"
        filename = f"{key}-{SEARCH_WORD}-evidence.pdf"
        evidence = add_evidence_file(made, filename, io.BytesIO(content), user=focal,
                                     upload_dir=upload_dir, max_bytes=1024 * 1024, now=NOW)
        if state not in ("draft", "withdrawn"):
            save_report(action, data, author=focal, now=NOW, submit=True, report=made)
        if state == "accepted":
            accept_report(made, {}, reviewer=reviewer, now=NOW)
        elif state == "returned":
            return_report(made, {"comment": f"Returned: say more about {SEARCH_WORD}"}, reviewer=reviewer, now=NOW)
            w.private_texts.append(f"Returned: say more about {SEARCH_WORD}")
        elif state == "withdrawn":
            assign_actions([action], {"lead_agency": "ACCB"}, actor=Actor.of(reviewer), now=NOW)
        w.reports[key], w.evidence[key] = made.id, evidence.id
        w.files[evidence.stored_name] = content
        if key != "accepted":
            w.private_texts += [narrative, filename]

    for state in ("accepted", "returned", "submitted", "draft"):
        report(action_a, state, state)
    passed_on = factories.action(plan, code="AW1", lead_agency="ACCA", title=f"Passed from A to B {SEARCH_WORD}")
    report(passed_on, "withdrawn", "withdrawn")
    report(hidden_action, "accepted", "hidden_accepted")
    assert {k: db.session.get(Evidence, v).report.state for k, v in w.evidence.items()} == {
        **{s: s for s in REPORT_STATES}, "hidden_accepted": "accepted"
    }

    message = OutboxMessage(
        recipient=w.emails["agency"], recipient_user_id=w.users["agency"], kind="reminder",
        subject="Report due", body_text="Please report.", message_id="<access-matrix@example.org>",
        state="kept", next_attempt_at=NOW, created_at=NOW,
    )
    db.session.add(message)
    db.session.commit()
    w.message_id = message.id

    w.link = sign_report_link(secret_key, focal, action_a)
    w.link_foreign = sign_report_link(secret_key, focal, action_b)

    w.calendar_token = issue_calendar_feed(focal, now=NOW).token
    subscription = Subscription(email="follower@example.net", plan_id=plan.id, token="access-matrix-follow",
                                created_at=NOW)
    db.session.add(subscription)
    endpoint, _ = register_endpoint({"url": "https://hooks.example.org/access", "events": ["round.opened"]},
                                    acting_admin=db.session.get(User, w.users["admin"]), now=NOW,
                                    allow_private=False)
    queue_event("round.opened", plan_id=plan.id, data={}, now=NOW)
    db.session.commit()
    w.subscription_token, w.webhook_id = subscription.token, endpoint.id
    w.webhook_delivery_id = db.session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)).one()
    return w
