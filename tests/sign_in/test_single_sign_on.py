"""Single sign-on through a real OpenID Connect provider on loopback (tests/oidc_provider.py).

The tracker's client and the provider speak HTTP to each other; the test plays the
browser, following the redirects between the two. Nothing is mocked.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.oidc_provider import OIDCProvider
from tracker import create_app
from tracker.extensions import db
from tracker.models import SignInEvent
from tracker.services.single_sign_on import allow_domain
from tracker.services.users import find_user_by_email

CALLBACK = "http://localhost/sign-in/single-sign-on/callback"


@pytest.fixture(scope="module")
def provider():
    found = OIDCProvider().start()
    found.register_redirect_uri(CALLBACK)
    yield found
    found.stop()


@pytest.fixture(scope="module")
def sso_app(app, database_url, provider):
    """The tracker configured for the provider, on the suite's (already migrated) database."""
    return create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://localhost", **provider.settings(),
    })


@pytest.fixture(autouse=True)
def well_behaved(provider):
    provider.mode = "normal"
    yield
    provider.mode = "normal"


@pytest.fixture
def client(sso_app):
    return sso_app.test_client()


def through_provider(client, provider, start: str = "/sign-in/single-sign-on"):
    """What a browser does: to the provider, which sends it back to the tracker's callback."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    assert to_provider.location.startswith(provider.issuer + "/authorize?")
    back = requests.get(to_provider.location, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    assert back.headers["Location"].startswith(CALLBACK)
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")


def log_of(email: str) -> list[SignInEvent]:
    return list(db.session.scalars(select(SignInEvent).where(SignInEvent.email == email).order_by(SignInEvent.id)))


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_an_existing_account_signs_in_with_state_nonce_and_pkce(client, provider):
    user = factories.user(role="secretariat")
    provider.sign_in_as(user.email.upper())  # emails match whatever their case
    response = through_provider(client, provider, "/sign-in/single-sign-on?next=/account/")
    assert response.status_code == 302 and response.location == "/account/"
    assert signed_in(client)
    asked = provider.authorize_requests[-1]
    assert asked["state"] and asked["nonce"] and asked["code_challenge_method"] == "S256"
    assert len(asked["code_challenge"]) >= 43
    assert provider.token_requests[-1]["code_verifier"]
    [event] = log_of(user.email)
    assert (event.method, event.succeeded, event.user_id) == ("single_sign_on", True, user.id)


def test_the_login_page_offers_single_sign_on(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with Loopback ID" in page and 'name="password"' in page


def test_a_tampered_id_token_is_refused_with_a_clear_page(client, provider):
    user = factories.user(role="admin")
    provider.sign_in_as(user.email)
    provider.mode = "tampered"
    response = through_provider(client, provider)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Sign-in refused" in page and "signature does not match" in page
    assert not signed_in(client)
    assert find_user_by_email("intruder@example.org") is None
    event = db.session.scalars(select(SignInEvent).order_by(SignInEvent.id.desc())).first()
    assert (event.method, event.succeeded) == ("single_sign_on", False) and "bad_signature" in event.detail


def test_an_expired_id_token_is_refused(client, provider):
    user = factories.user(role="admin")
    provider.sign_in_as(user.email)
    provider.mode = "expired"
    response = through_provider(client, provider)
    assert response.status_code == 400
    assert "it has expired" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_id_token_for_another_nonce_is_refused(client, provider):
    user = factories.user(role="admin")
    provider.sign_in_as(user.email)
    provider.mode = "other_nonce"
    response = through_provider(client, provider)
    assert response.status_code == 400
    assert "its “nonce” claim is wrong" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_answer_with_the_wrong_state_or_used_twice_is_refused(client, provider):
    user = factories.user(role="agency")
    provider.sign_in_as(user.email)
    to_provider = client.get("/sign-in/single-sign-on")
    back = requests.get(to_provider.location, allow_redirects=False, timeout=10).headers["Location"]
    query = parse_qs(urlsplit(back).query)
    forged = client.get(f"/sign-in/single-sign-on/callback?code={query['code'][0]}&state=forged")
    assert forged.status_code == 400 and "could not be checked" in forged.get_data(as_text=True)
    assert not signed_in(client)
    # Another browser (no state in its session) cannot use the answer either.
    other = client.application.test_client()
    assert other.get(urlsplit(back).path + "?" + urlsplit(back).query).status_code == 400


def test_the_provider_cancelling_is_a_clear_refusal(client):
    client.get("/sign-in/single-sign-on")
    response = client.get("/sign-in/single-sign-on/callback?error=access_denied&state=x")
    assert response.status_code == 400 and "Sign-in refused" in response.get_data(as_text=True)


def test_no_account_and_no_allowed_domain_is_refused(client, provider):
    provider.sign_in_as("stranger@elsewhere.example")
    response = through_provider(client, provider)
    assert response.status_code == 403
    assert "There is no account for stranger@elsewhere.example" in response.get_data(as_text=True)
    assert find_user_by_email("stranger@elsewhere.example") is None
    [event] = log_of("stranger@elsewhere.example")
    assert not event.succeeded and event.user_id is None


def test_an_allowed_domain_gets_an_account_with_the_chosen_role(client, provider):
    agency = factories.agency()
    allow_domain({"domain": "Ministry.Example.gov", "role": "agency", "agency": agency.acronym},
                 acting_admin=None, now=factories.NOW)
    provider.sign_in_as("focal@ministry.example.gov")
    assert through_provider(client, provider).status_code == 302
    user = find_user_by_email("focal@ministry.example.gov")
    assert (user.role, user.agency_id) == ("agency", agency.id)
    assert client.get("/agency/").status_code == 200
    # The next time, the same account (no second one).
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert through_provider(client, provider).status_code == 302
    assert [e.user_id for e in log_of(user.email)] == [user.id, user.id]


def test_an_unverified_email_is_not_trusted(client, provider):
    user = factories.user(role="admin")
    provider.sign_in_as(user.email, verified=False)
    response = through_provider(client, provider)
    assert response.status_code == 403
    assert "has not verified your email" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_a_disabled_account_cannot_sign_in_through_the_provider(client, provider):
    from tracker.services.users import update_user

    user = factories.user(role="secretariat")
    update_user(user, {"role": "secretariat", "active": False}, acting_admin=None)
    provider.sign_in_as(user.email)
    assert through_provider(client, provider).status_code == 403
    assert not signed_in(client)


def test_a_user_with_two_factor_still_gives_a_code(client, provider):
    import pyotp

    from tracker.services.two_factor import enable, new_secret

    user = factories.user(role="admin")
    secret = new_secret()
    enable(user, secret, {"code": pyotp.TOTP(secret).at(factories.NOW)}, now=factories.NOW)
    provider.sign_in_as(user.email)
    response = through_provider(client, provider)
    assert response.location == "/sign-in/two-factor"
    assert not signed_in(client)
    code = pyotp.TOTP(secret).now()
    token = csrf_token(client, "/sign-in/two-factor")
    assert client.post("/sign-in/two-factor", data={"code": code, "csrf_token": token}).status_code == 302
    assert signed_in(client)
    assert [(e.method, e.succeeded) for e in log_of(user.email)] == [("single_sign_on", True), ("authenticator", True)]


def test_password_sign_in_can_be_switched_off(client, database_url, provider):
    only_sso = create_app({
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://localhost", "PASSWORD_SIGN_IN": False, **provider.settings(),
    })
    user = factories.user(role="secretariat")
    # The page has no form, so no CSRF token: take one (and its session) from a site that has.
    token = csrf_token(client)
    browser = only_sso.test_client()
    browser.set_cookie("session", client.get_cookie("session").value)
    page = browser.get("/sign-in").get_data(as_text=True)
    assert "Sign in with Loopback ID" in page and 'name="password"' not in page
    response = browser.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD,
                                              "csrf_token": token})
    assert response.status_code == 403
    assert "turned off" in response.get_data(as_text=True)
    assert not signed_in(browser)
