"""Every page type, on every screen: no sideways scrolling of the page at 320 and 390 px
(WCAG 2.1, 1.4.10 Reflow) and no axe-core WCAG 2.1 AA violation at 320 and 1366 px.

One test per page type, each page as the person who uses it sees it: the public pages
of a real seeded plan, and the agency's, secretariat's, assessor's and administrator's
pages with data prepared through the services (a plan with an open reporting round, a
submitted report, an assessment round). The four landings are also reached as a person
would at 320 px: sign in, open the header's menu, follow the role's own first link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.conftest import (
    ADMIN_EMAIL,
    PASSWORD,
    PageProblems,
    agency_workload,
    axe_violations,
    page_scrolls_sideways,
    sign_in,
)
from tracker.extensions import db
from tracker.models import Action, Agency, AssessmentRound, Plan, Recommendation, Subscription
from tracker.reminders.compose import LinkSettings
from tracker.reminders.links import sign_report_link
from tracker.services.actions import create_action
from tracker.services.assessments import open_assessment_round
from tracker.services.indicators import create_indicator, record_source_value
from tracker.services.recommendations import find_recommendation, set_recommendation_status
from tracker.services.reports import save_report
from tracker.services.transaction import Actor
from tracker.services.users import create_user, find_user_by_email
from tracker.subscriptions.follow import followed_thing, subscribe
from tracker.webhooks.endpoints import register_endpoint

pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.seeded]

# The widths a phone shows the page at, and the widths axe checks (a phone and a laptop).
NARROW = (320, 390)
AXE_WIDTHS = (320, 1366)
SEEDED_PLAN = "mongolia-odra-2018"  # the seed plan with areas, figures, readiness and actions
ASSESSOR_EMAIL = "assessor@everyscreen.example.org"

# What sticks out of the window, for a failure message that says where to look.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.parentElement.closest('.scroll-box'))
  .slice(0, 6)
  .map(e => `${e.tagName.toLowerCase()}${e.className ? '.' + e.className : ''}`
    + ` (right edge at ${Math.round(e.getBoundingClientRect().right)} px)`)"""


@dataclass(frozen=True)
class Screen:
    """One page type: who looks at it, its address, what its main heading says."""

    who: str | None  # an email, or None for the public
    path: str
    heading: str
    status: int = 200


# Page types, by audience; their addresses are found once the data exists.
PUBLIC = (
    "home",
    "plan",
    "recommendation",
    "action",
    "agency",
    "changes",
    "plan-changes",
    "changes-paged",
    "action-as-of",
    "search",
    "open-data",
    "sign-in",
    "not-found",
    "report-link",
    "gantt",
    "timeline",
    "ranking",
    "plan-filtered",
    "agencies-index",
    "reminders-summary",
    "reminders-log",
    "embed-scorecard",
    "embed-gantt",
    "subscribe",
    "subscription-confirm",
    "subscription-unsubscribe",
    "plan-indicators",
    "pack",
)
AGENCY = ("agency-owe", "report-form", "report-view", "account", "two-factor", "calendar", "forbidden")
SECRETARIAT = (
    "work-dashboard",
    "pack-secretariat",
    "review-queue",
    "review",
    "plans",
    "workspace",
    "areas",
    "rounds",
    "assessments",
    "plan-form",
    "new-plan",
    "action-form",
    "recommendation-form",
    "recommendation-status",
    "import",
    "indicator-form",
)
ASSESSOR = ("assessor-rounds", "assessor-round")
ADMIN = ("users", "user-form", "agencies", "statuses", "status-form", "sign-ins", "sign-in-log", "reminders", "webhooks", "webhook")
PAGE_TYPES = PUBLIC + AGENCY + SECRETARIAT + ASSESSOR + ADMIN


