"""The role x route access matrix: who may reach what, for every route of the application.

``MATRIX`` has an entry for every rule in ``app.url_map`` (``static`` aside), with one
line per variant of its URL parameters (the published plan and the unpublished one, a
report in each state, an own object and another agency's). Each line gives, per role
and per method, the outcome class expected:

- ``ok``: 200, 201, 204 or 304, or a redirect anywhere but the sign-in page;
- ``allowed``: access granted, whatever the body's fate: ``ok``, or 409 or 422. POSTs
  carry a valid CSRF token and a minimal body, so a refused body still means "let in";
- ``login``: a redirect to /sign-in (pages) or 401 (API);
- ``forbidden``: 403;
- ``hidden``: 404;
- anything else: the exact status code, as a string.

The roles are, for pages: ``anonymous``, ``agency`` (agency A, whose reports these are),
``agency_b`` (another agency), ``secretariat``, ``admin``, ``assessor``; for the API:
``api_anonymous``, ``api_agency``, ``api_agency_b``, ``api_secretariat``, ``api_admin``
(each with a personal bearer token) and ``api_bad_token`` (an unknown token).

Each cell is its own test (``test_access[public.plan:unpublished-GET-anonymous]``); a
cell answered 200 to the public or to agency B is also searched for private texts (the
unpublished plan's, and A's unaccepted reports' narratives, comments and file names).
Besides: every route of ``app.url_map`` must have a line (and every line a route); every
page POST without a CSRF token is refused with 400; the API answers JSON to every role,
errors included, and treats a browser's session cookie without a token as the public.

The world (tests/access_world.py) is built once for the module inside an outer
transaction; every test runs in a savepoint that is rolled back, so a POST that gets
through changes nothing for the next cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.access_world import SEARCH_WORD, World, build_world
from tests.conftest import PASSWORD, csrf_token
from tests.fixtures.transactions import rolled_back
from tracker.extensions import db

HTML_ROLES = ("anonymous", "agency", "agency_b", "secretariat", "admin", "assessor")
API_ROLES = ("api_anonymous", "api_agency", "api_agency_b", "api_secretariat", "api_admin", "api_bad_token")

OK, ALLOWED, LOGIN, FORBIDDEN, HIDDEN = "ok", "allowed", "login", "forbidden", "hidden"
# What each expected class admits, in terms of ``classify``'s answers.
CLASSES = {
    OK: {"ok"},
    ALLOWED: {"ok", "409", "422"},
    LOGIN: {"login"},
    FORBIDDEN: {"forbidden"},
    HIDDEN: {"hidden"},
}


# Roles that must never read A's unsubmitted or returned reports, nor the unpublished plan.
# Assessors see published plans only, as the public does (issue 12 item 16: there is no
# per-plan assignment of assessors yet). (A signed reminder link is A's credential,
# whoever holds it: links.* are not checked; nor is a secret calendar address, calendars.private_*.)
CREDENTIAL_URLS = ("links.", "calendars.private_")
OUTSIDERS = ("anonymous", "agency_b", "assessor", "api_anonymous", "api_agency_b")


def classify(response) -> str:
    """The outcome class of a response (see the module docstring)."""
    code = response.status_code
    if code in (200, 201, 204, 304):
        return "ok"
    if code in (301, 302, 303, 307, 308):
        return "login" if urlsplit(response.headers.get("Location", "")).path == "/sign-in" else "ok"
    return {401: "login", 403: "forbidden", 404: "hidden"}.get(code, str(code))


# --------------------------------------------------------------------------- the matrix


class p:
    """URL parameters of a matrix line. ``"w.a.b"`` is ``world.a[b]`` (or ``world.a.b``); a
    callable is given (world, role); anything else is taken as it is. Names that are not
    in the route's rule become the query string."""

    def __init__(self, **spec):
        self.spec = spec

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.spec)

    def __call__(self, world: World, role: str) -> dict:
        values = {}
        for name, value in self.spec.items():
            if callable(value):
                value = value(world, role)
            elif isinstance(value, str) and value.startswith("w."):
                found = world
                for part in value.split(".")[1:]:
                    found = found[part] if isinstance(found, dict) else getattr(found, part)
                value = found
            values[name] = value
        return values


@dataclass(frozen=True)
class Case:
    """One line of the matrix: an endpoint with one choice of URL parameters."""

    endpoint: str
    expect: dict[str, tuple[str, ...]]  # method -> expected class per role (HTML_ROLES or API_ROLES)
    params: p = field(default_factory=p)
    variant: str = ""
    body: dict | None = None             # form fields (pages) or JSON object (API); minimal

    @property
    def api(self) -> bool:
        return self.endpoint.split(".")[0].startswith("api")

    @property
    def roles(self) -> tuple[str, ...]:
        return API_ROLES if self.api else HTML_ROLES

    @property
    def name(self) -> str:
        return f"{self.endpoint}:{self.variant}" if self.variant else self.endpoint


def E(*outcomes: str) -> tuple[str, ...]:
    """Expected classes, one per role, in the order of HTML_ROLES (or API_ROLES)."""
    assert len(outcomes) == 6, outcomes
    return outcomes


def everyone(outcome: str) -> tuple[str, ...]:
    return (outcome,) * 6


