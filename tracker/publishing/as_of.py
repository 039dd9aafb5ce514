"""A plan as it stood on a date, rebuilt from its history: statuses, percentages and dates.

Every page that offers ``?as_of=`` (the plan, a recommendation, an action, the scorecard
in pages and the API) reads it from here, so they agree.

History is read by when each change took effect: a status change's ``effective_on``
when its source dates it (a seeded status holds from its report's assessment date, e.g.
the OECD's Mexico follow-up of 2017-12-31), else the day it was recorded. Date changes
are events and take effect when recorded. Items with no status recorded by the date did
not exist in the tracker yet: they are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Action, Area, Event, Plan, Recommendation, Status, StatusChange
from tracker.models.action import is_overdue
from tracker.publishing.completion import plan_completion
from tracker.publishing.scorecards import Scorecard, ScorecardRow, with_completion
from tracker.services.statuses import status_vocabulary


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC): "as of 31 March" includes all of 31 March.

    The last day a date can name (9999-12-31) has no day after it: everything counts.
    """
    if day >= date.max:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def effective_day(change_effective_on: date | None, changed_at: datetime) -> date:
    """The day a status change took effect: its source's date if it has one, else the
    (UTC) day it was recorded."""
    if change_effective_on is not None:
        return change_effective_on
    return (changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)).astimezone(UTC).date()


@dataclass(frozen=True)
class StatusThen:
    """An item's status and percentage as the history recorded them at the end of a day."""

    status_key: str
    percent: int | None


def _status_history(plan_id: int, day: date, subject_type: str, subject_ids: list[int] | None = None) -> dict[int, StatusThen]:
    """``subject_type`` items' status then, by id: the last change (by effective day, then
    by when it was recorded) that took effect by the end of ``day``."""
    query = select(
        StatusChange.subject_id, StatusChange.new_status_key, StatusChange.new_percent,
        StatusChange.effective_on, StatusChange.changed_at, StatusChange.id,
    ).where(StatusChange.plan_id == plan_id, StatusChange.subject_type == subject_type)
    if subject_ids is not None:
        query = query.where(StatusChange.subject_id.in_(subject_ids))
    # Rows recorded after the day can still have taken effect by it (a dated source), so
    # the cut is made on each row's effective day, in Python: a plan has at most a few
    # thousand status changes, and the rule stays in one place (``effective_day``).
    rows = sorted(
        (effective_day(eff, at), at, change_id, subject_id, key, percent)
        for subject_id, key, percent, eff, at, change_id in db.session.execute(query)
    )
    then: dict[int, StatusThen] = {}
    for taken, _at, _id, subject_id, key, percent in rows:
        if taken > day:
            break
        previous = then.get(subject_id)
        # A change that leaves the percentage out keeps the one recorded before it.
        then[subject_id] = StatusThen(key, percent if percent is not None else (previous.percent if previous else None))
    return then


def statuses_as_of(plan: Plan, day: date, subject_type: str = "recommendation") -> dict[int, str]:
    """Each recommendation's (or action's) status key at the end of ``day``, by id."""
    return {item_id: then.status_key for item_id, then in _status_history(plan.id, day, subject_type).items()}


def scorecard_as_of(plan: Plan, day: date) -> Scorecard:
    """The plan's scorecard rebuilt from the status history as it stood at the end of ``day``."""
    statuses = statuses_as_of(plan, day)
    recs = db.session.execute(
        select(Recommendation.id, Recommendation.area_id).where(Recommendation.plan_id == plan.id)
    ).all()
    areas = db.session.scalars(select(Area).where(Area.plan_id == plan.id).order_by(Area.position)).all()
    rows = {area.id: ScorecardRow(code=area.code, name=area.name, area=area) for area in areas}
    for rec_id, area_id in recs:
        if rec_id in statuses:
            rows.setdefault(area_id, ScorecardRow(code=None, name="(no area)")).counts[statuses[rec_id]] += 1
    # Percents as they stood then: each action's last recorded percentage by the day.
    percents = {action_id: then.percent or 0 for action_id, then in _status_history(plan.id, day, "action").items()}
    return with_completion(Scorecard(statuses=status_vocabulary(), rows=list(rows.values())),
                           plan_completion(plan.id, percents), rows)


class ActionThen:
    """An action as it stood at the end of a day: its status, percentage and dates then;
    everything else (code, title, agencies, links) as it is now.

    It reads like an ``Action`` in templates, so one table shows either.
    """

    def __init__(self, action: Action, status: Status, percent_complete: int, start_date: date | None,
                 due_date: date | None, day: date):
        self.action = action
        self.status = status
        self.status_key = status.key
        self.percent_complete = percent_complete
        self.start_date = start_date
        self.due_date = due_date
        self.as_of = day

    def is_overdue(self, today: date) -> bool:
        """Past its due date then and not in a final status then."""
        return is_overdue(self.due_date, self.status.is_final, today)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.action, name)


def actions_as_of(plan: Plan, actions: list[Action], day: date) -> list[ActionThen]:
    """``actions`` of ``plan`` as they stood at the end of ``day``, in the same order; those
    with no status recorded by then are left out."""
    if not actions:
        return []
    ids = [a.id for a in actions]
    history = _status_history(plan.id, day, "action", ids)
    vocabulary = {s.key: s for s in status_vocabulary()}
    dates = _dates_then(ids, day, {a.id: (a.start_date, a.due_date) for a in actions})
    shown = []
    for action in actions:
        then = history.get(action.id)
        if then is None or then.status_key not in vocabulary:
            continue
        start, due = dates[action.id]
        percent = then.percent if then.percent is not None else 0
        shown.append(ActionThen(action, vocabulary[then.status_key], percent, start, due, day))
    return shown


def action_as_of(action: Action, day: date) -> ActionThen | None:
    """One action as it stood at the end of ``day``; None if it was not recorded yet."""
    found = actions_as_of(action.plan, [action], day)
    return found[0] if found else None


def _dates_then(action_ids: list[int], day: date, now_dates: dict[int, tuple[date | None, date | None]]
                ) -> dict[int, tuple[date | None, date | None]]:
    """Each action's (start, due) at the end of ``day``: today's, with every later date
    change undone, newest first."""
    later = db.session.execute(
        select(Event.subject_id, Event.details)
        .where(Event.subject_type == "action", Event.subject_id.in_(action_ids), Event.kind == "dates_changed",
               Event.occurred_at >= end_of(day))
        .order_by(Event.occurred_at.desc(), Event.id.desc())
    ).all()
    dates = {action_id: list(pair) for action_id, pair in now_dates.items()}
    for action_id, details in later:
        for index, name in enumerate(("start_date", "due_date")):
            change = (details or {}).get(name)
            if isinstance(change, list | tuple) and len(change) == 2:
                dates[action_id][index] = date.fromisoformat(change[0]) if change[0] else None
    return {action_id: (pair[0], pair[1]) for action_id, pair in dates.items()}


def recommendation_status_as_of(rec: Recommendation, day: date) -> Status | None:
    """A recommendation's status at the end of ``day``; None if it was not recorded yet."""
    then = _status_history(rec.plan_id, day, "recommendation", [rec.id]).get(rec.id)
    return db.session.get(Status, then.status_key) if then else None
