"""The meeting pack: what a secretariat hands its working group about one plan.

Headline figures, the scorecard (with its chart as SVG), what changed since the last
meeting, the overdue actions by lead agency, the agency ranking, and, for the
secretariat only, the reports waiting for review. One read, no writes; the same pack
feeds the HTML page and its PDF (``publishing.pdf``), so the two never differ.

What the public sees of it is what the public pages already show (published plans,
public changes, overdue actions, the ranking); the reports waiting for review are
unaccepted reports, which the public never sees (``services.access``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.charts import drawing
from tracker.charts.data import AgencyData
from tracker.extensions import db
from tracker.models import Action, Plan, ProgressReport, ReportingRound, Status, User
from tracker.publishing.changes import ChangeLine, changes_page
from tracker.publishing.chart_data import scorecard_data
from tracker.publishing.chart_pages import ranking_page
from tracker.publishing.dashboard import Headline, headlines
from tracker.publishing.scorecards import Scorecard, plan_scorecard
from tracker.services.reports import review_queue

# With no closed reporting round to start from, the pack looks back this many days.
DEFAULT_DAYS = 30
# The pack lists at most this many changes; the changes page has them all.
CHANGES_SHOWN = 200


@dataclass(frozen=True)
class PackStart:
    """Where "changes since" starts, and why there."""

    day: date
    chosen: bool  # the reader gave ``since``
    round: ReportingRound | None  # the closed reporting round it defaults to, if any


@dataclass(frozen=True)
class AgencyOverdue:
    """A lead agency (None: actions with no lead) and its overdue actions, oldest due first."""

    name: str | None
    agency_id: int | None
    actions: list[Action]


@dataclass(frozen=True)
class MeetingPack:
    plan: Plan
    today: date
    start: PackStart
    headline: Headline
    scorecard: Scorecard
    scorecard_svg: str  # a data: URI of the scorecard chart as SVG, for an <img>
    changes: list[ChangeLine]
    changes_total: int  # before the list was cut to ``CHANGES_SHOWN``
    overdue: list[AgencyOverdue]
    waiting: list[ProgressReport] | None  # None: not for this reader
    ranking: AgencyData
    agency_ids: dict[str, int]

    @property
    def overdue_count(self) -> int:
        return sum(len(group.actions) for group in self.overdue)


def pack_start(plan: Plan, today: date, since: date | None = None) -> PackStart:
    """Where the pack's changes start: ``since`` when given; else the deadline of the plan's
    latest reporting round that closed before ``today`` (the working group meets on each
    round); else ``DEFAULT_DAYS`` days before ``today``."""
    if since is not None:
        return PackStart(since, True, None)
    closed = db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.plan_id == plan.id, ReportingRound.deadline < today)
        .order_by(ReportingRound.deadline.desc(), ReportingRound.id.desc())
    ).first()
    if closed is not None:
        return PackStart(closed.deadline, False, closed)
    return PackStart(today - timedelta(days=DEFAULT_DAYS), False, None)


def overdue_by_agency(plan: Plan, today: date) -> list[AgencyOverdue]:
    """The plan's overdue actions (past due, status not final) grouped by lead agency, the
    agency with most first; actions with no lead agency last."""
    actions = db.session.scalars(
        select(Action)
        .join(Status, Action.status_key == Status.key)
        .where(Action.plan_id == plan.id, Action.due_date < today, Status.is_final.is_(False))
        .options(selectinload(Action.lead_agency), selectinload(Action.status))
        .order_by(Action.due_date, Action.position, Action.id)
    ).all()
    groups: dict[int | None, list[Action]] = {}
    for action in actions:
        groups.setdefault(action.lead_agency_id, []).append(action)
    found = [
        AgencyOverdue(items[0].lead_agency.display_name if agency_id else None, agency_id, items)
        for agency_id, items in groups.items()
    ]
    return sorted(found, key=lambda g: (g.agency_id is None, -len(g.actions), g.name or ""))


def meeting_pack(plan: Plan, *, today: date, since: date | None = None, viewer: User | None = None,
                 staff: bool = False, locale=None) -> MeetingPack:
    """The meeting pack of ``plan`` as of ``today``, with changes since ``since`` (see
    ``pack_start``); ``staff`` adds the reports waiting for review, and ``viewer`` is who
    the changes name people for (``services.actors``). The scorecard's image and the
    ranking speak the language of ``locale`` (None: English)."""
    start = pack_start(plan, today, since)
    changes = changes_page(start.day, plan=plan, viewer=viewer, per_page=CHANGES_SHOWN)
    ranking = ranking_page(plan, today=today, args={}, locale=locale)
    # matplotlib is loaded here, on the first pack, not when the app starts (tracker.charts).
    svg = drawing("tracker.charts.scorecard").scorecard_chart(scorecard_data(plan, locale), "svg")
    return MeetingPack(
        plan=plan,
        today=today,
        start=start,
        headline=headlines([plan], today)[0],
        scorecard=plan_scorecard(plan),
        scorecard_svg="data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii"),
        changes=changes.lines,
        changes_total=changes.total_lines,
        overdue=overdue_by_agency(plan, today),
        waiting=review_queue(plan.id) if staff else None,
        ranking=ranking.data,
        agency_ids=ranking.agency_ids,
    )
