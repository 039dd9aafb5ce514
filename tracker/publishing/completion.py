"""Percent complete, rolled up: actions → recommendations → areas → plans. The one rule.

- A recommendation's percent is the weighted mean of its actions' percents; an action's
  ``weight`` is optional and counts as 1 when empty, so a plan without weights gets a
  plain mean. A recommendation with no action has no percent: nothing measures it yet,
  and counting it as 0 % (or as its status's default) would invent a figure.
- An area's percent is the plain mean of its measured recommendations'; a plan's, of all
  its measured recommendations' (each recommendation counts once, whatever its area).
- Recommendations are what a plan promises, so the plan's figure is theirs: an action
  serving three recommendations counts in each, and an action serving none counts in none.

Every page, the scorecard (pages, JSON, CSV), the home page's headline and the review
page's "mark the recommendation fully achieved" offer read from here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Action, ProgressReport, Recommendation, ReportState
from tracker.models.recommendation import recommendation_actions

# An action with no weight counts this much.
DEFAULT_WEIGHT = 1


def weighted_mean(pairs: Iterable[tuple[float, int | None]]) -> float | None:
    """The mean of (percent, weight) pairs, an empty weight counting ``DEFAULT_WEIGHT``;
    None when there are none."""
    total = weights = 0.0
    for percent, weight in pairs:
        w = DEFAULT_WEIGHT if weight is None else weight
        total += percent * w
        weights += w
    return total / weights if weights else None


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


@dataclass
class PlanCompletion:
    """A plan's percents complete: per recommendation and per area (by id; None: no area)
    for those measured, and the plan's own (None when nothing is measured)."""

    recommendations: dict[int, float] = field(default_factory=dict)
    areas: dict[int | None, float] = field(default_factory=dict)
    percent: float | None = None

    def area(self, area_id: int | None) -> float | None:
        return self.areas.get(area_id)


def plans_completion(plan_ids: Iterable[int], percents: dict[int, int] | None = None) -> dict[int, PlanCompletion]:
    """Each plan's roll-up, by plan id, in one query.

    ``percents``: action percents to use instead of the current ones (the plan as of a
    date, ``publishing.as_of``); an action missing from it did not exist then and is left out.
    """
    plan_ids = list(plan_ids)
    result = {plan_id: PlanCompletion() for plan_id in plan_ids}
    if not plan_ids:
        return result
    rows = db.session.execute(
        select(Recommendation.plan_id, Recommendation.id, Recommendation.area_id, Action.id,
               Action.percent_complete, Action.weight)
        .join(recommendation_actions, recommendation_actions.c.recommendation_id == Recommendation.id)
        .join(Action, Action.id == recommendation_actions.c.action_id)
        .where(Recommendation.plan_id.in_(plan_ids))
    ).all()
    pairs: dict[int, list[tuple[float, int | None]]] = defaultdict(list)
    where: dict[int, tuple[int, int | None]] = {}
    for plan_id, rec_id, area_id, action_id, percent, weight in rows:
        if percents is not None:
            if action_id not in percents:
                continue
            percent = percents[action_id]
        pairs[rec_id].append((percent, weight))
        where[rec_id] = (plan_id, area_id)
    by_area: dict[tuple[int, int | None], list[float]] = defaultdict(list)
    for rec_id, rec_pairs in pairs.items():
        plan_id, area_id = where[rec_id]
        percent = weighted_mean(rec_pairs)
        result[plan_id].recommendations[rec_id] = percent
        by_area[(plan_id, area_id)].append(percent)
    for (plan_id, area_id), values in by_area.items():
        result[plan_id].areas[area_id] = _mean(values)
    for completion in result.values():
        completion.percent = _mean(completion.recommendations.values())
    return result


def plan_completion(plan_id: int, percents: dict[int, int] | None = None) -> PlanCompletion:
    """One plan's roll-up (see ``plans_completion``)."""
    return plans_completion([plan_id], percents)[plan_id]


def fully_reported(recommendations: Iterable[Recommendation]) -> list[Recommendation]:
    """Those of ``recommendations`` not yet in a final status whose every action has an
    accepted progress report at 100 %: the secretariat may now mark them fully achieved.

    Only an offer: the validated status stays a human decision (``services.recommendations``).
    """
    candidates = [r for r in recommendations if not r.status.is_final and r.actions]
    action_ids = {a.id for r in candidates for a in r.actions}
    if not action_ids:
        return []
    done = set(db.session.scalars(
        select(ProgressReport.action_id).where(
            ProgressReport.action_id.in_(action_ids), ProgressReport.state == ReportState.ACCEPTED,
            ProgressReport.percent_complete == 100,
        )
    ))
    # The action must still stand at 100 %: a later accepted report may have lowered it.
    return [r for r in candidates if all(a.id in done and a.percent_complete == 100 for a in r.actions)]
