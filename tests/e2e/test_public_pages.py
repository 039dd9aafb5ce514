"""Every public page of every seeded plan loads in a real browser without a console error
or a failed request: a crawl from the home page, following same-origin links.

The crawl runs several tabs at once (Playwright's async API, in a thread of its own so
it does not meet the other tests' synchronous browser): the pages are many, and the
charts they show are rendered on request.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOAD_ALL_IMAGES,
    PageProblems,
    require_chromium,
    serve,
)
from tests.fixtures.databases import ScratchDatabases
from tracker.extensions import db
from tracker.models import Plan

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]


@pytest.fixture(scope="module")
def live_server(database_templates, tmp_path_factory):
    """This module's own server, on a fresh copy of the seeded template: the crawl visits the
    seed plans' public pages, not also the plans every browser module before it (in the
    same pytest-xdist worker) published on the session's server. After the seven browser
    modules before it those made the crawl 662 URLs instead of the seed's 410 (36 s
    instead of 22 s, 2026-12-03), and what it visited depended on which modules a worker
    happened to run first."""
    databases = ScratchDatabases(database_templates.base_url, tmp_path_factory.mktemp("crawl-db"),
                                 database_templates)
    try:
        with serve(databases.seeded("crawl"), tmp_path_factory.mktemp("crawl-server"),
                   database_templates.seeded_slugs) as server:
            yield server
    finally:
        databases.drop_all()

# The crawl stops here whatever happens, so a page generating endless links cannot hang CI.
# The seed plans make about 410 URLs (269 pages, 141 files on 2026-12-03): room to grow.
MAX_URLS = 1200
TABS = 4
# Files rather than pages: fetched, their status checked, but not opened as pages.
FILE_SUFFIXES = (".csv", ".xlsx", ".json", ".zip", ".svg", ".png", ".atom", ".xml", ".pdf")
HTML = "text/html"
LINKS = "links => links.map(a => a.href)"
# Sort links are rel=nofollow: each order of each table is a page of its own, and following
# them all multiplies the plan pages past MAX_URLS. Every row is still reached by the page links.
FOLLOWED = "a[href]:not([rel~=nofollow])"


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # found after MAX_URLS was reached


async def crawl(origin: str) -> Crawl:
    """Visit every same-origin URL reachable by links from ``origin``/, as the public."""
    from playwright.async_api import Error, async_playwright

    result = Crawl()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(base_url=origin)
        context.set_default_timeout(60_000)  # a cold chart may take seconds to draw
        watcher = PageProblems(context)
        queue: asyncio.Queue[str] = asyncio.Queue()
        seen = {origin + "/"}
        queue.put_nowait(origin + "/")

        async def fetch_file(url: str) -> None:
            response = await context.request.get(url)
            if not response.ok:  # requests made outside a page are not watched: say it here
                result.problems.append(f"GET {url}: HTTP {response.status}")
            await response.dispose()
            result.files.append(url)

        async def visit(page, url: str) -> None:
            if len(result.pages) + len(result.files) >= MAX_URLS:
                result.left.append(url)
                return
            if urlsplit(url).path.endswith(FILE_SUFFIXES) or urlsplit(url).path.startswith(
                "/evidence/"
            ):
                await fetch_file(url)
                return
            try:
                response = await page.goto(url)  # a refusal is recorded by the watcher
            except Error as exc:
                if "Download is starting" not in str(exc):
                    raise
                await fetch_file(url)
                return
            if response is None or HTML not in (await response.all_headers()).get(
                "content-type", ""
            ):
                result.files.append(url)
                return
            result.pages.append(url)
            # Images below the fold load lazily; load them all, so a broken one is seen too.
            broken = await page.evaluate(LOAD_ALL_IMAGES)
            result.problems += [f"{url}: image does not display: {src}" for src in broken]
            for href in await page.eval_on_selector_all(FOLLOWED, LINKS):
                target = urldefrag(href).url
                if target.startswith(origin + "/") and target not in seen:
                    seen.add(target)
                    queue.put_nowait(target)

        async def tab() -> None:
            page = await context.new_page()
            while True:
                url = await queue.get()
                try:
                    await visit(page, url)
                except Exception as exc:  # noqa: BLE001 (one broken page must not end the crawl)
                    result.problems.append(f"{url}: {type(exc).__name__}: {exc}")
                finally:
                    queue.task_done()

        tabs = [asyncio.create_task(tab()) for _ in range(TABS)]
        await queue.join()
        for task in tabs:
            task.cancel()
        await asyncio.gather(*tabs, return_exceptions=True)
        await context.close()
        await browser.close()
    result.problems = watcher.problems + result.problems
    return result


def crawl_in_thread(origin: str) -> Crawl:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["crawl"] = asyncio.run(crawl(origin))
        except BaseException as exc:  # noqa: BLE001 (handed back to the test's thread)
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="e2e-crawl")
    thread.start()
    thread.join(timeout=600)
    assert not thread.is_alive(), "the crawl did not finish within 10 minutes"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["crawl"]


def expected_public_paths(app) -> set[str]:
    """The pages the public must be able to reach: each published plan, recommendation, action."""
    with app.app_context():
        paths = set()
        for plan in db.session.scalars(select(Plan).where(Plan.published)):
            paths.add(f"/plans/{plan.slug}")
            paths |= {f"/plans/{plan.slug}/recommendations/{r.code}" for r in plan.recommendations}
            paths |= {f"/plans/{plan.slug}/actions/{a.code}" for a in plan.actions}
        db.session.remove()
    return paths


def test_every_public_page_loads_without_console_errors_or_failed_requests(live_server):
    require_chromium()
    started = time.monotonic()
    result = crawl_in_thread(live_server.url)
    print(
        f"\ncrawled {len(result.pages)} pages and {len(result.files)} files "
        f"in {time.monotonic() - started:.1f} s"
    )

    assert not result.left, f"the crawl stopped at {MAX_URLS} URLs; not visited: {result.left[:20]}"
    visited = {urlsplit(url).path for url in result.pages}
    missing = expected_public_paths(live_server.app) - visited
    assert not missing, f"public pages no link leads to: {sorted(missing)[:20]}"
    assert {f"/plans/{slug}" for slug in live_server.seeded_slugs} <= visited
    assert not result.problems, "The browser saw problems:\n" + "\n".join(result.problems)


def test_an_unknown_plan_is_the_sites_own_404_page(live_server, new_person):
    """The one intentional failure: an unknown address answers 404 with the site's own page."""
    person = new_person()
    url = live_server("/plans/no-such-plan")
    person.problems.expected.add(url)
    response = person.page.goto(url)
    assert response.status == 404
    assert person.page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert person.page.get_by_role("link", name="Back to the plans").is_visible()
    # Chromium logs a 4xx document as a console error too; that one is expected as well.
    person.problems.problems = [p for p in person.problems.problems if url not in p]
