"""Public detail pages: a recommendation's statuses side by side, an action, evidence downloads."""

import io
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tests.fixtures.seed import load
from tracker.services.assessments import open_assessment_round, record_assessor_status
from tracker.services.recommendations import set_recommendation_status
from tracker.services.reports import accept_report, add_evidence_file, save_report

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def uploads(app, tmp_path):
    before = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path)
    yield tmp_path
    app.config["UPLOAD_DIR"] = before


@pytest.fixture
def setting(db_session):
    plan = factories.plan(slug="open-data-plan")
    factories.agency(acronym="MIN")
    factories.agency(acronym="OTH")
    rec = factories.recommendation(plan, code="GOV-1", text="Sustain the co-ordination of the policy.")
    action = factories.action(plan, code="A1", title="Set up the steering committee", lead_agency="MIN",
                              recommendations=["GOV-1"])
    set_recommendation_status(rec, {"status": "under_discussion", "reason": "Minutes of the working group"},
                              actor=SYSTEM, now=NOW)
    assessor = factories.user("assessor")
    round_ = open_assessment_round(plan, {"name": "Follow-up 2026", "assessed_on": "2026-11-01"},
                                   user=assessor, now=NOW)
    record_assessor_status(round_, rec, {"status": "ongoing", "justification": "Committee met twice"},
                           assessor=assessor, now=NOW)
    focal = factories.user("agency", agency="MIN")
    secretariat = factories.user("secretariat")
    return SimpleNamespace(plan=plan, rec=rec, action=action, focal=focal, secretariat=secretariat)


def submitted_report(setting, **fields):
    data = {"narrative": "Committee chartered", "percent_complete": 80, "proposed_status": "fully_achieved",
            **fields}
    return save_report(setting.action, data, author=setting.focal, now=NOW, submit=True)


def statuses_section(page):
    return page.split('id="statuses-heading"', 1)[1].split('id="actions-heading"', 1)[0]


def test_recommendation_page_shows_its_statuses_side_by_side_and_its_history(client, setting):
    page = client.get("/plans/open-data-plan/recommendations/GOV-1").get_data(as_text=True)
    assert "Sustain the co-ordination of the policy." in page
    statuses = statuses_section(page)
    validated = statuses.split('id="validated-heading"', 1)[1].split('id="assessed-heading"', 1)[0]
    assessed = statuses.split('id="assessed-heading"', 1)[1]
    assert ">Under discussion</span>" in validated
    assert "Follow-up 2026" in assessed and ">Ongoing</span>" in assessed and "Committee met twice" in assessed
    assert 'href="/plans/open-data-plan/actions/A1"' in page

    history = page.split('id="history-heading"', 1)[1]
    assert "Status Pending → Under discussion" in history and "Minutes of the working group" in history
    assert "Assessed as Ongoing in Follow-up 2026" in history


def test_the_public_never_sees_an_unaccepted_reports_proposal(client, auth, setting):
    submitted_report(setting)
    for url in ("/plans/open-data-plan/recommendations/GOV-1", "/plans/open-data-plan/actions/A1"):
        page = client.get(url).get_data(as_text=True)
        assert "Fully achieved</span>" not in page, url
        assert "80%" not in page and "Committee chartered" not in page, url
    assert "Proposed by the agencies" not in client.get("/plans/open-data-plan/recommendations/GOV-1").get_data(
        as_text=True)
    action_page = client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)
    assert "Progress report submitted" in action_page  # that a report came in is public; its content is not

    auth.login(setting.secretariat.email)
    page = client.get("/plans/open-data-plan/recommendations/GOV-1").get_data(as_text=True)
    proposed = page.split('id="proposed-heading"', 1)[1].split("</section>", 1)[0]
    assert "Fully achieved</span>" in proposed and "80%" in proposed
    assert "Committee chartered" in client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)


def test_once_accepted_the_report_and_its_status_are_public(client, setting):
    report = submitted_report(setting, links=["https://example.org/charter"])
    accept_report(report, {"comment": "Well documented", "comment_public": True}, reviewer=setting.secretariat,
                  now=LATER)
    page = client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)
    assert "Committee chartered" in page and "Well documented" in page
    assert 'href="https://example.org/charter"' in page
    evidence = client.get("/plans/open-data-plan/recommendations/GOV-1").get_data(as_text=True)
    assert 'href="https://example.org/charter"' in evidence.split('id="evidence-heading"', 1)[1]


