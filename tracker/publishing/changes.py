"""What moved since a date, in published plans: the changes page, its summary and its CSV.

Changes are status changes and the public events (``PUBLIC_EVENT_KINDS``), by when they
were recorded. Nothing is capped silently: the page gives the total and is paged, and
the CSV holds every change. The seed load records one status row per item, all at the
load's instant; on the page a load is one line ("Imported from the OECD (2018) report:
24 statuses"), while the rows themselves stay (history is never rewritten) and the CSV
lists each of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    PUBLIC_EVENT_KINDS,
    SEED_LOAD_LABEL,
    Action,
    Event,
    Plan,
    Recommendation,
    Status,
    StatusChange,
    User,
)
from tracker.services.actors import shown_actors

PER_PAGE = 50

_SEEDED = and_(StatusChange.changed_by_id.is_(None), StatusChange.changed_by_label == SEED_LOAD_LABEL)


@dataclass(frozen=True)
class Imported:
    """One seed load of a plan, as one line: which report, how many statuses, as of when."""

    source: str | None  # "OECD (2018)"; None when the report is not described
    statuses: int
    effective_on: date | None


@dataclass(frozen=True)
class ChangeLine:
    """One line of the changes page: a change, or a whole seed load (``imported``)."""

    at: datetime
    plan: Plan
    subject_type: str  # "recommendation" | "action" | "import"
    code: str
    title: str
    summary: str
    reason: str | None
    who: str
    imported: Imported | None = None


@dataclass
class ChangesPage:
    """A page of changes, with the totals and the summary of the whole period."""

    since: date
    lines: list[ChangeLine]
    page: int
    per_page: int
    total_lines: int
    total_changes: int
    by_plan: list[tuple[Plan, int]] = field(default_factory=list)
    # (from status label or None for a first record, to status label, count), most first.
    by_transition: list[tuple[str | None, str, int]] = field(default_factory=list)
    # (event kind, count): the changes that are not status changes.
    by_kind: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_lines // self.per_page))

    @property
    def first(self) -> int:
        """The number of the page's first line (1-based; 0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.lines else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.lines)


def _start(since: date) -> datetime:
    return datetime.combine(since, time.min, tzinfo=UTC)


def _plans(plan: Plan | None) -> dict[int, Plan]:
    query = select(Plan).where(Plan.published.is_(True))
    if plan is not None:
        query = query.where(Plan.id == plan.id)
    return {p.id: p for p in db.session.scalars(query)}


def _status_filter(plan_ids, since: date):
    return and_(StatusChange.plan_id.in_(list(plan_ids)), StatusChange.changed_at >= _start(since))


def _event_filter(plan_ids, since: date):
    return and_(Event.plan_id.in_(list(plan_ids)), Event.occurred_at >= _start(since), Event.kind.in_(PUBLIC_EVENT_KINDS))


def changes_page(since: date, *, plan: Plan | None = None, viewer: User | None = None,
                 page: int = 1, per_page: int = PER_PAGE) -> ChangesPage:
    """Page ``page`` of what moved since the start of ``since`` (newest first), with the
    period's totals and summary, and who did each thing as ``viewer`` may know them.

    A page past the last shows the last one.
    """
    plans = _plans(plan)
    result = ChangesPage(since=since, lines=[], page=1, per_page=per_page, total_lines=0, total_changes=0)
    if not plans:
        return result
    # The totals come from the summary's counts (one pass over the period per table), not
    # from counting the lines again; a seed load's rows are one line each load.
    loads = db.session.execute(
        select(StatusChange.plan_id, StatusChange.changed_at, func.min(StatusChange.id), func.count())
        .where(_status_filter(plans, since), _SEEDED)
        .group_by(StatusChange.plan_id, StatusChange.changed_at)
    ).all()
    _summarise(result, plans, since)
    seeded_rows = sum(n for *_, n in loads)
    result.total_lines = result.total_changes - seeded_rows + len(loads)
    result.page = min(max(page, 1), result.pages)
    # The newest (offset + per_page) of each kind, merged: each query reads the period's
    # index newest first and stops there, instead of sorting the whole period.
    wanted = result.page * per_page
    candidates = [(at, "import", first_id, n) for _plan_id, at, first_id, n in loads]
    candidates += [(at, "status", change_id, 1) for change_id, at in db.session.execute(
        select(StatusChange.id, StatusChange.changed_at).where(_status_filter(plans, since), not_(_SEEDED))
        .order_by(StatusChange.changed_at.desc(), StatusChange.id.desc()).limit(wanted))]
    candidates += [(at, "event", event_id, 1) for event_id, at in db.session.execute(
        select(Event.id, Event.occurred_at).where(_event_filter(plans, since))
        .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(wanted))]
    candidates.sort(key=lambda line: (_utc(line[0]), line[1], line[2]), reverse=True)
    rows = [_Row(kind, line_id, n) for _at, kind, line_id, n in candidates[wanted - per_page:wanted]]
    result.lines = _lines(rows, plans, viewer)
    return result


