"""Content in several languages in a real browser: a Spanish reader gets the translation, a
French one the English original marked "(original in English)"; the secretariat types
translations on the action form. axe-core checks both pages (WCAG 2.1 AA), at 320 px too.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.e2e.conftest import (
    PASSWORD,
    PageProblems,
    axe_violations,
    page_scrolls_sideways,
    sign_in,
)
from tracker.extensions import db
from tracker.services.actions import create_action
from tracker.services.plans import create_plan, save_area
from tracker.services.recommendations import create_recommendation
from tracker.services.transaction import Actor
from tracker.services.users import create_user

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

SECRETARIAT = "secretariat@translations.example.org"


@pytest.fixture(scope="module")
def translated(live_server):
    """A published plan with some Spanish translations, and a secretariat account; the action's id."""
    now = datetime.now(UTC)
    system = Actor.system("e2e setup")
    with live_server.app.app_context():
        create_user({"email": SECRETARIAT, "password": PASSWORD, "role": "secretariat"}, now=now)
        plan = create_plan({"slug": "translated-plan", "title": "Open data plan", "country": "Translationland",
                            "title_translations": {"es": "Plan de datos abiertos"}, "published": True}, now=now)
        save_area(plan, {"code": "G", "name": "Governance", "name_translations": {"es": "Gobernanza"}})
        create_recommendation(plan, {"code": "R1", "text": "Publish the budget.", "area": "G", "status": "pending",
                                     "text_translations": {"es": "Publicar el presupuesto."}}, actor=system, now=now)
        action = create_action(plan, {"code": "A1", "title": "Draft the policy", "status": "pending",
                                      "recommendations": ["R1"]}, actor=system, now=now)
        action_id = action.id
        db.session.remove()
    return action_id


def reader(browser, live_server, locale: str, width: int = 1280):
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(30_000)
    return context, PageProblems(context)


@pytest.mark.parametrize("width", [1280, 320])
def test_readers_get_their_language_or_the_marked_original(browser, live_server, translated, width):
    for locale, title, marked in (("es-ES", "Plan de datos abiertos", False), ("fr-FR", "Open data plan", True)):
        context, problems = reader(browser, live_server, locale, width)
        try:
            page = context.new_page()
            page.goto("/plans/translated-plan")
            heading = page.get_by_role("heading", level=1)
            assert title in heading.inner_text()
            original = heading.locator('[lang="en"]')
            assert original.count() == (1 if marked else 0)
            if marked:
                assert heading.locator(".original-language").inner_text().startswith("(")
            else:
                assert page.get_by_text("Publicar el presupuesto.").is_visible()
                assert page.locator('#actions [lang="en"]', has_text="Draft the policy").count() == 1
            assert axe_violations(page) == []
            assert not page_scrolls_sideways(page)
            problems.assert_none()
        finally:
            context.close()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_secretariat_types_translations_on_the_action_form(browser, live_server, translated, width):
    context, problems = reader(browser, live_server, "en-GB", width)
    try:
        page = context.new_page()
        sign_in(page, SECRETARIAT)
        page.goto(f"/secretariat/plans/translated-plan/actions/{translated}/edit")
        boxes = page.get_by_role("group", name="Translations")
        assert boxes.is_visible()
        assert axe_violations(page) == []
        assert not page_scrolls_sideways(page)
        page.locator("#title_es").fill(f"Redactar la política ({width})")
        page.get_by_role("button", name="Save action").click()
        page.get_by_text("Action A1 saved.").wait_for()
        page.goto(f"/secretariat/plans/translated-plan/actions/{translated}/edit")
        assert page.locator("#title_es").input_value() == f"Redactar la política ({width})"
        problems.assert_none()
    finally:
        context.close()
