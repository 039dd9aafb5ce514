"""The words every chart writes, in the reader's language: images and HTML charts alike.

The charts (``tracker.charts``) take their generic words as data, in ``*Labels`` and
``charts.html.Words`` objects with English defaults; this module fills them through the
interface's catalogue (``gettext``, the current locale's: the request's, or an email
recipient's under ``force_locale``) and writes days and month names as Babel does for
``locale`` (``tracker.formats``), so a chart says "Hoy (3 de diciembre de 2026)" to a
Spanish reader and "Today (2026-12-03)" to an English one.

Placeholders are ``%(name)s`` as everywhere in the catalogue; the charts fill them in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache, partial

from flask_babel import gettext, lazy_gettext, ngettext

from tracker.charts.data import (
    AgencyLabels,
    GanttLabels,
    IndicatorLabels,
    ReadinessLabels,
    ScorecardLabels,
)
from tracker.charts.html import Words
from tracker.formats import day, month_abbreviations
from tracker.models.translations import ORIGINAL_LANGUAGE, language_of

# The timeframes of Annex A, in lane order, with the years each spans from the plan's start.
TIMEFRAME_LANES = (
    ("short", lazy_gettext("Short term (< 1 year)"), 0, 1),
    ("medium", lazy_gettext("Medium term (1-2 years)"), 1, 2),
    ("long", lazy_gettext("Long term (> 2 years)"), 2, 3),
)
NO_TIMEFRAME = lazy_gettext("No timeframe given")
# How the agency ranking orders agencies, in words (the rule is ``charts.data.rank_key``).
RANKING_RULE = lazy_gettext(
    "Agencies are ranked by shares, not counts, so a large agency is not punished for its size: "
    "first the smallest share of its actions overdue, then of actions finished late, then of "
    "reminders left unanswered; then the largest share of actions finished on time and of "
    "reports sent by the round's deadline; ties by name."
)


def original_marker(language: str) -> str:
    """What follows a title left in the original for a reader of ``language``; "" for English."""
    return "" if language_of(language) == ORIGINAL_LANGUAGE else gettext("(original in English)")


def span(start: date, end: date, locale) -> str:
    """A period as the reader writes it: "2027-01-01 – 2027-12-31", "1 de enero de 2027 – ..."."""
    return f"{day(start, locale)} – {day(end, locale)}"


def gantt_labels(today: date, locale, *, recommendations: bool = False) -> GanttLabels:
    """The image Gantt's (and, with ``recommendations``, the timeline's) words."""
    return GanttLabels(
        today=gettext("Today"),
        overdue=gettext("Overdue"),
        milestone=gettext("Milestone"),
        milestone_achieved=gettext("Milestone achieved"),
        plan_month=gettext("Plan month"),
        no_dates=gettext("no dates"),
        no_area=gettext("Other actions"),
        page=gettext("page %(page)d of %(pages)d"),
        today_outside=gettext("today (%(today)s) is outside the period shown"),
        continued=gettext("%(group)s (cont.)"),
        empty=gettext("No recommendations to show.")
        if recommendations
        else gettext("No actions to show."),
        months=month_abbreviations(locale),
        today_day=day(today, locale),
    )


def html_words(locale, *, recommendations: bool = False) -> Words:
    """The HTML Gantt's (and, with ``recommendations``, the HTML timeline's) and the ranking's words."""
    language = language_of(locale)
    words = Words(
        today=gettext("Today"),
        overdue=gettext("Overdue"),
        lead=gettext("Lead"),
        no_lead=gettext("no lead agency"),
        no_dates=gettext("no dates"),
        milestone_due=gettext("Milestone due"),
        milestone_achieved=gettext("Milestone achieved"),
        milestone_missed=gettext("Milestone missed"),
        complete=gettext("complete"),
        count=lambda n: ngettext("(%(num)d action)", "(%(num)d actions)", n),
        plan_month=gettext("Plan month"),
        label_column=gettext("Action"),
        today_outside=gettext("Today (%(today)s) is outside the period shown."),
        scroll_hint=gettext("Chart: scrolls sideways; each bar links to its page"),
        empty=gettext("No actions to show."),
        months=month_abbreviations(locale),
        quarter=gettext("Q%(quarter)s %(year)s"),
        # Kept per day: a 5,000-row Gantt writes ~15,000 dates, mostly the same few hundred.
        day=cache(partial(day, locale=str(locale))),
        original_marker=original_marker(language),
        content_language="" if language == ORIGINAL_LANGUAGE else ORIGINAL_LANGUAGE,
        due=gettext("due"),
        area=gettext("Area"),
        lead_agency=gettext("Lead agency"),
        start=gettext("Start"),
        due_column=gettext("Due"),
        status=gettext("Status"),
        complete_column=gettext("Complete"),
        milestones=gettext("Milestones"),
        achieved=gettext("achieved"),
        rank=gettext("Rank"),
        agency=gettext("Agency"),
        actions_led=gettext("Actions led"),
        reports_on_time=gettext("Reports on time"),
        reminders_unanswered=gettext("Reminders unanswered"),
    )
    if recommendations:
        return replace(
            words,
            label_column=gettext("Recommendation"),
            count=lambda n: ngettext("(%(num)d recommendation)", "(%(num)d recommendations)", n),
            empty=gettext("No recommendations to show."),
        )
    return words


def scorecard_labels() -> ScorecardLabels:
    """The scorecard's and the rounds chart's words."""
    return ScorecardLabels(
        total=gettext("Total"),
        axis=gettext("Recommendations"),
        change=gettext("change"),
        empty=gettext("No recommendations to show."),
        percent=gettext("Percent complete"),
    )


def readiness_labels() -> ReadinessLabels:
    """The readiness heat map's words."""
    return ReadinessLabels(
        overall=gettext("Overall"),
        questions=gettext("Question areas"),
        ratings={
            "GREEN": gettext("Green"),
            "YELLOW": gettext("Yellow"),
            "RED": gettext("Red"),
            "": gettext("Not rated"),
        },
        empty=gettext("No readiness assessment recorded."),
    )


def agency_labels() -> AgencyLabels:
    """The agency ranking's words."""
    return AgencyLabels(
        on_time=gettext("On time"),
        late=gettext("Finished late"),
        overdue=gettext("Overdue"),
        open=gettext("Open, not yet due"),
        axis=gettext("Actions led"),
        reports=gettext("reports on time %(on_time)d/%(total)d"),
        reminders=gettext("reminders unanswered %(unanswered)d"),
        page=gettext("page %(page)d of %(pages)d"),
        empty=gettext("No actions with a lead agency."),
    )


def indicator_labels() -> IndicatorLabels:
    """An indicator chart's words."""
    return IndicatorLabels(
        baseline=gettext("Baseline"),
        target=gettext("Target"),
        values=gettext("Accepted values"),
        empty=gettext("No value has been accepted yet."),
        yes=gettext("Yes"),
        no=gettext("No"),
    )
