"""Reliability tests: faults injected into real processes (gunicorn, the scheduler, PostgreSQL).

They run on scratch databases of the suite's kind (SQLite, or PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set) and print their figures in a "reliability figures"
section at the end of the run. ``bench/load_faults.py`` runs the same scenarios at full size.
"""

from __future__ import annotations

import itertools
import os

import pytest

from tests.reliability import harness

FIGURES: list[tuple[str, list[str]]] = []
_names = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: starts real processes and runs for seconds (reliability scenarios)"
    )


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for title, lines in FIGURES:
        terminalreporter.write_line(title)
        for line in lines:
            terminalreporter.write_line(f"    {line}")


@pytest.fixture
def figures():
    """Record figures: printed now (shown with a failure) and again in the run's summary."""

    def record(title: str, lines: list[str]) -> None:
        FIGURES.append((title, lines))
        print(title, *(f"    {line}" for line in lines), sep="\n")

    return record


@pytest.fixture(scope="module")
def scratch_databases(database_url, tmp_path_factory):
    """Make fresh databases of the suite's kind; all are dropped when the module ends."""
    directory = tmp_path_factory.mktemp("reliability")
    made: list[str] = []
    base = database_url.rsplit("/", 1)[-1] if harness.is_postgres(database_url) else "tracker"

    def make(label: str) -> str:
        name = f"{base}_rel_{label}_{os.getpid()}_{next(_names)}"
        url = harness.create_database(database_url, name, directory)
        made.append(url)
        return url

    yield make
    for url in made:
        harness.drop_database(url)


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reliability-logs")
