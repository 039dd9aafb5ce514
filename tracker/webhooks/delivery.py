"""Sending queued webhook deliveries: claim one, POST it signed, record the outcome, retry later.

The claiming and back-off are the mail outbox's (``tracker.reminders.outbox``): a delivery
moves from ``pending`` to ``sending`` in one conditional UPDATE, so only one scheduler
sends it; a failure puts it back with its error and a later ``next_attempt_at``; after
``MAX_ATTEMPTS`` it is ``failed`` for an admin to re-send.

Each request is signed: ``X-Tracker-Signature: t=<timestamp>,v1=<hex>``, where ``hex``
is HMAC-SHA256, keyed with the endpoint's secret, of ``<timestamp>.<body>``. A receiver
checks it and refuses a timestamp far from its own clock (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update

from tracker.extensions import db
from tracker.models import WebhookDelivery, WebhookEndpoint
from tracker.reminders.outbox import STALE_CLAIM, backoff, claim_queued
from tracker.services.transaction import write_transaction
from tracker.webhooks.addresses import UnsafeAddress, resolve

# Tries before a delivery is given up (1+2+4+...+64 minutes: about two hours of retries).
MAX_ATTEMPTS = 8
USER_AGENT = "action-plan-tracker-webhooks/1"


@dataclass(frozen=True)
class WebhookSettings:
    """How deliveries are made: the request timeout and whether private addresses may be called."""

    timeout: float = 10
    allow_private: bool = False

    @classmethod
    def from_config(cls, config) -> WebhookSettings:
        return cls(timeout=float(config.get("WEBHOOK_TIMEOUT") or 10),
                   allow_private=bool(config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")))


def signature(secret: str, timestamp: int, body: str) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (seconds since 1970)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver_webhooks(
    now: datetime, *, settings: WebhookSettings, worker: str, limit: int = 500,
    stop: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Send every pending delivery whose time has come; returns counts by outcome."""
    _release_stale_claims(now)
    due = db.session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.state == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id).limit(limit)
    ).all()
    db.session.commit()
    outcome = {"delivered": 0, "retrying": 0, "failed": 0, "skipped": 0, "left": 0}
    for index, delivery_id in enumerate(due):
        if stop():
            outcome["left"] = len(due) - index
            break
        row = claim_queued(WebhookDelivery, delivery_id, worker, now, _delivery(delivery_id))
        if row is None:
            outcome["skipped"] += 1
            continue
        status, error = post(row.url, row.secret, row.event, row.event_id, row.body, now=now, settings=settings)
        attempts = row.attempts + 1
        values = {"claimed_by": None, "attempts": attempts, "last_status": status, "last_error": error}
        if error is None:
            values |= {"state": "delivered", "delivered_at": now}
            outcome["delivered"] += 1
        elif attempts >= MAX_ATTEMPTS:
            values |= {"state": "failed"}
            outcome["failed"] += 1
        else:
            values |= {"state": "pending", "next_attempt_at": now + backoff(attempts)}
            outcome["retrying"] += 1
        write_transaction()
        db.session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))
        db.session.commit()
    return outcome


def post(url: str, secret: str, event: str, event_id: str, body: str, *, now: datetime,
         settings: WebhookSettings) -> tuple[int | None, str | None]:
    """POST one signed delivery: (HTTP status or None, None when it succeeded else the reason)."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        address = resolve(parts.hostname, port, allow_private=settings.allow_private)
    except UnsafeAddress as exc:
        return None, str(exc)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Tracker-Event": event,
        "X-Tracker-Delivery": event_id,
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": signature(secret, timestamp, body),
    }
    connection = (_PinnedHTTPS if https else _PinnedHTTP)(parts.hostname, port, address, settings.timeout)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                           body=body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read(500).decode(errors="replace").strip()
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return response.status, None
    if 300 <= response.status < 400:
        return response.status, f"answered {response.status}: redirects are not followed"
    return response.status, f"answered {response.status} {response.reason}: {text}"[:2000]


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to by now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the checked address, with the certificate checked against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _delivery(delivery_id: int):
    """What a claimed delivery needs to be sent: its endpoint and its body."""
    return (
        select(WebhookEndpoint.url, WebhookEndpoint.secret, WebhookDelivery.event, WebhookDelivery.event_id,
               WebhookDelivery.body, WebhookDelivery.attempts)
        .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(WebhookDelivery.id == delivery_id)
    )


def _release_stale_claims(now: datetime) -> None:
    """Deliveries claimed by a process that died go back to the queue (the receiver may get
    them twice: the event id lets it tell)."""
    write_transaction()
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.state == "sending", WebhookDelivery.claimed_at < now - STALE_CLAIM)
        .values(state="pending", next_attempt_at=now, claimed_by=None,
                last_error="the process sending it stopped before recording the outcome")
    )
    db.session.commit()
