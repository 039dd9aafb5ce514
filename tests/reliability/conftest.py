"""Reliability tests: faults injected into real processes (gunicorn, the scheduler, PostgreSQL).

They run on scratch databases of the suite's kind (SQLite, or PostgreSQL when
``TRACKER_TEST_DATABASE_URL`` is set) and print their figures in a "reliability figures"
section at the end of the run. ``bench/load_faults.py`` runs the same scenarios at full size.
"""

from __future__ import annotations

import pytest

FIGURES: list[tuple[str, list[str]]] = []


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
