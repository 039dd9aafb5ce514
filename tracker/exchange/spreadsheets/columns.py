"""The spreadsheet column format: every column, what it holds, and the cells' conventions.

``COLUMNS`` is the source of truth of ``docs/spreadsheet-format.md``. The maps say which
plan document field each column fills, for export and import alike. A cell a spreadsheet
program would run as a formula is written with a leading apostrophe and read back without
it (``exchange.csv_files``, the convention of every CSV file). A problem with a file names its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.models.translations import ORIGINAL_LANGUAGE
from tracker.schemas.translations import LANGUAGE_CODE
from tracker.services.errors import ValidationFailed

# (column, what it holds). Order is the order of the exported file.
COLUMNS: list[tuple[str, str]] = [
    ("plan_slug", "The plan's identifier: lower-case letters, digits and hyphens (required)."),
    ("plan_title", "The plan's title (required)."),
    ("country", "The country whose government the plan concerns (required)."),
    ("plan_period_start", "First day of the plan, YYYY-MM-DD."),
    ("plan_period_end", "Last day of the plan, YYYY-MM-DD."),
    ("plan_description", "One paragraph about the plan."),
    ("plan_citation", "Bibliographic reference of the source."),
    ("plan_source", "Source location: document | section | lines."),
    ("plan_reporting_cadence", ("How reporting rounds open: manual, monthly, quarterly, half-yearly or yearly "
                               "(one round per period, due on its last day). Blank: manual for a new plan; "
                               "an existing plan keeps its own.")),
    ("published", ("yes or no: whether the public sees the plan, if this import creates it. "
                  "An existing plan keeps its state (change it on the plan's page).")),
    ("area_code", ("Short code of the area (pillar, dimension) of the row's recommendation, "
                  "or of its action when the row has none.")),
    ("area_name", "Name of the area."),
    ("area_source", "Source location of the area: document | section | lines."),
    ("recommendation_code", "Stable code of the recommendation, unique in the plan."),
    ("recommendation_text", "Full text of the recommendation."),
    ("recommendation_status", "Validated status: a status key or label (e.g. ongoing)."),
    ("recommendation_status_irm", ("The validated status on the OGP IRM completion scale (not_started, limited, "
                                  "substantial, complete). Written on export, from the status vocabulary; "
                                  "ignored on import.")),
    ("timeframe", "short, medium or long."),
    ("priority", "high, medium or low."),
    ("response", "The government's response: accepted, partially_accepted, noted or rejected."),
    ("actions_taken", "What the source says was done."),
    ("institutions", "Institutions the recommendation names, separated by ';'."),
    ("recommendation_source", "Source location: document | section | lines."),
    ("action_code", "Stable code of the action, unique in the plan."),
    ("action_title", "Title of the action."),
    ("action_description", "What the action involves."),
    ("action_area", ("The action's own area code (blank: none). Without this column an action "
                    "takes the area of its first row.")),
    ("lead_agency", "Lead agency: 'Name [ACRONYM]', or an existing agency's acronym or name."),
    ("supporting_agencies", "Supporting agencies, separated by ';'."),
    ("start_date", "YYYY-MM-DD."),
    ("due_date", "YYYY-MM-DD, not before start_date."),
    ("action_status", "Status of the action: a status key or label."),
    ("action_status_irm", "The action's status on the OGP IRM completion scale. Written on export; ignored on import."),
    ("percent_complete", "Whole number from 0 to 100."),
    ("action_weight", ("How much the action counts in its recommendations' percent complete: a whole number "
                      "from 1 to 1,000; blank counts as 1 (a plain mean).")),
    ("milestones", ("Milestones as 'YYYY-MM-DD title', followed by ' (achieved YYYY-MM-DD)' "
                   "once reached, separated by ';'.")),
    ("action_source", "Source location: document | section | lines."),
    ("indicator_code", ("Code of an indicator, unique in the plan. An indicator's row gives only the code of "
                       "what it measures: its recommendation_code or its action_code; neither for the whole plan.")),
    ("indicator_name", "What the indicator measures (required on an indicator's row)."),
    ("indicator_unit", "Unit of its values, e.g. datasets."),
    ("indicator_kind", "number, percent, yes_no (1 is yes, 0 no) or text; number when blank."),
    ("indicator_direction", "up (higher is better) or down (lower is better); up when blank."),
    ("indicator_baseline_value", "The baseline value."),
    ("indicator_baseline_date", "YYYY-MM-DD: the day the baseline describes."),
    ("indicator_target_value", "The target value."),
    ("indicator_target_date", "YYYY-MM-DD: the day the target is due."),
    ("indicator_data_source", "Who produces the figures."),
    ("indicator_values", ("Values taken from source documents, as 'YYYY-MM-DD value', optionally followed by "
                         "' (document | section | lines)', separated by ';'. Values agencies report in "
                         "progress reports are not part of the file.")),
    ("indicator_source", "Source location of the indicator: document | section | lines."),
]
COLUMN_NAMES = [name for name, _ in COLUMNS]

# Columns whose text may also be given in other languages, in a column named for the
# language after it: plan_title_es, recommendation_text_ru, milestones_fr
# (``models.translations``). The value: (part of the plan document, field).
TRANSLATED_COLUMNS: dict[str, tuple[str, str]] = {
    "plan_title": ("plan", "title"),
    "plan_description": ("plan", "description"),
    "area_name": ("areas", "name"),
    "recommendation_text": ("recommendations", "text"),
    "action_title": ("actions", "title"),
    "action_description": ("actions", "description"),
    "milestones": ("actions", "milestones"),
}
TRANSLATION_COLUMNS_DOC = (
    "Any of plan_title, plan_description, area_name, recommendation_text, action_title, action_description "
    "and milestones followed by _ and a language code (plan_title_es, recommendation_text_ru, milestones_fr): "
    "the text in that language. milestones_xx holds 'YYYY-MM-DD translated title' for each milestone it "
    "translates, with the milestone's date, separated by ';'. A blank cell means no translation in that "
    "language; a file without the column leaves the stored translations alone."
)
_TRANSLATION_COLUMN = re.compile(rf"(?P<column>{'|'.join(TRANSLATED_COLUMNS)})_(?P<language>{LANGUAGE_CODE.pattern})")


def translation_column(name: str | None) -> tuple[str, str] | None:
    """(translated column, language) for a translation column's name, e.g. ("plan_title", "es"); else None."""
    match = _TRANSLATION_COLUMN.fullmatch(name or "")
    if match is None or match["language"] == ORIGINAL_LANGUAGE:
        return None
    return match["column"], match["language"]


