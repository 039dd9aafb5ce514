"""Issue 12, items 10-15: sessions, sign-in throttling and timing, passwords, API tokens,
and who is shown as having done something.

Every test goes through the real pages or the JSON API. ``Browser`` runs each request in
an application context of its own, as separate requests to a server do: Flask-Login
caches the signed-in user in ``g``, which a shared context would carry from one request
(or one browser) to the next.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from tests import factories
from tests.factories import NOW, PASSWORD
from tracker.services.actions import assign_actions
from tracker.services.errors import Throttled
from tracker.services.reports import accept_report, save_report
from tracker.services.tokens import create_token
from tracker.services.transaction import Actor
from tracker.services.users import sign_in

HERE, ELSEWHERE = "203.0.113.10", "198.51.100.20"


class Browser:
    """One browser at one client address, with its own cookies."""

    def __init__(self, app, address: str = HERE, cookie: str | None = None):
        self.app = app
        self.address = address
        self.client = app.test_client()
        if cookie is not None:
            self.client.set_cookie("session", cookie)

    def request(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            return self.client.open(url, method=method, environ_base={"REMOTE_ADDR": self.address}, **kwargs)

    def get(self, url: str, **kwargs):
        return self.request("GET", url, **kwargs)

    def csrf(self, path: str = "/sign-in") -> str:
        page = self.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, *, form_page: str = "/"):
        return self.request("POST", url, data={**(data or {}), "csrf_token": self.csrf(form_page)})

    def sign_in(self, email: str, password: str = PASSWORD):
        return self.request("POST", "/sign-in", data={
            "email": email, "password": password, "csrf_token": self.csrf("/sign-in")})

    def sign_out(self):
        return self.post("/sign-out")

    @property
    def cookie(self) -> str:
        return self.client.get_cookie("session").value

    def signed_in(self) -> bool:
        """Whether the account page opens (a signed-out browser is sent to the sign-in page)."""
        response = self.get("/account/")
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]
            return False
        assert response.status_code == 200
        return True


def signed_in_browser(app, user, address: str = HERE) -> Browser:
    browser = Browser(app, address)
    assert browser.sign_in(user.email).status_code == 302
    assert browser.signed_in()
    return browser


# --- item 10: sessions ---------------------------------------------------------------------


def test_a_session_cookie_stops_working_after_sign_out(app, db_session):
    """Issue 12 item 10: signing out ends every session of the user, including copies of its cookie."""
    user = factories.user("secretariat")
    laptop = signed_in_browser(app, user)
    phone = signed_in_browser(app, user, ELSEWHERE)
    stolen = laptop.cookie

    assert laptop.sign_out().status_code == 302
    assert not laptop.signed_in()
    assert not Browser(app, cookie=stolen).signed_in()  # the copied cookie is replayed
    assert not phone.signed_in()                        # every session of the user ended
    assert Browser(app, cookie=stolen).get("/secretariat/plans").status_code == 302


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, db_session):
    """Issue 12 item 10: after a password change, old cookies get the sign-in page; the device
    that changed it stays signed in with a fresh session."""
    user = factories.user("agency")
    laptop = signed_in_browser(app, user)
    phone = signed_in_browser(app, user, ELSEWHERE)
    stolen = laptop.cookie

    response = laptop.post("/account/password", {
        "current_password": PASSWORD, "new_password": "a brand new password"}, form_page="/account/")
    assert response.status_code == 302
    assert laptop.signed_in()
    assert laptop.cookie != stolen
    assert not phone.signed_in()
    assert not Browser(app, cookie=stolen).signed_in()


def test_signing_in_starts_a_fresh_session_with_a_new_csrf_token(app, db_session):
    """Issue 12 item 10: a session planted before sign-in (its CSRF token known to whoever
    planted it) is not carried into the signed-in session."""
    user = factories.user("secretariat")
    browser = Browser(app)
    planted_token = browser.csrf("/sign-in")
    planted_cookie = browser.cookie
    response = browser.request("POST", "/sign-in", data={
        "email": user.email, "password": PASSWORD, "csrf_token": planted_token})
    assert response.status_code == 302
    assert browser.cookie != planted_cookie
    assert browser.csrf("/account/") != planted_token
    # The planted token no longer works in the signed-in session.
    refused = browser.request("POST", "/sign-out", data={"csrf_token": planted_token})
    assert refused.status_code == 400
    assert browser.signed_in()


# --- item 11: throttling ---------------------------------------------------------------------


def test_failures_from_elsewhere_never_lock_the_owner_out(app, db_session):
    """Issue 12 item 11: five wrong passwords from one address throttle that address for that
    account only; the owner signs in from their own address with the right password."""
    victim = factories.user("secretariat")
    attacker = Browser(app, HERE)
    for n in range(5):
        assert attacker.sign_in(victim.email, f"wrong password {n}").status_code == 422
    refused = attacker.sign_in(victim.email, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)

    owner = Browser(app, ELSEWHERE)
    assert owner.sign_in(victim.email, PASSWORD).status_code == 302
    assert owner.signed_in()


def test_many_failures_from_one_address_throttle_that_address_only(app, db_session):
    """Issue 12 item 11: an address trying many accounts is slowed down for every account,
    while the same accounts sign in from elsewhere."""
    user = factories.user("agency")
    guesser = Browser(app, HERE)
    for n in range(20):
        assert guesser.sign_in(f"nobody{n}@example.org", "some password").status_code == 422
    assert guesser.sign_in(user.email, PASSWORD).status_code == 429
    assert Browser(app, ELSEWHERE).sign_in(user.email, PASSWORD).status_code == 302


def test_throttling_delays_grow_and_end(db_session):
    """Issue 12 item 11: after the free attempts, each further failure doubles the wait
    (1, 2, 4 ... minutes), and each wait ends."""
    user = factories.user("secretariat")
    at = NOW
    for _ in range(5):
        at += timedelta(seconds=1)
        assert sign_in({"email": user.email, "password": "wrong"}, remote_addr=HERE, now=at) is None
    waits = []
    for _ in range(3):
        with pytest.raises(Throttled) as refused:
            sign_in({"email": user.email, "password": PASSWORD}, remote_addr=HERE, now=at)
        waits.append(refused.value.retry_after)
        at += timedelta(seconds=refused.value.retry_after)
        assert sign_in({"email": user.email, "password": "wrong"}, remote_addr=HERE, now=at) is None
    assert waits == [60, 120, 240]
    at += timedelta(minutes=8)
    assert sign_in({"email": user.email, "password": PASSWORD}, remote_addr=HERE, now=at) == user
    # Success clears that address's failures for the account: the next typo costs nothing.
    assert sign_in({"email": user.email, "password": "typo"}, remote_addr=HERE, now=at) is None
    assert sign_in({"email": user.email, "password": PASSWORD}, remote_addr=HERE, now=at) == user


def test_admins_see_throttled_sign_ins(app, db_session):
    """Issue 12 item 11: a page under /admin lists recent failures by account and address,
    with when the throttling ends; other roles get 403."""
    victim = factories.user("secretariat", email="victim@example.org")
    attacker = Browser(app, HERE)
    for n in range(5):
        attacker.sign_in(victim.email, f"wrong {n}")
    admin = signed_in_browser(app, factories.user("admin"), ELSEWHERE)
    response = admin.get("/admin/sign-ins")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\">victim@example.org</th>(.*?)</tr>", page, re.DOTALL)
    assert row, page
    assert HERE in row.group(1) and ">5<" in row.group(1)
    assert "Throttled until" in page
    assert signed_in_browser(app, victim, ELSEWHERE).get("/admin/sign-ins").status_code == 403


# --- item 12: timing -------------------------------------------------------------------------


def refusal_seconds(browser: Browser, email: str, password: str) -> float:
    """The CPU time of a refused sign-in. CPU, not the clock: the work that could tell
    accounts apart is the password hashing, and on a busy machine other processes stretch
    the clock of any request at random (a test comparing clocks failed at load 9)."""
    token = browser.csrf("/sign-in")
    start = time.process_time()
    response = browser.request("POST", "/sign-in", data={"email": email, "password": password,
                                                          "csrf_token": token})
    elapsed = time.process_time() - start
    assert response.status_code == 422
    return elapsed


def test_unknown_and_known_emails_take_as_long_to_refuse(app, db_session):
    """Issue 12 item 12: a wrong password for a known account and any password for an unknown
    email cost the same password hashing, so timing does not tell which emails have accounts."""
    known = [factories.user("agency") for _ in range(5)]
    browser = Browser(app, HERE)
    browser.sign_in("warm-up@example.org", "x")  # first request costs: templates, the dummy hash

    known_times, unknown_times = [], []
    for n, user in enumerate(known):  # interleaved, so a busy machine slows both alike
        known_times.append(refusal_seconds(browser, user.email, "not the password"))
        unknown_times.append(refusal_seconds(browser, f"no-such-user-{n}@example.org", "not the password"))
    ratio = statistics.median(unknown_times) / statistics.median(known_times)
    assert ratio >= 0.5, (known_times, unknown_times)


def test_an_inactive_account_takes_as_long_to_refuse(app, db_session):
    """Issue 12 item 12: a deactivated account's right password is refused after the same work."""
    admin = factories.user("admin")
    gone = factories.user("agency")
    signed_in_browser(app, admin).post(f"/admin/users/{gone.id}", {"role": "agency", "agency": gone.agency.acronym})
    active = [factories.user("agency") for _ in range(3)]
    browser = Browser(app, ELSEWHERE)
    browser.sign_in("warm-up@example.org", "x")

    inactive_times, active_times = [], []
    for user in active:  # interleaved, so a busy machine slows both alike
        inactive_times.append(refusal_seconds(browser, gone.email, PASSWORD))
        active_times.append(refusal_seconds(browser, user.email, "not the password"))
    assert statistics.median(inactive_times) / statistics.median(active_times) >= 0.5


