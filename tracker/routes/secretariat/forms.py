"""The secretariat forms' shared helpers: reading what was typed, showing it again, choices.

Blank boxes, lists and stored values are read and shown the same way on every form of
the section, so a form sent back with errors shows exactly what the user typed.
"""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema

from tracker.routes.forms import field_errors, form_data, translation_values, translations_from_form  # noqa: F401 (the section's forms use them from here)
from tracker.services.errors import ValidationFailed
from tracker.services.workspace import agency_key
from tracker.web.content_language import status_label

SOURCE_FIELDS = ("source_document", "source_section", "source_lines")
LIST_FIELDS = ("institutions", "supporting_agencies", "recommendations", "action")

CHOICES = {
    "response": (
        ("accepted", _l("Accepted")),
        ("partially_accepted", _l("Partially accepted")),
        ("noted", _l("Noted")),
        ("rejected", _l("Rejected")),
    ),
    "timeframe": (
        ("short", _l("Short term (less than a year)")),
        ("medium", _l("Medium term (one to two years)")),
        ("long", _l("Long term (more than two years)")),
    ),
    "priority": (("high", _l("High")), ("medium", _l("Medium")), ("low", _l("Low"))),
}

# Field names as people read them, for the conflict table.
FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "start_date": _l("Start date"),
    "due_date": _l("Due date"),
    "percent_complete": _l("Percent complete"),
    "weight": _l("Weight"),
    "status": _l("Status"),
}


def form_choices():
    """The choice lists and labels the secretariat's forms share."""
    return {
        "choices": CHOICES,
        "field_labels": FIELD_LABELS,
        "area_options": lambda plan: [(a.code, f"{a.code} · {a.name}") for a in plan.areas],
        "agency_options": lambda agencies, keys=False: [
            (agency_key(a) if keys else a.id, a.display_name) for a in agencies
        ],
        "recommendation_options": lambda plan: [
            (r.code, f"{r.code}: {r.text if len(r.text) <= 90 else r.text[:89] + '…'}")
            for r in plan.recommendations
        ],
        "status_options": lambda statuses: [(s.key, status_label(s)) for s in statuses],
        "response_label": lambda key: dict(CHOICES["response"]).get(key, ""),
    }


def page(template: str, status: int = 200, **context):
    """A rendered page with its status: 422 when a form comes back with errors, 409 on a conflict."""
    return render_template(template, **context), status


def filled(*names: str, schema: type[Schema] | None = None) -> dict[str, str]:
    """The named form fields, with a blank box meaning "no value".

    A blank is passed on where ``schema`` accepts no value for the field (so clearing
    a date or a description clears it, even for a service that keeps the fields it is
    not given), and left out otherwise, so the schema's default or its "required"
    message applies instead of a refusal of a null.
    """
    nullable = {name for name, f in schema().fields.items() if f.allow_none} if schema else set()
    return {name: value for name, value in form_data(*names).items() if value.strip() or name in nullable}


def not_on_form(item, schema: type[Schema], shown: tuple[str, ...]) -> dict:
    """The item's stored values of the schema's fields that its form does not show.

    Saving the form then keeps them (say, a setting added to plans later) instead of
    resetting them to the schema's defaults.
    """
    kept = {}
    for name in schema().fields:
        value = getattr(item, name, None)
        if name not in shown and value not in (None, ""):
            kept[name] = value
    return kept


def submitted() -> dict:
    """Everything the user submitted, as typed, to show the form again without losing any of it."""
    values: dict = {key: value for key, value in request.form.items() if key != "csrf_token"}
    for name in LIST_FIELDS:
        values[name] = request.form.getlist(name)
    return values


def prefixed(prefix: str, exc: ValidationFailed) -> dict[str, str]:
    """Errors of one of several forms on a page, keyed by that form's field ids.

    Renamed before they are put in words, so the words are those of the field on the page
    ("return_comment": "Say what should change").
    """
    return field_errors(ValidationFailed({f"{prefix}{key}": message for key, message in exc.errors.items()}))


def form_value(value) -> str:
    """A stored value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)

