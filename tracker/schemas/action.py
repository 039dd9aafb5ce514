"""Actions and milestones, and the one-line text a milestone is written as."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, fields, validates_schema

from tracker.schemas.base import (
    CODE_MAX_LENGTH,
    N_,
    Code,
    Date,
    InputSchema,
    Integer,
    List,
    OptionalText,
    Text,
    position_field,
    required_str,
)
from tracker.schemas.plan import LONG_TEXT, SourceFields
from tracker.schemas.translations import translations

# An agency is named by its acronym or its name (``services.agencies.find_agency``).
AGENCY_KEY = 300
STATUS_KEY = 40


class MilestoneInput(InputSchema):
    title = required_str(max_length=300)
    title_translations = translations(300)
    due_date = Date(required=True, error_messages={"required": N_("This field is required.")})
    achieved_on = Date(load_default=None)


# A milestone as people write it: "2026-03-31 Portal launched", optionally followed by
# "(achieved 2026-04-02)". The action form (one per line) and the spreadsheet's
# milestones cell (separated by ';') both read and write this text.
MILESTONE_LINE = re.compile(r"^(?P<due>\S+)\s*(?P<title>.*?)(?:\s*\(achieved\s+(?P<achieved>[^)\s]+)\))?$")


def parse_milestone(text: str) -> dict | None:
    """``MilestoneInput`` data from one milestone's text, or None for a blank one.

    Dates stay as typed: ``MilestoneInput`` checks them and names the bad one.
    """
    match = MILESTONE_LINE.match(text.strip())
    if not match:
        return None
    milestone = {"due_date": match["due"], "title": match["title"]}
    if match["achieved"]:
        milestone["achieved_on"] = match["achieved"]
    return milestone


def milestone_text(due_date: date, title: str, achieved_on: date | None) -> str:
    """One milestone as ``parse_milestone`` reads it back."""
    text = f"{due_date.isoformat()} {title}"
    return f"{text} (achieved {achieved_on.isoformat()})" if achieved_on else text


class ActionInput(SourceFields):
    code = Code()
    title = required_str(max_length=500)
    title_translations = translations(500)
    description = OptionalText(max_length=LONG_TEXT)
    description_translations = translations(LONG_TEXT)
    area = Text(load_default=None, max_length=CODE_MAX_LENGTH)  # an area code of the same plan
    lead_agency = Text(load_default=None, max_length=AGENCY_KEY)  # agency key (acronym or name)
    supporting_agencies = List(Text(max_length=AGENCY_KEY), max_items=50, noun=N_("agencies"), load_default=list)
    start_date = Date(load_default=None)
    due_date = Date(load_default=None)
    percent_complete = Integer(minimum=0, maximum=100, load_default=0)
    # How much the action counts in its recommendations' percent complete; empty: 1.
    weight = Integer(minimum=1, maximum=1000, load_default=None, allow_none=True,
                     message=N_("Enter a whole number from 1 to 1,000, or leave it empty (counts as 1)."))
    status = required_str(max_length=STATUS_KEY)
    # recommendation codes
    recommendations = List(Text(max_length=CODE_MAX_LENGTH), max_items=200, noun=N_("recommendations"),
                           load_default=list)
    milestones = List(fields.Nested(MilestoneInput), max_items=100, noun=N_("milestones"), load_default=list)
    position = position_field()

    @validates_schema
    def dates_in_order(self, data, **kwargs):
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            raise ValidationError(N_("The due date cannot be before the start date."), "due_date")



def milestone_translations(milestones: list[dict], texts: dict[str, str], *, separator: str) -> dict[str, str]:
    """Give each of ``milestones`` (``MilestoneInput`` data) its translated titles; returns problems.

    ``texts`` holds, by language, the translated milestones in the milestones' own format
    ('YYYY-MM-DD title', split by ``separator``: a line on the form, ';' in a spreadsheet).
    Each is matched to the milestone due that day (the first, second... of that day in
    order). The milestones get ``title_translations`` changes for exactly the languages
    given (None: no line for it, so none in that language); the problems are by language: a date no milestone has, or a line that is not one.
    """
    problems: dict[str, str] = {}
    for milestone in milestones:
        # A language given but no line for the milestone: its translation is removed.
        milestone["title_translations"] = dict.fromkeys(texts)
    for language, text in texts.items():
        by_day: dict[str, list[dict]] = {}
        for milestone in milestones:
            by_day.setdefault(str(milestone.get("due_date")), []).append(milestone)
        for part in text.split(separator) if text else []:
            if not part.strip():
                continue
            parsed = parse_milestone(part)
            waiting = by_day.get(parsed["due_date"]) if parsed else None
            if not waiting or not parsed["title"]:
                problems[language] = (
                    f"“{part.strip()}” is not a milestone of this action: start each with the date "
                    "of the milestone it translates (YYYY-MM-DD), then the translated title."
                )
                break
            waiting.pop(0)["title_translations"][language] = parsed["title"]
    return problems
