"""Fixtures: one migrated database per run, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set (``.ci/run`` does both).
"""

from __future__ import annotations

import itertools
import os
import re
from datetime import UTC, date, datetime

import flask_migrate
import pytest
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import create_engine, text
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import factories
from tests.reliability import harness
from tracker import create_app
from tracker.extensions import db
from tracker.web.response_cache import clear_caches

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
PASSWORD = "correct horse battery"


def _reset_database(url: str) -> None:
    """Start from an empty database, so the migrations alone build the schema."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.sqlite")
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application on a freshly migrated test database."""
    _reset_database(database_url)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


@pytest.fixture(autouse=True)
def db_session(app, request):
    """Run each test inside a transaction that is rolled back afterwards.

    Services commit as usual; their commits become savepoints of the outer
    transaction, so every test sees a clean database and nothing leaks. Tests
    marked ``scratch_db`` run real separate processes on a database of their own
    instead, and get no shared transaction.
    """
    if request.node.get_closest_marker("scratch_db"):
        yield None
        return
    # The rollback below takes the data version back too, which never happens in service.
    clear_caches(app)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


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


class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.port = port
        self.messages: list = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes
                from email.policy import default

                mailbox.messages.append(message_from_bytes(envelope.content, policy=default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox():
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


_scratch_names = itertools.count(1)


@pytest.fixture(scope="module")
def scratch_databases(database_url, tmp_path_factory):
    """Make fresh databases of the suite's kind (for tests that run real processes); all are
    dropped when the module ends."""
    directory = tmp_path_factory.mktemp("reliability")
    made: list[str] = []
    base = database_url.rsplit("/", 1)[-1] if harness.is_postgres(database_url) else "tracker"

    def make(label: str) -> str:
        name = f"{base}_rel_{label}_{os.getpid()}_{next(_scratch_names)}"
        url = harness.create_database(database_url, name, directory)
        made.append(url)
        return url

    yield make
    for url in made:
        harness.drop_database(url)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reliability-logs")