def test_a_draft_is_invisible_to_the_public_and_to_the_secretariat(client, auth, setting):
    save_report(setting.action, {"narrative": "Draft nobody else reads", "percent_complete": 10,
                                 "proposed_status": "ongoing"}, author=setting.focal, now=NOW, submit=False)
    assert "Draft nobody else reads" not in client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)
    auth.login(setting.secretariat.email)
    assert "Draft nobody else reads" not in client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)
    auth.logout()
    auth.login(setting.focal.email)
    page = client.get("/plans/open-data-plan/actions/A1").get_data(as_text=True)
    assert "Draft nobody else reads" in page and "Report progress on this action" in page


def download(client, evidence_id):
    response = client.get(f"/evidence/{evidence_id}")
    body = response.get_data()
    response.close()
    return response, body


def test_evidence_file_downloads_follow_the_reports_visibility(client, auth, setting, uploads):
    report = save_report(setting.action, {"narrative": "Charter signed", "percent_complete": 50,
                                          "proposed_status": "ongoing"}, author=setting.focal, now=NOW,
                         submit=False)
    evidence = add_evidence_file(report, "charter.pdf", io.BytesIO(b"%PDF-1.4 charter"), user=setting.focal,
                                 upload_dir=str(uploads), max_bytes=1_000_000, now=NOW)
    save_report(setting.action, {"narrative": "Charter signed", "percent_complete": 50,
                                 "proposed_status": "ongoing"}, author=setting.focal, now=NOW, submit=True,
                report=report)

    assert download(client, evidence.id)[0].status_code == 404  # the public, before acceptance

    auth.login(setting.focal.email)
    response, body = download(client, evidence.id)
    assert response.status_code == 200 and body == b"%PDF-1.4 charter"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'attachment; filename=charter.pdf' in response.headers["Content-Disposition"]
    auth.logout()

    auth.login(setting.secretariat.email)
    assert download(client, evidence.id)[0].status_code == 200
    auth.logout()

    auth.login_as("agency", agency="OTH")
    assert download(client, evidence.id)[0].status_code == 404
    auth.logout()

    accept_report(report, {}, reviewer=setting.secretariat, now=datetime.now(UTC))
    response, body = download(client, evidence.id)
    assert response.status_code == 200 and body == b"%PDF-1.4 charter"
    page = client.get("/plans/open-data-plan/recommendations/GOV-1").get_data(as_text=True)
    assert f'href="/evidence/{evidence.id}">charter.pdf</a>' in page


def test_links_are_not_downloads_and_unknown_evidence_is_not_found(client, setting):
    report = submitted_report(setting, links=["https://example.org/charter"])
    accept_report(report, {}, reviewer=setting.secretariat, now=LATER)
    assert client.get(f"/evidence/{report.evidence[0].id}").status_code == 404
    assert client.get("/evidence/999999").status_code == 404


def test_unknown_codes_and_unpublished_plans_are_not_found(client, setting):
    assert client.get("/plans/open-data-plan/recommendations/NOPE").status_code == 404
    assert client.get("/plans/open-data-plan/actions/NOPE").status_code == 404
    hidden = factories.plan(slug="hidden-plan", published=False)
    factories.recommendation(hidden, code="H-1")
    assert client.get("/plans/hidden-plan/recommendations/H-1").status_code == 404


def test_plan_page_links_every_recommendation_and_lists_the_actions(client, setting):
    page = client.get("/plans/open-data-plan").get_data(as_text=True)
    assert 'href="/plans/open-data-plan/recommendations/GOV-1">GOV-1</a>' in page
    actions = page.split('id="actions-heading"', 1)[1]
    assert re.search(r'href="/plans/open-data-plan/actions/A1">A1</a> Set up the steering committee', actions)


@pytest.mark.seeded
def test_seeded_recommendation_page_shows_the_oecd_follow_up_assessment(app, client):
    load(app, "mexico-2016-review-followup")
    page = client.get("/plans/mexico-2016-review-followup/recommendations/GOV-1").get_data(as_text=True)
    assert "OECD follow-up assessment (state of policy, December 2017)" in statuses_section(page)
    assert "002_6847f20350a23e8f.txt" in page
