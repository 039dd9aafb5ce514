"""What an HTML form says about a refused field: one message per field, in the user's words.

The input schemas and services say what is wrong in a way that also serves the JSON API
("This field is required.", "Use at most 300 characters.", "links.0: Enter a web
address ..."). A form says it the GOV.UK way instead: one message per field, naming the
thing the person typed ("Enter what was done", "Enter a web address starting with
https://"), never an internal key. This module is the one place that turns the first into
the second: the problem is recognised from the schema's message (``problem_of``), and the
words chosen by the field and the problem (``FIELDS`` first, then ``_GENERIC``). A message
it does not recognise is a service's own sentence ("This code is already used in this
plan.") and is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Where the summary points for a problem with the whole form rather than one field.
FORM_LEVEL = "_schema"


@dataclass(frozen=True)
class FieldWords:
    """How a form names one field: what to say when it is left empty, and its noun.

    ``noun`` starts a sentence about the field ("The due date must be ..."); ``words``
    overrides the message for a given problem.
    """

    required: str
    noun: str
    words: Mapping[str, str] = field(default_factory=dict)


_DATE_FORMAT = _l("in the format YYYY-MM-DD, for example 2027-03-31")
_URL = _l("Enter a web address starting with https://")

# Form field name -> its words. Lazy strings: the table is read at import, the words at request.
FIELDS: dict[str, FieldWords] = {
    # The progress report (agency page and reminder link).
    "narrative": FieldWords(_l("Enter what was done"), _l("What was done")),
    "percent_complete": FieldWords(
        _l("Enter the percent complete, a whole number from 0 to 100"), _l("The percent complete"),
        {"number": _l("Enter the percent complete as a whole number from 0 to 100"),
         "not_number": _l("Enter the percent complete as a whole number from 0 to 100")},
    ),
    "proposed_status": FieldWords(_l("Choose the status you propose"), _l("The proposed status")),
    "links": FieldWords(_URL, _l("Each evidence link"),
                        {"url": _URL, "too_many": _l("Give at most %(limit)s evidence links, one per line")}),
    "file": FieldWords(_l("Choose a file"), _l("The file")),
    # Plans, areas, recommendations and actions.
    "slug": FieldWords(_l("Enter a slug, such as mexico-2018-review"), _l("The slug")),
    "title": FieldWords(_l("Enter a title"), _l("The title")),
    "country": FieldWords(_l("Enter the country"), _l("The country")),
    "description": FieldWords(_l("Enter a description"), _l("The description")),
    "citation": FieldWords(_l("Enter the citation"), _l("The citation")),
    "code": FieldWords(_l("Enter a code"), _l("The code")),
    "name": FieldWords(_l("Enter a name"), _l("The name")),
    "text": FieldWords(_l("Enter the text of the recommendation"), _l("The recommendation text")),
    "area": FieldWords(_l("Choose an area"), _l("The area")),
    "status": FieldWords(_l("Choose a status"), _l("The status")),
    "timeframe": FieldWords(_l("Choose a timeframe"), _l("The timeframe")),
    "priority": FieldWords(_l("Choose a priority"), _l("The priority")),
    "response": FieldWords(_l("Choose the government's response"), _l("The government's response")),
    "actions_taken": FieldWords(_l("Enter the actions taken"), _l("The actions taken")),
    "institutions": FieldWords(_l("Tick at least one institution"), _l("The institutions")),
    "lead_agency": FieldWords(_l("Choose the lead agency"), _l("The lead agency"),
                              {"unknown_agency": _l("Choose the lead agency from the list")}),
    "supporting_agencies": FieldWords(_l("Tick the supporting agencies"), _l("The supporting agencies"),
                                      {"unknown_agency": _l("Tick supporting agencies from the list")}),
    "recommendations": FieldWords(_l("Tick at least one recommendation"), _l("The recommendations")),
    "milestones": FieldWords(_l("Enter the milestones"), _l("Each milestone")),
    # The status vocabulary (/admin/statuses).
    "key": FieldWords(_l("Enter a key, such as cancelled"), _l("The key")),
    "label": FieldWords(_l("Enter the label people read, such as Cancelled"), _l("The label")),
    "colour": FieldWords(_l("Enter a colour, such as #cc79a7"), _l("The colour")),
    "default_percent": FieldWords(
        _l("Enter the default percent, a whole number from 0 to 100"), _l("The default percent"),
        {"number": _l("Enter the default percent as a whole number from 0 to 100"),
         "not_number": _l("Enter the default percent as a whole number from 0 to 100")},
    ),
    "irm_completion": FieldWords(_l("Choose the IRM completion level"), _l("The IRM completion level")),
    "reporting_cadence": FieldWords(_l("Choose a reporting cadence"), _l("The reporting cadence")),
    "weight": FieldWords(
        _l("Enter the weight, a whole number from 1 to 1,000, or leave it empty"), _l("The weight"),
        {"number": _l("Enter the weight as a whole number from 1 to 1,000, or leave it empty"),
         "not_number": _l("Enter the weight as a whole number from 1 to 1,000, or leave it empty")},
    ),
    # One milestone's parts (a line "2027-03-31 Portal launched (achieved 2027-04-02)").
    "milestones.due_date": FieldWords(_l("Start each milestone with its due date"), _l("The milestone's due date")),
    "milestones.title": FieldWords(_l("Write the milestone's title after its date"), _l("The milestone's title")),
    "milestones.achieved_on": FieldWords(_l("Enter the date the milestone was achieved"),
                                         _l("The date the milestone was achieved")),
    "position": FieldWords(_l("Enter the position"), _l("The position"),
                           {"number": _l("Enter the position as a whole number from %(first)s to %(last)s")}),
    "reason": FieldWords(_l("Enter the reason"), _l("The reason")),
    "actions": FieldWords(_l("Tick at least one action"), _l("The actions"),
                          {"not_number": _l("Tick actions from the list")}),
    "source_document": FieldWords(_l("Enter the source document"), _l("The source document")),
    "source_section": FieldWords(_l("Enter the section"), _l("The section")),
    "source_lines": FieldWords(_l("Enter the lines"), _l("The lines")),
    # Dates.
    "start_date": FieldWords(_l("Enter the start date"), _l("The start date")),
    "due_date": FieldWords(_l("Enter the due date"), _l("The due date")),
    "period_start": FieldWords(_l("Enter the date the period starts"), _l("The start of the period")),
    "period_end": FieldWords(_l("Enter the date the period ends"), _l("The end of the period")),
    "opens_on": FieldWords(_l("Enter the date the round opens"), _l("The opening date")),
    "deadline": FieldWords(_l("Enter the deadline"), _l("The deadline")),
    "assessed_on": FieldWords(_l("Enter the date of the assessment"), _l("The date of the assessment")),
    # Reviews and assessments.
    "accept_comment": FieldWords(_l("Enter a comment"), _l("The comment")),
    "return_comment": FieldWords(_l("Say what should change"), _l("What should change")),
    "comment": FieldWords(_l("Enter a comment"), _l("The comment")),
    "justification": FieldWords(_l("Say why the recommendation has this status"), _l("The justification")),
    "plan": FieldWords(_l("Choose a plan"), _l("The plan")),
    # Accounts and administration.
    "email": FieldWords(_l("Enter an email address"), _l("The email address"),
                        {"email": _l("Enter an email address in the correct format, like name@example.gov")}),
    "password": FieldWords(_l("Enter a password"), _l("The password")),
    "current_password": FieldWords(_l("Enter your current password"), _l("Your current password")),
    "new_password": FieldWords(_l("Enter a new password"), _l("The new password")),
    "role": FieldWords(_l("Choose a role"), _l("The role")),
    "agency": FieldWords(_l("Choose an agency"), _l("The agency"),
                         {"unknown_agency": _l("Choose an agency from the list")}),
    "acronym": FieldWords(_l("Enter the acronym"), _l("The acronym")),
    "domain": FieldWords(_l("Enter an email domain, such as ministry.example.gov"), _l("The email domain")),
    "scope": FieldWords(_l("Choose what the token may do"), _l("The scope")),
    "days": FieldWords(_l("Enter for how many days the token works"), _l("The number of days")),
}

# The schemas' messages (``tracker.schemas``) and marshmallow's own, by the problem they name.
_PROBLEMS: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("required", r"^(This field is required|Missing data for required field|Field may not be null)\.$"),
    # A report's narrative may wait while it is a draft, not once it is submitted (services.reports).
    ("required", r"^Say what was done before submitting\.$"),
    ("too_long", r"^Use at most (?P<limit>[\d,]+) characters\.$"),
    ("too_short", r"^Use at least (?P<limit>[\d,]+) characters\.$"),
    ("url", r"^Enter a web address starting with"),
    ("date", r"^Not a valid date\.$"),
    ("date_range", r"^Enter a date between (?P<first>\d+) and (?P<last>\d+)\.$"),
    ("number", r"^Enter a whole number (of \w+ )?from (?P<first>-?[\d,]+) to (?P<last>-?[\d,]+)"),
    ("not_number", r"^(Not a valid integer\.|Tick actions from the list\.)$"),
    ("choice", r"^(Choose one of|Must be one of|Unknown status )"),
    ("email", r"^Not a valid email address\.$"),
    ("unknown_agency", r"^Unknown agency "),
    ("too_many", r"^Give at most (?P<limit>[\d,]+) "),
    ("not_text", r"^Not a valid (string|list)\.$"),
))

# Words for a problem on any field, given its noun (and what the problem's message held).
_GENERIC: dict[str, str] = {
    "too_long": _l("%(noun)s must be %(limit)s characters or fewer"),
    "too_short": _l("%(noun)s must be at least %(limit)s characters"),
    "url": _URL,
    "date": _l("Enter %(noun_lower)s as a date %(format)s"),
    "date_range": _l("%(noun)s must be a date between %(first)s and %(last)s"),
    "number": _l("%(noun)s must be a whole number from %(first)s to %(last)s"),
    "not_number": _l("%(noun)s must be a whole number"),
    "choice": _l("Choose %(noun_lower)s from the list"),
    "email": _l("Enter an email address in the correct format, like name@example.gov"),
    "unknown_agency": _l("Choose an agency from the list"),
    "too_many": _l("%(noun)s: give at most %(limit)s"),
    "not_text": _l("%(noun)s must be text"),
}


def problem_of(message: str) -> tuple[str | None, dict[str, str]]:
    """The problem a schema or service message names, and the figures it holds (or None)."""
    for name, pattern in _PROBLEMS:
        found = pattern.search(message)
        if found:
            return name, {k: v for k, v in found.groupdict().items() if v is not None}
    return None, {}


def field_message(name: str, message: str, *, item: int | None = None, part: str | None = None) -> str:
    """What the form says about field ``name`` refused with ``message``.

    ``item`` is which item of a list field was refused (shown as its line), ``part`` which
    field of that item (a milestone's ``due_date``).
    """
    words = FIELDS.get(f"{name}.{part}") if part else None
    words = words or FIELDS.get(name)
    problem, figures = problem_of(message)
    if problem is None:
        # A service's own sentence, in the user's words and language already, or a schema's
        # (marked N_ for the catalogue, English until shown): translated here if it is one.
        text = _(message)
    elif words is not None and problem in words.words:
        text = str(words.words[problem]) % figures if "%(" in str(words.words[problem]) else str(words.words[problem])
    elif words is not None and problem == "required":
        text = str(words.required)
    elif problem in _GENERIC and (words is not None or problem in _NOUNLESS):
        noun = str(words.noun) if words is not None else ""
        text = str(_GENERIC[problem]) % {
            "noun": noun, "noun_lower": _lower_first(noun), "format": str(_DATE_FORMAT),
            "limit": "", "first": "", "last": "", **figures,
        }
    else:
        text = message  # a field this table does not know: the schema's words read well enough
    if item is not None and name in LINE_FIELDS:
        text = _("%(message)s (line %(line)d)", message=text, line=item + 1)
    return text


# Problems whose words need no noun, so they read well on any field.
_NOUNLESS = frozenset({"url", "email", "unknown_agency"})

# Fields typed one item per line: a problem with one item names its line.
LINE_FIELDS = frozenset({"links", "milestones"})


def form_messages(errors: Mapping, order: Iterable[str] = ()) -> dict[str, str]:
    """One message per form field for ``ValidationFailed.errors``, in form order.

    Nested keys ("links.0", "milestones.1.due_date") are shown on the list's field; the
    first problem of a field is the one shown. Fields in ``order`` come first, in that
    order (the form's), then any others as the errors gave them; a problem with the whole
    form (``_schema``) comes last.
    """
    found: dict[str, str] = {}

    def walk(path: tuple[str, ...], value) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk((*path, str(key)), inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(path, inner)
        elif path and path[0] not in found:
            name = path[0]
            item = int(path[1]) if len(path) > 1 and path[1].isdigit() else None
            part = path[2] if item is not None and len(path) > 2 else None
            found[name] = field_message(name, str(value), item=item, part=part)

    walk((), errors)
    ordered = {name: found[name] for name in order if name in found and name != FORM_LEVEL}
    ordered.update({k: v for k, v in found.items() if k not in ordered and k != FORM_LEVEL})
    if FORM_LEVEL in found:
        ordered[FORM_LEVEL] = found[FORM_LEVEL]
    return ordered


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