@pytest.fixture(scope="module")
def screens(live_server) -> dict[str, Screen]:
    """Prepare the data every page type needs, through the services; return each page's address."""
    app = live_server.app
    # Without agency_workload's submitted report: that one is on K2, like the other tests'
    # workloads, and two "Review the report on K2" links in the shared queue would be ambiguous.
    work = agency_workload(app, "everyscreen")
    now = datetime.now(UTC)
    with app.app_context():
        assessor = create_user(
            {"email": ASSESSOR_EMAIL, "password": PASSWORD, "role": "assessor"}, now=now
        )
        plan = db.session.scalars(select(Plan).where(Plan.slug == work.slug)).one()
        assessment = open_assessment_round(
            plan,
            {"name": "Mid-term review", "assessed_on": date.today().isoformat()},
            user=assessor,
            now=now,
        )
        seeded = db.session.scalars(select(Plan).where(Plan.slug == SEEDED_PLAN)).one()
        rec = db.session.scalars(
            select(Recommendation)
            .where(Recommendation.plan_id == seeded.id)
            .order_by(Recommendation.id)
        ).first()
        action = db.session.scalars(
            select(Action).where(Action.plan_id == seeded.id).order_by(Action.id)
        ).first()
        # The agency that leads the most actions has the longest public page.
        busiest = db.session.execute(
            select(Agency.id, Agency.name)
            .join(Action, Action.lead_agency_id == Agency.id)
            .group_by(Agency.id, Agency.name)
            .order_by(func.count(Action.id).desc(), Agency.id)
        ).first()
        first = db.session.scalars(
            select(Action).where(Action.plan_id == plan.id, Action.code == work.action_codes[0])
        ).one()
        focal_point = find_user_by_email(work.focal_point)
        reported = create_action(
            plan,
            {
                "code": "E1",
                "title": "Publish procurement contracts",
                "status": "pending",
                "lead_agency": focal_point.agency.acronym,
                "start_date": date.today().isoformat(),
            },
            actor=Actor.system("e2e setup"),
            now=now,
        )
        setup = Actor.system("e2e setup")
        contracts = create_indicator(reported, {
            "code": "E1-CONTRACTS", "name": "Contracts published as open data", "unit": "contracts",
            "baseline_value": 0, "baseline_date": "2024-01-01", "target_value": 500, "target_date": "2027-12-31",
        }, actor=setup, now=now)
        create_indicator(first, {
            "code": "E-FIRST", "name": "Datasets released by the lead agency", "unit": "datasets",
        }, actor=setup, now=now)
        create_indicator(first, {"code": "E-LAW", "name": "Open data decree signed", "kind": "yes_no"},
                         actor=setup, now=now)
        # A seeded action with a figure from a document: its public page draws the chart.
        portal = create_indicator(action, {
            "code": "M-PORTAL", "name": "Datasets on the national open data portal", "unit": "datasets",
            "baseline_value": 120, "baseline_date": "2019-01-01", "target_value": 600, "target_date": "2021-12-31",
        }, actor=setup, now=now)
        record_source_value(portal, {"value": 260, "period_date": "2020-06-30"},
                            source={"source_document": "e2e", "source_section": "set-up"}, now=now)
        report = save_report(
            reported,
            {
                "narrative": "Contracts above the threshold are published weekly.",
                "percent_complete": 30,
                "proposed_status": "ongoing",
                "links": [],
                "indicator_values": [{"indicator": contracts.id, "value": 120}],
            },
            author=focal_point,
            now=now,
            submit=True,
        )
        # Enough moves for a second page of the plan's changes (50 lines a page).
        moved = find_recommendation(plan, "R1")
        for n in range(60):
            set_recommendation_status(
                moved, {"status": "ongoing" if n % 2 == 0 else "pending", "reason": f"Meeting {n}"},
                actor=Actor.system("e2e setup"), now=now,
            )
        token = sign_report_link(app.config["SECRET_KEY"], focal_point, first)
        admin = find_user_by_email(ADMIN_EMAIL)
        endpoint, _secret = register_endpoint(
            {"url": "https://hooks.example.org/everyscreen", "events": ["status.changed"]},
            acting_admin=admin, now=now, allow_private=False,
        )
        follower = "follower@everyscreen.example.org"
        subscribe(follower, followed_thing(SEEDED_PLAN), now=now,
                  links=LinkSettings(base_url=live_server.url, secret_key=app.config["SECRET_KEY"]),
                  templates=app.jinja_env)
        follow_token = db.session.scalars(select(Subscription.token).where(Subscription.email == follower)).one()
        ids = {
            "rec": rec.id,
            "rec_code": rec.code,
            "action": action.id,
            "action_code": action.code,
            "agency": busiest.id,
            "agency_name": busiest.name,
            "first": first.id,
            "report": report.id,
            "assessment": assessment.id,
            "admin": admin.id,
            "webhook": endpoint.id,
            "follow": follow_token,
            "indicator": portal.id,
        }
        assert db.session.get(AssessmentRound, assessment.id) is not None
        db.session.remove()

    public, agency, secretariat = None, work.focal_point, work.secretariat
    seeded_path = f"/plans/{SEEDED_PLAN}"
    manage = f"/secretariat/plans/{SEEDED_PLAN}"
    return {
        "home": Screen(public, "/", "Plans"),
        "plan": Screen(public, seeded_path, "Mongolia"),
        "recommendation": Screen(
            public, f"{seeded_path}/recommendations/{ids['rec_code']}", "Recommendation"
        ),
        "action": Screen(public, f"{seeded_path}/actions/{ids['action_code']}", "Action"),
        "agency": Screen(public, f"/agencies/{ids['agency']}", ids["agency_name"]),
        "changes": Screen(public, "/changes", "Changes"),
        "plan-changes": Screen(public, f"{seeded_path}/changes", "Changes"),
        "changes-paged": Screen(public, f"/plans/{work.slug}/changes?page=2", "Changes"),
        "action-as-of": Screen(
            public, f"{seeded_path}/actions/{ids['action_code']}?as_of=2019-06-30", "Action"
        ),
        "search": Screen(public, "/search?q=data", "Search"),
        "open-data": Screen(public, "/open-data/", "Open data"),
        "sign-in": Screen(public, "/sign-in", "Sign in"),
        "not-found": Screen(public, "/plans/no-such-plan", "Page not found", status=404),
        "report-link": Screen(public, f"/r/{token}", "Report progress"),
        "gantt": Screen(public, f"{seeded_path}/gantt", "Gantt"),
        "timeline": Screen(public, f"{seeded_path}/timeline", "Recommendations by timeframe"),
        "ranking": Screen(public, f"{seeded_path}/ranking", "Lead agencies"),
        "plan-filtered": Screen(
            public, f"{seeded_path}?status=ongoing&q=data&act_sort=-due&rec_sort=status", "Mongolia"
        ),
        "agencies-index": Screen(public, "/agencies", "Agencies"),
        "reminders-summary": Screen(public, "/agencies/reminders", "Reminders to agencies"),
        "reminders-log": Screen(public, f"/agencies/{ids['agency']}/reminders", "Reminders to"),
        "embed-scorecard": Screen(public, f"/embed/plans/{SEEDED_PLAN}/scorecard", "Mongolia"),
        "embed-gantt": Screen(public, f"/embed/plans/{SEEDED_PLAN}/gantt", "Mongolia"),
        "subscribe": Screen(public, f"/subscribe?plan={SEEDED_PLAN}", "Follow by email"),
        "subscription-confirm": Screen(public, f"/subscriptions/{ids['follow']}/confirm", "Confirm"),
        "subscription-unsubscribe": Screen(public, f"/subscriptions/{ids['follow']}/unsubscribe", "Unsubscribe"),
        "plan-indicators": Screen(public, "/plans/mexico-2016-review-followup/indicators", "Indicators and figures"),
        "pack": Screen(public, f"{seeded_path}/pack?since=2000-01-01", "Meeting pack"),
        "agency-owe": Screen(agency, "/agency/", "What we owe"),
        "report-form": Screen(agency, f"/agency/actions/{ids['first']}/report", "Progress report"),
        "report-view": Screen(agency, f"/agency/reports/{ids['report']}", "Progress report"),
        "account": Screen(agency, "/account/", "Account"),
        "two-factor": Screen(agency, "/account/two-factor", "two-factor"),
        "calendar": Screen(agency, "/account/calendar/", "Calendar feeds"),
        "forbidden": Screen(agency, "/secretariat/plans", "You cannot use this page", status=403),
        "work-dashboard": Screen(secretariat, "/secretariat/", "Work to do"),
        "pack-secretariat": Screen(secretariat, f"/plans/{work.slug}/pack?since=2000-01-01", "Meeting pack"),
        "review-queue": Screen(secretariat, "/secretariat/reviews", "Review queue"),
        "review": Screen(secretariat, f"/secretariat/reviews/{ids['report']}", "Progress report"),
        "plans": Screen(secretariat, "/secretariat/plans", "Plans"),
        "workspace": Screen(secretariat, manage, "Mongolia"),
        "areas": Screen(secretariat, f"{manage}/areas", "Areas"),
        "rounds": Screen(secretariat, f"/secretariat/plans/{work.slug}/rounds", "Reporting rounds"),
        "assessments": Screen(
            secretariat, f"/secretariat/plans/{work.slug}/assessments", "Assessment rounds"
        ),
        "plan-form": Screen(secretariat, f"{manage}/edit", "Mongolia"),
        "new-plan": Screen(secretariat, "/secretariat/plans/new", ""),
        "action-form": Screen(secretariat, f"{manage}/actions/{ids['action']}/edit", ""),
        "recommendation-form": Screen(
            secretariat, f"{manage}/recommendations/{ids['rec']}/edit", ""
        ),
        "recommendation-status": Screen(
            secretariat, f"{manage}/recommendations/{ids['rec']}/status", ""
        ),
        "import": Screen(secretariat, "/secretariat/import", "Import"),
        "indicator-form": Screen(secretariat, f"{manage}/indicators/{ids['indicator']}/edit", "M-PORTAL"),
        "assessor-rounds": Screen(ASSESSOR_EMAIL, "/assessor/", "Assessment rounds"),
        "assessor-round": Screen(
            ASSESSOR_EMAIL, f"/assessor/rounds/{ids['assessment']}", "Mid-term review"
        ),
        "users": Screen(ADMIN_EMAIL, "/admin/users", "Users"),
        "user-form": Screen(ADMIN_EMAIL, f"/admin/users/{ids['admin']}", ADMIN_EMAIL),
        "agencies": Screen(ADMIN_EMAIL, "/admin/agencies", "Agencies"),
        "statuses": Screen(ADMIN_EMAIL, "/admin/statuses", "Status vocabulary"),
        "status-form": Screen(ADMIN_EMAIL, "/admin/statuses/ongoing", "Edit status"),
        "sign-ins": Screen(ADMIN_EMAIL, "/admin/sign-ins", "Failed sign-ins"),
        "sign-in-log": Screen(ADMIN_EMAIL, "/admin/sign-in-log", "Sign-in log"),
        "reminders": Screen(ADMIN_EMAIL, "/admin/reminders/", "Reminders"),
        "webhooks": Screen(ADMIN_EMAIL, "/admin/webhooks/", "Webhooks"),
        "webhook": Screen(ADMIN_EMAIL, f"/admin/webhooks/{ids['webhook']}", "Webhook"),
    }


