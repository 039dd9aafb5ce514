"""Screenshots of the key pages, saved in test-artifacts/ for people to look at (CI keeps them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import agency_workload, screenshot, sign_in

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]


def shoot(page, name: str, heading: str) -> None:
    """Check the page is the one meant, then save it; the file must be a real PNG."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    path = screenshot(page, f"e2e-{name}")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000, (
        f"{path} is not a useful PNG"
    )


def test_screenshots_of_the_key_pages(live_server, new_person):
    work = agency_workload(live_server.app, "screens", submitted=True)

    public = new_person().page
    public.goto("/")
    shoot(public, "home", "Plans")
    public.goto("/plans/mongolia-odra-2018")
    shoot(public, "plan", "Mongolia")
    public.goto("/plans/mexico-2016-review-followup")
    public.locator("#recommendations tbody th a").first.click()
    shoot(public, "recommendation", "Recommendation")

    agency = new_person().page
    sign_in(agency, work.focal_point)
    agency.get_by_role("link", name="What we owe").click()
    shoot(agency, "what-we-owe", "What we owe")
    code = work.action_codes[0]
    agency.get_by_role("link", name=f"Report on {code}").first.click()
    agency.get_by_label("What was done").fill("The 2026 budget is on the portal as CSV and XLSX.")
    shoot(agency, "report-form", f"Progress report on {code}")

    secretariat = new_person().page
    sign_in(secretariat, work.secretariat)
    secretariat.get_by_role("link", name="Review queue").click()
    expect(
        secretariat.get_by_role("link", name=f"Review the report on {work.action_codes[-1]}")
    ).to_be_visible()
    shoot(secretariat, "review-queue", "Review queue")
