"""The interface in Spanish and in Russian, in a real browser: no English word of it is left.

A visitor switches the language on the home page with the switcher (its cookie keeps the
choice from then on), opens the seeded Mongolian plan's page and its Gantt, signs in as a
focal point of the Cabinet Secretariat (an agency of the seed) and opens the report form
for one of its actions. Every text of those pages is read (text, ``<title>``, labels for
assistive technology, placeholders, alternative texts, button values), and none may hold
a word of the interface's English msgids that the translation does not use itself
(``tests.fixtures.interface_words``).

The seed's content is English by design: it loads as published, in English, and the pages
mark it ``lang="en"`` (with "(original in English)" beside it where it could have a
translation). What is inside an element whose language is English is left out, and what
is marked ``translate="no"`` (the embed code to copy); nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PASSWORD, PageProblems
from tests.fixtures.interface_words import english_words, report
from tracker.extensions import db
from tracker.services.indicators import create_indicator
from tracker.services.transaction import Actor
from tracker.services.users import create_user, set_language

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

SLUG = "mongolia-odra-2018"
AGENCY = "CabSec"
ACTION = "A1"
LANGUAGES = ("es", "ru")

# Every text of the page as a person or a screen reader meets it, with where it was, but
# what is inside an element whose language is English, or that is not to be translated
# (``translate="no"``: code to copy). Attributes: the ones read aloud or shown (aria-label,
# title, placeholder, alt) and the labels of input buttons. The <title> is read without
# the content the page marks English elsewhere (the plan's title).
READ_PAGE = """() => {
  const english = node => {
    const marked = node.closest("[lang]");
    return marked !== null && marked.getAttribute("lang").toLowerCase().split("-")[0] === "en";
  };
  const where = element => {
    const parts = [];
    for (let at = element; at && at !== document.body && parts.length < 3; at = at.parentElement) {
      parts.unshift(at.tagName.toLowerCase() + (at.id ? "#" + at.id : "")
                    + (at.classList.length ? "." + [...at.classList].join(".") : ""));
    }
    return parts.join(" > ");
  };
  const skipped = node => english(node) || node.closest('[translate="no"]') !== null;
  // The <title> cannot mark a part of it: the content it repeats is what the page marks.
  let title = document.title;
  const originals = [...document.body.querySelectorAll("[lang]")].filter(english)
    .map(element => element.textContent.trim()).filter(text => text).sort((a, b) => b.length - a.length);
  for (const original of originals) title = title.split(original).join(" ");
  const found = [["<title>", title]];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest("script, style, template") || skipped(element)) continue;
    if (node.textContent.trim()) found.push([where(element), node.textContent]);
  }
  const attributes = ["aria-label", "title", "placeholder", "alt", "aria-roledescription"];
  const selector = attributes.map(name => `[${name}]`).join(", ")
                   + ", input[type=submit][value], input[type=button][value], input[type=reset][value]";
  for (const element of document.body.querySelectorAll(selector)) {
    if (skipped(element)) continue;
    for (const name of [...attributes, "value"]) {
      if (name === "value" && element.tagName !== "INPUT") continue;
      const value = element.getAttribute(name);
      if (value && value.trim()) found.push([`${where(element)} [${name}]`, value]);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def focal_points(live_server) -> dict[str, str]:
    """A focal point of the seeded Cabinet Secretariat per language, with that account
    language; the e-mail address of each."""
    from tracker.models import Agency

    now = datetime.now(UTC)
    emails = {}
    with live_server.app.app_context():
        agency = db.session.scalars(select(Agency).where(Agency.acronym == AGENCY)).one()
        for language in LANGUAGES:
            user = create_user(
                {
                    "email": f"focal-{language}@interface-languages.example.org",
                    "password": PASSWORD,
                    "role": "agency",
                    "agency": agency.acronym,
                },
                now=now,
            )
            set_language(user, language, languages=live_server.app.config["LANGUAGES"])
            emails[language] = user.email
        db.session.remove()
    return emails


@pytest.fixture(scope="module")
def action_id(live_server) -> int:
    """The seeded action the focal points report on, given an indicator of its own so that the
    form's indicator fields (content with no translation beside the interface's words) are
    always read, whatever other tests added to the shared database first."""
    from tracker.models import Action, Plan

    with live_server.app.app_context():
        action = db.session.scalars(
            select(Action).join(Plan).where(Plan.slug == SLUG, Action.code == ACTION)
        ).one()
        create_indicator(action, {
            "code": "L7", "name": "Datasets opened by the agency", "unit": "datasets",
        }, actor=Actor.system("e2e setup"), now=datetime.now(UTC))
        found = action.id
        db.session.remove()
    return found


def english_left(page, language: str, name: str) -> list:
    """The English interface words on ``page``, each with the page's ``name`` and its place."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    return english_words(
        language, [(f"{name}: {where}", text) for where, text in page.evaluate(READ_PAGE)]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pages_a_visitor_and_a_focal_point_meet_have_no_english_word(
    browser, live_server, focal_points, action_id, language
):
    # The browser asks for English: only the switcher, then the cookie it sets, change that.
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    problems = PageProblems(context)
    try:
        page = context.new_page()
        page.goto("/")
        page.locator(f'nav.languages a[hreflang="{language}"]').click()
        found = english_left(page, language, "home page")

        page.goto(f"/plans/{SLUG}")
        found += english_left(page, language, "plan page")

        page.goto(f"/plans/{SLUG}/gantt")
        found += english_left(page, language, "Gantt")

        page.goto("/sign-in")
        page.locator('input[name="email"]').fill(focal_points[language])
        page.locator('input[name="password"]').fill(PASSWORD)
        page.locator('form button[type="submit"]').click()
        page.wait_for_url(lambda url: not url.endswith("/sign-in"))
        page.goto(f"/agency/actions/{action_id}/report")
        expect(page.locator("form textarea").first).to_be_visible()  # the form, not a refusal
        found += english_left(page, language, "report form")

        assert not found, report(found)
        problems.assert_none()
    finally:
        context.close()
