"""Output schemas: what the JSON API shows of plans, recommendations, actions and reports.

Dates and timestamps are ISO 8601 strings; statuses appear as their key (stable,
for programs) together with their label (for people). Nothing here loads input:
the input contract stays in the other schema modules, which the services run.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime

from marshmallow import Schema, fields, post_dump

from tracker.models import REPORT_STATES, ROLES
from tracker.models.translations import localized, translations_attribute

# The one language the caller asked for (the API's ``?lang=``), or None for every translation.
# Set by the API for each request (``routes.api.base``), and put back after it.
output_language: ContextVar[str | None] = ContextVar("output_language", default=None)


class TranslatedOutput(Schema):
    """An output with translatable fields (``TRANSLATED``; ``models.translations``).

    Without a language each such field is the original (English) text, with
    ``<field>_translations``: every translation by language code. With one
    (``?lang=es``) the field is in that language where a translation exists, else the
    original, and ``<field>_language`` says which it is.
    """

    TRANSLATED: tuple[str, ...] = ()
    # Where the translated item is, from the dumped object (a plan summary holds its plan).
    TRANSLATED_ITEM: str | None = None

    @post_dump(pass_original=True)
    def in_the_language_asked(self, data: dict, original, **kwargs) -> dict:
        item = getattr(original, self.TRANSLATED_ITEM) if self.TRANSLATED_ITEM else original
        language = output_language.get()
        for name in self.TRANSLATED:
            if name not in data:
                continue
            if language is None:
                data[translations_attribute(name)] = dict(getattr(item, translations_attribute(name)) or {})
                data.pop(f"{name}_language", None)
            else:
                shown = localized(item, name, language)
                data[name], data[f"{name}_language"] = shown.text, shown.language
                data.pop(translations_attribute(name), None)
        return data


def translations_of(field: str):
    """The documented ``<field>_translations`` output (filled by ``TranslatedOutput``)."""
    return fields.Dict(keys=fields.String(), values=fields.String(), dump_only=True, dump_default=None,
                       metadata={"description": f"Every translation of {field}, by language code "
                                                f"(without ?lang=)."})


def language_of_field(field: str):
    """The documented ``<field>_language`` output (filled by ``TranslatedOutput``)."""
    return fields.String(dump_only=True, dump_default=None, metadata={
        "description": f"The language {field} is in (with ?lang=): the one asked for, or en, the original."})


class Itself(fields.Nested):
    """Nest some of the dumped object's own attributes under one key (e.g. ``source``)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


class SourceOutput(Schema):
    """Where an item came from, so anyone can check it against the source report."""

    document = fields.String(attribute="source_document", allow_none=True)
    section = fields.String(attribute="source_section", allow_none=True)
    lines = fields.String(attribute="source_lines", allow_none=True)
    reference = fields.String(
        attribute="source_reference",
        metadata={"description": "The location as one line: document, section, lines."},
    )
    citation = fields.String(
        attribute="human_citation",
        metadata={"description": "The source as people cite it: author (year), title, passage.",
                  "example": "OECD (2018), Open Government Data in Mexico: The Way Forward, Chapter 2, Table 2.1"},
    )


class StatusOutput(TranslatedOutput):
    """A value of the status vocabulary: its key, and its label as shown to people."""

    TRANSLATED = ("label",)
    key = fields.String(metadata={"example": "ongoing"})
    label = fields.String(metadata={"example": "Ongoing"})
    label_translations = translations_of("label")
    label_language = language_of_field("label")
    is_final = fields.Boolean(metadata={"description": "No further action is expected."})


class AgencyOutput(Schema):
    id = fields.Integer()
    name = fields.String()
    acronym = fields.String(allow_none=True)
    country = fields.String()


class AreaOutput(TranslatedOutput):
    """A pillar or dimension of a plan."""

    TRANSLATED = ("name",)
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_translations = translations_of("name")
    name_language = language_of_field("name")
    position = fields.Integer()
    source = Itself(SourceOutput)


class FigureOutput(Schema):
    """A headline number the source report gives."""

    label = fields.String()
    value = fields.Float()
    unit = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)


class PeriodOutput(Schema):
    start = fields.Date(attribute="period_start", allow_none=True)
    end = fields.Date(attribute="period_end", allow_none=True)


class PlanCountsOutput(Schema):
    """How much of the plan the caller can see."""

    areas = fields.Integer()
    recommendations = fields.Integer()
    actions = fields.Integer()
    overdue_actions = fields.Integer(
        metadata={"description": "Actions past their due date and not in a final status, as of today."}
    )


