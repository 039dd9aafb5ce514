"""Scorecards: recommendations counted by area and status (Table 2.1 of the OECD follow-up).

The scorecard counts *recommendations*, by the status the secretariat validates on each
(``services.recommendations``, ``services.statuses``). Progress reports move *actions*
only (``services.reports.accept_report``): an accepted report changes its action's percent
and status, never a recommendation's, so the scorecard changes when the secretariat
validates a recommendation's status, not when an agency's report is accepted. The
agencies' proposals and the assessors' statuses are shown beside the validated one
(``services.assessments.recommendation_status_views``), never counted here.

Beside the counts, each area and the plan carry their percent complete, rolled up from
the actions (``publishing.completion``, the one rule).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Area, Plan, Recommendation, Status
from tracker.publishing.completion import PlanCompletion, plan_completion
from tracker.services.statuses import status_vocabulary


@dataclass(frozen=True)
class AreaName:
    """An area's name and its translations as plain values, kept with a cached scorecard."""

    name: str
    name_translations: dict | None


@dataclass
class ScorecardRow:
    code: str | None
    name: str
    counts: Counter = field(default_factory=Counter)
    percent: float | None = None  # rolled up from the area's actions; None: nothing measured
    # The area's name with its translations, shown in the reader's language (``models.translations``).
    area: Area | AreaName | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Scorecard:
    statuses: list[Status]
    rows: list[ScorecardRow]
    percent: float | None = None  # the plan's, rolled up from its actions

    @property
    def totals(self) -> Counter:
        totals: Counter = Counter()
        for row in self.rows:
            totals.update(row.counts)
        return totals

    @property
    def total(self) -> int:
        return sum(self.totals.values())


def plan_scorecard(plan: Plan) -> Scorecard:
    """Counts of the plan's recommendations per area and validated status, in area order."""
    rows, percent = scorecard_counts(plan)
    return Scorecard(statuses=status_vocabulary(), rows=rows, percent=percent)


def scorecard_counts(plan: Plan) -> tuple[list[ScorecardRow], float | None]:
    """The scorecard's rows (counts and percent per area, in area order) and the plan's
    percent: plain values, no status objects, so the plan page can keep them per data
    version (``web.response_cache.remembered_for_plan``) and add this request's statuses."""
    counts = db.session.execute(
        select(Recommendation.area_id, Recommendation.status_key, func.count())
        .where(Recommendation.plan_id == plan.id)
        .group_by(Recommendation.area_id, Recommendation.status_key)
    ).all()
    areas = db.session.execute(
        select(Area.id, Area.code, Area.name, Area.name_translations).where(Area.plan_id == plan.id).order_by(Area.position)
    ).all()
    rows = {area_id: ScorecardRow(code=code, name=name, area=AreaName(name, translations))
            for area_id, code, name, translations in areas}
    for area_id, status_key, n in counts:
        if area_id not in rows:  # recommendations not filed under an area
            rows[area_id] = ScorecardRow(code=None, name="(no area)")
        rows[area_id].counts[status_key] += n
    card = with_completion(Scorecard(statuses=[], rows=list(rows.values())), plan_completion(plan.id), rows)
    return card.rows, card.percent


def with_completion(card: Scorecard, completion: PlanCompletion, rows: dict) -> Scorecard:
    """``card`` with each area's and the plan's percent complete from ``completion``;
    ``rows``: the card's rows by area id."""
    for area_id, row in rows.items():
        row.percent = completion.area(area_id)
    card.percent = completion.percent
    return card
