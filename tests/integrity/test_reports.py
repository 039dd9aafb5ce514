"""Issue 12, items 5, 6, 7, 8 and 25: progress reports belong to the agency that wrote them,
stay private until accepted, are filed once per action and round, and text evidence is
sniffed for HTML after a byte-order mark.

Everything goes through the real routes (pages, reminder links, the JSON API) and, for the
concurrent creates, through gunicorn on a database of the suite's kind.
"""

from __future__ import annotations

import io
import json
import re
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW
from tests.fixtures import faults
from tests.fixtures.databases import app_on
from tracker.extensions import db
from tracker.models import REPORT_STATES, Action, Event, Evidence, Plan, ProgressReport
from tracker.reminders.links import sign_report_link
from tracker.services.access import can_view_report, report_visible
from tracker.services.actions import update_action
from tracker.services.errors import ReportConflict
from tracker.services.history import record_event
from tracker.services.reports import accept_report, add_evidence_file, return_report, save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor, atomic

PDF = b"%PDF-1.4 minutes of the steering committee\n"


@pytest.fixture
def uploads(app, tmp_path):
    """Evidence files go to a folder of this test's own."""
    before = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = before


@pytest.fixture
def world(db_session, uploads):
    """A published plan: OLD leads the action, SUP supports it; NEW will take it over; OUT is unrelated."""
    plan = factories.plan(slug="integrity-plan", title="Integrity plan")
    for acronym in ("OLD", "NEW", "SUP", "OUT"):
        factories.agency(acronym=acronym, name=f"Agency {acronym}")
    rec = factories.recommendation(plan, code="R1", text="Publish the budget")
    action = factories.action(plan, code="A1", title="Open the budget data", lead_agency="OLD",
                              supporting_agencies=["SUP"], recommendations=[rec.code], due_date="2099-12-31")
    round_ = open_reporting_round(plan, {"name": "Round 2026", "opens_on": "2020-01-01", "deadline": "2099-12-31"})
    return SimpleNamespace(
        plan=plan, rec=rec, action=action, round=round_,
        old=factories.user("agency", agency="OLD"), new=factories.user("agency", agency="NEW"),
        sup=factories.user("agency", agency="SUP"), out=factories.user("agency", agency="OUT"),
        secretariat=factories.user("secretariat"), admin=factories.user("admin"),
        assessor=factories.user("assessor"),
    )


def form(intent="draft", **fields):
    return {"narrative": "", "percent_complete": "30", "proposed_status": "ongoing", "links": "",
            "intent": intent, **fields}


def post(client, url, data, **kwargs):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/sign-in")}, **kwargs)


def download(client, evidence_id: int) -> int:
    """The status of an evidence download (the file is closed: it is streamed from disk)."""
    response = client.get(f"/evidence/{evidence_id}")
    response.close()
    return response.status_code


def reports_of(action) -> list[ProgressReport]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ProgressReport).where(ProgressReport.action_id == action.id).order_by(ProgressReport.id)
    ))


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_token(user, name='integrity')}"}


def public_get(app, path: str):
    """A GET by the public: a browser with no cookie, in an application context of its own
    (Flask-Login caches the signed-in user in ``g``, which the test's context would share)."""
    with app.app_context():
        return app.test_client().get(path)


def reassign(client, auth, world, lead: str) -> None:
    """The secretariat makes ``lead`` the lead agency of the action, through the workspace."""
    auth.logout()
    auth.login(world.secretariat.email)
    response = post(client, f"/secretariat/plans/{world.plan.slug}/assign",
                    {"action": str(world.action.id), "lead_agency": lead, "reason": "New mandate"})
    assert response.status_code == 302, response.get_data(as_text=True)
    auth.logout()


# --------------------------------------------------------------------------- item 5


