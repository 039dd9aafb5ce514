"""Browser tests: a real HTTP server on loopback, a real Chromium, a database of their own.

The server is gunicorn in a subprocess, as in production. The suite's usual fixture
wraps every test in a rolled-back transaction, which another process cannot share, so
these tests are marked ``scratch_db`` and the server gets a database of its own: a copy
of the run's seeded template (tests/fixtures/databases.py), migrated and loaded with the
real seed plans, exactly as ``flask db upgrade && flask seed load`` would. The tests
share that server, each with people of its own.

Chromium is Debian's (``/usr/bin/chromium``, which ``.ci/run`` installs); Playwright
never downloads a browser here. When it is missing the tests fail rather than skip,
so a CI machine without a browser cannot pass silently.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.databases import ScratchDatabases
from tests.fixtures.servers import Gunicorn
from tracker import create_app
from tracker.extensions import db
from tracker.services.transaction import Actor
from tracker.services.users import create_user

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_EMAIL = "admin@e2e.example.org"
LANGUAGES = ["en", "es", "fr", "ru"]
PASSWORD = "correct horse battery staple"


# --- The database and the server -------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_database_url(database_templates, tmp_path_factory) -> Iterator[str]:
    """A database of the server's own: a copy of the run's seeded template (migrated, with
    the real seed plans, as ``flask db upgrade && flask seed load`` leave it)."""
    databases = ScratchDatabases(database_templates.base_url, tmp_path_factory.mktemp("e2e-db"),
                                 database_templates)
    yield databases.seeded("browser")
    databases.drop_all()


@dataclass
class LiveServer:
    """The application served over HTTP on loopback, and an app object to prepare data with."""

    app: object
    url: str
    log: Path
    seeded_slugs: list[str] = field(default_factory=list)

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def errors_logged(self) -> list[str]:
        """Tracebacks the server wrote to its log (every 500 leaves one), with their context."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        marker = "Traceback (most recent call last)"
        starts, at = [], text.find(marker)
        while at != -1:
            starts.append(at)
            at = text.find(marker, at + 1)
        return [text[max(0, at - 300) : at + 2500] for at in starts]


@pytest.fixture(scope="session")
def live_server(e2e_database_url, database_templates, tmp_path_factory) -> Iterator[LiveServer]:
    """A migrated, seeded database served by gunicorn for the whole session."""
    with serve(e2e_database_url, tmp_path_factory.mktemp("e2e-server"), database_templates.seeded_slugs) as server:
        yield server


@contextmanager
def serve(database_url: str, work: Path, seeded_slugs: list[str]) -> Iterator[LiveServer]:
    """gunicorn serving the (migrated, seeded) database at ``database_url``, with the first
    administrator made, its log and uploads in ``work``; stopped when the block ends."""
    upload_dir = work / "uploads"
    upload_dir.mkdir()
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "e2e-secret-key",
            "UPLOAD_DIR": str(upload_dir),
            "LANGUAGES": LANGUAGES,
        }
    )
    with app.app_context():
        # The first administrator comes from the command line in real life; the other
        # accounts are created by people, in the browser.
        create_user(
            {"email": ADMIN_EMAIL, "password": PASSWORD, "role": "admin"}, now=datetime.now(UTC)
        )
        db.session.remove()
        db.engine.dispose()

    # Two processes with threads: the charts are drawn in Python, and the crawl asks for
    # many at once. Workers can take seconds to exit after a polite stop; nothing they
    # hold matters once the tests are done, so they get one.
    server = Gunicorn(
        log=work / "gunicorn.log",
        env={
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_SECRET_KEY": "e2e-secret-key",
            "TRACKER_UPLOAD_DIR": str(upload_dir),
            # The languages the service offers, so the forms show their translation boxes.
            "TRACKER_LANGUAGES": json.dumps(LANGUAGES),
        },
        workers=2,
        threads=4,
        timeout=120,
        log_level="info",
        stop_grace=1,
    )
    server.env["TRACKER_BASE_URL"] = server.url
    try:
        server.start(wait=60)
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield LiveServer(app=app, url=server.url, log=server.log, seeded_slugs=seeded_slugs)
    finally:
        server.kill()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def no_server_errors(request):
    """After each browser test, the server must not have logged a traceback (a 500)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    server = request.getfixturevalue("live_server")
    before = len(server.errors_logged())
    yield
    errors = server.errors_logged()[before:]
    assert not errors, "The server logged errors:\n" + "\n".join(errors)


def url_in_app(app, path: str) -> bool:
    """Whether ``path`` matches one of the application's routes (GET), whatever its view does."""
    from werkzeug.exceptions import HTTPException
    from werkzeug.routing import RequestRedirect

    try:
        app.url_map.bind("127.0.0.1").match(path, method="GET")
    except RequestRedirect:  # a trailing-slash redirect still means the route exists
        return True
    except HTTPException:  # NotFound, MethodNotAllowed
        return False
    return True


