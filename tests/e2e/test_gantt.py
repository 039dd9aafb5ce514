"""The HTML Gantt in a real browser: 500 linked bars, filters without script, a phone's width,
the Mongolian Annex D over 24 months, the keyboard, and WCAG 2.1 AA."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tests.e2e.conftest import axe_violations, page_scrolls_sideways
from tracker.extensions import db

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

SLUG = "e2e-gantt-500"
AREAS = ("WAT", "ROD", "SCH", "HEA", "ENE")
AGENCIES = tuple(f"G{n}" for n in range(10))
BARS = "a.hchart-bar"


def code(n: int) -> str:
    return f"T{n:03d}"


@pytest.fixture(scope="module")
def big_plan(live_server) -> Iterator[str]:
    """A published plan of 500 actions in 5 areas led by 10 agencies, made through the services.

    Action n is in area AREAS[n % 5] and led by agency AGENCIES[n % 10]: agency G3 leads 50
    actions, all in area HEA (index 3), and none in WAT. The plan is unpublished afterwards:
    the server is shared, and the public crawl (test_public_pages) visits every published page.
    """
    from tracker.services.actions import create_action
    from tracker.services.agencies import create_agency
    from tracker.services.plans import create_plan, save_area
    from tracker.services.transaction import Actor

    now = datetime.now(UTC)
    system = Actor.system("e2e gantt")
    with live_server.app.app_context():
        plan = create_plan({"slug": SLUG, "title": "Five hundred actions", "country": "Ganttland",
                            "period_start": "2024-01-01", "period_end": "2027-12-31", "published": True}, now=now)
        for key in AREAS:
            save_area(plan, {"code": key, "name": f"Area {key}"})
        for key in AGENCIES:
            create_agency({"name": f"Agency {key}", "acronym": key, "country": "Ganttland"})
        for n in range(500):
            create_action(plan, {
                "code": code(n), "title": f"Action number {n}", "area": AREAS[n % 5],
                "lead_agency": AGENCIES[n % 10], "status": ("pending", "ongoing")[n % 2],
                "percent_complete": n % 101, "start_date": date(2024, 1 + n % 12, 1),
                "due_date": date(2025 + n % 3, 1 + n % 12, 28),
            }, actor=system, now=now)
        db.session.remove()
    yield SLUG
    from tracker.services.plans import get_plan, update_plan

    with live_server.app.app_context():
        plan = get_plan(SLUG)
        update_plan(plan, {"title": plan.title, "country": plan.country, "published": False})
        db.session.remove()


def hrefs(page) -> list[str]:
    return page.eval_on_selector_all(BARS, "bars => bars.map(b => new URL(b.href).pathname)")


def test_the_gantt_of_500_actions_has_500_bars_each_linking_to_its_action(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}/gantt")
    assert sorted(hrefs(page)) == sorted(f"/plans/{big_plan}/actions/{code(n)}" for n in range(500))
    target = page.locator(BARS).nth(123)
    href = target.get_attribute("href")
    target.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").count() == 1


def test_filtering_by_an_agency_and_an_area_keeps_only_their_bars(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}/gantt")
    page.select_option("#f-lead", "G3")
    page.select_option("#f-area", "HEA")
    page.get_by_role("button", name="Show").click()  # a plain GET form: no script involved
    page.wait_for_url("**lead=G3**")
    expected = {f"/plans/{big_plan}/actions/{code(n)}" for n in range(500) if n % 10 == 3}
    assert len(expected) == 50 and set(hrefs(page)) == expected and len(hrefs(page)) == 50
    page.goto(f"/plans/{big_plan}/gantt?lead=G3&area=WAT")
    assert hrefs(page) == []  # G3 leads no action in WAT


def test_on_a_390_px_phone_only_the_chart_scrolls_sideways_and_labels_sit_above_bars(big_plan, new_person):
    person = new_person()
    page = person.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/plans/{big_plan}/gantt?area=SCH")
    assert not page_scrolls_sideways(page)
    chart = page.locator(".hchart-scroll")
    assert chart.evaluate("box => box.scrollWidth > box.clientWidth")  # the chart scrolls inside itself
    row = page.locator(".hchart-row").first
    label, bar = row.locator(".hchart-label").bounding_box(), row.locator(BARS).bounding_box()
    assert label["y"] + label["height"] <= bar["y"] + 1
    # Scrolled to the right, the label is still on screen.
    chart.evaluate("box => box.scrollLeft = box.scrollWidth")
    label = row.locator(".hchart-label").bounding_box()
    assert 0 <= label["x"] < 390
    for path in (f"/plans/{big_plan}/timeline", f"/plans/{big_plan}/ranking"):
        page.goto(path)
        assert not page_scrolls_sideways(page), path
    # The plan page's own reflow (its scorecard table) is another change's; its Gantt stays inside.
    page.goto("/plans/mongolia-odra-2018")
    assert page.locator(".hchart-embed").evaluate("e => e.getBoundingClientRect().right") <= 390


def test_the_mongolian_a1_to_a15_read_over_24_months_as_in_annex_d(live_server, new_person):
    page = new_person().page
    page.goto("/plans/mongolia-odra-2018/gantt")
    assert sorted(hrefs(page)) == sorted(f"/plans/mongolia-odra-2018/actions/A{n}" for n in range(1, 16))
    months = page.locator(".hchart-plan-months .hchart-tick")
    assert months.all_inner_texts() == [f"M{n}" for n in range(1, 25)]
    first, last = months.first.bounding_box(), months.last.bounding_box()

    def bar(action: str) -> dict:
        return page.locator(f'{BARS}[href$="/actions/{action}"]').bounding_box()

    a3, a1 = bar("A3"), bar("A1")  # Annex D: A3 months 1-24, A1 month 1
    assert abs(a3["x"] - first["x"]) <= 2 and abs(a3["x"] + a3["width"] - (last["x"] + last["width"])) <= 2
    assert abs(a1["x"] - first["x"]) <= 2 and abs(a1["width"] - first["width"]) <= 2


def test_the_keyboard_reaches_each_bar_and_shows_its_facts(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}/gantt?area=WAT&lead=G0")
    page.locator(BARS).first.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "hchart-bar" in focused
    tip = page.locator(f"{BARS}:focus .hchart-tip")
    box = tip.bounding_box()
    assert box["width"] > 50 and box["height"] > 10
    assert "Lead: Agency G0 (G0)" in tip.inner_text() and "% complete" in tip.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions/T**")


def test_the_chart_pages_pass_axe_core(big_plan, live_server, new_person):
    page = new_person().page
    problems = []
    for path in (f"/plans/{big_plan}/gantt?area=HEA", f"/plans/{big_plan}/gantt?zoom=year&overdue=1",
                 "/plans/mongolia-odra-2018/gantt", "/plans/mexico-2018-way-forward/timeline",
                 f"/plans/{big_plan}/ranking", "/plans/mongolia-odra-2018/ranking"):
        page.goto(path)
        problems += axe_violations(page)
    assert not problems, "\n".join(problems)
