"""The HTML chart pages: the Gantt, the timeline and the agency ranking, filtered by GET parameters."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests import factories
from tests.fixtures.seed import load

MONGOLIA = "/plans/mongolia-odra-2018"


def bar_links(page: str) -> list[str]:
    return re.findall(r'<a class="hchart-bar[^"]*" href="([^"]+)"', page)


@pytest.fixture
def plan_with_actions(app):
    """Two areas, two lead agencies, one overdue action, one with a milestone, one undated."""
    plan = factories.plan(slug="html-gantt", period_start="2020-01-01", period_end="2099-12-31")
    water, roads = factories.area(plan, code="W", name="Water"), factories.area(plan, code="R", name="Roads")
    one, two = factories.agency(acronym="ONE"), factories.agency(acronym="TWO")
    factories.action(plan, code="W1", title="Pipes", area=water.code, lead_agency="ONE",
                     start_date=date(2020, 1, 1), due_date=date(2020, 6, 30))  # overdue by now
    factories.action(plan, code="W2", title="Pumps", area=water.code, lead_agency="TWO", status="ongoing",
                     percent_complete=40, start_date=date(2025, 1, 1), due_date=date(2099, 1, 31),
                     milestones=[{"title": "Tender", "due_date": date(2098, 1, 1)}])
    factories.action(plan, code="R1", title="Bridges", area=roads.code, lead_agency="ONE",
                     start_date=date(2025, 1, 1), due_date=date(2099, 1, 31))
    factories.action(plan, code="X1", title="Undated", start_date=None, due_date=None)
    return plan, one, two


def test_the_gantt_shows_every_action_as_a_bar_linking_to_it(client, plan_with_actions):
    response = client.get("/plans/html-gantt/gantt")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert sorted(bar_links(page)) == sorted(f"/plans/html-gantt/actions/{c}" for c in ("W1", "W2", "R1", "X1"))
    assert "Showing 4 of 4 actions" in page
    assert "Pipes" in page and "Overdue" in page and "Milestone due 2098-01-01: Tender" in page
    assert "gantt.png" not in page  # no image on this page's path
    # The table equivalent is one link away, with the same actions linked.
    assert 'href="/plans/html-gantt/gantt?view=table"' in page
    table = client.get("/plans/html-gantt/gantt?view=table").get_data(as_text=True)
    assert table.count('<a href="/plans/html-gantt/actions/') == 4 and not bar_links(table)
    filtered = client.get("/plans/html-gantt/gantt?view=table&area=W").get_data(as_text=True)
    assert filtered.count('<a href="/plans/html-gantt/actions/') == 2


@pytest.mark.parametrize(("query", "codes"), [
    ("area=W", {"W1", "W2"}),
    ("lead=ONE", {"W1", "R1"}),
    ("lead=one&area=R", {"R1"}),
    ("status=ongoing", {"W2"}),
    ("overdue=1", {"W1"}),
    ("overdue=1&area=R", set()),
])
def test_filters_are_query_parameters(client, plan_with_actions, query, codes):
    page = client.get(f"/plans/html-gantt/gantt?{query}").get_data(as_text=True)
    assert {link.rsplit("/", 1)[1] for link in bar_links(page)} == codes
    assert f"Showing {len(codes)} of 4 actions" in page


@pytest.mark.parametrize("zoom", ["month", "quarter", "year"])
def test_the_time_axis_zooms(client, plan_with_actions, zoom):
    page = client.get(f"/plans/html-gantt/gantt?zoom={zoom}").get_data(as_text=True)
    assert f"zoom-{zoom}" in page and len(bar_links(page)) == 4


def zoom_of(page: str) -> str:
    return re.search(r'class="hchart-grid zoom-(\w+)"', page).group(1)


@pytest.mark.parametrize(("period_end", "zoom"), [
    ("2021-12-31", "month"),  # two years: a column per month
    ("2027-06-30", "quarter"),  # seven and a half years
    ("2099-12-31", "year"),  # eighty years
])
def test_the_gantt_opens_at_the_zoom_that_fits_the_plan(client, period_end, zoom):
    plan = factories.plan(slug="span", period_start="2020-01-01", period_end=period_end)
    factories.action(plan, code="A1", start_date=date(2020, 2, 1), due_date=date(2020, 6, 30))
    page = client.get("/plans/span/gantt").get_data(as_text=True)
    assert zoom_of(page) == zoom
    # The zoom control says which one is shown, and the plan page's Gantt opens the same way.
    assert re.search(rf'<option value="{zoom}" selected>', page)
    assert re.search(rf'gantt\?zoom={zoom}" aria-current="page"', page)
    assert zoom_of(client.get("/plans/span").get_data(as_text=True)) == zoom


def test_a_zoom_asked_for_wins_over_the_fitting_one(client, plan_with_actions):
    assert zoom_of(client.get("/plans/html-gantt/gantt").get_data(as_text=True)) == "year"  # 2020-2099
    page = client.get("/plans/html-gantt/gantt?zoom=month&area=W").get_data(as_text=True)
    assert zoom_of(page) == "month"
    assert re.search(r'<option value="month" selected>', page)
    # Links that change a filter keep the zoom asked for.
    assert 'href="/plans/html-gantt/gantt?area=W&amp;zoom=month&amp;view=table"' in page


@pytest.mark.parametrize("name", ["lead", "agency"])
def test_the_lead_agency_filter_has_one_name_everywhere_and_its_old_one_still_works(client, plan_with_actions, name):
    """``lead`` on the HTML Gantt and its images alike; ``agency`` (the images' first name) too."""
    page = client.get(f"/plans/html-gantt/gantt?{name}=one").get_data(as_text=True)
    assert {link.rsplit("/", 1)[1] for link in bar_links(page)} == {"W1", "R1"}
    assert re.search(r'<option value="ONE" selected>', page)  # the form shows it under its one name
    table = client.get(f"/plans/html-gantt/gantt.csv?{name}=ONE").get_data(as_text=True)
    assert {line.split(",")[1] for line in table.splitlines()[1:]} == {"W1", "R1"}
    for path in (f"/plans/html-gantt/gantt?{name}=NOBODY", f"/plans/html-gantt/gantt.csv?{name}=NOBODY"):
        response = client.get(path)
        assert response.status_code == 400 and "lead: No action of this plan is led by" in response.get_data(
            as_text=True)


@pytest.mark.parametrize(("query", "parameter"), [
    ("area=NOPE", "area"),
    ("lead=NOBODY", "lead"),
    ("status=lost", "status"),
    ("overdue=maybe", "overdue"),
    ("zoom=week", "zoom"),
    ("view=pie", "view"),
])
def test_a_bad_filter_is_a_400_page_naming_the_parameter(client, plan_with_actions, query, parameter):
    response = client.get(f"/plans/html-gantt/gantt?{query}")
    assert response.status_code == 400
    assert re.search(rf"\b{parameter}: ", response.get_data(as_text=True))


def test_unpublished_plans_have_no_chart_pages(client):
    factories.plan(slug="hidden-html", published=False)
    for name in ("gantt", "timeline", "ranking"):
        assert client.get(f"/plans/hidden-html/{name}").status_code == 404


def test_the_mongolian_a1_to_a15_read_over_24_months(app, client):
    load(app, "mongolia-odra-2018")
    page = client.get(f"{MONGOLIA}/gantt").get_data(as_text=True)
    assert sorted(bar_links(page)) == sorted(f"{MONGOLIA}/actions/A{n}" for n in range(1, 16))
    assert re.findall(r">(M\d+)<", page) == [f"M{n}" for n in range(1, 25)]
    # A3 runs the whole plan: months 1 to 24; A1 its first month.
    assert re.search(rf'href="{MONGOLIA}/actions/A3" style="left:0.000%;width:100.000%', page)
    assert re.search(rf'href="{MONGOLIA}/actions/A1" style="left:0.000%;width:4.241%', page)


def test_the_plan_page_embeds_the_gantt_and_links_the_ranking_with_its_rule(app, client):
    load(app, "mongolia-odra-2018")
    page = client.get(MONGOLIA).get_data(as_text=True)
    assert len(bar_links(page)) == 15
    assert f'href="{MONGOLIA}/ranking"' in page and "share of each agency" in page


def test_the_timeline_links_each_recommendation_and_filters_by_timeframe_and_status(app, client):
    load(app, "mexico-2018-way-forward")  # Annex A: 9 short, 18 medium, 1 long term
    mexico = "/plans/mexico-2018-way-forward"
    page = client.get(f"{mexico}/timeline").get_data(as_text=True)
    links = bar_links(page)
    assert len(links) == 28 and all(link.startswith(f"{mexico}/recommendations/") for link in links)
    assert len(bar_links(client.get(f"{mexico}/timeline?timeframe=short").get_data(as_text=True))) == 9
    assert len(bar_links(client.get(f"{mexico}/timeline?timeframe=long&zoom=year").get_data(as_text=True))) == 1
    assert client.get(f"{mexico}/timeline?timeframe=soon").status_code == 400
    assert client.get(f"{mexico}/timeline?status=lost").status_code == 400


def test_the_ranking_links_each_agency_and_says_how_it_ranks(client, plan_with_actions):
    _, one, two = plan_with_actions
    page = client.get("/plans/html-gantt/ranking").get_data(as_text=True)
    assert f'href="/agencies/{one.id}"' in page and f'href="/agencies/{two.id}"' in page
    assert "ranked by shares, not counts" in page
    assert page.index(f"/agencies/{two.id}") < page.index(f"/agencies/{one.id}")  # ONE has an overdue action
    overdue_only = client.get("/plans/html-gantt/ranking?overdue=1").get_data(as_text=True)
    assert f"/agencies/{one.id}" in overdue_only and f"/agencies/{two.id}" not in overdue_only
    assert client.get("/plans/html-gantt/ranking?overdue=x").status_code == 400