def columns_with_translations(languages: list[str]) -> list[str]:
    """The file's columns: every column, then each translated column per language, by language."""
    return COLUMN_NAMES + [f"{column}_{language}" for language in languages for column in TRANSLATED_COLUMNS]
REQUIRED_COLUMNS = ("plan_slug", "plan_title", "country")
# Plan settings that have no empty value: a blank cell leaves them as they are (a new plan
# takes the default) instead of clearing them.
KEPT_WHEN_BLANK = ("plan_reporting_cadence",)

PLAN_COLUMNS = {
    "plan_slug": "slug", "plan_title": "title", "country": "country",
    "plan_period_start": "period_start", "plan_period_end": "period_end",
    "plan_description": "description", "plan_citation": "citation",
    "plan_reporting_cadence": "reporting_cadence",
}
RECOMMENDATION_COLUMNS = {
    "recommendation_code": "code", "recommendation_text": "text",
    "recommendation_status": "status", "timeframe": "timeframe", "priority": "priority",
    "response": "response", "actions_taken": "actions_taken",
}
ACTION_COLUMNS = {
    "action_code": "code", "action_title": "title", "action_description": "description",
    "start_date": "start_date", "due_date": "due_date", "action_status": "status",
    "percent_complete": "percent_complete", "action_weight": "weight",
}
INDICATOR_COLUMNS = {
    "indicator_code": "code", "indicator_name": "name", "indicator_unit": "unit", "indicator_kind": "kind",
    "indicator_direction": "direction", "indicator_baseline_value": "baseline_value",
    "indicator_baseline_date": "baseline_date", "indicator_target_value": "target_value",
    "indicator_target_date": "target_date", "indicator_data_source": "data_source",
}
# Which column a service's field error points at, per part of the plan document.
FIELD_COLUMNS = {
    "plan": {**{v: k for k, v in PLAN_COLUMNS.items()}, "source_document": "plan_source",
             "source_section": "plan_source", "source_lines": "plan_source"},
    "areas": {"code": "area_code", "name": "area_name", "source_document": "area_source",
              "source_section": "area_source", "source_lines": "area_source"},
    "recommendations": {**{v: k for k, v in RECOMMENDATION_COLUMNS.items()},
                        "area": "area_code", "institutions": "institutions",
                        "source_document": "recommendation_source",
                        "source_section": "recommendation_source",
                        "source_lines": "recommendation_source"},
    "actions": {**{v: k for k, v in ACTION_COLUMNS.items()}, "area": "action_area",
                "lead_agency": "lead_agency", "supporting_agencies": "supporting_agencies",
                "recommendations": "recommendation_code", "milestones": "milestones",
                "source_document": "action_source", "source_section": "action_source",
                "source_lines": "action_source"},
    "indicators": {**{v: k for k, v in INDICATOR_COLUMNS.items()}, "values": "indicator_values",
                   "recommendation": "recommendation_code", "action": "action_code",
                   "source_document": "indicator_source", "source_section": "indicator_source",
                   "source_lines": "indicator_source"},
}

@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file: where it is, and what to do about it."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (f"row {self.row}" if self.row else "", self.column or "") if part
        )
        return f"{where}: {self.message}" if where else self.message


class SpreadsheetRefused(ValidationFailed):
    """The file was refused; ``problems`` lists where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__({"file": [str(p) for p in problems]})
        self.problems = problems


def present(value) -> bool:
    """Whether a cell holds anything but blanks."""
    return value is not None and str(value).strip() != ""


