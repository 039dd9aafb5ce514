"""Keyboard only: an agency focal point signs in and submits a progress report with Tab,
typing and Enter, and can see where the focus is at every step: on a laptop, and on a
320 px phone screen, where the header's links are folded into a menu opened with Enter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PASSWORD,
    agency_workload,
    axe_violations,
    page_scrolls_sideways,
    sign_in,
)

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

# Where the focus is, and whether a sighted keyboard user can see it: the element
# matches :focus-visible, draws an outline, and is on screen.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    type: el.getAttribute("type") || "",
    text: (el.innerText || el.value || "").trim().slice(0, 80),
    focusVisible: el.matches(":focus-visible"),
    outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""

MAX_TABS = 60


def tab_to(page, wanted, what: str) -> dict:
    """Press Tab until ``wanted(focus)`` holds, checking the focus is visible at every stop."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None:
            stops.append("(nothing)")
            continue
        stops.append(f"{focus['tag']}#{focus['id']} {focus['text']!r}")
        assert focus["focusVisible"] and focus["outlined"] and focus["onScreen"], (
            f"on {page.url}, the focus on {stops[-1]} cannot be seen: {focus}"
        )
        if wanted(focus):
            return focus
    raise AssertionError(f"on {page.url}, Tab never reached {what}; it stopped at: {stops}")


def open_menu_if_folded(page, width: int) -> None:
    """Below 48em the header's links are in a closed menu: Tab to its toggle, open it with Enter."""
    if width >= 768:
        return
    tab_to(page, lambda f: f["tag"] == "summary" and f["text"].endswith("Menu"), "the Menu toggle")
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


# (width, the key of the test's own agency and people)
SCREENS = [pytest.param(1280, "keyboard", id="laptop"), pytest.param(320, "phonekeys", id="320px")]


@pytest.mark.parametrize(("width", "key"), SCREENS)
def test_an_agency_reports_with_the_keyboard_alone(live_server, new_person, width, key):
    work = agency_workload(live_server.app, key)
    person = new_person()
    page = person.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")

    # Sign in: the header's link, then the form, then Enter.
    open_menu_if_folded(page, width)
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Sign in", "the Sign in link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    tab_to(page, lambda f: f["id"] == "email", "the email field")
    page.keyboard.type(work.focal_point)
    tab_to(page, lambda f: f["id"] == "password", "the password field")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(f"Signed in as {work.focal_point}.")

    # What we owe, then the report form of the first action.
    open_menu_if_folded(page, width)
    tab_to(page, lambda f: f["text"] == "What we owe", "the What we owe link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="What we owe", level=1)).to_be_visible()
    code = work.action_codes[0]
    tab_to(page, lambda f: f["text"] == f"Report on {code}", f"the Report on {code} link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Progress report on {code}")

    # The form: narrative, percent, proposed status, then Submit.
    tab_to(page, lambda f: f["id"] == "narrative", "the narrative")
    page.keyboard.type("The 2026 budget is published as CSV on the national portal.")
    tab_to(page, lambda f: f["id"] == "percent_complete", "the percent field")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("75")
    tab_to(page, lambda f: f["id"] == "proposed_status", "the proposed status")
    page.keyboard.type("Ongoing")  # typing an option's first letters selects it
    expect(page.get_by_label("Proposed status")).to_have_value("ongoing")
    expect(page.get_by_label("Percent complete (0 to 100)")).to_have_value("75")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit", "the Submit button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        f"Your report on {code} was submitted to the secretariat."
    )
    expect(page.get_by_role("heading", name="What we owe", level=1)).to_be_visible()


@pytest.mark.parametrize(("width", "key"), [pytest.param(1280, "blankform", id="laptop"),
                                            pytest.param(320, "voidform", id="320px")])
def test_an_empty_report_sends_the_focus_to_the_error_summary(live_server, new_person, width, key):
    """Issue 15: submitting the report form with nothing typed lands the keyboard on the error
    summary (no script: autofocus on the summary), whose links lead to each field."""
    work = agency_workload(live_server.app, key)
    person = new_person()
    page = person.page
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, work.focal_point)
    page.goto("/agency/")
    code = work.action_codes[0]
    page.get_by_role("link", name=f"Report on {code}").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Progress report on {code}")

    # Empty the percent the form starts with, then submit with the keyboard alone.
    tab_to(page, lambda f: f["id"] == "percent_complete", "the percent field")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit", "the Submit button")
    person.problems.expected.add(page.url)  # the form comes back refused (422), as it should
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    texts = summary.get_by_role("link").all_inner_texts()
    assert texts == ["Enter what was done", "Enter the percent complete, a whole number from 0 to 100"], texts
    assert axe_violations(page) == []  # the form in its error state is WCAG 2.1 AA too

    # The next Tab is the summary's first link; following it lands on the field it names.
    focus = tab_to(page, lambda f: f["tag"] == "a", "the summary's first link")
    assert focus["text"] == texts[0]
    page.keyboard.press("Enter")
    expect(page.locator("#narrative")).to_be_focused()
    expect(page.locator("#narrative")).to_have_attribute("aria-invalid", "true")
    assert not page_scrolls_sideways(page)
