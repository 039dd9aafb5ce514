"""Embeds may be framed by any site; nothing else may, and unpublished plans have none."""

import pytest

from tests import factories
from tracker.extensions import db


@pytest.fixture
def water(db_session):
    plan = factories.plan(slug="water", title="Water plan")
    factories.area(plan, code="GOV", name="Governance")
    factories.recommendation(plan, code="R1", area="GOV", status="ongoing")
    factories.action(plan, code="A1", title="Publish the water data")
    return plan


@pytest.mark.parametrize("kind", ["scorecard", "gantt"])
def test_an_embed_may_be_framed_by_any_site(client, water, kind):
    response = client.get(f"/embed/plans/water/{kind}")
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]  # the rest stays as strict
    page = response.get_data(as_text=True)
    assert "Water plan" in page and '<base target="_blank">' in page
    assert ("Governance" if kind == "scorecard" else "A1") in page
    assert "Set-Cookie" not in response.headers


def test_other_pages_still_refuse_to_be_framed(client, water):
    response = client.get("/plans/water")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_plan_page_offers_the_snippets_the_calendar_and_following(client, water):
    page = client.get("/plans/water").get_data(as_text=True)
    assert '&lt;iframe src=&#34;http://127.0.0.1:5000/embed/plans/water/scorecard&#34;' in page
    assert "/embed/plans/water/gantt" in page
    assert "/plans/water/calendar.ics" in page and "/subscribe?plan=water" in page


def test_an_unpublished_plan_has_no_embed(client, water):
    water.published = False
    db.session.commit()
    assert client.get("/embed/plans/water/scorecard").status_code == 404
    assert client.get("/embed/plans/water/gantt").status_code == 404
