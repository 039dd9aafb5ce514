"""The readiness heat map on a plan's page, in Debian's chromium: readable without colour,
keyboard-reachable links to the evidence, WCAG 2.1 AA (axe-core), and 320 px wide."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]


def test_a_heat_map_cell_leads_to_its_evidence_and_the_section_passes_axe(live_server, new_person):
    page = new_person().page
    page.goto("/plans/mongolia-odra-2018")
    heat_map = page.locator("table.heat-map")
    expect(heat_map).to_be_visible()
    cell = heat_map.locator("a.rating").first
    target = cell.get_attribute("href")
    assert cell.inner_text().split()[1] in {"G", "Y", "R", "–"}  # after the code, before the hidden word
    cell.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith(target)
    expect(page.locator(target)).to_be_in_viewport()
    assert axe_violations(page) == []

    # At 320 px the heat map and the evidence table scroll inside their own boxes; the rest
    # of the page's reflow is tested with the other pages.
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/plans/mongolia-odra-2018")
    wider = page.evaluate("""() => [...document.querySelectorAll('[aria-labelledby=readiness-heading] *')]
        .filter(el => !el.closest('.scroll-box') || el.classList.contains('scroll-box'))
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
        .map(el => el.tagName + '.' + el.className)""")
    assert wider == []
