"""Fixtures: a test client and signing in; the rest comes from the toolkit.

The suite runs on SQLite by default and on PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set. The application (``app``), how databases are
made, the rolled-back transaction of each test and the real servers live in the
toolkit, ``tests/fixtures``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests import factories

# The toolkit (tests/fixtures): the app and its databases, the per-test transaction, servers.
pytest_plugins = [
    "tests.fixtures.databases",
    "tests.fixtures.transactions",
    "tests.fixtures.processes",
    "tests.fixtures.passwords",
]

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
PASSWORD = "correct horse battery"


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/sign-in") -> str:
    """The CSRF token from a form page, as a browser would get it."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Signs test users in and out through the real sign-in form."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        return self.client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": csrf_token(self.client)},
        )

    def login_as(self, role: str = "secretariat", **kwargs):
        """Create a user with ``role`` and sign in as them; returns the user."""
        user = factories.user(role=role, **kwargs)
        response = self.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        return self.client.post("/sign-out", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login_as(auth):
    return auth.login_as