# --- The browser -----------------------------------------------------------------------------


def require_chromium() -> None:
    """Fail, clearly, when Debian's Chromium is not there: CI installs it, so it must be."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's chromium "
            "package (apt-get install -y chromium; .ci/run installs it). "
            "Playwright's own browser downloads are not used.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright; a missing browser is a failure."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # the 5 s default is short on a busy machine

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class PageProblems:
    """Console errors, uncaught exceptions and failed or refused requests of one browser context.

    Attached to a context, it watches every page opened in it. ``expected`` holds URLs a
    test asks for knowing they fail (an intentional 404), which are then not problems.
    """

    def __init__(self, context):
        self.problems: list[str] = []
        self.expected: set[str] = set()
        context.on("page", self._watch)
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def _watch(self, page) -> None:
        page.on("console", lambda msg: self._console(page, msg))
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: uncaught error: {exc}"))

    def _console(self, page, msg) -> None:
        # Chromium logs every refused response as a console error too: an expected one is not a problem.
        if msg.type == "error" and msg.location.get("url") not in self.expected:
            self.problems.append(
                f"{page.url}: console error: {msg.text} ({msg.location.get('url')})"
            )

    def _request_failed(self, request) -> None:
        # "Aborted" is the browser cancelling, not the server failing: a download handed
        # over by a page, or an image still loading when the person moved on. Refusals
        # are seen as responses (above 400) and broken connections have codes of their own.
        failure = request.failure or ""
        if failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"{request.method} {request.url}: request failed: {failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.url not in self.expected:
            self.problems.append(
                f"{response.request.method} {response.url}: HTTP {response.status}"
            )

    def assert_none(self) -> None:
        assert not self.problems, "The browser saw problems:\n" + "\n".join(self.problems)


@dataclass
class Person:
    """One person's browser: their own context (cookies), a page, and what went wrong in it."""

    context: object
    page: object
    problems: PageProblems


@pytest.fixture
def new_person(browser, live_server) -> Iterator:
    """Open a fresh browser context per person; each must end the test without page problems."""
    people: list[Person] = []

    def open_person() -> Person:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        # Generous: CI machines are shared, and a chart is drawn the first time it is asked for.
        context.set_default_timeout(30_000)
        problems = PageProblems(context)
        person = Person(context=context, page=context.new_page(), problems=problems)
        people.append(person)
        return person

    yield open_person
    try:
        for person in people:
            person.problems.assert_none()
    finally:
        for person in people:
            person.context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {email}.").wait_for()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("Signed out.").wait_for()


LOAD_ALL_IMAGES = """async () => {
  const images = [...document.images];
  images.forEach(image => { image.loading = "eager"; });
  await Promise.all(images.map(image => image.complete ? null
    : new Promise(done => { image.onload = image.onerror = done; })));
  return images.filter(image => !image.naturalWidth).map(image => image.src);
}"""


def load_all_images(page) -> None:
    """Load every image now, lazy ones included, and fail on any that does not display."""
    broken = page.evaluate(LOAD_ALL_IMAGES)
    assert not broken, f"on {page.url}, images that do not display: {broken}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot in test-artifacts/ (ignored by git) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Data prepared through the services, for tests that start in the middle of the story -----


