"""The language switcher in a real browser at 320 px: visible without opening the menu,
plain links that work without JavaScript, the choice kept from page to page, no sideways
scrolling and no axe-core violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, page_scrolls_sideways

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]


@pytest.mark.parametrize("javascript", [True, False])
def test_the_switcher_at_320_px_changes_the_language_and_keeps_it(browser, live_server, javascript):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 700},
                                  java_script_enabled=javascript)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto("/plans")
        switcher = page.get_by_role("navigation", name="Language")
        expect(switcher).to_be_visible()  # not folded into the menu
        assert not page_scrolls_sideways(page)
        spanish = switcher.get_by_role("link", name="Español")
        expect(spanish).to_have_attribute("hreflang", "es")
        expect(spanish).to_have_attribute("lang", "es")
        spanish.click()
        page.wait_for_url("**/plans?lang=es")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        current = page.locator('nav.languages a[aria-current="true"]')
        expect(current).to_have_text("Español")
        assert not page_scrolls_sideways(page)
        if javascript:  # axe-core runs in the page
            assert not axe_violations(page), axe_violations(page)
        # The next page, reached by a plain link, is still Spanish: the cookie remembers it.
        page.locator("header a.brand").click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.locator('nav.languages a[hreflang="ru"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        expect(page.locator('nav.languages a[aria-current="true"]')).to_have_text("Русский")
        assert not page_scrolls_sideways(page)
    finally:
        context.close()
