"""Errors that services raise for callers (views, API, CLI) to show."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of the errors a user can act on."""


class ValidationFailed(ServiceError):
    """Input was refused; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]] | dict):
        super().__init__(errors)
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{field}: {' '.join(_flatten(msgs))}" for field, msgs in self.errors.items())


class NotFound(ServiceError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Forbidden(ServiceError):
    """The user may not do this (or see this)."""


class EditConflict(ServiceError):
    """Someone else saved the item since the user loaded it.

    ``changes`` maps each field whose saved value differs from what the user
    submitted to ``(saved value, submitted value)``; ``version`` is the saved version,
    so the user can review and save again on top of it.
    """

    def __init__(self, changes: dict[str, tuple], version: int):
        super().__init__("This item was changed by someone else since you opened it.")
        self.changes = changes
        self.version = version


class ReportConflict(ServiceError):
    """A report is already open on the action for this round (or the reminder link was used).

    Nothing was stored; ``report_id`` and ``state`` name the report already there, so the
    caller can point to it rather than file a second one.
    """

    def __init__(self, message: str, *, report_id: int, state: str, link_used: bool = False):
        super().__init__(message)
        self.report_id = report_id
        self.state = state
        self.link_used = link_used


class Throttled(ServiceError):
    """Too many failed attempts; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed sign-ins. Try again in {max(1, retry_after // 60)} minute(s).")
        self.retry_after = retry_after


class SignInRefused(ServiceError):
    """A sign-in that cannot go on (an identity provider's answer we do not accept, no account).

    The message says why, in words for the person signing in.
    """


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{key}: {' '.join(_flatten(value))}" for key, value in messages.items()]
    if isinstance(messages, list | tuple):
        return [str(m) for m in messages]
    return [str(messages)]

