"""Every user's account: password change and personal API tokens."""

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import PASSWORD, csrf_token
from tracker.services.tokens import TokenRefused, authenticate_token


def post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/account/")})


def test_a_wrong_current_password_is_refused_naming_the_field(client, auth):
    user = auth.login_as("agency")
    response = post(client, "/account/password", {"current_password": "not my password",
                                                  "new_password": "a brand new password"})
    assert response.status_code == 422
    assert re.search(r'id="current_password-error">This is not your current password.',
                     response.get_data(as_text=True))
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 302  # unchanged


def test_password_change_takes_effect(client, auth):
    user = auth.login_as("secretariat")
    response = post(client, "/account/password", {"current_password": PASSWORD,
                                                  "new_password": "a brand new password"})
    assert response.status_code == 302
    assert "Your password was changed." in client.get("/account/").get_data(as_text=True)
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 422
    assert auth.login(user.email, "a brand new password").status_code == 302


def test_a_token_is_shown_once_then_listed_and_revocable(client, login_as):
    login_as("agency")
    response = post(client, "/account/tokens", {"name": "Nightly export", "scope": "read"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-token" class="token" type="text" value="(trk_[^"]+)"', page).group(1)
    assert "only time it is shown" in page
    assert authenticate_token(secret, now=datetime.now(UTC)).name == "Nightly export"

    page = client.get("/account/").get_data(as_text=True)
    assert secret not in page
    assert "Nightly export" in page and f"<code>{secret[:8]}…</code>" in page

    revoke = re.search(r'action="(/account/tokens/\d+/revoke)"', page).group(1)
    assert post(client, revoke, {}).status_code == 302
    page = client.get("/account/").get_data(as_text=True)
    assert "Token “Nightly export” revoked." in page and "Revoke “Nightly export”" not in page
    with pytest.raises(TokenRefused, match="revoked"):
        authenticate_token(secret, now=datetime.now(UTC))


def test_a_token_needs_a_name(client, login_as):
    login_as("secretariat")
    response = post(client, "/account/tokens", {"name": ""})
    assert response.status_code == 422
    assert re.search(r'id="name-error">Enter a name<', response.get_data(as_text=True))


def test_assessors_are_told_they_have_no_api_access(client, login_as):
    login_as("assessor")
    page = client.get("/account/").get_data(as_text=True)
    assert "Your role has no access to the API" in page and "Create token" not in page
    assert post(client, "/account/tokens", {"name": "Sneaky"}).status_code == 403


def test_the_account_page_needs_sign_in(client):
    assert "/sign-in" in client.get("/account/").headers["Location"]
