"""Helpers for HTML forms: turning service errors into per-field messages, reading lists."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, request

from tracker.services.errors import ValidationFailed
from tracker.services.evidence_files import FileStore


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    """One message per field for the templates' ``field`` macro (nested keys flattened)."""
    errors: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            if all(isinstance(v, str) for v in value):
                errors.setdefault(prefix, " ".join(value))
            else:
                for inner in value:
                    walk(prefix, inner)
        else:
            errors.setdefault(prefix, str(value))

    walk("", exc.errors)
    # Errors on list items ("links.0") are shown on the list's field.
    for key in list(errors):
        base = key.split(".")[0]
        if base != key:
            errors.setdefault(base, errors[key])
    return errors


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