# --- item 13: passwords as typed ---------------------------------------------------------------


PADDED = "  padded password with spaces  "


def test_an_admin_created_password_keeps_its_spaces(app, db_session):
    """Issue 12 item 13: the password an admin types for a new user is stored exactly as typed."""
    admin = signed_in_browser(app, factories.user("admin"))
    response = admin.post("/admin/users", {"email": "padded@example.org", "password": PADDED,
                                           "role": "secretariat"})
    assert response.status_code == 302
    assert Browser(app).sign_in("padded@example.org", PADDED.strip()).status_code == 422
    assert Browser(app, ELSEWHERE).sign_in("padded@example.org", PADDED).status_code == 302


def test_a_changed_password_keeps_its_spaces(app, db_session):
    """Issue 12 item 13: a new password with leading and trailing spaces works as typed."""
    user = factories.user("agency")
    browser = signed_in_browser(app, user)
    response = browser.post("/account/password", {"current_password": PASSWORD, "new_password": PADDED},
                            form_page="/account/")
    assert response.status_code == 302
    assert Browser(app, ELSEWHERE).sign_in(user.email, PADDED.strip()).status_code == 422
    assert Browser(app, "192.0.2.30").sign_in(user.email, PADDED).status_code == 302
    # ... and the current password is compared as typed too.
    again = Browser(app, "192.0.2.31")
    assert again.sign_in(user.email, PADDED).status_code == 302
    response = again.post("/account/password", {"current_password": PADDED.strip(),
                                                "new_password": "another new password"},
                          form_page="/account/")
    assert response.status_code == 422