def test_reassignment_leaves_the_old_leads_draft_and_files_with_it_and_the_new_lead_starts_afresh(
    client, auth, world, uploads
):
    """Issue 12 item 5: a draft stays with the agency that wrote it; the new lead cannot open,
    submit or download it, and starts its own report; the old agency sees it withdrawn."""
    auth.login(world.old.email)
    response = post(client, f"/agency/actions/{world.action.id}/report",
                    form(narrative="OLD's unfinished thoughts", file=(io.BytesIO(PDF), "old-minutes.pdf")),
                    content_type="multipart/form-data")
    assert response.status_code == 302
    draft_url = response.headers["Location"]
    [draft] = reports_of(world.action)
    [evidence] = draft.evidence
    assert draft.agency_id == world.old.agency_id

    reassign(client, auth, world, "NEW")

    auth.login(world.new.email)
    start = client.get(f"/agency/actions/{world.action.id}/report")
    assert start.status_code == 200, start.headers.get("Location")  # a fresh form, not OLD's draft
    assert "OLD&#39;s unfinished thoughts" not in start.get_data(as_text=True)
    assert client.get(draft_url).status_code == 404
    assert download(client, evidence.id) == 404
    assert post(client, draft_url, form("submit", narrative="Taken over")).status_code == 404
    assert client.get(f"/api/v1/reports/{draft.id}", headers=bearer(world.new)).status_code == 404
    response = post(client, f"/agency/actions/{world.action.id}/report",
                    form("submit", narrative="NEW's own report", percent_complete="45"))
    assert response.status_code == 302
    old, new = reports_of(world.action)
    assert (old.state, old.agency_id, old.narrative) == ("withdrawn", world.old.agency_id, "OLD's unfinished thoughts")
    assert (new.state, new.agency_id, new.author_id) == ("submitted", world.new.agency_id, world.new.id)
    assert new.evidence == []
    auth.logout()

    auth.login(world.old.email)
    owe = client.get("/agency/").get_data(as_text=True)
    assert "Withdrawn" in owe and "A1" in owe and draft_url in owe
    page = client.get(draft_url)
    assert page.status_code == 200
    text_ = page.get_data(as_text=True)
    assert "withdrawn" in text_.lower() and "reassigned" in text_ and "OLD&#39;s unfinished thoughts" in text_
    assert "<textarea" not in text_ and "Save draft" not in text_  # read-only
    assert post(client, draft_url, form("submit", narrative="Sneaked in")).status_code in (403, 422)
    assert download(client, evidence.id) == 200  # still its own file
    assert reports_of(world.action)[0].state == "withdrawn"
    auth.logout()

    # The withdrawal is on the action's timeline for the secretariat, not for the public.
    auth.login(world.secretariat.email)
    staff_page = client.get(f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    assert "withdrawn" in staff_page.lower()
    public_page = public_get(client.application, f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    assert "withdrawn" not in public_page.lower() and "unfinished" not in public_page


def test_a_returned_report_stays_with_its_author_after_reassignment(client, auth, world):
    """Issue 12 item 5: a returned report being corrected is withdrawn from the old lead, not handed over."""
    auth.login(world.old.email)
    response = post(client, f"/agency/actions/{world.action.id}/report", form("submit", narrative="First go"))
    assert response.status_code == 302
    [report] = reports_of(world.action)
    return_report(report, {"comment": "Add the budget line items"}, reviewer=world.secretariat, now=NOW)

    reassign(client, auth, world, "NEW")

    auth.login(world.new.email)
    assert client.get(f"/agency/actions/{world.action.id}/report").status_code == 200
    assert client.get(f"/agency/reports/{report.id}").status_code == 404
    assert "Add the budget line items" not in client.get("/agency/").get_data(as_text=True)
    assert post(client, f"/agency/actions/{world.action.id}/report",
                form("submit", narrative="NEW starts over")).status_code == 302
    states = [(r.state, r.agency_id) for r in reports_of(world.action)]
    assert states == [("withdrawn", world.old.agency_id), ("submitted", world.new.agency_id)]


def test_a_waiting_report_of_the_old_lead_is_withdrawn_when_returned_after_reassignment(client, auth, world):
    """Issue 12 item 5: the old lead can no longer correct a report, so returning it withdraws it."""
    auth.login(world.old.email)
    post(client, f"/agency/actions/{world.action.id}/report", form("submit", narrative="Done before the move"))
    [report] = reports_of(world.action)
    reassign(client, auth, world, "NEW")

    auth.login(world.secretariat.email)
    response = post(client, f"/secretariat/reviews/{report.id}/return", {"return_comment": "Too vague"})
    assert response.status_code == 302
    assert reports_of(world.action)[0].state == "withdrawn"
    auth.logout()
    auth.login(world.new.email)
    assert post(client, f"/agency/actions/{world.action.id}/report",
                form("submit", narrative="NEW reports")).status_code == 302


def test_editing_the_lead_on_the_action_form_also_withdraws_the_old_leads_draft(world):
    """Issue 12 item 5: every way of changing the lead (here the edit form's service) withdraws."""
    draft = save_report(world.action, {"narrative": "Half done", "percent_complete": 20,
                                       "proposed_status": "ongoing"}, author=world.old, now=NOW, submit=False)
    action = world.action
    update_action(action, {"lead_agency": "NEW", "reason": "Mandate moved"}, expected_version=action.version,
                  actor=Actor.of(world.secretariat), now=NOW)
    db.session.refresh(draft)
    assert draft.state == "withdrawn"
    kinds = db.session.scalars(select(Event.kind).where(Event.subject_id == action.id,
                                                        Event.subject_type == "action")).all()
    assert "report_withdrawn" in kinds


# --------------------------------------------------------------------------- item 6


def test_a_supporting_agency_cannot_read_the_leads_draft(client, auth, world, uploads):
    """Issue 12 item 6: "only your agency sees it until you submit it" is what happens."""
    auth.login(world.old.email)
    response = post(client, f"/agency/actions/{world.action.id}/report",
                    form(narrative="Our private draft", file=(io.BytesIO(PDF), "draft-minutes.pdf")),
                    content_type="multipart/form-data")
    draft_url = response.headers["Location"]
    assert "only your agency sees it until you submit it" in client.get(draft_url).get_data(as_text=True)
    [draft] = reports_of(world.action)
    auth.logout()

    auth.login(world.sup.email)
    assert client.get(draft_url).status_code == 404
    assert download(client, draft.evidence[0].id) == 404
    assert "Our private draft" not in client.get(f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    headers = bearer(world.sup)
    assert client.get(f"/api/v1/reports/{draft.id}", headers=headers).status_code == 404
    listed = client.get(f"/api/v1/actions/{world.action.id}/reports", headers=headers).get_json()
    assert listed == []


VIEWERS = ("anonymous", "secretariat", "admin", "assessor", "old", "new", "sup", "out")
# Who sees a report, by state: the author agency (OLD) always; the secretariat and the
# agencies of the action from submission on; everyone once accepted on a published plan.
EXPECTED = {
    "draft": {"old"},
    "returned": {"old"},
    "withdrawn": {"old"},
    "submitted": {"old", "secretariat", "admin", "sup"},
    "accepted": {"old", "secretariat", "admin", "sup", "anonymous", "assessor", "new", "out"},
    "accepted-unpublished": {"old", "secretariat", "admin", "sup"},
}


def test_report_visibility_is_one_rule_in_python_and_sql_for_every_state_and_viewer(app, client, world, uploads):
    """Issue 12 item 6: the Python check (pages, evidence downloads) and the SQL predicate (API)
    agree with each other and with the rule, for every report state and every kind of viewer."""
    hidden = factories.plan(slug="integrity-hidden", published=False)
    reports = {}

    def make(state: str, plan: Plan, code: str) -> None:
        action = factories.action(plan, code=code, lead_agency="OLD", supporting_agencies=["SUP"])
        report = save_report(action, {"narrative": f"{state} narrative", "percent_complete": 10,
                                      "proposed_status": "ongoing"}, author=world.old, now=NOW, submit=False)
        add_evidence_file(report, "proof.pdf", io.BytesIO(PDF), user=world.old, upload_dir=str(uploads),
                          max_bytes=1 << 20, now=NOW)
        if state not in ("draft", "withdrawn"):
            save_report(action, {"narrative": f"{state} narrative", "percent_complete": 10,
                                 "proposed_status": "ongoing"}, author=world.old, now=NOW, submit=True,
                        report=report)
        if state.startswith("accepted"):
            accept_report(report, {}, reviewer=world.secretariat, now=NOW)
        elif state == "returned":
            return_report(report, {"comment": "Say more"}, reviewer=world.secretariat, now=NOW)
        elif state == "withdrawn":
            update_action(action, {"lead_agency": "NEW", "reason": "Moved"}, expected_version=action.version,
                          actor=Actor.of(world.secretariat), now=NOW)
        reports[state] = report

    for n, state in enumerate(("draft", "submitted", "returned", "accepted", "withdrawn")):
        make(state, world.plan, f"V{n}")
    make("accepted-unpublished", hidden, "V9")
    assert {k: r.state for k, r in reports.items()} == {
        **{s: s for s in REPORT_STATES}, "accepted-unpublished": "accepted"}

    users = {name: getattr(world, name, None) for name in VIEWERS}
    tokens = {name: bearer(user) for name, user in users.items()
              if user is not None and user.role in ("secretariat", "admin", "agency")}
    for name, user in users.items():
        for state, report in reports.items():
            expected = name in EXPECTED[state]
            python = can_view_report(user, report)
            sql = db.session.scalars(
                select(ProgressReport.id).join(Action, ProgressReport.action_id == Action.id)
                .join(Plan, Action.plan_id == Plan.id)
                .where(ProgressReport.id == report.id, report_visible(user))
            ).first() is not None
            assert python == sql == expected, (state, name, python, sql)

        downloads = {state: report.evidence[0].id for state, report in reports.items()}
        with app.app_context():  # a browser of its own (Flask-Login caches the user in ``g``)
            browser = app.test_client()
            if user is not None:
                assert browser.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD,
                                                      "csrf_token": csrf_token(browser)}).status_code == 302
            for state, evidence_id in downloads.items():
                expected = name in EXPECTED[state]
                status = download(browser, evidence_id)
                assert status == (200 if expected else 404), (state, name, "evidence", status)
                if name == "anonymous" or name in tokens:
                    api = app.test_client().get(f"/api/v1/reports/{reports[state].id}", headers=tokens.get(name, {}))
                    assert api.status_code == (200 if expected else 404), (state, name, "api", api.status_code)


# --------------------------------------------------------------------------- item 7

PUBLIC_PATHS = (
    "/plans/integrity-plan/actions/A1",
    "/plans/integrity-plan/recommendations/R1",
    "/plans/integrity-plan",
    "/changes",
    "/plans/integrity-plan/changes",
    "/open-data/plans/integrity-plan.json",
    "/open-data/status_changes.csv",
    "/open-data/plans/integrity-plan/status_changes.csv",
    "/open-data/actions.csv",
    "/feeds/status-changes.atom",
    "/plans/integrity-plan/status-changes.atom",
)


def public_texts(app, world) -> str:
    """Everything the public can read about the plan: pages, open data, feeds and the API."""
    bodies = []
    for path in (*PUBLIC_PATHS, f"/api/v1/actions/{world.action.id}/reports",
                 *(f"/api/v1/reports/{r.id}" for r in reports_of(world.action))):
        response = public_get(app, path)
        assert response.status_code in (200, 404), (path, response.status_code)
        bodies.append(response.get_data(as_text=True))
    # Layout is not information: the HTML Gantt places bars at CSS percentages ("left:18.237%").
    return re.sub(r'\sstyle="[^"]*"', "", "\n".join(bodies))


def return_then_accept(client, auth, world, *, accept: dict) -> ProgressReport:
    """OLD submits 37 %, the secretariat returns it, OLD corrects it to 64 %, the secretariat accepts."""
    auth.login(world.old.email)
    url = f"/agency/actions/{world.action.id}/report"
    assert post(client, url, form("submit", narrative="First figures", percent_complete="37")).status_code == 302
    [report] = reports_of(world.action)
    auth.logout()
    auth.login(world.secretariat.email)
    assert post(client, f"/secretariat/reviews/{report.id}/return",
                {"return_comment": "RETURN-SECRET the 37 is wrong"}).status_code == 302
    auth.logout()
    auth.login(world.old.email)
    assert post(client, f"/agency/reports/{report.id}",
                form("submit", narrative="Corrected figures", percent_complete="64")).status_code == 302
    auth.logout()
    auth.login(world.secretariat.email)
    review = client.get(f"/secretariat/reviews/{report.id}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="accept_comment_public"[^>]*>', review)
    assert box and 'type="checkbox"' in box.group(0) and "checked" not in box.group(0)  # private by default
    assert "public" in review.split('name="accept_comment_public"', 1)[1][:400].lower()
    assert post(client, f"/secretariat/reviews/{report.id}/accept", accept).status_code == 302
    return report


def test_a_returned_report_and_a_private_acceptance_comment_never_become_public(app, client, auth, world):
    """Issue 12 item 7: once the corrected report is accepted, the public sees its accepted
    figures only: never the first submission's figures, the return comment or a private comment."""
    report = return_then_accept(client, auth, world, accept={"accept_comment": "ACCEPT-PRIVATE well done"})
    db.session.refresh(report)
    assert (report.state, report.comment_public) == ("accepted", False)

    seen = public_texts(app, world)
    assert "Corrected figures" in seen and "64" in seen  # the accepted report is public
    for secret in ("RETURN-SECRET", "ACCEPT-PRIVATE", "37%", "37 %", "First figures"):
        assert secret not in seen, secret

    # The secretariat and the author agency still have the whole exchange.
    staff_page = client.get(f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    assert "RETURN-SECRET" in staff_page and "37%" in staff_page
    assert "ACCEPT-PRIVATE" in client.get(f"/secretariat/reviews/{report.id}").get_data(as_text=True)
    auth.logout()
    auth.login(world.old.email)
    assert "ACCEPT-PRIVATE" in client.get(f"/agency/reports/{report.id}").get_data(as_text=True)
    auth.logout()
    auth.login(world.sup.email)  # a supporting agency reads the accepted report, not the private exchange
    seen_by_sup = client.get(f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    assert "Corrected figures" in seen_by_sup
    assert "RETURN-SECRET" not in seen_by_sup and "ACCEPT-PRIVATE" not in seen_by_sup


def test_an_acceptance_comment_ticked_public_is_public(app, client, auth, world):
    """Issue 12 item 7: the tick box makes the acceptance comment public, and only then."""
    report = return_then_accept(client, auth, world, accept={"accept_comment": "ACCEPT-PUBLIC portal live",
                                                             "accept_comment_public": "1"})
    db.session.refresh(report)
    assert report.comment_public is True
    assert "ACCEPT-PUBLIC" in public_get(app, f"/plans/{world.plan.slug}/actions/A1").get_data(as_text=True)
    assert "ACCEPT-PUBLIC" in public_get(app, f"/open-data/plans/{world.plan.slug}.json").get_data(as_text=True)
    assert public_get(app, f"/api/v1/reports/{report.id}").get_json()["reviewer_comment"] == "ACCEPT-PUBLIC portal live"
    assert "ACCEPT-PUBLIC" in public_get(app, "/feeds/status-changes.atom").get_data(as_text=True)
    assert "RETURN-SECRET" not in public_texts(app, world)


def test_the_api_stores_the_acceptance_comment_private_unless_asked(client, world):
    """Issue 12 item 7: over the API too, an acceptance comment is private by default."""
    report = save_report(world.action, {"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing"},
                         author=world.old, now=NOW, submit=True)
    response = client.post(f"/api/v1/reports/{report.id}/accept", headers=bearer(world.secretariat),
                           json={"comment": "API-PRIVATE"})
    assert response.status_code == 200 and response.get_json()["comment_public"] is False
    assert client.get(f"/api/v1/reports/{report.id}").get_json()["reviewer_comment"] is None
    assert "API-PRIVATE" not in public_get(client.application, f"/plans/{world.plan.slug}/actions/A1").get_data(
        as_text=True)


# --------------------------------------------------------------------------- item 8


def test_no_change_posted_three_times_files_one_report(app, client, world):
    """Issue 12 item 8: the reminder link's "no change" files one report; again, it shows that one."""
    token = sign_report_link(app.config["SECRET_KEY"], world.old, world.action)
    url = f"/r/{token}/no-change"
    answers = [client.post(url, data={"csrf_token": csrf_token(client)}) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 409, 409]
    [report] = reports_of(world.action)
    assert report.state == "submitted"
    page = answers[2].get_data(as_text=True)
    assert "already" in page and "waiting for review" in page
    assert f"/agency/reports/{report.id}" in page
    assert client.get(url).status_code == 200  # the confirmation page now says it was used
    assert "waiting for review" in client.get(url).get_data(as_text=True)


def test_a_used_reminder_link_shows_the_waiting_report_instead_of_filing_another(app, client, world):
    """Issue 12 item 8: a reminder link works once, form or "no change"."""
    token = sign_report_link(app.config["SECRET_KEY"], world.old, world.action)
    url = f"/r/{token}"
    data = {"narrative": "Budget published", "percent_complete": "55", "proposed_status": "ongoing", "links": ""}
    assert client.post(url, data={**data, "csrf_token": csrf_token(client)}).status_code == 302
    [report] = reports_of(world.action)
    assert report.link_id

    again = client.get(url)
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "waiting for review" in page and "Budget published" in page and 'name="narrative"' not in page
    second = client.post(url, data={**data, "narrative": "Twice", "csrf_token": csrf_token(client)})
    assert second.status_code == 409 and "Budget published" in second.get_data(as_text=True)
    no_change = client.post(f"{url}/no-change", data={"csrf_token": csrf_token(client)})
    assert no_change.status_code == 409
    assert len(reports_of(world.action)) == 1

    # Once reviewed it is still the link's report: the link never files a second one.
    accept_report(report, {}, reviewer=world.secretariat, now=NOW)
    third = client.post(url, data={**data, "csrf_token": csrf_token(client)})
    assert third.status_code == 409 and "accepted" in third.get_data(as_text=True).lower()
    assert len(reports_of(world.action)) == 1


def test_a_second_submission_through_the_agency_pages_answers_409_with_a_link(client, auth, world):
    """Issue 12 item 8: one open report per action and round, with a link to the one waiting."""
    auth.login(world.old.email)
    url = f"/agency/actions/{world.action.id}/report"
    assert post(client, url, form("submit", narrative="First")).status_code == 302
    [report] = reports_of(world.action)
    page = client.get(url)
    assert page.status_code == 200 and f"/agency/reports/{report.id}" in page.get_data(as_text=True)
    assert 'name="narrative"' not in page.get_data(as_text=True)
    second = post(client, url, form("submit", narrative="Second"))
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "waiting for review" in body and f"/agency/reports/{report.id}" in body
    assert len(reports_of(world.action)) == 1


def test_a_second_api_create_answers_409_with_the_waiting_reports_url(client, world):
    """Issue 12 item 8: the API answers 409 JSON naming the report already open."""
    headers = bearer(world.old)
    body = {"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing", "submit": True}
    first = client.post(f"/api/v1/actions/{world.action.id}/reports", headers=headers, json=body)
    assert first.status_code == 201
    second = client.post(f"/api/v1/actions/{world.action.id}/reports", headers=headers, json=body)
    assert second.status_code == 409
    answer = second.get_json()
    assert answer["report_url"] == first.headers["Location"]
    assert "waiting for review" in answer["message"]
    # A draft is an open report too: the API cannot start a second one beside it.
    other = factories.action(world.plan, code="A2", lead_agency="OLD")
    draft = client.post(f"/api/v1/actions/{other.id}/reports", headers=headers, json={**body, "submit": False})
    assert draft.status_code == 201
    again = client.post(f"/api/v1/actions/{other.id}/reports", headers=headers, json=body)
    assert again.status_code == 409 and again.get_json()["report_url"] == draft.headers["Location"]


def test_a_second_report_and_a_reused_link_are_refused_naming_the_report_there(world):
    """No lookup comes first: the unique indexes refuse, and the refusal names what is there."""
    body = {"narrative": "One", "percent_complete": 10, "proposed_status": "ongoing"}
    first = save_report(world.action, body, author=world.old, now=NOW, submit=True, link_id="k" * 64)
    with pytest.raises(ReportConflict, match="waiting for review") as refused:
        save_report(world.action, {**body, "narrative": "Two"}, author=world.old, now=NOW, submit=True)
    assert refused.value.report_id == first.id and not refused.value.link_used
    other = factories.action(world.plan, code="A4", lead_agency="OLD")
    with pytest.raises(ReportConflict, match="This link has already filed a report") as reused:
        save_report(other, body, author=world.old, now=NOW, submit=True, link_id="k" * 64)
    assert reused.value.report_id == first.id and reused.value.link_used
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 1
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "report_submitted")) == 1


def test_inside_a_larger_operation_a_refused_report_takes_back_only_itself(world):
    """Joined to an outer operation, the refusal rolls back to a savepoint: what the operation
    wrote before stays, and it may go on and commit."""
    body = {"narrative": "One", "percent_complete": 10, "proposed_status": "ongoing"}
    first = save_report(world.action, body, author=world.old, now=NOW, submit=True)
    with atomic():
        record_event(world.action, "note", "Written before the refused report", actor=Actor.system("test"), now=NOW)
        with pytest.raises(ReportConflict) as refused:
            save_report(world.action, body, author=world.old, now=NOW, submit=True)
        assert refused.value.report_id == first.id
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.kind == "note")) == 1
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 1