@dataclass
class Visitor:
    """A browser context of one person (signed in, or the public) kept for the module."""

    context: object
    page: object
    problems: PageProblems


@pytest.fixture(scope="module")
def visitors(browser, live_server):
    """One context per person, signed in once: many page types share each sign-in."""
    opened: dict[str | None, Visitor] = {}

    def visitor(who: str | None) -> Visitor:
        if who not in opened:
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": 1366, "height": 800}
            )
            context.set_default_timeout(30_000)
            problems = PageProblems(context)
            page = context.new_page()
            if who is not None:
                sign_in(page, who)
            opened[who] = Visitor(context=context, page=page, problems=problems)
        return opened[who]

    yield visitor
    for visitor_ in opened.values():
        visitor_.context.close()


def assert_no_sideways_scroll(page, width: int) -> None:
    assert not page_scrolls_sideways(page), (
        f"{page.url} scrolls sideways at {width} px; sticking out: {page.evaluate(STICKING_OUT)}"
    )


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_the_page_reflows_on_a_phone_and_passes_axe(page_type, screens, visitors, live_server):
    screen = screens[page_type]
    visitor = visitors(screen.who)
    visitor.problems.problems.clear()
    if screen.status != 200:
        visitor.problems.expected.add(live_server(screen.path))
    page = visitor.page
    violations: list[str] = []
    for width in sorted({*NARROW, *AXE_WIDTHS}):
        page.set_viewport_size({"width": width, "height": 800})
        response = page.goto(screen.path)
        assert response.status == screen.status, f"{screen.path} answered {response.status}"
        assert urlsplit(page.url).path == urlsplit(screen.path).path, f"sent to {page.url}"
        if screen.heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(screen.heading)
        if width in NARROW:
            assert_no_sideways_scroll(page, width)
        if width in AXE_WIDTHS:
            violations += [f"at {width} px: {v}" for v in axe_violations(page)]
    assert not violations, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(violations)
    if screen.status != 200:
        # The intentional 404: Chromium reports the refused document as a console error too.
        visitor.problems.problems = [p for p in visitor.problems.problems if screen.path not in p]
    visitor.problems.assert_none()


