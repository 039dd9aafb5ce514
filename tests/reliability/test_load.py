"""Agency clients reporting at once through the API, against gunicorn on a real database.

Every report a client was told was stored (201) must be in ``progress_reports`` exactly
once, with the id the client was given; nothing may answer 500. On PostgreSQL the
cluster is then restarted in the middle of the load: requests during the outage get
503, gunicorn keeps running, the app recovers by itself, and nothing acknowledged is lost.

CI size here; ``bench/load_faults.py`` runs the same at full size (50 clients x 2 minutes).
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from tests.fixtures import faults
from tests.fixtures.databases import is_postgres

# serial: run alone, after the parallel pass (it loads the machine for seconds and restarts PostgreSQL).
pytestmark = [pytest.mark.scratch_db, pytest.mark.process, pytest.mark.slow, pytest.mark.serial]

POSTGRES_CLIENTS = 50
SQLITE_CLIENTS = 10      # one writer at a time on SQLite: fewer clients, same checks
ROUNDS = 2000            # each report is for a round of its own (one open report per action and round)
LOAD_SECONDS = 15        # at most; the steady load stops once STEADY_REPORTS are acknowledged
# The steady load's evidence: this many reports acknowledged while every client writes at
# once (each client well over a hundred on SQLite, twenty on PostgreSQL's fifty), each then
# found stored exactly once. At 2026-12-03's 263 reports/s on SQLite, 15 s of load made
# 3,940 of the same checks and took 11 s of a serial pass that has the machine to itself.
STEADY_REPORTS = 1000
RESTART_AFTER = 3        # seconds of load before the restart
RECOVERY_GRACE = 10      # no failure may end later than this after the server is back
AFTER_RECOVERY = 1.5     # the load stops once recovery is shown, at the latest this long after that


@pytest.fixture(scope="module")
def service(database_url, scratch_databases, log_dir):
    """A scratch database with one agency per client, served by gunicorn (2 x cores sync workers)."""
    postgres = is_postgres(database_url)
    if not postgres:
        print("TRACKER_TEST_DATABASE_URL is unset: load runs on SQLite with "
              f"{SQLITE_CLIENTS} clients instead of {POSTGRES_CLIENTS}")
    url = scratch_databases("load")
    reporters = faults.build_reporting_world(url, POSTGRES_CLIENTS if postgres else SQLITE_CLIENTS, ROUNDS)
    server = faults.gunicorn(url, log_dir=log_dir).start()
    yield url, reporters, server
    server.kill()


def test_every_acknowledged_report_is_stored_exactly_once(service, figures):
    url, reporters, server = service
    log_start = server.log_size()
    started = time.monotonic()
    samples = faults.load_for(server.port, reporters, run="steady", seconds=LOAD_SECONDS,
                              acknowledged=STEADY_REPORTS)
    seconds = time.monotonic() - started
    result = faults.check_stored(url, samples, run="steady", clients=len(reporters), seconds=seconds)
    figures(f"load: {len(reporters)} agency clients on {url.split(':', 1)[0]}, "
            f"gunicorn {server.workers} workers", result.lines())

    assert server.alive(), server.log_text()
    assert result.acknowledged > 0, result.lines()
    # Every client wrote during the load (it was concurrent, not one client after another).
    assert {s.client for s in samples if s.status == 201} == {r.number for r in reporters}, result.lines()
    assert result.exactly_once, (result.missing[:5], result.duplicated[:5], result.wrong_id[:5])
    assert result.rows_found == result.rows_expected == result.acknowledged
    assert not result.unacknowledged, result.unacknowledged[:5]
    errors = result.codes.get(500, 0)
    assert errors == 0, server.log_since(log_start)[-3000:]
    assert set(result.codes) == {201}, (result.codes, [s.detail for s in samples if s.status != 201][:5])


def test_postgres_restart_during_load_loses_nothing_acknowledged(service, database_url, figures):
    if not is_postgres(database_url):
        pytest.skip("PostgreSQL restart: the suite runs on SQLite (set TRACKER_TEST_DATABASE_URL)")
    cluster = faults.PgCluster.serving(database_url)
    if isinstance(cluster, str):
        pytest.skip(f"PostgreSQL restart: {cluster}")
    url, reporters, server = service
    others = cluster.foreign_sessions(make_url(database_url).database)
    if others and os.environ.get("TRACKER_RELIABILITY_RESTART") != "force":
        pytest.skip(f"PostgreSQL restart: cluster {cluster.version}/{cluster.name} also serves "
                    f"{others} (sessions per database); restarting it would cut them off. "
                    "Set TRACKER_RELIABILITY_RESTART=force to restart anyway.")

    log_start = server.log_size()
    stop = threading.Event()
    outage = faults.Outage()
    samples: list[faults.Sample] = []
    load = threading.Thread(
        target=faults.run_load, args=(server.port, reporters),
        kwargs={"run": "restart", "stop": stop, "samples": samples}, daemon=True,
    )
    started = time.monotonic()
    load.start()
    try:
        time.sleep(RESTART_AFTER)
        faults.restart_during(cluster, outage)
        faults.wait_for_recovery(samples, outage, clients=len(reporters), grace=RECOVERY_GRACE + AFTER_RECOVERY)
    finally:
        stop.set()
        load.join(timeout=60)
        cluster.ensure_running()  # the rest of the suite needs it, whatever happened here
    seconds = time.monotonic() - started

    result = faults.check_stored(url, samples, run="restart", clients=len(reporters), seconds=seconds)
    back = faults.recovery(samples, outage, grace=RECOVERY_GRACE)
    figures(f"PostgreSQL restart during load: {len(reporters)} clients, gunicorn {server.workers} workers",
            result.lines() + back.lines())

    assert server.alive(), "gunicorn died during the restart:\n" + server.log_text()
    assert result.codes.get(500, 0) == 0, server.log_since(log_start)[-3000:]
    assert set(result.codes) <= {201, 503}, (result.codes, [s.detail for s in samples if s.status not in (201, 503)][:5])
    assert back.refused > 0, "no request met the outage: the restart was not in the middle of the load"
    refusal = next(s for s in samples if s.status == 503)
    assert '"code":503' in refusal.detail.replace(" ", ""), refusal.detail
    assert result.exactly_once, (result.missing[:5], result.duplicated[:5], result.wrong_id[:5])
    assert result.rows_found == result.acknowledged
    # A report stored although its client heard 503 (its commit was under way when the server
    # went): the answer must not have invited a duplicate.
    assert not result.misled, [(t, next(s.detail for s in samples if s.tag == t)) for t in result.misled[:3]]
    # Recovered by itself: no failure later than RECOVERY_GRACE after the server was back,
    # and every client has had reports acknowledged since the last failure.
    assert back.last_refusal_after_back is None or back.last_refusal_after_back <= RECOVERY_GRACE, back.lines()
    assert back.successes_after_last_failure >= len(reporters), back.lines()
    assert not back.failures_after_grace, [(s.status, s.detail) for s in back.failures_after_grace[:5]]