def test_the_database_refuses_a_second_open_report_and_a_link_used_twice(world):
    """Issue 12 item 8: the rule is the database's, not only a check in the service."""
    first = save_report(world.action, {"narrative": "One", "percent_complete": 10, "proposed_status": "ongoing"},
                        author=world.old, now=NOW, submit=True, link_id="l" * 64)
    columns = ("action_id, round_id, agency_id, author_id, narrative, percent_complete, proposed_status_key, "
               "state, created_at, comment_public")
    insert = text(f"INSERT INTO progress_reports ({columns}, link_id) VALUES (:action, :round, :agency, "
                  ":author, 'Two', 10, 'ongoing', :state, :now, false, :link)")
    values = {"action": world.action.id, "round": world.round.id, "agency": world.old.agency_id,
              "author": world.old.id, "now": NOW}
    for state, link in (("draft", None), ("submitted", None), ("returned", None), ("accepted", "l" * 64)):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(insert, {**values, "state": state, "link": link})
    # Outside any round (round_id NULL) the rule holds too.
    other = factories.action(world.plan, code="A3", lead_agency="OLD")
    for _ in range(2):
        db.session.execute(insert, {**values, "action": other.id, "round": None, "state": "accepted", "link": None})
    db.session.execute(insert, {**values, "action": other.id, "round": None, "state": "submitted", "link": None})
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert, {**values, "action": other.id, "round": None, "state": "draft", "link": None})
    assert first.state == "submitted"


