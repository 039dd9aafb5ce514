"""The app offering English, Spanish, French and Russian, as the interface's catalogues will."""

from __future__ import annotations

import flask_babel
import pytest
from flask import g
from sqlalchemy import event

LANGUAGES = ["en", "es", "fr", "ru"]


@pytest.fixture
def languages(app):
    """``LANGUAGES`` set for one test (the app is shared by the session), then put back."""
    before = app.config["LANGUAGES"]
    app.config["LANGUAGES"] = LANGUAGES
    yield LANGUAGES
    app.config["LANGUAGES"] = before


def read(client, path: str, language: str, **kwargs):
    """``path`` as a reader of ``language`` gets it (``Accept-Language``).

    A test runs in one app context that outlives its requests, and Flask-Babel keeps the
    locale and the catalogue on it: both are forgotten first, as a new request in service
    would.
    """
    flask_babel.refresh()
    g.pop("tracker_translations", None)
    return client.get(path, headers={"Accept-Language": language}, **kwargs)


def statements(engine, fetch) -> list[str]:
    """The SQL statements ``fetch()`` sends through ``engine``."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fetch()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent
