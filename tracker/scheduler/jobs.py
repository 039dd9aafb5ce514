"""The jobs and their schedules. Jobs call services; they hold no logic of their own."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import MailSettings
from tracker.reminders.outbox import deliver_pending
from tracker.reminders.run import run_reminder_pass
from tracker.services.rounds import open_scheduled_rounds
from tracker.subscriptions.digests import queue_digests
from tracker.webhooks.delivery import WebhookSettings, deliver_webhooks
from tracker.webhooks.events import queue_overdue_actions

# Set when the process is asked to stop (SIGTERM, Ctrl+C; see runner.stop_on_signals):
# delivery finishes the message in hand, records it, and leaves the rest for next time.
stop_requested = threading.Event()


@dataclass(frozen=True)
class JobSpec:
    """A job: a stable id, a function of ``now``, and an APScheduler trigger."""

    id: str
    func: Callable[[datetime], object]
    trigger: str
    schedule: dict = field(default_factory=dict)


def _links() -> LinkSettings:
    return LinkSettings(base_url=current_app.config["BASE_URL"].rstrip("/"), secret_key=current_app.config["SECRET_KEY"])


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def open_rounds(now: datetime):
    """Open the reporting round of the current period for plans with a cadence."""
    return open_scheduled_rounds(now.date())


def daily_reminders(now: datetime):
    """Claim and compose the reminders due today, then deliver them."""
    messages = run_reminder_pass(now, links=_links(), templates=current_app.jinja_env)
    return len(messages), deliver_outbox(now)


def weekly_digests(now: datetime):
    """Each agency's weekly digest and the secretariat's weekly summary."""
    messages = run_reminder_pass(now, links=_links(), templates=current_app.jinja_env, digests=True)
    return len(messages), deliver_outbox(now)


def deliver_outbox(now: datetime):
    """Send pending messages whose time has come (first tries and retries)."""
    return deliver_pending(
        now, mail=MailSettings.from_config(current_app.config), links=_links(), templates=current_app.jinja_env,
        worker=worker_name(),
        stop=stop_requested.is_set,
    )


def send_webhooks(now: datetime):
    """Send queued webhook deliveries whose time has come (first tries and retries)."""
    return deliver_webhooks(now, settings=WebhookSettings.from_config(current_app.config), worker=worker_name(),
                            stop=stop_requested.is_set)


def overdue_webhooks(now: datetime):
    """Queue ``action.overdue`` for actions that passed their due date (once per date)."""
    return queue_overdue_actions(now), send_webhooks(now)


def follower_digests(now: datetime):
    """Write each follower's digest of status changes, then deliver the outbox."""
    return queue_digests(now, links=_links(), templates=current_app.jinja_env), deliver_outbox(now)


JOBS: tuple[JobSpec, ...] = (
    JobSpec("open-rounds", open_rounds, "cron", {"hour": 6, "minute": 0}),
    JobSpec("daily-reminders", daily_reminders, "cron", {"hour": 7, "minute": 0}),
    JobSpec("weekly-digests", weekly_digests, "cron", {"day_of_week": "mon", "hour": 7, "minute": 30}),
    JobSpec("deliver-outbox", deliver_outbox, "interval", {"minutes": 1}),
    JobSpec("follower-digests", follower_digests, "cron", {"hour": 7, "minute": 45}),
    JobSpec("overdue-webhooks", overdue_webhooks, "cron", {"hour": 6, "minute": 15}),
    JobSpec("send-webhooks", send_webhooks, "interval", {"minutes": 1}),
)