# Pages:                 anonymous agency  agency_b  secretariat admin  assessor
SIGNED_IN = E(LOGIN, OK, OK, OK, OK, OK)
SIGNED_IN_POST = E(LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, ALLOWED)
AGENCIES = E(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)
AGENCY_A = E(LOGIN, OK, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)           # A's own objects
AGENCY_A_POST = E(LOGIN, ALLOWED, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
STAFF = E(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN)
STAFF_POST = E(LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, FORBIDDEN)
STAFF_HIDDEN = E(LOGIN, FORBIDDEN, FORBIDDEN, HIDDEN, HIDDEN, FORBIDDEN)     # staff, wrong object
ADMIN = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)
ADMIN_POST = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, FORBIDDEN)
ASSESSORS = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
ASSESSORS_POST = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED)
# Assessor pages about an unpublished plan: admins see every plan, assessors published ones only.
ASSESSORS_UNPUBLISHED = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, HIDDEN)
ASSESSORS_UNPUBLISHED_POST = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, HIDDEN)
# A's report once submitted: A and the secretariat, nobody else (B is on none of A's actions).
REPORT_SEEN = E(HIDDEN, OK, HIDDEN, OK, OK, HIDDEN)
# A's draft, returned or withdrawn report: A alone (the withdrawn one's action is B's now).
REPORT_A_ONLY = E(HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
# API:                   anonymous agency  agency_b  secretariat admin  bad token
API_PUBLIC = E(OK, OK, OK, OK, OK, LOGIN)
API_UNPUBLISHED = E(HIDDEN, OK, HIDDEN, OK, OK, LOGIN)    # A leads an action there; B does not
API_REPORT_SEEN = E(HIDDEN, OK, HIDDEN, OK, OK, LOGIN)
API_REVIEW = E(LOGIN, FORBIDDEN, HIDDEN, ALLOWED, ALLOWED, LOGIN)
API_STAFF_WRITE = E(LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, LOGIN)
API_ADMIN = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, LOGIN)
API_ADMIN_WRITE = E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOWED, LOGIN)
# A's reports through the API, by state: A changes its own (a read-only one is 409, "allowed");
# whoever else may see the report is refused (403), whoever may not gets 404.
API_OWN_REPORT = {
    "draft": E(LOGIN, ALLOWED, HIDDEN, HIDDEN, HIDDEN, LOGIN),
    "returned": E(LOGIN, ALLOWED, HIDDEN, HIDDEN, HIDDEN, LOGIN),
    "withdrawn": E(LOGIN, ALLOWED, HIDDEN, HIDDEN, HIDDEN, LOGIN),
    "submitted": E(LOGIN, ALLOWED, HIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
    "accepted": E(LOGIN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN),
}


def own_token(world: World, role: str) -> int:
    """The caller's own API token; roles without one (anonymous, assessor) get someone else's."""
    return world.token_ids.get(role, world.token_ids["someone_else"])


CHARTS = ("gantt", "timeline", "scorecard", "rounds", "readiness", "agencies")
# Open data tables whose rows could carry the unpublished plan or unaccepted reports.
OPEN_TABLES = ("plans", "recommendations", "actions", "status_changes", "assessments")
PUB = p(slug="w.pub_slug")
HID = p(slug="w.hidden_slug")


def report(key: str) -> p:
    return p(report_id=f"w.reports.{key}")


def evidence(key: str) -> p:
    return p(evidence_id=f"w.evidence.{key}")


MATRIX: list[Case] = [
    # --- public pages: published data for everyone; the unpublished plan is 404 for everyone.
    Case("public.index", {"GET": everyone(OK)}),
    Case("public.plan", {"GET": everyone(OK)}, PUB),
    Case("public.plan", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    Case("public.recommendation", {"GET": everyone(OK)}, p(slug="w.pub_slug", code="w.rec_code")),
    Case("public.recommendation", {"GET": everyone(HIDDEN)},
         p(slug="w.hidden_slug", code="w.hidden_rec_code"), "unpublished"),
    Case("public.recommendation", {"GET": everyone(HIDDEN)},
         p(slug="w.pub_slug", code="w.hidden_rec_code"), "code-of-unpublished-plan"),
    Case("public.action", {"GET": everyone(OK)}, p(slug="w.pub_slug", code="w.action_a_code")),
    Case("public.action", {"GET": everyone(HIDDEN)},
         p(slug="w.hidden_slug", code="w.hidden_action_code"), "unpublished"),
    Case("public.action", {"GET": everyone(HIDDEN)},
         p(slug="w.pub_slug", code="w.hidden_action_code"), "code-of-unpublished-plan"),
    # Evidence files: public once accepted on a published plan; before that, A's only
    # (and the secretariat's once submitted).
    *[Case("public.evidence", {"GET": REPORT_A_ONLY}, evidence(state), state)
      for state in ("draft", "returned", "withdrawn")],
    Case("public.evidence", {"GET": REPORT_SEEN}, evidence("submitted"), "submitted"),
    Case("public.evidence", {"GET": everyone(OK)}, evidence("accepted"), "accepted"),
    Case("public.evidence", {"GET": REPORT_SEEN}, evidence("hidden_accepted"), "accepted-unpublished-plan"),
    # The dashboard: what moved lately, search, agencies' public records. Their bodies are
    # also checked for private texts (see test_access).
    Case("public.changes", {"GET": everyone(OK)}),
    Case("public.changes", {"GET": everyone(OK)}, p(since="2000-01-01"), "since-2000"),
    Case("public.changes", {"GET": everyone(OK)}, p(slug="w.pub_slug", since="2000-01-01"), "plan"),
    Case("public.changes", {"GET": everyone(HIDDEN)}, p(slug="w.hidden_slug"), "plan-unpublished"),
    Case("public.changes_csv", {"GET": everyone(OK)}, p(since="2000-01-01"), "since-2000"),
    Case("public.changes_csv", {"GET": everyone(OK)}, p(slug="w.pub_slug", since="2000-01-01"), "plan"),
    Case("public.changes_csv", {"GET": everyone(HIDDEN)}, p(slug="w.hidden_slug"), "plan-unpublished"),
    Case("public.search", {"GET": everyone(OK)}),
    Case("public.search", {"GET": everyone(OK)}, p(q=SEARCH_WORD), "query"),
    Case("public.search", {"GET": everyone(OK)}, p(q=SEARCH_WORD, plan="w.hidden_slug"), "unpublished-plan"),
    Case("public.search", {"GET": everyone(OK)}, p(agency="w.hidden_agency_id"), "agency-of-unpublished-plan"),
    Case("public.agency", {"GET": everyone(OK)}, p(agency_id="w.agency_a_id")),
    Case("public.agency", {"GET": everyone(HIDDEN)}, p(agency_id="w.hidden_agency_id"), "only-unpublished-actions"),
    Case("public.agencies", {"GET": everyone(OK)}),
    Case("public.reminders", {"GET": everyone(OK)}),
    Case("public.agency_reminders", {"GET": everyone(OK)}, p(agency_id="w.agency_a_id")),
    Case("public.agency_reminders", {"GET": everyone(HIDDEN)}, p(agency_id="w.hidden_agency_id"),
         "only-unpublished-actions"),
    Case("public.plan", {"GET": everyone(OK)}, p(slug="w.pub_slug", status="ongoing", overdue="1", q=SEARCH_WORD,
                                                 act_sort="-due", act_page="abc"), "filtered"),
    # --- charts of a plan, each with its CSV: published plans only
    *[Case("charts.chart", {"GET": everyone(OK)}, p(slug="w.pub_slug", name=name, fmt="csv"), f"{name}.csv")
      for name in CHARTS],
    Case("charts.chart", {"GET": everyone(OK)}, p(slug="w.pub_slug", name="gantt", fmt="svg"), "gantt.svg"),
    *[Case("charts.chart", {"GET": everyone(HIDDEN)}, p(slug="w.hidden_slug", name=name, fmt=fmt),
           f"unpublished-{name}.{fmt}")
      for name, fmt in (("gantt", "png"), ("gantt", "svg"), ("scorecard", "csv"), ("agencies", "csv"))],
    # --- indicators: a plan's page of them, and each one's chart with its CSV: published plans only
    Case("public.plan_indicators", {"GET": everyone(OK)}, PUB),
    Case("public.plan_indicators", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    *[Case("charts.indicator_chart", {"GET": everyone(OK)}, p(slug="w.pub_slug", code="w.indicator_code", fmt=fmt),
           f"indicator.{fmt}") for fmt in ("png", "svg", "csv")],
    Case("charts.indicator_chart", {"GET": everyone(HIDDEN)},
         p(slug="w.hidden_slug", code="w.hidden_indicator_code", fmt="svg"), "unpublished-indicator.svg"),
    Case("charts.indicator_chart", {"GET": everyone(HIDDEN)},
         p(slug="w.pub_slug", code="w.hidden_indicator_code", fmt="csv"), "code-of-unpublished-plan"),
    # --- the row charts as HTML pages: published plans only
    *[Case(f"chart_pages.{page}", {"GET": everyone(OK)}, PUB) for page in ("gantt", "timeline", "ranking")],
    *[Case(f"chart_pages.{page}", {"GET": everyone(HIDDEN)}, HID, "unpublished")
      for page in ("gantt", "timeline", "ranking")],
    # --- the meeting pack and its PDF: a published plan's for everyone (the reports waiting
    # for review only for staff); an unpublished plan's for staff only.
    *[Case(f"meeting_pack.{page}", {"GET": everyone(OK)}, PUB) for page in ("pack", "pack_pdf")],
    *[Case(f"meeting_pack.{page}", {"GET": E(HIDDEN, HIDDEN, HIDDEN, OK, OK, HIDDEN)}, HID, "unpublished")
      for page in ("pack", "pack_pdf")],
    # --- open data and feeds: published plans and validated data only, for everyone
    Case("open_data.index", {"GET": everyone(OK)}),
    Case("open_data.datapackage", {"GET": everyone(OK)}),
    *[Case("open_data.table_csv", {"GET": everyone(OK)}, p(resource=table), table) for table in OPEN_TABLES],
    Case("open_data.table_csv", {"GET": everyone(HIDDEN)}, p(resource="users"), "unknown-table"),
    Case("open_data.plan_json", {"GET": everyone(OK)}, PUB),
    Case("open_data.plan_json", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    Case("open_data.plan_datapackage", {"GET": everyone(OK)}, PUB),
    Case("open_data.plan_datapackage", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    *[Case("open_data.plan_csv", {"GET": everyone(OK)}, p(slug="w.pub_slug", resource=table), table)
      for table in OPEN_TABLES],
    Case("open_data.plan_csv", {"GET": everyone(HIDDEN)}, p(slug="w.hidden_slug", resource="actions"),
         "unpublished"),
    Case("open_data.plan_csv", {"GET": everyone(HIDDEN)}, p(slug="w.pub_slug", resource="users"), "unknown-table"),
    Case("open_data.feed", {"GET": everyone(OK)}),
    Case("open_data.plan_feed", {"GET": everyone(OK)}, PUB),
    Case("open_data.plan_feed", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    # --- operations: /healthz for anyone (no scheduler beats in this world, so 503 with the
    # reason, whoever asks); /metrics for admins (and the scraper's token), 401 to the public.
    Case("operations.healthz", {"GET": everyone("503")}),
    Case("operations.metrics", {"GET": E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)}),
    # --- signing in and out
    Case("auth.login", {"GET": everyone(OK), "POST": everyone(ALLOWED)}),
    Case("auth.logout", {"POST": E(LOGIN, OK, OK, OK, OK, OK)}),
    # The second step of a sign-in: only after a first factor, in the same session.
    Case("auth.two_factor_step", {"GET": everyone(LOGIN), "POST": everyone(LOGIN)}),
    # Single sign-on is not configured in this world (tests/sign_in/ configure it).
    Case("auth.single_sign_on", {"GET": everyone(HIDDEN)}),
    Case("auth.single_sign_on_callback", {"GET": everyone(HIDDEN)}),
    # --- one's own account
    Case("account.settings", {"GET": SIGNED_IN}),
    Case("account.password", {"POST": SIGNED_IN_POST}),
    Case("account.language", {"POST": SIGNED_IN_POST}),
    Case("account.two_factor", {"GET": SIGNED_IN, "POST": SIGNED_IN_POST}),
    Case("account.recovery_codes", {"POST": SIGNED_IN_POST}),
    Case("account.disable_two_factor", {"POST": SIGNED_IN_POST}),
    # Assessors have no API access, so no tokens.
    Case("account.tokens", {"POST": E(LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, FORBIDDEN)}),
    Case("account.revoke", {"POST": E(LOGIN, ALLOWED, ALLOWED, ALLOWED, ALLOWED, HIDDEN)},
         p(token_id=own_token), "own-token"),
    Case("account.revoke", {"POST": E(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)},
         p(token_id="w.token_ids.someone_else"), "someone-elses-token"),
    # --- administrators
    Case("admin.users", {"GET": ADMIN, "POST": ADMIN_POST}),
    Case("admin.edit_user", {"GET": ADMIN, "POST": ADMIN_POST}, p(user_id="w.users.agency")),
    Case("admin.agencies", {"GET": ADMIN, "POST": ADMIN_POST}),
    Case("admin.statuses", {"GET": ADMIN, "POST": ADMIN_POST}),
    Case("admin.edit_status", {"GET": ADMIN, "POST": ADMIN_POST}, p(key="pending")),
    Case("admin.edit_status", {"GET": E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, FORBIDDEN)},
         p(key="no_such_status"), "unknown-status"),
    Case("admin.move_status_in_order", {"POST": ADMIN_POST}, p(key="pending")),
    Case("admin.remove_status", {"POST": ADMIN_POST}, p(key="pending")),
    Case("admin.sign_ins", {"GET": ADMIN}),
    Case("admin.sign_in_log", {"GET": ADMIN}),
    Case("admin.sign_in_log", {"GET": ADMIN}, p(email="w.emails.agency"), "one-account"),
    Case("admin.single_sign_on", {"GET": ADMIN, "POST": ADMIN_POST}),
    Case("admin.remove_single_sign_on_domain", {"POST": E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, FORBIDDEN)},
         p(rule_id=999_999), "unknown-domain"),
    Case("reminders_admin.log", {"GET": ADMIN}),
    Case("webhooks_admin.index", {"GET": ADMIN, "POST": ADMIN_POST}),
    Case("webhooks_admin.endpoint", {"GET": ADMIN}, p(endpoint_id="w.webhook_id")),
    Case("webhooks_admin.endpoint", {"GET": E(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, FORBIDDEN)},
         p(endpoint_id=999_999), "unknown"),
    Case("webhooks_admin.set_active", {"POST": ADMIN_POST}, p(endpoint_id="w.webhook_id")),
    Case("webhooks_admin.resend", {"POST": ADMIN_POST},
         p(endpoint_id="w.webhook_id", delivery_id="w.webhook_delivery_id")),
    # --- calendars: public for published plans; the secret address is its owner's (A's) credential
    Case("calendars.public_plan", {"GET": everyone(OK)}, PUB),
    Case("calendars.public_plan", {"GET": everyone(HIDDEN)}, HID, "unpublished"),
    Case("calendars.private_plan", {"GET": everyone(OK)}, p(token="w.calendar_token", slug="w.pub_slug")),
    # A leads an action of the unpublished plan, so A's address shows it.
    Case("calendars.private_plan", {"GET": everyone(OK)}, p(token="w.calendar_token", slug="w.hidden_slug"),
         "unpublished-plan-of-own-action"),
    Case("calendars.private_plan", {"GET": everyone(HIDDEN)}, p(token="not-a-token", slug="w.pub_slug"),
         "unknown-token"),
    Case("calendars.private_agency", {"GET": everyone(OK)},
         p(token="w.calendar_token", agency_id="w.agency_a_id"), "own-agency"),
    Case("calendars.private_agency", {"GET": everyone(HIDDEN)},
         p(token="w.calendar_token", agency_id="w.agency_b_id"), "other-agency"),
    Case("calendar_account.page", {"GET": SIGNED_IN}),
    Case("calendar_account.rotate", {"POST": SIGNED_IN_POST}),
    Case("calendar_account.revoke", {"POST": SIGNED_IN_POST}),
    # --- embeds (any site may frame them) and following by email: published plans, for everyone
    *[Case(f"embeds.{kind}", {"GET": everyone(OK)}, PUB) for kind in ("scorecard", "gantt")],
    *[Case(f"embeds.{kind}", {"GET": everyone(HIDDEN)}, HID, "unpublished") for kind in ("scorecard", "gantt")],
    Case("subscriptions.new", {"GET": everyone(OK), "POST": everyone(ALLOWED)}, p(plan="w.pub_slug")),
    Case("subscriptions.new", {"GET": everyone(HIDDEN), "POST": everyone(HIDDEN)}, p(plan="w.hidden_slug"),
         "unpublished"),
    Case("subscriptions.confirm_page", {"GET": everyone(OK), "POST": everyone(ALLOWED)},
         p(token="w.subscription_token")),
    Case("subscriptions.confirm_page", {"GET": everyone(HIDDEN)}, p(token="unknown"), "unknown"),
    Case("subscriptions.unsubscribe_page", {"GET": everyone(OK), "POST": everyone(ALLOWED)},
         p(token="w.subscription_token")),
    Case("subscriptions.unsubscribe_page", {"GET": everyone(HIDDEN), "POST": everyone(HIDDEN)}, p(token="unknown"),
         "unknown"),
    Case("reminders_admin.message", {"GET": ADMIN}, p(message_id="w.message_id")),
    # --- agency focal points: their own agency's actions, reports and files only
    Case("agency.owe", {"GET": AGENCIES}),
    Case("agency.report_new", {"GET": AGENCY_A, "POST": AGENCY_A_POST}, p(action_id="w.action_a_id"), "own-action"),
    Case("agency.report_new", {"GET": AGENCY_A, "POST": AGENCY_A_POST},
         p(action_id="w.hidden_action_id"), "own-action-unpublished-plan"),
    Case("agency.report_new",
         {"GET": E(LOGIN, HIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
          "POST": E(LOGIN, HIDDEN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN)},
         p(action_id="w.action_b_id"), "other-agencys-action"),
    *[Case("agency.report", {"GET": AGENCY_A, "POST": AGENCY_A_POST}, report(state), state)
      for state in ("draft", "submitted", "returned", "accepted", "withdrawn")],
    *[Case("agency.evidence_remove", {"POST": AGENCY_A_POST}, evidence(state), state)
      for state in ("draft", "submitted", "returned", "accepted", "withdrawn")],
    # --- the secretariat (and admins); drafts stay with their agency
    Case("secretariat.dashboard", {"GET": STAFF}),
    Case("secretariat.plans", {"GET": STAFF}),
    Case("secretariat.new_plan", {"GET": STAFF, "POST": STAFF_POST}),
    Case("secretariat.workspace", {"GET": STAFF}, PUB),
    Case("secretariat.workspace", {"GET": STAFF}, HID, "unpublished"),
    Case("secretariat.edit_plan", {"GET": STAFF, "POST": STAFF_POST}, PUB),
    Case("secretariat.edit_plan", {"GET": STAFF}, HID, "unpublished"),
    Case("secretariat.areas", {"GET": STAFF, "POST": STAFF_POST}, PUB),
    Case("secretariat.edit_area", {"GET": STAFF, "POST": STAFF_POST}, p(slug="w.pub_slug", area_id="w.pub_area_id")),
    Case("secretariat.edit_area", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", area_id="w.hidden_area_id"), "area-of-another-plan"),
    Case("secretariat.assign", {"POST": STAFF_POST}, PUB),
    Case("secretariat.new_recommendation", {"GET": STAFF, "POST": STAFF_POST}, PUB),
    Case("secretariat.edit_recommendation", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", rec_id="w.rec_id")),
    Case("secretariat.edit_recommendation", {"GET": STAFF_HIDDEN},
         p(slug="w.pub_slug", rec_id="w.hidden_rec_id"), "recommendation-of-another-plan"),
    Case("secretariat.recommendation_status", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", rec_id="w.rec_id")),
    Case("secretariat.recommendation_status", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", rec_id="w.hidden_rec_id"), "recommendation-of-another-plan"),
    Case("secretariat.new_action", {"GET": STAFF, "POST": STAFF_POST}, PUB),
    Case("secretariat.edit_action", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", action_id="w.action_a_id")),
    Case("secretariat.edit_action", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", action_id="w.hidden_action_id"), "action-of-another-plan"),
    Case("secretariat.new_action_indicator", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", action_id="w.action_a_id")),
    Case("secretariat.new_action_indicator", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", action_id="w.hidden_action_id"), "action-of-another-plan"),
    Case("secretariat.new_recommendation_indicator", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", rec_id="w.rec_id")),
    Case("secretariat.new_recommendation_indicator", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", rec_id="w.hidden_rec_id"), "recommendation-of-another-plan"),
    Case("secretariat.edit_indicator", {"GET": STAFF, "POST": STAFF_POST},
         p(slug="w.pub_slug", indicator_id="w.indicator_id")),
    Case("secretariat.edit_indicator", {"GET": STAFF_HIDDEN, "POST": STAFF_HIDDEN},
         p(slug="w.pub_slug", indicator_id="w.hidden_indicator_id"), "indicator-of-another-plan"),
    Case("secretariat.rounds", {"GET": STAFF, "POST": STAFF_POST}, PUB),
    Case("secretariat.review_queue", {"GET": STAFF}),
    *[Case("secretariat.review", {"GET": STAFF_HIDDEN}, report(state), state)
      for state in ("draft", "returned", "withdrawn")],
    *[Case("secretariat.review", {"GET": STAFF}, report(state), state)
      for state in ("submitted", "accepted")],
    Case("secretariat.accept_review", {"POST": STAFF_POST}, report("submitted"), "submitted"),
    Case("secretariat.accept_review", {"POST": STAFF_HIDDEN}, report("draft"), "draft"),
    Case("secretariat.return_review", {"POST": STAFF_POST}, report("submitted"), "submitted"),
    Case("secretariat.return_review", {"POST": STAFF_HIDDEN}, report("draft"), "draft"),
    Case("secretariat.import_plan", {"GET": STAFF, "POST": STAFF_POST}),
    Case("secretariat.export_plan", {"GET": STAFF}, p(slug="w.pub_slug", fmt="csv"), "csv"),
    Case("secretariat.export_plan", {"GET": STAFF}, p(slug="w.hidden_slug", fmt="xlsx"), "xlsx-unpublished"),
    Case("secretariat.export_plan", {"GET": STAFF_HIDDEN}, p(slug="w.pub_slug", fmt="html"), "unknown-format"),
    Case("secretariat.assessment_rounds", {"GET": STAFF}, PUB),
    Case("secretariat.assessment_rounds", {"GET": STAFF}, HID, "unpublished"),
    # Closing is also the plan's assessors' (on their pages); reopening is the secretariat's only.
    *[Case(f"secretariat.{name}", {"POST": STAFF_POST}, p(slug="w.pub_slug", round_id="w.assessment_round_id"))
      for name in ("close_assessment", "reopen_assessment")],
    *[Case(f"secretariat.{name}", {"POST": STAFF_HIDDEN},
           p(slug="w.pub_slug", round_id="w.hidden_assessment_round_id"), "round-of-another-plan")
      for name in ("close_assessment", "reopen_assessment")],
    # --- independent assessors (and admins): published plans only for assessors
    Case("assessor.rounds", {"GET": ASSESSORS, "POST": ASSESSORS_POST}, body={"plan": World.pub_slug}),
    Case("assessor.rounds", {"POST": ASSESSORS_UNPUBLISHED_POST}, variant="unpublished-plan",
         body={"plan": World.hidden_slug}),
    Case("assessor.round_page", {"GET": ASSESSORS}, p(round_id="w.assessment_round_id")),
    Case("assessor.round_page", {"GET": ASSESSORS_UNPUBLISHED}, p(round_id="w.hidden_assessment_round_id"),
         "unpublished-plan"),
    Case("assessor.assess", {"POST": ASSESSORS_POST},
         p(round_id="w.assessment_round_id", recommendation_id="w.rec_id")),
    Case("assessor.assess", {"POST": ASSESSORS_UNPUBLISHED_POST},
         p(round_id="w.hidden_assessment_round_id", recommendation_id="w.hidden_rec_id"), "unpublished-plan"),
    Case("assessor.close_round", {"POST": ASSESSORS_POST}, p(round_id="w.assessment_round_id")),
    Case("assessor.close_round", {"POST": ASSESSORS_UNPUBLISHED_POST},
         p(round_id="w.hidden_assessment_round_id"), "unpublished-plan"),
    # --- signed reminder links: the link is the credential, whoever follows it
    Case("links.report", {"GET": everyone(OK), "POST": everyone(ALLOWED)}, p(token="w.link")),
    Case("links.report", {"GET": everyone(FORBIDDEN), "POST": everyone(FORBIDDEN)},
         p(token="not-a-signed-link"), "forged"),
    Case("links.report", {"GET": everyone(FORBIDDEN), "POST": everyone(FORBIDDEN)},
         p(token="w.link_foreign"), "other-agencys-action"),
    Case("links.no_change", {"GET": everyone(OK), "POST": everyone(ALLOWED)}, p(token="w.link")),
    Case("links.no_change", {"GET": everyone(FORBIDDEN), "POST": everyone(FORBIDDEN)},
         p(token="not-a-signed-link"), "forged"),
    Case("links.done", {"GET": everyone(OK)}),
    # --- the JSON API: token or nothing; the public reads what the public pages show
    Case("api-docs.openapi_json", {"GET": everyone(OK)}),  # not an API blueprint: tokens are not read
    Case("api_plans.list_plans", {"GET": API_PUBLIC}),
    Case("api_agencies.list_agencies", {"GET": API_PUBLIC}),
    *[Case(f"api_plans.{name}", {"GET": API_PUBLIC}, PUB)
      for name in ("get_plan", "list_areas", "list_recommendations", "list_actions")],
    *[Case(f"api_plans.{name}", {"GET": API_UNPUBLISHED}, HID, "unpublished")
      for name in ("get_plan", "list_areas", "list_recommendations", "list_actions")],
    Case("api_plans.get_scorecard", {"GET": API_PUBLIC}, PUB),
    Case("api_plans.get_scorecard", {"GET": E(HIDDEN, HIDDEN, HIDDEN, OK, OK, LOGIN)}, HID, "unpublished"),
    Case("api_actions.get_action", {"GET": API_PUBLIC}, p(action_id="w.action_a_id")),
    Case("api_actions.get_action", {"GET": API_UNPUBLISHED}, p(action_id="w.hidden_action_id"), "unpublished"),
    # Changing plans and actions (the cadence, an action's weight): the secretariat only.
    Case("api_plans.change_plan", {"PATCH": E(LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, LOGIN)}, PUB,
         body={"reporting_cadence": "quarterly"}),
    Case("api_plans.change_plan", {"PATCH": E(LOGIN, FORBIDDEN, HIDDEN, ALLOWED, ALLOWED, LOGIN)}, HID,
         "unpublished", body={"reporting_cadence": "quarterly"}),
    Case("api_actions.change_action", {"PATCH": E(LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, LOGIN)},
         p(action_id="w.action_a_id"), body={"version": 1, "weight": 2}),
    Case("api_reports.list_reports", {"GET": API_PUBLIC}, p(action_id="w.action_a_id")),
    Case("api_reports.list_reports", {"GET": API_UNPUBLISHED}, p(action_id="w.hidden_action_id"), "unpublished"),
    Case("api_reports.create_report", {"POST": E(LOGIN, ALLOWED, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN)},
         p(action_id="w.action_a_id"), "own-action"),
    Case("api_reports.create_report", {"POST": E(LOGIN, FORBIDDEN, ALLOWED, FORBIDDEN, FORBIDDEN, LOGIN)},
         p(action_id="w.action_b_id"), "other-agencys-action"),
    Case("api_reports.create_report", {"POST": E(LOGIN, ALLOWED, HIDDEN, FORBIDDEN, FORBIDDEN, LOGIN)},
         p(action_id="w.hidden_action_id"), "own-action-unpublished-plan"),
    *[Case("api_reports.get_report", {"GET": E(HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN, LOGIN)}, report(state), state)
      for state in ("draft", "returned", "withdrawn")],
    Case("api_reports.get_report", {"GET": API_REPORT_SEEN}, report("submitted"), "submitted"),
    Case("api_reports.get_report", {"GET": API_PUBLIC}, report("accepted"), "accepted"),
    Case("api_reports.get_report", {"GET": API_REPORT_SEEN}, report("hidden_accepted"), "accepted-unpublished-plan"),
    *[Case(f"api_reports.{name}", {"POST": API_REVIEW}, report("submitted"), "submitted", body=body)
      for name, body in (("accept", {}), ("return_report", {}))],
    *[Case(f"api_reports.{name}", {"POST": E(LOGIN, FORBIDDEN, HIDDEN, HIDDEN, HIDDEN, LOGIN)},
           report("draft"), "draft", body={})
      for name in ("accept", "return_report")],
    *[Case(f"api_reports.{name}", {"POST": E(LOGIN, FORBIDDEN, FORBIDDEN, ALLOWED, ALLOWED, LOGIN)},
           report("accepted"), "accepted", body={})
      for name in ("accept", "return_report")],
    # --- the API twins of the pages' forms: the same roles as the pages
    Case("api_plans.new_plan", {"POST": API_STAFF_WRITE}),
    Case("api_plans.import_plan", {"POST": E(LOGIN, FORBIDDEN, FORBIDDEN, "415", "415", LOGIN)}),
    *[Case(f"api_plans.{name}", {"POST": API_STAFF_WRITE}, PUB)
      for name in ("new_area", "new_recommendation", "new_action", "assign")],
    Case("api_plans.get_area", {"GET": API_PUBLIC}, p(slug="w.pub_slug", code="PUB")),
    Case("api_plans.get_area", {"GET": API_UNPUBLISHED}, p(slug="w.hidden_slug", code="HID"), "unpublished"),
    Case("api_plans.change_area", {"PATCH": API_STAFF_WRITE}, p(slug="w.pub_slug", code="PUB")),
    Case("api_recommendations.get_recommendation", {"GET": API_PUBLIC}, p(recommendation_id="w.rec_id")),
    Case("api_recommendations.get_recommendation", {"GET": API_UNPUBLISHED},
         p(recommendation_id="w.hidden_rec_id"), "unpublished"),
    Case("api_recommendations.change_recommendation", {"PATCH": API_STAFF_WRITE}, p(recommendation_id="w.rec_id")),
    *[Case(f"api_recommendations.{name}", {"POST": API_STAFF_WRITE}, p(recommendation_id="w.rec_id"))
      for name in ("set_status", "add_recommendation_indicator")],
    *[Case(f"api_actions.{name}", {"POST": API_STAFF_WRITE}, p(action_id="w.action_a_id"))
      for name in ("pause_action", "resume_action", "add_action_indicator")],
    Case("api_indicators.get_indicator", {"GET": API_PUBLIC}, p(indicator_id="w.indicator_id")),
    Case("api_indicators.get_indicator", {"GET": API_UNPUBLISHED}, p(indicator_id="w.hidden_indicator_id"),
         "unpublished"),
    Case("api_indicators.change_indicator", {"PATCH": API_STAFF_WRITE}, p(indicator_id="w.indicator_id")),
    *[Case(f"api_rounds.{name}", {"GET": API_PUBLIC}, PUB) for name in ("list_rounds", "list_assessment_rounds")],
    *[Case(f"api_rounds.{name}", {"GET": API_UNPUBLISHED}, HID, "unpublished")
      for name in ("list_rounds", "list_assessment_rounds")],
    Case("api_rounds.open_round", {"POST": API_STAFF_WRITE}, PUB),
    # Assessment rounds: assessors hold no tokens, so the assessor's operations are admins'.
    Case("api_rounds.open_assessment", {"POST": API_ADMIN_WRITE}, PUB),
    Case("api_rounds.get_assessment_round", {"GET": API_PUBLIC}, p(round_id="w.assessment_round_id")),
    Case("api_rounds.get_assessment_round", {"GET": API_UNPUBLISHED}, p(round_id="w.hidden_assessment_round_id"),
         "unpublished"),
    *[Case(f"api_rounds.{name}", {"POST": API_STAFF_WRITE}, p(round_id="w.assessment_round_id"))
      for name in ("close_assessment", "reopen_assessment")],
    Case("api_rounds.assess", {"PUT": API_ADMIN_WRITE},
         p(round_id="w.assessment_round_id", recommendation_id="w.rec_id")),
    *[Case("api_reports.change_report", {"PATCH": API_OWN_REPORT[state]}, report(state), state)
      for state in API_OWN_REPORT],
    *[Case("api_reports.submit_report", {"POST": API_OWN_REPORT[state]}, report(state), state)
      for state in API_OWN_REPORT],
    # A JSON body where a multipart upload goes is 415 for whoever may see the report.
    Case("api_reports.upload_evidence", {"POST": E(LOGIN, "415", HIDDEN, HIDDEN, HIDDEN, LOGIN)}, report("draft"),
         "draft"),
    *[Case("api_reports.delete_evidence", {"DELETE": API_OWN_REPORT[state]},
           p(report_id=f"w.reports.{state}", evidence_id=f"w.evidence.{state}"), state)
      for state in API_OWN_REPORT],
    Case("api_agencies.get_agency", {"GET": API_PUBLIC}, p(agency_id="w.agency_a_id")),
    Case("api_agencies.new_agency", {"POST": API_ADMIN_WRITE}),
    Case("api_admin.list_users", {"GET": API_ADMIN}),
    Case("api_admin.new_user", {"POST": API_ADMIN_WRITE}),
    Case("api_admin.get_user", {"GET": API_ADMIN}, p(user_id="w.users.agency")),
    Case("api_admin.change_user", {"PATCH": API_ADMIN_WRITE}, p(user_id="w.users.agency")),
    Case("api_admin.list_statuses", {"GET": API_PUBLIC}),
    Case("api_admin.new_status", {"POST": API_ADMIN_WRITE}),
    Case("api_admin.change_status", {"PATCH": API_ADMIN_WRITE}, p(key="pending")),
    Case("api_admin.remove_status", {"DELETE": API_ADMIN_WRITE}, p(key="pending")),
    Case("api_admin.move", {"POST": API_ADMIN_WRITE}, p(key="pending")),
    Case("api_webhooks.list_webhooks", {"GET": API_ADMIN}),
    Case("api_webhooks.register", {"POST": API_ADMIN_WRITE}),
    Case("api_webhooks.get_webhook", {"GET": API_ADMIN}, p(endpoint_id="w.webhook_id")),
    Case("api_webhooks.list_deliveries", {"GET": API_ADMIN}, p(endpoint_id="w.webhook_id")),
    Case("api_webhooks.set_active", {"POST": API_ADMIN_WRITE}, p(endpoint_id="w.webhook_id")),
    Case("api_webhooks.resend", {"POST": API_ADMIN_WRITE},
         p(endpoint_id="w.webhook_id", delivery_id="w.webhook_delivery_id")),
]


def _check_matrix() -> None:
    names = [(case.name, tuple(case.expect)) for case in MATRIX]
    assert len(names) == len(set(names)), "a matrix line is given twice"
    for case in MATRIX:
        for method, outcomes in case.expect.items():
            assert len(outcomes) == len(case.roles), case.name
            for outcome in outcomes:
                assert outcome in CLASSES or outcome.isdigit(), (case.name, method, outcome)


_check_matrix()


# --------------------------------------------------------------------------- the world


@dataclass
class Session:
    """A browser of one role: its session cookie and the CSRF token its pages carry."""

    cookie: str
    csrf: str


@dataclass
class Access:
    world: World
    sessions: dict[str, Session]
    connection: object
    upload_dir: str


@pytest.fixture(scope="module")
def access(app, tmp_path_factory):
    """The world, built once in an outer transaction rolled back after the module, and a
    signed-in browser session per page role (through the real sign-in form)."""
    upload_dir_before = app.config["UPLOAD_DIR"]
    upload_dir = str(tmp_path_factory.mktemp("access-uploads"))
    app.extensions.pop("tracker_chart_cache", None)  # charts are cached by plan version
    app.config["UPLOAD_DIR"] = upload_dir
    try:
        with rolled_back(app) as connection:
            with app.app_context():
                world = build_world(upload_dir, app.config["SECRET_KEY"])
                db.session.remove()
            sessions = {role: _browser(app, world, role) for role in HTML_ROLES}
            yield Access(world, sessions, connection, upload_dir)
    finally:
        app.config["UPLOAD_DIR"] = upload_dir_before
        app.extensions.pop("tracker_chart_cache", None)  # drawn from data now rolled back


def _browser(app, world: World, role: str) -> Session:
    with app.app_context():  # one context per browser: Flask-Login caches the user in ``g``
        client = app.test_client()
        if role == "anonymous":
            token = csrf_token(client, "/sign-in")
        else:
            response = client.post("/sign-in", data={
                "email": world.emails[role], "password": PASSWORD, "csrf_token": csrf_token(client),
            })
            assert response.status_code == 302, (role, response.status_code)
            token = csrf_token(client, "/")
        session = Session(client.get_cookie("session").value, token)
        db.session.remove()
        return session


@pytest.fixture(autouse=True)
def db_session(app, access):
    """Overrides the suite's per-test transaction: each test runs in a savepoint of the
    module's transaction, rolled back afterwards, and finds the evidence files in place."""
    with app.app_context():
        savepoint = access.connection.begin_nested()
        try:
            yield db.session
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()
            access.world.restore_files(access.upload_dir)


def url_of(app, case: Case, world: World, role: str) -> str:
    return app.url_map.bind("localhost").build(case.endpoint, case.params(world, role))


def send(app, access: Access, case: Case, method: str, role: str, *, with_csrf: bool = True,
         cookie_of: str | None = None):
    """One request as ``role``: a page role's browser session, or an API caller's token
    (with ``cookie_of``, an API caller also sends that page role's session cookie)."""
    world = access.world
    client = app.test_client()
    headers = {}
    if role in access.sessions or cookie_of:
        client.set_cookie("session", access.sessions[cookie_of or role].cookie)
    elif role == "api_bad_token":
        headers["Authorization"] = "Bearer trk_this-token-was-never-issued"
    elif role != "api_anonymous":
        headers["Authorization"] = f"Bearer {world.secrets[role.removeprefix('api_')]}"
    url = url_of(app, case, world, role)
    if method == "GET":
        response = client.get(url, headers=headers)
    elif case.api:
        response = client.open(url, method=method, json=case.body or {}, headers=headers)
    else:
        data = dict(case.body or {})
        if with_csrf:
            data["csrf_token"] = access.sessions[role].csrf
        response = client.open(url, method=method, data=data, headers=headers)
    response.get_data()  # read the body (a file download, say), then let go of it
    response.close()
    return response


def describe(response) -> str:
    location = response.headers.get("Location")
    return f"{response.status_code}" + (f" -> {location}" if location else "")


# --------------------------------------------------------------------------- the tests


def _cells():
    for case in MATRIX:
        for method, outcomes in case.expect.items():
            for role, expected in zip(case.roles, outcomes, strict=True):
                yield pytest.param(case, method, role, expected, id=f"{case.name}-{method}-{role}")


@pytest.mark.parametrize(("case", "method", "role", "expected"), list(_cells()))
def test_access(app, access, case, method, role, expected):
    try:
        response = send(app, access, case, method, role)
    except Exception as exc:  # the testing app propagates what would be a 500
        raise AssertionError(f"{case.name} {method} as {role}: the view raised {exc!r} (a 500)") from exc
    got = classify(response)
    allowed = CLASSES.get(expected, {expected})
    assert got in allowed, (
        f"{case.name} {method} as {role}: expected {expected}, got {got} ({describe(response)})"
    )
    if role in OUTSIDERS and response.status_code == 200 and not case.endpoint.startswith(CREDENTIAL_URLS):
        body = response.get_data()
        leaked = [text for text in access.world.private_texts if text.encode() in body]
        assert not leaked, f"{case.name} {method} as {role} shows private data: {leaked}"


def rule_of(app, case: Case):
    """The rule a line's URL is built from: of the endpoint's rules whose variables the line
    gives, the one with the most (as werkzeug chooses); None if there is none."""
    rules = [r for r in app.url_map.iter_rules(case.endpoint) if r.arguments <= case.params.names] \
        if case.endpoint in app.view_functions else []
    return max(rules, key=lambda r: len(r.arguments), default=None)


def test_every_route_is_in_the_matrix(app):
    """A new route must say who may reach it: add a line to MATRIX for each of its methods."""
    covered = set()
    for case in MATRIX:
        rule = rule_of(app, case)
        if rule is not None:
            covered |= {(rule.rule, method) for method in case.expect}
    missing = sorted(
        f"{rule.endpoint} {method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if (rule.rule, method) not in covered
    )
    assert not missing, "Routes missing from the access matrix:\n" + "\n".join(missing)


def test_the_matrix_names_only_routes_that_exist(app):
    stale = sorted(
        f"{case.name} {method}" for case in MATRIX for method in case.expect
        if (rule := rule_of(app, case)) is None or method not in rule.methods
    )
    assert not stale, "Matrix lines for routes that do not exist:\n" + "\n".join(stale)


# Page POSTs that take no CSRF token, and why.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail programs POST with no token; the URL's secret is the key.
    "subscriptions.unsubscribe_page",
}


def _form_posts():
    """The first matrix line of every page route taking POST, with a role it lets in."""
    seen = set(CSRF_EXEMPT)
    for case in MATRIX:
        if case.api or "POST" not in case.expect or case.endpoint in seen:
            continue
        seen.add(case.endpoint)
        outcomes = case.expect["POST"]
        role = next((r for r, o in zip(case.roles, outcomes, strict=True) if o in (OK, ALLOWED)), "anonymous")
        yield pytest.param(case, role, id=f"{case.name}-POST-{role}")


@pytest.mark.parametrize(("case", "role"), list(_form_posts()))
def test_a_form_post_without_a_csrf_token_is_refused(app, access, case, role):
    response = send(app, access, case, "POST", role, with_csrf=False)
    assert response.status_code == 400, f"{case.name} as {role}: {describe(response)}"
    assert "csrf" in response.get_data(as_text=True).lower()


def _api_cells():
    for case in MATRIX:
        if case.api:
            for method in case.expect:
                for role in API_ROLES:
                    yield pytest.param(case, method, role, id=f"{case.name}-{method}-{role}")
    # Errors the routing gives before any view: an unknown URL, a method a route does not take.
    for endpoint, method, params in (
        ("api_plans.list_plans", "DELETE", p()),
        ("api_reports.accept", "GET", p(report_id="w.reports.submitted")),
        ("api_reports.get_report", "PUT", p(report_id="w.reports.accepted")),
    ):
        case = Case(endpoint, {method: everyone(ALLOWED)}, params, "wrong-method")
        for role in ("api_anonymous", "api_secretariat"):
            yield pytest.param(case, method, role, id=f"{case.name}-{method}-{role}")


@pytest.mark.parametrize(("case", "method", "role"), list(_api_cells()))
def test_the_api_answers_json_only(app, access, case, method, role):
    response = send(app, access, case, method, role)
    assert response.mimetype == "application/json", (
        f"{case.name} {method} as {role}: {describe(response)} {response.mimetype}"
    )
    assert json.loads(response.get_data(as_text=True)) is not None


def _api_lines():
    for case in MATRIX:
        if case.api and case.endpoint != "api-docs.openapi_json":
            for method, outcomes in case.expect.items():
                yield pytest.param(case, method, outcomes[0], id=f"{case.name}-{method}")


@pytest.mark.parametrize(("case", "method", "expected"), list(_api_lines()))
def test_the_api_ignores_the_session_cookie(app, access, case, method, expected):
    """A browser signed in as agency A but sending no token is the public to the API: the
    reason the API may do without CSRF tokens."""
    response = send(app, access, case, method, "api_anonymous", cookie_of="agency")
    got = classify(response)
    assert got in CLASSES.get(expected, {expected}), (
        f"{case.name} {method} with A's session cookie and no token: expected {expected} "
        f"(as the public), got {got} ({describe(response)})"
    )


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/plans", "/api/v1/plans/x/y/z"])
def test_the_api_answers_json_for_unknown_urls(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
