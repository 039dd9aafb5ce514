"""Signing in and out, with CSRF protection."""

from tests import factories
from tests.conftest import csrf_token


def test_sign_in_and_out(client, auth):
    user = factories.user()
    response = auth.login(user.email)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user.email in page and "Sign out" in page
    auth.logout()
    assert user.email not in client.get("/").get_data(as_text=True)


def test_wrong_password_re_renders_the_form_with_a_message(client, auth):
    user = factories.user()
    response = auth.login(user.email, "not the password")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The email or password is not correct." in page
    assert f'value="{user.email}"' in page


def test_missing_fields_are_named(client):
    response = client.post("/sign-in", data={"csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address." in page and "Enter your password." in page


def test_a_form_without_csrf_token_is_refused(client):
    user = factories.user()
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_sign_in_never_redirects_off_site(client):
    user = factories.user()
    response = client.post(
        "/sign-in?next=//evil.example/steal",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.headers["Location"] == "/secretariat/"  # the secretariat's landing, not the other site
