"""The scheduler as operators run it: separate processes, a real database, a real SMTP server."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.fixtures.databases import app_on
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.services.actions import assign_actions

ROOT = Path(__file__).resolve().parents[2]


def scheduler_process(url: str, smtp_port: int, now: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "TRACKER_DATABASE_URL": url,
        "TRACKER_SECRET_KEY": "runner-secret",
        "TRACKER_MAIL_SERVER": "127.0.0.1",
        "TRACKER_MAIL_PORT": str(smtp_port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run-once", "--now", now],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.scratch_db
@pytest.mark.process
def test_two_runners_at_once_send_each_message_exactly_once(scratch, mailbox):
    scratch_url = scratch.migrated("runners")
    app = app_on(scratch_url, SECRET_KEY="runner-secret")
    with app.app_context():
        plan = factories.plan()
        focal_points = []
        for n in range(15):
            agency = factories.agency(acronym=f"AG{n}")
            focal_points += [factories.user("agency", agency=agency.acronym) for _ in range(2)]
            actions = [factories.action(plan, due_date="2027-03-31") for _ in range(3)]
            assign_actions(actions, {"lead_agency": agency.acronym}, actor=factories.SYSTEM, now=factories.NOW)
        emails = sorted(u.email for u in focal_points)
        db.session.remove()
        db.engine.dispose()

    runners = [scheduler_process(scratch_url, mailbox.port, "2027-03-24T07:00") for _ in range(2)]
    outputs = [runner.communicate(timeout=120) for runner in runners]
    assert [r.returncode for r in runners] == [0, 0], outputs

    # Each focal point gets one reminder (its 3 actions due in 7 days) and one weekly
    # digest: run-once runs every job. Nothing arrives twice.
    reminders = [m for m in mailbox.messages if m["Subject"].startswith("Reminder")]
    digests = [m for m in mailbox.messages if m["Subject"].startswith("Weekly digest")]
    assert sorted(m["To"] for m in reminders) == emails
    assert sorted(m["To"] for m in digests) == emails
    assert len(mailbox.messages) == 60
    message_ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(message_ids) == len(set(message_ids))
    with app.app_context():
        states = dict(db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())
        db.session.remove()
        db.engine.dispose()
    assert states == {"sent": 60}

    # And a third run the same day sends nothing more.
    again = scheduler_process(scratch_url, mailbox.port, "2027-03-24T09:00")
    assert again.wait(timeout=120) == 0
    again.communicate()
    assert len(mailbox.messages) == 60


def test_run_once_cli_runs_every_job_as_of_the_given_time(app, db_session):
    plan = factories.plan(reporting_cadence="quarterly")
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "--now", "2027-01-15T08:00"])
    assert result.exit_code == 0, result.output
    assert "open-rounds" in result.output and "daily-reminders" in result.output
    from tracker.services.rounds import plan_rounds

    [round_] = plan_rounds(plan)
    assert (round_.name, str(round_.opens_on), str(round_.deadline)) == ("2027 Q1", "2027-01-01", "2027-03-31")
    bad = app.test_cli_runner().invoke(args=["scheduler", "run-once", "--now", "next tuesday"])
    assert bad.exit_code != 0 and "ISO date" in bad.output


@pytest.mark.scratch_db
@pytest.mark.process
def test_the_long_running_scheduler_stops_cleanly_on_sigterm(scratch):
    """As a supervisor (or `make run`'s trap) stops it: SIGTERM, exit 0, soon."""
    scratch_url = scratch.migrated("sigterm")
    env = {**os.environ, "TRACKER_DATABASE_URL": scratch_url, "TRACKER_SECRET_KEY": "runner-secret"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert "Scheduler running" in process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, out + err
    assert "Scheduler stopped." in err
