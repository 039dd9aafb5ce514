"""Public pages show published plans with their real data."""

import re

import pytest

from tests import factories

pytestmark = pytest.mark.seeded


@pytest.fixture(scope="module")
def app(seeded_app):
    """Every real seed plan, loaded once per run (tests/fixtures/databases.py)."""
    return seeded_app


def test_plan_page_shows_the_24_mexico_recommendations_with_table_2_1_totals(client):
    page = client.get("/plans/mexico-2016-review-followup").get_data(as_text=True)
    assert len(re.findall(r"<tr id=\"rec-", page)) == 24
    totals = dict(re.findall(r'<td data-status="(\w+)" data-total>(\d+)</td>', page))
    assert totals == {"fully_achieved": "14", "ongoing": "7", "under_discussion": "1", "pending": "2"}
    assert "Governance: Building a pro-open-data public sector" in page
    assert "002_6847f20350a23e8f.txt" in page  # every item cites its source


def test_plan_list_shows_every_seeded_plan(client):
    page = client.get("/").get_data(as_text=True)
    for slug in ("mexico-2016-review-followup", "mexico-2018-way-forward", "mongolia-odra-2018",
                 "kazakhstan-odra", "kazakhstan-2023-analysis"):
        assert f"/plans/{slug}" in page


def test_unpublished_and_unknown_plans_are_not_found(client):
    factories.plan(slug="draft-plan", published=False)
    assert client.get("/plans/draft-plan").status_code == 404
    assert "draft-plan" not in client.get("/").get_data(as_text=True)
    response = client.get("/plans/no-such-plan")
    assert response.status_code == 404 and "No plan" in response.get_data(as_text=True)