def test_a_password_given_on_the_command_line_keeps_its_spaces(app, db_session):
    """Issue 12 item 13: ``flask users create`` stores the password as typed."""
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "cli@example.org", "--role", "secretariat", "--password", PADDED])
    assert result.exit_code == 0, result.output
    assert Browser(app).sign_in("cli@example.org", PADDED).status_code == 302


def test_a_sign_in_password_is_compared_as_typed(app, db_session):
    """Issue 12 item 13: sign-in does not trim the password either."""
    user = factories.user("secretariat")
    assert Browser(app).sign_in(user.email, f" {PASSWORD} ").status_code == 422
    assert Browser(app, ELSEWHERE).sign_in(f"  {user.email.upper()} ", PASSWORD).status_code == 302


# --- item 14: API tokens ------------------------------------------------------------------------


@pytest.fixture
def reporting(db_session):
    """A published plan with an action led by CabSec, and CabSec's focal point."""
    plan = factories.plan(slug="tokens-plan")
    factories.agency(acronym="CabSec", name="Cabinet Secretariat")
    factories.agency(acronym="NDC", name="National Data Center")
    action = factories.action(plan, code="A1", lead_agency="CabSec")
    focal = factories.user("agency", agency="CabSec")
    return action, focal


def new_token_on_account_page(browser: Browser, **fields) -> tuple[str, str]:
    """Create a token through the account page; returns (the token, the page)."""
    response = browser.post("/account/tokens", {"name": "sync", **fields}, form_page="/account/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    return re.search(r'id="new-token" class="token" type="text" value="(trk_[^"]+)"', page).group(1), page


def api(app, method: str, url: str, token: str, **kwargs):
    with app.app_context():
        return app.test_client().open(url, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def test_a_read_token_reads_but_cannot_write(app, reporting):
    """Issue 12 item 14: a read token's write requests answer 403 in JSON, naming the scope."""
    action, focal = reporting
    browser = signed_in_browser(app, focal)
    token, _ = new_token_on_account_page(browser, scope="read", days="90")
    assert api(app, "GET", f"/api/v1/actions/{action.id}", token).status_code == 200
    refused = api(app, "POST", f"/api/v1/actions/{action.id}/reports", token,
                  json={"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing"})
    assert refused.status_code == 403
    assert refused.is_json and "read" in refused.get_json()["message"]

    writer, _ = new_token_on_account_page(browser, scope="read_write", days="90")
    created = api(app, "POST", f"/api/v1/actions/{action.id}/reports", writer,
                  json={"narrative": "Done", "percent_complete": 50, "proposed_status": "ongoing"})
    assert created.status_code == 201, created.get_json()


def test_tokens_expire_after_the_days_chosen(app, reporting):
    """Issue 12 item 14: a token's expiry (90 days unless chosen, within bounds) is on the
    account page; an expired token is refused with 401."""
    action, focal = reporting
    browser = signed_in_browser(app, focal)
    today = datetime.now(UTC).date()
    _, page = new_token_on_account_page(browser, scope="read")
    assert (today + timedelta(days=90)).isoformat() in page
    _, page = new_token_on_account_page(browser, scope="read", days="30")
    assert (today + timedelta(days=30)).isoformat() in page
    for days in ("0", "366", "many"):
        response = browser.post("/account/tokens", {"name": "x", "scope": "read", "days": days},
                                form_page="/account/")
        assert response.status_code == 422
        assert re.search(r'id="days-error">', response.get_data(as_text=True))

    _, old = create_token(focal, {"name": "old", "scope": "read", "days": 30},
                          now=datetime.now(UTC) - timedelta(days=31))
    refused = api(app, "GET", f"/api/v1/actions/{action.id}", old)
    assert refused.status_code == 401 and "expired" in refused.get_json()["message"]


def test_a_token_stops_working_when_its_owner_changes_role_or_agency(app, reporting):
    """Issue 12 item 14: tokens carry the role and agency of their creation; an admin moving
    the owner to another agency, or to a role without API access, ends them."""
    action, focal = reporting
    browser = signed_in_browser(app, focal)
    moved_agency, _ = new_token_on_account_page(browser, scope="read_write")
    admin = signed_in_browser(app, factories.user("admin"), ELSEWHERE)

    assert api(app, "GET", f"/api/v1/actions/{action.id}", moved_agency).status_code == 200
    assert admin.post(f"/admin/users/{focal.id}", {"role": "agency", "agency": "NDC", "active": "y"}).status_code == 302
    refused = api(app, "GET", f"/api/v1/actions/{action.id}", moved_agency)
    assert refused.status_code == 401 and "role or agency" in refused.get_json()["message"]

    browser = signed_in_browser(app, focal, "192.0.2.40")
    moved_role, _ = new_token_on_account_page(browser, scope="read")
    assert api(app, "GET", f"/api/v1/actions/{action.id}", moved_role).status_code == 200
    assert admin.post(f"/admin/users/{focal.id}", {"role": "assessor", "active": "y"}).status_code == 302
    assert api(app, "GET", f"/api/v1/actions/{action.id}", moved_role).status_code == 401
    page = signed_in_browser(app, focal, "192.0.2.41").get("/account/").get_data(as_text=True)
    assert "role or agency changed" in page


def test_the_openapi_document_describes_expiry_and_scope(client):
    """Issue 12 item 14: the API's description of tokens says they expire and have a scope."""
    scheme = client.get("/api/openapi.json").get_json()["components"]["securitySchemes"]["bearerAuth"]
    text = scheme["description"]
    assert "expire" in text and "read" in text and "403" in text and "role or agency" in text


# --- item 15: who did it ------------------------------------------------------------------------


@pytest.fixture
def history(db_session):
    """A published plan whose action was reassigned by the secretariat, reported on by
    CabSec's focal point and accepted by the secretariat."""
    plan = factories.plan(slug="who-plan")
    factories.agency(acronym="CabSec", name="Cabinet Secretariat")
    factories.agency(acronym="NDC", name="National Data Center")
    action = factories.action(plan, code="A1")
    secretariat = factories.user("secretariat", email="chief.secretary@example.org")
    focal = factories.user("agency", agency="CabSec", email="focal.cabsec@example.org")
    at = datetime.now(UTC) - timedelta(days=2)
    assign_actions([action], {"lead_agency": "CabSec"}, actor=Actor.of(secretariat), now=at)
    report = save_report(action, {"narrative": "Launched", "percent_complete": 60, "proposed_status": "ongoing"},
                         author=focal, now=at, submit=True)
    accept_report(report, {}, reviewer=secretariat, now=at + timedelta(hours=1))
    return action, secretariat, focal


EMAILS = ("chief.secretary@example.org", "focal.cabsec@example.org")


def test_other_agencies_see_roles_and_agencies_not_emails(app, history):
    """Issue 12 item 15: an unrelated agency's focal point sees "Secretariat" and the acting
    agency's name on action pages and the changes list, never an email address."""
    outsider = signed_in_browser(app, factories.user("agency", agency="NDC"))
    since = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    for url in ("/plans/who-plan/actions/A1", f"/changes?since={since}", f"/plans/who-plan/changes?since={since}"):
        page = outsider.get(url).get_data(as_text=True)
        assert not [email for email in EMAILS if email in page], url
        assert re.search(r"<td>Secretariat</td>|\(Secretariat\)", page), url
    action_page = outsider.get("/plans/who-plan/actions/A1").get_data(as_text=True)
    assert "(Cabinet Secretariat (CabSec))" in action_page
    # The acting agency itself (its own address is in the page header) and the public are told the same.
    own = signed_in_browser(app, history[2], ELSEWHERE).get("/plans/who-plan/actions/A1").get_data(as_text=True)
    assert "chief.secretary@example.org" not in own and "(Secretariat)" in own
    public = Browser(app).get("/plans/who-plan/actions/A1").get_data(as_text=True)
    assert not [email for email in EMAILS if email in public] and "(Cabinet Secretariat (CabSec))" in public


def test_the_secretariat_and_admins_see_emails(app, history):
    """Issue 12 item 15: the secretariat and admins see who acted by email."""
    since = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    for role in ("secretariat", "admin"):
        browser = signed_in_browser(app, factories.user(role))
        page = browser.get("/plans/who-plan/actions/A1").get_data(as_text=True)
        assert all(email in page for email in EMAILS), role
        assert "chief.secretary@example.org" in browser.get(f"/changes?since={since}").get_data(as_text=True)


def test_downloads_and_feeds_name_the_role(app, client, history):
    """Issue 12 item 15: open data and Atom feeds show who changed a status as the public may
    know them (the same rule as the pages), never an email."""
    rows = list(csv.DictReader(io.StringIO(
        client.get("/open-data/plans/who-plan/status_changes.csv").get_data(as_text=True))))
    assert rows[-1]["changed_by_role"] == "Secretariat"
    feed = ElementTree.fromstring(client.get("/plans/who-plan/status-changes.atom").data)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}entry/{atom}author/{atom}name").text == "Secretariat"