def test_the_pack_prints_without_navigation_or_forms(live_server, new_person):
    """Printed (print media, as WeasyPrint and a browser's Print use), a page keeps its content
    and loses the header's navigation, the forms and the buttons."""
    page = new_person().page
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"/plans/{SEEDED_PLAN}/pack")
    expect(page.get_by_role("navigation", name="Main")).to_be_attached()
    expect(page.locator("header.site")).to_be_visible()
    expect(page.get_by_role("button", name="Show")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(page.get_by_role("link", name="Download the pack as PDF")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting pack")
    expect(page.get_by_role("heading", name="Scorecard")).to_be_visible()
    # Nothing scrolls on paper: the wide tables are shown whole.
    assert page.locator(".scroll-box").first.evaluate("e => getComputedStyle(e).overflowX") == "visible"
    # The same stylesheet prints every page: the plan page loses its header and forms too.
    page.goto(f"/plans/{SEEDED_PLAN}")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("main form").first).to_be_hidden()
    expect(page.get_by_role("heading", name="Scorecard")).to_be_visible()


# The four landings: each role's own first link in the menu, after signing in at 320 px.
# (who, the link, the heading of the page it opens)
LANDINGS = {
    "agency": ("focal@everyscreen.example.org", "What we owe", "What we owe"),
    "secretariat": ("secretariat@everyscreen.example.org", "Review queue", "Review queue"),
    "assessor": (ASSESSOR_EMAIL, "Assessments", "Assessment"),
    "admin": (ADMIN_EMAIL, "Users", "Users"),
}


# Where signing in sends each role (tracker/routes/nav.py LANDINGS).
LANDING_PATHS = {"agency": "/agency/", "secretariat": "/secretariat/", "assessor": "/assessor/",
                 "admin": "/admin/users"}


@pytest.mark.parametrize("role", LANDINGS)
def test_each_role_lands_on_its_home_by_the_menu_at_320_px(role, screens, new_person):
    email, link, heading = LANDINGS[role]
    page = new_person().page
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, email)
    assert urlsplit(page.url).path == LANDING_PATHS[role], f"{role} landed on {page.url}"
    # Measured once the stylesheet is in: before, the page is laid out unstyled, and wide.
    page.wait_for_load_state()
    assert_no_sideways_scroll(page, 320)

    # The navigation is folded into the menu: closed, its links are not shown.
    menu = page.locator("header.site details.site-menu")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_be_hidden()
    menu.get_by_text("Menu").click()
    expect(navigation).to_be_visible()
    assert_no_sideways_scroll(page, 320)
    navigation.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state()
    violations: list[str] = []
    for width in (320, 390, 1366):
        page.set_viewport_size({"width": width, "height": 700})
        if width in NARROW:
            assert_no_sideways_scroll(page, width)
        if width in AXE_WIDTHS:
            violations += [f"at {width} px: {v}" for v in axe_violations(page)]
    assert not violations, "axe-core found WCAG 2.1 AA violations:\n" + "\n".join(violations)


def test_the_menu_is_shown_in_line_on_a_laptop(live_server, new_person):
    """From 48em up there is no toggle: the navigation's links are in the header's row."""
    page = new_person().page
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto("/")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans")
    ).to_be_visible()


def test_a_chart_on_a_phone_keeps_a_readable_size_and_pans_with_the_keys(live_server, new_person):
    """At 320 px a chart is not squeezed to the screen: it pans inside its own box, by keyboard too."""
    page = new_person().page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/plans/{SEEDED_PLAN}")
    box = page.locator("figure.chart .scroll-box").first
    box.scroll_into_view_if_needed()
    image = box.locator("img")
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.getBoundingClientRect().width") >= 600
    assert_no_sideways_scroll(page, 320)
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.element_handle())


def test_the_changes_page_pages_by_its_links(screens, visitors):
    """A reader goes from the first page of a plan's changes to the next and back."""
    page = visitors(None).page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(screens["changes-paged"].path.replace("?page=2", ""))
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_text("Meeting 0", exact=True)).to_be_visible()  # the oldest move, last
    page.get_by_role("link", name="Previous page").click()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
