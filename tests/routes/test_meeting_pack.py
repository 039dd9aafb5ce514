"""The meeting pack: its page for the secretariat and the public, and its PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.services.actions import assign_actions
from tracker.services.recommendations import set_recommendation_status
from tracker.services.reports import save_report
from tracker.services.rounds import open_reporting_round


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def meeting(db_session):
    """A published plan with a status change, an overdue action per agency and a waiting report."""
    plan = factories.plan(slug="pack", title="Open data plan", published=True)
    area = factories.area(plan, code="GOV", name="Governance")
    rec = factories.recommendation(plan, code="R1", area="GOV")
    factories.recommendation(plan, code="R2", area="GOV")
    factories.agency(name="Ministry of Finance", acronym="MOF")
    factories.agency(name="Statistics Office", acronym="NSO")
    late = factories.action(plan, code="A1", title="Publish the budget", start_date=date(2020, 1, 1), due_date=date(2020, 6, 30))
    later = factories.action(plan, code="A2", title="Open the census", start_date=date(2020, 1, 1), due_date=date(2020, 3, 31))
    fine = factories.action(plan, code="A3", title="Train staff", due_date=date(2099, 1, 1))
    assign_actions([late, fine], {"lead_agency": "MOF"}, actor=SYSTEM, now=NOW)
    assign_actions([later], {"lead_agency": "NSO"}, actor=SYSTEM, now=NOW)
    set_recommendation_status(rec, {"status": "ongoing", "reason": "Decree signed"}, actor=SYSTEM, now=NOW)
    focal = factories.user("agency", agency="MOF")
    save_report(fine, {"narrative": "Trained forty people", "percent_complete": 40, "proposed_status": "ongoing"}, author=focal, now=NOW,
                submit=True)
    return {"plan": plan, "area": area}


def test_the_public_pack_has_headlines_scorecard_changes_overdue_and_ranking_but_no_review_queue(client, meeting):
    since = (NOW - timedelta(days=1)).date().isoformat()
    response = client.get(f"/plans/pack/pack?since={since}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    words = text(page)
    assert "Meeting pack: Open data plan" in words
    assert "2 recommendations" in words and "3 actions" in words and "2 actions overdue" in words
    assert re.search(r'<td data-status="ongoing" data-total>1</td>', page)  # the scorecard
    assert 'src="data:image/svg+xml;base64,' in page  # its chart, as SVG
    assert "Pending → Ongoing" in words and "Decree signed" in words  # the changes
    # Overdue by agency: one each, the oldest due first within an agency.
    assert "Ministry of Finance (MOF) (1 action)" in words and "Statistics Office (NSO) (1 action)" in words
    assert "A1 Publish the budget — due 2020-06-30" in words
    assert "Train staff — due" not in words  # not overdue
    assert "Lead agencies, ranked" in words and "Statistics Office" in words
    # The reports waiting for review are the secretariat's: not the public's.
    assert "Reports waiting for review" not in words and "Trained forty people" not in page
    assert "reports waiting for review" not in words


def test_the_secretariat_pack_adds_the_reports_waiting_for_review(client, login_as, meeting):
    login_as("secretariat")
    words = text(client.get("/plans/pack/pack?since=2026-01-01").get_data(as_text=True))
    assert "1 report waiting for review" in words
    assert "A3 Train staff — Ministry of Finance (MOF), submitted 2026-11-23" in words


def test_an_unpublished_plan_has_a_pack_for_the_secretariat_only(client, login_as, db_session):
    factories.plan(slug="draft", title="Draft plan", published=False)
    assert client.get("/plans/draft/pack").status_code == 404
    login_as("secretariat")
    words = text(client.get("/plans/draft/pack").get_data(as_text=True))
    assert "This plan is not published: this pack is for the secretariat only." in words


def test_since_defaults_to_the_last_closed_round_and_says_so(client, meeting):
    open_reporting_round(meeting["plan"], {"name": "First half", "opens_on": "2026-01-01", "deadline": "2026-06-30"})
    open_reporting_round(meeting["plan"], {"name": "Next", "opens_on": "2099-01-01", "deadline": "2099-06-30"})
    words = text(client.get("/plans/pack/pack").get_data(as_text=True))
    assert "Changes since 2026-06-30, the deadline of the last closed reporting round (First half)." in words


def test_without_a_closed_round_since_is_thirty_days_ago(client, meeting):
    words = text(client.get("/plans/pack/pack").get_data(as_text=True))
    day = (date.today() - timedelta(days=30)).isoformat()
    assert f"Changes in the last 30 days, since {day}" in words


def test_a_bad_since_is_named(client, meeting):
    response = client.get("/plans/pack/pack?since=30/06/2026")
    assert response.status_code == 400
    assert "since: use a date written YYYY-MM-DD" in response.get_data(as_text=True)


def test_the_pdf_link_answers_a_clear_503_when_this_server_cannot_make_pdfs(client, meeting, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # what a missing library looks like to the import
    response = client.get("/plans/pack/pack.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "cannot make PDF files just now" in page and "print it from your browser" in page


@pytest.mark.slow
def test_the_pack_pdf_renders_and_holds_the_scorecard_and_the_changes(client, meeting, tmp_path):
    response = client.get("/plans/pack/pack.pdf?since=2026-01-01")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/pdf"
    assert 'filename="pack-pack-' in response.headers["Content-Disposition"]
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(response.data)
    # Page 1 turns into an image (poppler's pdftoppm), which is not blank.
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob("page*.png")))
    assert image.width > 100 and image.convert("L").getextrema()[0] < 128  # something dark is drawn
    words = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(pdf), "-"], check=True,
                                                capture_output=True, text=True).stdout)
    assert "Meeting pack: Open data plan" in words
    assert "Recommendations by area and status" in words and "Governance" in words  # the scorecard
    assert "Pending → Ongoing" in words and "Decree signed" in words  # the changes
    assert "Skip to content" not in words and "Sign in" not in words  # no navigation on paper
    assert "Download the pack as PDF" not in words
