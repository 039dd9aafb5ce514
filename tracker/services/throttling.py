"""Slowing down password guessing without letting anyone lock an account.

Failed sign-ins are counted per (account, client address) and per address. Each count
has a number of free failures; past it, every further failure doubles the wait before
the next attempt from there (1, 2, 4 ... minutes, at most an hour). An attempt during a
wait is refused even with the right password, so guessing gains nothing from it.

Nothing is counted per account alone: failures from one address never slow down the
account's owner at another, so nobody can lock someone else out. A success clears its
(account, address) count; failures are forgotten after a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select

from tracker.extensions import db
from tracker.models import SignInFailure
from tracker.services.errors import Throttled
from tracker.services.transaction import atomic

FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
FREE_FAILURES_PER_ADDRESS = 20
FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
MEMORY = timedelta(days=1)


def delay_after(failures: int, free: int) -> timedelta:
    """The wait after ``failures`` counted failures when ``free`` of them cost nothing."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 12)  # 2**12 minutes is past the cap already
    return min(FIRST_DELAY * 2**doublings, LONGEST_DELAY)


@dataclass(frozen=True)
class FailureCount:
    """Recent failures of one account at one address (or of one address, ``email`` None)."""

    email: str | None
    remote_addr: str | None
    failures: int
    first_at: datetime
    last_at: datetime
    throttled_until: datetime | None  # None: the next attempt is free


def _throttled_until(failures: int, last_at: datetime, free: int, now: datetime) -> datetime | None:
    until = last_at + delay_after(failures, free)
    return until if until > now else None


def _wait(where: ColumnElement[bool], free: int, now: datetime) -> datetime | None:
    failures, last_at = db.session.execute(
        select(func.count(), func.max(SignInFailure.failed_at)).where(where, SignInFailure.failed_at > now - MEMORY)
    ).one()
    return _throttled_until(failures, last_at, free, now) if failures else None


def _address(remote_addr: str | None) -> ColumnElement[bool]:
    return SignInFailure.remote_addr.is_(None) if remote_addr is None else SignInFailure.remote_addr == remote_addr


def check_not_throttled(email: str, remote_addr: str | None, *, now: datetime) -> None:
    """Raise ``Throttled`` while sign-ins for ``email`` from ``remote_addr`` must wait."""
    waits = [
        _wait((SignInFailure.email == email) & _address(remote_addr), FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS, now),
        _wait(_address(remote_addr), FREE_FAILURES_PER_ADDRESS, now),
    ]
    until = max((w for w in waits if w is not None), default=None)
    if until is not None:
        raise Throttled(max(1, int((until - now).total_seconds() + 0.999)))


def record_failure(email: str, remote_addr: str | None, *, now: datetime) -> None:
    """Count a failed sign-in, and forget failures older than a day."""
    with atomic():
        db.session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - MEMORY))
        db.session.add(SignInFailure(email=email, remote_addr=remote_addr, failed_at=now))


def record_success(email: str, remote_addr: str | None) -> None:
    """A right password clears the failures of that account at that address, and only those."""
    with atomic():
        db.session.execute(delete(SignInFailure).where(SignInFailure.email == email, _address(remote_addr)))


def recent_failures(now: datetime) -> tuple[list[FailureCount], list[FailureCount]]:
    """For admins: failures of the last day by (account, address) and by address, most recent first."""
    since = SignInFailure.failed_at > now - MEMORY
    first, last = func.min(SignInFailure.failed_at), func.max(SignInFailure.failed_at)

    def counts(columns, free: int) -> list[FailureCount]:
        rows = db.session.execute(
            select(*columns, func.count(), first, last).where(since).group_by(*columns).order_by(last.desc())
        ).all()
        found = []
        for *keys, failures, first_at, last_at in rows:
            email, remote_addr = keys if len(keys) == 2 else (None, keys[0])
            found.append(FailureCount(email, remote_addr, failures, first_at, last_at,
                                      _throttled_until(failures, last_at, free, now)))
        return found

    return (
        counts((SignInFailure.email, SignInFailure.remote_addr), FREE_FAILURES_PER_ACCOUNT_AND_ADDRESS),
        counts((SignInFailure.remote_addr,), FREE_FAILURES_PER_ADDRESS),
    )
