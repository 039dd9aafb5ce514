"""A 500-action plan page in a real browser: 50 actions a page, filters by status, area,
agency, overdue and words through the form (no script), sorting by a column's header, page
links followed by keyboard, a phone's width, and WCAG 2.1 AA."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, page_scrolls_sideways
from tracker.extensions import db

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

SLUG = "e2e-tables-500"
AREAS = ("WAT", "ROD", "SCH", "HEA", "ENE")
AGENCIES = tuple(f"K{n}" for n in range(10))
ROWS = "#actions tbody tr"


def code(n: int) -> str:
    return f"S{n:03d}"


@pytest.fixture(scope="module")
def big_plan(live_server) -> Iterator[str]:
    """A published plan of 500 actions in 5 areas led by 10 agencies, made through the services.

    Action n is in area AREAS[n % 5], led by AGENCIES[n % 10], ongoing when n is odd; every
    25th is due in 2020 (so overdue when pending); every 50th's title says "bridge". Unpublished
    afterwards, like test_gantt's: the public crawl visits every published page.
    """
    from tracker.services.actions import create_action
    from tracker.services.agencies import create_agency
    from tracker.services.plans import create_plan, save_area
    from tracker.services.transaction import Actor

    now = datetime.now(UTC)
    system = Actor.system("e2e tables")
    with live_server.app.app_context():
        plan = create_plan({"slug": SLUG, "title": "Five hundred tabled actions", "country": "Tableland",
                            "period_start": "2024-01-01", "period_end": "2030-12-31", "published": True}, now=now)
        for key in AREAS:
            save_area(plan, {"code": key, "name": f"Area {key}"})
        for key in AGENCIES:
            create_agency({"name": f"Agency {key}", "acronym": key, "country": "Tableland"})
        for n in range(500):
            create_action(plan, {
                "code": code(n), "title": f"Work item {n}" + (" on the bridge" if n % 50 == 0 else ""),
                "area": AREAS[n % 5], "lead_agency": AGENCIES[n % 10], "status": ("pending", "ongoing")[n % 2],
                "percent_complete": n % 101, "start_date": date(2020, 1, 1),
                "due_date": date(2020, 6, 30) if n % 25 == 0 else date(2028, 1 + n % 12, 1 + n % 28),
            }, actor=system, now=now)
        db.session.remove()
    yield SLUG
    from tracker.services.plans import get_plan, update_plan

    with live_server.app.app_context():
        plan = get_plan(SLUG)
        update_plan(plan, {"title": plan.title, "country": plan.country, "published": False})
        db.session.remove()


def codes(page) -> list[str]:
    return page.locator(f"{ROWS} th a").all_inner_texts()


def shown(page) -> str:
    return page.locator("#actions .table-count").inner_text()


def test_a_500_action_plan_page_shows_50_actions_and_pages_by_keyboard(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}")
    assert codes(page) == [code(n) for n in range(50)]
    assert shown(page) == "Showing 1–50 of 500 actions"
    # The page links are links: reached with Tab, followed with Enter.
    pages = page.get_by_role("navigation", name="Pages of actions")
    expect(pages.locator('[aria-current="page"]')).to_have_text(re.compile(r"1$"))
    pages.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"act_page=2"))
    assert codes(page) == [code(n) for n in range(50, 100)]
    assert shown(page) == "Showing 51–100 of 500 actions"
    page.get_by_role("navigation", name="Pages of actions").get_by_role("link", name="Page 10").click()
    assert codes(page) == [code(n) for n in range(450, 500)]


def test_filters_by_status_area_agency_overdue_and_words(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}")
    form = page.locator("#filter form")

    form.get_by_label("Status").select_option(label="Ongoing")
    form.get_by_role("button", name="Apply filters").click()
    assert shown(page) == "Showing 1–50 of 250 actions"
    assert codes(page) == [code(n) for n in range(1, 100, 2)]

    form.get_by_label("Area").select_option("HEA")  # the status filter stays chosen
    form.get_by_role("button", name="Apply filters").click()
    assert shown(page) == "Showing 1–50 of 50 actions"
    assert codes(page) == [code(n) for n in range(500) if n % 5 == 3 and n % 2 == 1]

    form.get_by_label("Status").select_option("")
    form.get_by_label("Area").select_option("")
    form.get_by_label("Agency").select_option(label="Agency K0 (K0)")
    form.get_by_label("Only overdue").check()
    form.get_by_role("button", name="Apply filters").click()
    # K0 leads n % 10 == 0; overdue: due in 2020 (n % 25 == 0) and pending (n even)
    assert codes(page) == [code(n) for n in range(0, 500, 50)]
    assert page.locator(f"{ROWS}.is-overdue").count() == 10
    expect(page.locator(ROWS).first).to_contain_text("overdue")

    page.goto(f"/plans/{big_plan}")
    form.get_by_label("Words").fill("bridge")
    form.get_by_role("button", name="Apply filters").click()
    assert codes(page) == [code(n) for n in range(0, 500, 50)]
    form.get_by_label("Words").fill("no such words at all")
    form.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#actions")).to_contain_text("Nothing matches these filters.")
    page.locator("#actions").get_by_role("link", name="Clear every filter").click()
    assert shown(page) == "Showing 1–50 of 500 actions"


def test_sorting_by_a_column_header_keeps_the_filters(big_plan, new_person):
    page = new_person().page
    page.goto(f"/plans/{big_plan}?area=WAT")
    header = page.locator("#actions thead").get_by_role("link", name=re.compile("^Due"))
    header.click()
    assert page.locator("#actions th[aria-sort]").inner_text().startswith("Due")
    dues = page.locator(f"{ROWS} td:nth-child(4)").all_inner_texts()
    days = [d.split()[0] for d in dues]
    assert days == sorted(days) and days[0] == "2020-06-30"
    assert shown(page) == "Showing 1–50 of 100 actions"  # still area WAT
    page.locator("#actions thead").get_by_role("link", name=re.compile("^Due")).click()
    days = [d.split()[0] for d in page.locator(f"{ROWS} td:nth-child(4)").all_inner_texts()]
    assert days == sorted(days, reverse=True)
    assert "area=WAT" in page.url and "act_sort=-due" in page.url


def test_the_filtered_page_reflows_and_passes_axe(big_plan, new_person):
    page = new_person().page
    violations = []
    for width in (320, 390, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/plans/{big_plan}?status=pending&overdue=1&act_sort=-complete&act_page=1")
        if width < 1000:
            assert not page_scrolls_sideways(page), f"scrolls sideways at {width} px"
        if width in (320, 1366):
            violations += axe_violations(page)
    assert not violations, "\n".join(violations)