@dataclass(frozen=True)
class _Row:
    kind: str  # "status" | "import" | "event"
    id: int
    n: int


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _lines(rows, plans: dict[int, Plan], viewer: User | None) -> list[ChangeLine]:
    status_ids = [row.id for row in rows if row.kind in ("status", "import")]
    changes = {c.id: c for c in db.session.scalars(
        select(StatusChange).where(StatusChange.id.in_(status_ids))
        .options(selectinload(StatusChange.old_status), selectinload(StatusChange.new_status)))} if status_ids else {}
    event_ids = [row.id for row in rows if row.kind == "event"]
    events = {e.id: e for e in db.session.scalars(select(Event).where(Event.id.in_(event_ids)))} if event_ids else {}
    subjects = _subjects([(c.subject_type, c.subject_id) for c in changes.values()]
                         + [(e.subject_type, e.subject_id) for e in events.values()])
    who = shown_actors([(c.changed_by_id, c.changed_by_label) for c in changes.values()]
                       + [(e.actor_id, e.actor_label) for e in events.values()], viewer)
    shown = []
    for row in rows:
        if row.kind == "import":
            c = changes[row.id]
            plan = plans[c.plan_id]
            source = plan.source_details.short_reference if plan.source_details else None
            shown.append(ChangeLine(c.changed_at, plan, "import", "", "", "", None, "",
                                    imported=Imported(source, row.n, c.effective_on)))
        elif row.kind == "status":
            c = changes[row.id]
            code, title = subjects.get((c.subject_type, c.subject_id), ("?", ""))
            shown.append(ChangeLine(c.changed_at, plans[c.plan_id], c.subject_type, code, title, status_summary(c),
                                    c.reason, who[(c.changed_by_id, c.changed_by_label)]))
        else:
            e = events[row.id]
            code, title = subjects.get((e.subject_type, e.subject_id), ("?", ""))
            shown.append(ChangeLine(e.occurred_at, plans[e.plan_id], e.subject_type, code, title, e.summary,
                                    e.reason, who[(e.actor_id, e.actor_label)]))
    return shown


def status_summary(change: StatusChange) -> str:
    """A status change in a few words: ``Pending → Ongoing (40% complete)``."""
    old = change.old_status.label if change.old_status else None
    summary = f"{old} → {change.new_status.label}" if old else f"Recorded as {change.new_status.label}"
    if change.new_percent is not None and change.old_percent != change.new_percent and change.subject_type == "action":
        summary += f" ({change.new_percent}% complete)"
    return summary