@pytest.mark.scratch_db
@pytest.mark.process
def test_four_concurrent_api_creates_file_one_report(scratch, tmp_path):
    """Issue 12 item 8: four clients creating at once through gunicorn: one 201, three clear 409s."""
    url = scratch.migrated("reports_concurrent")
    server = None
    try:
        [reporter] = faults.build_reporting_world(url, 1)
        server = faults.gunicorn(url, workers=4, log_dir=tmp_path).start()
        headers = {"Authorization": f"Bearer {reporter.token}", "Content-Type": "application/json"}
        body = json.dumps({"narrative": "At once", "percent_complete": 20, "proposed_status": "ongoing",
                           "submit": True}).encode()
        for attempt in range(3):  # three rounds of four, each on a fresh action
            action_id = reporter.action_id if attempt == 0 else _another_action(url, reporter, attempt)
            barrier = threading.Barrier(4)
            answers = []

            def create(action_id=action_id, barrier=barrier, answers=answers):
                barrier.wait()
                answers.append(faults.request(server.port, "POST", f"/api/v1/actions/{action_id}/reports",
                                               body, headers))

            threads = [threading.Thread(target=create) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            codes = sorted(status for status, _ in answers)
            assert codes == [201, 409, 409, 409], (codes, answers, server.log_text())
            created = next(json.loads(answer) for status, answer in answers if status == 201)
            for status, answer in answers:
                if status == 409:
                    assert json.loads(answer)["report_url"] == f"/api/v1/reports/{created['id']}"
            assert _stored(url, action_id) == 1
    finally:
        if server is not None:
            server.kill()


def _another_action(url: str, reporter, n: int) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            row = conn.execute(text("SELECT plan_id, lead_agency_id FROM actions WHERE id = :id"),
                               {"id": reporter.action_id}).one()
            return conn.execute(text(
                "INSERT INTO actions (plan_id, code, title, description, lead_agency_id, percent_complete, "
                "status_key, position, version, updated_at, paused) VALUES (:plan, :code, 'Another', '', :lead, "
                "0, 'ongoing', :n, 1, :now, false) RETURNING id"),
                {"plan": row.plan_id, "code": f"C{n}", "lead": row.lead_agency_id, "n": 100 + n, "now": NOW},
            ).scalar_one()
    finally:
        engine.dispose()


def _stored(url: str, action_id: int) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM progress_reports WHERE action_id = :id"),
                                {"id": action_id}).scalar_one()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- item 25

