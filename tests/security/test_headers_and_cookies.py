"""Security headers on every response; session cookies HttpOnly, SameSite, Secure behind HTTPS."""

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker import create_app


@pytest.mark.parametrize("path", ["/", "/sign-in", "/plans/nope", "/api/v1/plans", "/static/tracker.css"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    response.close()  # static files are streamed from disk
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_cookie_is_httponly_and_samesite_and_not_secure_over_plain_http(client):
    user = factories.user()
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD,
                                              "csrf_token": csrf_token(client)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_behind_an_https_proxy_the_cookie_is_secure(app, database_url):
    proxied = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k", "TRUSTED_PROXIES": 1})
    client = proxied.test_client()
    response = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    cookie = response.headers["Set-Cookie"]  # the CSRF token puts a value in the session
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_without_trusted_proxies_a_client_cannot_claim_https(client):
    response = client.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