@dataclass(frozen=True)
class Workload:
    """An agency with a focal point, a published plan whose actions it leads, an open round."""

    slug: str
    agency: str
    focal_point: str
    secretariat: str
    action_codes: tuple[str, ...]


def agency_workload(app, key: str, *, submitted: bool = False) -> Workload:
    """Prepare, through the services, what the secretariat would have set up in the browser.

    ``key`` keeps each test's plan, agency and people apart on the shared server. With
    ``submitted`` the last action already has a submitted report, so the review queue
    has something in it.
    """
    from tracker.services.actions import create_action
    from tracker.services.agencies import create_agency
    from tracker.services.plans import create_plan
    from tracker.services.recommendations import create_recommendation
    from tracker.services.reports import save_report
    from tracker.services.rounds import open_reporting_round

    now = datetime.now(UTC)
    today = now.date()
    name = key.capitalize()
    country = f"{name}land"
    system = Actor.system("e2e setup")
    with app.app_context():
        agency = create_agency(
            {"name": f"{name} Data Agency", "acronym": f"{key[:3].upper()}DA", "country": country}
        )
        focal_point = create_user(
            {
                "email": f"focal@{key}.example.org",
                "password": PASSWORD,
                "role": "agency",
                "agency": agency.acronym,
            },
            now=now,
        )
        secretariat = create_user(
            {
                "email": f"secretariat@{key}.example.org",
                "password": PASSWORD,
                "role": "secretariat",
            },
            now=now,
        )
        plan = create_plan(
            {
                "slug": f"{key}-plan",
                "title": f"{country} open data plan",
                "country": country,
                "period_start": f"{today.year}-01-01",
                "period_end": f"{today.year + 1}-12-31",
                "published": True,
            },
            now=now,
        )
        create_recommendation(
            plan,
            {
                "code": "R1",
                "text": "Publish the budget as open data.",
                "status": "pending",
                "timeframe": "short",
            },
            actor=system,
            now=now,
        )
        titles = {"K1": "Publish the 2026 budget", "K2": "Publish monthly spending"}
        actions = [
            create_action(
                plan,
                {
                    "code": code,
                    "title": title,
                    "status": "pending",
                    "lead_agency": agency.acronym,
                    "recommendations": ["R1"],
                    "start_date": today.isoformat(),
                    "due_date": (today + timedelta(days=365)).isoformat(),
                },
                actor=system,
                now=now,
            )
            for code, title in titles.items()
        ]
        open_reporting_round(
            plan,
            {
                "name": "Current round",
                "opens_on": today.isoformat(),
                "deadline": (today + timedelta(days=30)).isoformat(),
            },
        )
        if submitted:
            save_report(
                actions[-1],
                {
                    "narrative": "Monthly spending is published since March.",
                    "percent_complete": 40,
                    "proposed_status": "ongoing",
                    "links": [],
                },
                author=focal_point,
                now=now,
                submit=True,
            )
        workload = Workload(
            slug=plan.slug,
            agency=agency.display_name,
            focal_point=focal_point.email,
            secretariat=secretariat.email,
            action_codes=tuple(titles),
        )
        db.session.remove()
    return workload


# --- Accessibility ---------------------------------------------------------------------------

AXE_SOURCE = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
# The rules the project holds every page to: WCAG 2.0 and 2.1, levels A and AA.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[str]:
    """Run axe-core's WCAG 2.1 AA rules on the page as it is now; one line per violation.

    axe-core comes from npm (``tests/e2e/setup.sh``, run by ``make test``). It is evaluated
    through the DevTools protocol, so the site's Content-Security-Policy needs no exception.
    """
    if not AXE_SOURCE.is_file():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE}: run tests/e2e/setup.sh", pytrace=False)
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]


def page_scrolls_sideways(page) -> bool:
    """Whether the page itself (not a scrolling region inside it) is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