HTML_BEHIND_A_BOM = [
    ("bom-html.txt", b"\xef\xbb\xbf<html><script>alert(1)</script></html>"),
    ("bom-space-doctype.txt", b"\xef\xbb\xbf \r\n\t<!DOCTYPE html><p>hi</p>"),
    ("two-boms.txt", b"\xef\xbb\xbf\xef\xbb\xbf<script>alert(1)</script>"),
    ("zero-width.csv", "\u200b\ufeff<svg onload=alert(1)>".encode()),
    ("bom-comment.csv", b"\xef\xbb\xbf<!-- x --><body onload=alert(1)>"),
    ("bom-div.txt", b"\xef\xbb\xbf<div onclick=alert(1)>"),
]


@pytest.mark.parametrize(("filename", "content"), HTML_BEHIND_A_BOM, ids=[c[0] for c in HTML_BEHIND_A_BOM])
def test_html_behind_a_byte_order_mark_is_refused_on_the_report_form(client, auth, world, uploads,
                                                                      filename, content):
    """Issue 12 item 25: text evidence is sniffed for HTML after the BOM and whitespace."""
    auth.login(world.old.email)
    response = post(client, f"/agency/actions/{world.action.id}/report",
                    form("submit", narrative="With a file", file=(io.BytesIO(content), filename)),
                    content_type="multipart/form-data")
    assert response.status_code == 422
    extension = filename.rsplit(".", 1)[1]
    assert f"not a valid .{extension} file" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_a_plain_text_file_with_a_byte_order_mark_is_accepted(client, auth, world, uploads):
    """Issue 12 item 25: a BOM alone is no reason to refuse a text file."""
    auth.login(world.old.email)
    response = post(client, f"/agency/actions/{world.action.id}/report",
                    form("submit", narrative="With a file",
                         file=(io.BytesIO(b"\xef\xbb\xbfdataset,rows\nbudget,12 <b>bold</b>\n"), "counts.csv")),
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert [e.filename for e in reports_of(world.action)[0].evidence] == ["counts.csv"]


@pytest.mark.scratch_db
@pytest.mark.slow
def test_the_migration_keeps_one_open_report_per_action_and_round(scratch):
    """Issue 12 item 8: open duplicates filed before the rule existed (the bug's three "no change"
    reports) are resolved by the migration: the one furthest along stays, the others are
    withdrawn with an event; every report gets its author's agency."""
    import flask_migrate

    url = scratch.at_revision("reports_migration", "0006")
    t0 = "2026-01-02 03:04:05"
    rows = [
        ("agencies", {"id": 1, "name": "Ministry", "acronym": "MIN", "country": "Testland"}),
        ("plans", {"id": 1, "slug": "p", "title": "P", "country": "Testland", "description": "",
                   "period_start": "2026-01-01", "period_end": "2027-12-31", "published": True,
                   "created_at": t0}),
        ("users", {"id": 1, "email": "focal@example.org", "password_hash": "x", "role": "agency",
                   "agency_id": 1, "active": True, "created_at": t0}),
        ("actions", {"id": 1, "plan_id": 1, "code": "A1", "title": "A", "description": "", "lead_agency_id": 1,
                     "percent_complete": 0, "status_key": "ongoing", "position": 1, "version": 1,
                     "updated_at": t0}),
        ("reporting_rounds", {"id": 1, "plan_id": 1, "name": "Q1", "opens_on": "2026-01-01",
                              "deadline": "2026-03-31"}),
    ]
    reports = {  # id: (round, state, reviewer comment)
        1: (1, "submitted", None), 2: (1, "submitted", None), 3: (1, "draft", None), 4: (1, "accepted", "Good"),
        5: (None, "draft", None), 6: (None, "returned", "Redo"), 7: (None, "accepted", None),
    }
    rows += [("progress_reports", {
        "id": report_id, "action_id": 1, "round_id": round_id, "author_id": 1, "narrative": "No change",
        "percent_complete": 10, "proposed_status_key": "ongoing", "state": state, "reviewer_comment": comment,
        "created_at": t0, "submitted_at": None if state == "draft" else t0,
    }) for report_id, (round_id, state, comment) in reports.items()]
    app = app_on(url)
    with app.app_context():
        with db.engine.begin() as conn:
            for table, values in rows:
                conn.execute(text(f"INSERT INTO {table} ({', '.join(values)}) "
                                  f"VALUES ({', '.join(':' + k for k in values)})"), values)
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            after = {row.id: (row.state, row.agency_id, row.comment_public) for row in conn.execute(
                text("SELECT id, state, agency_id, comment_public FROM progress_reports"))}
            withdrawn_events = conn.execute(text(
                "SELECT count(*) FROM events WHERE kind = 'report_withdrawn'")).scalar_one()
        db.engine.dispose()
    assert after == {
        1: ("withdrawn", 1, False), 2: ("submitted", 1, False), 3: ("withdrawn", 1, False),
        4: ("accepted", 1, True), 5: ("withdrawn", 1, False), 6: ("returned", 1, False),
        7: ("accepted", 1, False),
    }
    assert withdrawn_events == 3
