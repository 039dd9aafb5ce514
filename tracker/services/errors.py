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


def _flatten(messages) -> list[str]:
    if isinstance(messages, dict):
        return [f"{key}: {' '.join(_flatten(value))}" for key, value in messages.items()]
    if isinstance(messages, list | tuple):
        return [str(m) for m in messages]
    return [str(messages)]