class PlanOutput(TranslatedOutput):
    """A plan as listed: dumps a ``PlanSummary`` (the plan and its counts)."""

    TRANSLATED = ("title", "description")
    TRANSLATED_ITEM = "plan"
    slug = fields.String(attribute="plan.slug", metadata={"example": "mexico-2018-way-forward"})
    title = fields.String(attribute="plan.title")
    title_translations = translations_of("title")
    title_language = language_of_field("title")
    country = fields.String(attribute="plan.country")
    description = fields.String(attribute="plan.description")
    description_translations = translations_of("description")
    description_language = language_of_field("description")
    citation = fields.String(attribute="plan.citation", allow_none=True)
    period = fields.Nested(PeriodOutput, attribute="plan", dump_only=True)
    published = fields.Boolean(attribute="plan.published")
    reporting_cadence = fields.String(attribute="plan.reporting_cadence", metadata={
        "description": "How reporting rounds open: manual, monthly, quarterly, half-yearly or yearly."})
    counts = fields.Nested(PlanCountsOutput)
    source = fields.Nested(SourceOutput, attribute="plan", dump_only=True)


class PlanDetailOutput(PlanOutput):
    """A plan with its areas and headline figures."""

    areas = fields.List(fields.Nested(AreaOutput), attribute="plan.areas")
    figures = fields.List(fields.Nested(FigureOutput), attribute="plan.figures")
    indicators = fields.Method("get_indicators", metadata={
        "type": "array", "items": {"type": "object"},
        "description": "Indicators of the whole plan (index ranks, national figures), with their values; "
                       "those of recommendations and actions are under each."})

    def get_indicators(self, detail) -> list[dict]:
        return IndicatorOutput(many=True).dump(
            [i for i in detail.plan.indicators if i.action_id is None and i.recommendation_id is None])


class PlanRefOutput(Schema):
    slug = fields.String()


class AreaRefOutput(TranslatedOutput):
    TRANSLATED = ("name",)
    code = fields.String()
    name = fields.String()
    name_translations = translations_of("name")
    name_language = language_of_field("name")


class IndicatorOutput(Schema):
    """An indicator with its baseline, target and the values that count (from accepted reports
    or source documents), oldest first."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": ["number", "percent", "yes_no", "text"]})
    direction = fields.String(metadata={"enum": ["up", "down"]})
    baseline_value = fields.Float(allow_none=True)
    baseline_date = fields.Date(allow_none=True)
    target_value = fields.Float(allow_none=True)
    target_date = fields.Date(allow_none=True)
    data_source = fields.String(allow_none=True)
    values = fields.Method("get_values", metadata={"type": "array", "items": {"type": "object"}})
    source = Itself(SourceOutput)

    def get_values(self, indicator) -> list[dict]:
        return [{"period_date": v.period_date.isoformat(), "value": v.value, "text": v.text}
                for v in indicator.counted_values]


class RecommendationOutput(TranslatedOutput):
    """A recommendation of the review, with its validated status."""

    TRANSLATED = ("text",)
    id = fields.Integer()
    plan = fields.Pluck(PlanRefOutput, "slug", metadata={"description": "The plan's slug."})
    code = fields.String()
    text = fields.String()
    text_translations = translations_of("text")
    text_language = language_of_field("text")
    area = fields.Nested(AreaRefOutput, allow_none=True)
    timeframe = fields.String(allow_none=True, metadata={"enum": ["short", "medium", "long"]})
    priority = fields.String(allow_none=True, metadata={"enum": ["high", "medium", "low"]})
    response = fields.String(
        allow_none=True,
        metadata={"enum": ["accepted", "partially_accepted", "noted", "rejected"],
                  "description": "The government's response to the recommendation."},
    )
    status = fields.Nested(StatusOutput)
    actions_taken = fields.String(allow_none=True)
    institutions = fields.List(fields.Nested(AgencyOutput))
    action_ids = fields.Method(
        "get_action_ids",
        metadata={"type": "array", "items": {"type": "integer"},
                  "description": "Ids of the actions that implement this recommendation."},
    )
    indicators = fields.List(fields.Nested(IndicatorOutput))
    source = Itself(SourceOutput)

    def get_action_ids(self, rec) -> list[int]:
        return sorted(action.id for action in rec.actions)


class MilestoneOutput(TranslatedOutput):
    TRANSLATED = ("title",)
    title = fields.String()
    title_translations = translations_of("title")
    title_language = language_of_field("title")
    due_date = fields.Date()
    achieved_on = fields.Date(allow_none=True)


class ActionOutput(TranslatedOutput):
    """An action with its owners, dates, progress and status."""

    TRANSLATED = ("title", "description")
    id = fields.Integer()
    plan = fields.Pluck(PlanRefOutput, "slug", metadata={"description": "The plan's slug."})
    code = fields.String()
    title = fields.String()
    title_translations = translations_of("title")
    title_language = language_of_field("title")
    description = fields.String()
    description_translations = translations_of("description")
    description_language = language_of_field("description")
    area = fields.Nested(AreaRefOutput, allow_none=True)
    lead_agency = fields.Nested(AgencyOutput, allow_none=True)
    supporting_agencies = fields.List(fields.Nested(AgencyOutput))
    start_date = fields.Date(allow_none=True)
    due_date = fields.Date(allow_none=True)
    percent_complete = fields.Integer()
    version = fields.Integer(metadata={
        "description": "The action's version: send it back with a change (PATCH) so an edit made meanwhile is not overwritten."})
    weight = fields.Integer(allow_none=True, metadata={
        "description": "How much the action counts in its recommendations' percent complete; null counts as 1."})
    status = fields.Nested(StatusOutput)
    overdue = fields.Method(
        "get_overdue",
        metadata={"type": "boolean",
                  "description": "Past its due date (as of today, UTC) and not in a final status."},
    )
    recommendations = fields.Method(
        "get_recommendations",
        metadata={"type": "array", "items": {"type": "string"},
                  "description": "Codes of the recommendations this action implements."},
    )
    milestones = fields.List(fields.Nested(MilestoneOutput))
    indicators = fields.List(fields.Nested(IndicatorOutput), metadata={
        "description": "The action's indicators; its recommendations' are under each recommendation."})
    updated_at = fields.DateTime()
    source = Itself(SourceOutput)

    def get_overdue(self, action) -> bool:
        return action.is_overdue(datetime.now(UTC).date())

    def get_recommendations(self, action) -> list[str]:
        return [rec.code for rec in action.recommendations]


class RoundOutput(Schema):
    id = fields.Integer()
    name = fields.String()
    opens_on = fields.Date()
    deadline = fields.Date()


class EvidenceOutput(Schema):
    id = fields.Integer(metadata={"description": "Remove it with DELETE /api/v1/reports/{report_id}/evidence/{id}."})
    kind = fields.String(metadata={"enum": ["link", "file"]})
    url = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    content_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)


class IndicatorValueOutput(Schema):
    """One indicator value a report carries; it counts once the report is accepted."""

    indicator_id = fields.Integer()
    indicator_code = fields.Function(lambda v: v.indicator.code)
    period_date = fields.Date()
    value = fields.Float(allow_none=True, metadata={"description": "Numbers and percents; yes/no as 1 or 0."})
    text = fields.String(allow_none=True, metadata={"description": "A text indicator's value."})


class ReportOutput(Schema):
    """A progress report: it changes the action's public status only once accepted."""

    id = fields.Integer()
    action_id = fields.Integer()
    round = fields.Nested(RoundOutput, allow_none=True)
    state = fields.String(
        metadata={"enum": list(REPORT_STATES),
                  "description": "draft, then submitted, then accepted or returned; withdrawn "
                                 "when its action passed to another agency before it was reviewed."}
    )
    narrative = fields.String()
    percent_complete = fields.Integer()
    proposed_status = fields.Nested(StatusOutput)
    agency_id = fields.Integer(metadata={"description": "The agency that wrote the report (it owns it)."})
    reviewer_comment = fields.String(
        allow_none=True,
        metadata={"description": "The latest review's comment, as the caller may read it: a return "
                                 "comment or a private acceptance comment only for the agency and "
                                 "the secretariat; null otherwise."},
    )
    comment_public = fields.Boolean(metadata={"description": "Whether the acceptance comment is public."})
    evidence = fields.List(fields.Nested(EvidenceOutput))
    indicator_values = fields.List(fields.Nested(IndicatorValueOutput))
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)