def _summarise(result: ChangesPage, plans: dict[int, Plan], since: date) -> None:
    """The period's changes counted by plan, by status transition and by kind of event
    (one grouped query per table), and so their total."""
    per_plan: Counter = Counter()
    transitions: Counter = Counter()
    kinds: Counter = Counter()
    for plan_id, old, new, n in db.session.execute(
        select(StatusChange.plan_id, StatusChange.old_status_key, StatusChange.new_status_key, func.count())
        .where(_status_filter(plans, since))
        .group_by(StatusChange.plan_id, StatusChange.old_status_key, StatusChange.new_status_key)
    ):
        per_plan[plan_id] += n
        transitions[(old, new)] += n
    for plan_id, kind, n in db.session.execute(
        select(Event.plan_id, Event.kind, func.count()).where(_event_filter(plans, since))
        .group_by(Event.plan_id, Event.kind)
    ):
        per_plan[plan_id] += n
        kinds[kind] += n
    result.total_changes = sum(per_plan.values())
    result.by_plan = sorted(((plans[i], n) for i, n in per_plan.items()), key=lambda pair: (-pair[1], pair[0].title))
    labels = {s.key: s.label for s in db.session.scalars(select(Status))}
    result.by_transition = sorted(
        ((labels.get(old, old) if old else None, labels.get(new, new), n) for (old, new), n in transitions.items()),
        key=lambda t: (-t[2], t[0] or "", t[1]),
    )
    result.by_kind = sorted(kinds.items(), key=lambda pair: (-pair[1], pair[0]))


CSV_HEADER = ("recorded_at", "effective_on", "plan", "item_type", "item_code", "item_title", "change",
              "from_status", "to_status", "percent_complete", "reason", "who")


def change_rows(since: date, *, plan: Plan | None = None, viewer: User | None = None) -> Iterator[tuple]:
    """Every change since the start of ``since``, newest first, one row each (a seed load's
    rows too), as the CSV download has them (``CSV_HEADER``)."""
    plans = _plans(plan)
    if not plans:
        return
    changes = db.session.scalars(
        select(StatusChange).where(_status_filter(plans, since))
        .options(selectinload(StatusChange.old_status), selectinload(StatusChange.new_status))
    ).all()
    events = db.session.scalars(select(Event).where(_event_filter(plans, since))).all()
    subjects = _subjects([(c.subject_type, c.subject_id) for c in changes] + [(e.subject_type, e.subject_id) for e in events])
    who = shown_actors([(c.changed_by_id, c.changed_by_label) for c in changes]
                       + [(e.actor_id, e.actor_label) for e in events], viewer)
    rows = []
    for c in changes:
        code, title = subjects.get((c.subject_type, c.subject_id), ("?", ""))
        rows.append((c.changed_at, c.id, (
            c.changed_at, c.effective_on, plans[c.plan_id].slug, c.subject_type, code, title, status_summary(c),
            c.old_status.label if c.old_status else None, c.new_status.label,
            c.new_percent if c.subject_type == "action" else None, c.reason,
            who[(c.changed_by_id, c.changed_by_label)],
        )))
    for e in events:
        code, title = subjects.get((e.subject_type, e.subject_id), ("?", ""))
        rows.append((e.occurred_at, e.id, (
            e.occurred_at, None, plans[e.plan_id].slug, e.subject_type, code, title, e.summary,
            None, None, None, e.reason, who[(e.actor_id, e.actor_label)],
        )))
    for _at, _id, row in sorted(rows, key=lambda r: (r[0], r[1]), reverse=True):
        yield row


def _subjects(keys: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str]]:
    """(code, title) of each recommendation or action named, looked up at once per kind."""
    ids: dict[str, set[int]] = {"recommendation": set(), "action": set()}
    for kind, subject_id in keys:
        ids.setdefault(kind, set()).add(subject_id)
    found = {}
    if ids["recommendation"]:
        for rec_id, code, text in db.session.execute(
            select(Recommendation.id, Recommendation.code, Recommendation.text)
            .where(Recommendation.id.in_(ids["recommendation"]))
        ):
            found[("recommendation", rec_id)] = (code, text[:160])
    if ids["action"]:
        for action_id, code, title in db.session.execute(
            select(Action.id, Action.code, Action.title).where(Action.id.in_(ids["action"]))
        ):
            found[("action", action_id)] = (code, title)
    return found
