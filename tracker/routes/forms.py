"""Helpers for HTML forms: turning service errors into per-field messages, reading lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app, request

from tracker.services.errors import ValidationFailed
from tracker.services.evidence_files import FileStore
from tracker.web.field_messages import form_messages


def field_errors(exc: ValidationFailed, order: Iterable[str] | None = None) -> dict[str, str]:
    """One message per field in the user's words, in form order, for the forms macros.

    The words come from ``web.field_messages``. The order is ``order`` when given, else
    the order the browser sent the fields in, which is the form's own (a field it did
    not send, an unticked checkbox group, comes after those it did).
    """
    if order is None:
        order = [*request.form.keys(), *request.files.keys()] if request else []
    return form_messages(exc.errors, order)


def form_data(*names: str) -> dict[str, str]:
    """The named fields of the submitted form (absent ones left out, so defaults apply)."""
    return {name: request.form[name] for name in names if name in request.form}


def lines(name: str) -> list[str]:
    """A textarea with one item per line, as a list of non-blank lines."""
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def evidence_store() -> FileStore:
    """Where this app keeps evidence files, and how large one may be."""
    return FileStore(current_app.config["UPLOAD_DIR"], current_app.config["EVIDENCE_MAX_BYTES"])


def now() -> datetime:
    """The time of this request; views read the clock once and pass it to services."""
    return datetime.now(UTC)