class AssessmentRoundOutput(Schema):
    """An assessment round: assessors' independent statuses for a plan's recommendations."""

    id = fields.Integer()
    plan = fields.String(metadata={"description": "The plan's slug."})
    name = fields.String()
    assessed_on = fields.Date()
    state = fields.String(metadata={"enum": ["open", "closed"],
                                    "description": "A closed round is a record: its statuses no longer change."})


class AssessmentOutput(Schema):
    """An assessor's status for one recommendation in a round, with the justification."""

    round_id = fields.Integer()
    recommendation_id = fields.Integer()
    status = fields.Nested(StatusOutput)
    justification = fields.String()
    recorded_at = fields.DateTime()


class UserOutput(Schema):
    """An account, as admins see it (never its password or secrets)."""

    id = fields.Integer()
    email = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    agency = fields.Nested(AgencyOutput, allow_none=True)
    active = fields.Boolean()


class StatusDetailOutput(StatusOutput):
    """A value of the status vocabulary with everything admins set on it."""

    description = fields.String(allow_none=True)
    colour = fields.String(metadata={"example": "#0072b2"})
    default_percent = fields.Integer()
    irm_completion = fields.String(allow_none=True)
    retired = fields.Boolean()
    position = fields.Integer()


class ImportProblemOutput(Schema):
    """One problem of an uploaded spreadsheet: where it is, and what to do about it."""

    row = fields.Integer(allow_none=True)
    column = fields.String(allow_none=True)
    message = fields.String()


class ErrorOutput(Schema):
    """Every error under /api: the HTTP code and name, a message, and field messages if any."""

    code = fields.Integer(metadata={"example": 422})
    status = fields.String(metadata={"example": "Unprocessable Entity"})
    message = fields.String(metadata={"example": "The input was refused; see errors."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "Field messages by location (json, query), then field name.",
            "example": {"json": {"percent_complete": ["Enter a whole number from 0 to 100."]}},
        },
    )
    report_url = fields.String(
        metadata={"description": "With 409 to a new report: the report already open on the action for "
                                 "the round."},
    )
    problems = fields.List(
        fields.Nested(ImportProblemOutput),
        metadata={"description": "With 422 to a spreadsheet import: every problem, by row and column."},
    )
