"""What an agency owes, by when: its actions, missing reports and reports to correct.

One read, ``obligations(agency_ids, today, horizon=None)``, serves both places that tell
an agency what it owes: its "What we owe" page (no horizon) and its weekly digest (a
horizon in days). The two differ only by that parameter, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    OPEN_REPORT_STATES,
    Action,
    ProgressReport,
    ReportState,
    Status,
    action_supporting_agencies,
)
from tracker.services.rounds import MissingReport, latest_rounds, missing_reports


@dataclass
class Obligations:
    actions: list[Action]           # overdue first, then by due date
    overdue: set[int]               # ids of overdue actions
    missing: list[MissingReport]    # latest rounds with no submitted or accepted report yet
    returned: list[ProgressReport]  # returned to the agency, to correct and resubmit
    drafts: list[ProgressReport]
    # Its unfinished reports withdrawn lately because their action passed to another agency.
    withdrawn: list[ProgressReport] = field(default_factory=list)
    # Submitted by it and waiting for the secretariat's review: nothing to do but wait.
    submitted: list[ProgressReport] = field(default_factory=list)

    def open_reports(self) -> dict[int, ProgressReport]:
        """The report already under way or waiting on each action, by action id.

        Where one is, the page offers it (continue the draft, correct the returned one, or
        nothing while it waits for review) rather than "Report on ..." a second time.
        """
        return {r.action_id: r for r in [*self.submitted, *self.drafts, *self.returned]}

    def by_action(self) -> list[OwedAction]:
        """Everything owed, one entry per action: the action and the reports missing or
        returned on it, so a digest names each action once. In ``actions`` order, then
        actions with only a missing or returned report."""
        entries = {a.id: OwedAction(a, a.id in self.overdue) for a in self.actions}
        for item in self.missing:
            entries.setdefault(item.action.id, OwedAction(item.action, False)).missing.append(item)
        for report in self.returned:
            entries.setdefault(report.action_id, OwedAction(report.action, False)).returned.append(report)
        return list(entries.values())


@dataclass
class OwedAction:
    """One action and what its agency owes on it (``Obligations.by_action``)."""

    action: Action
    overdue: bool
    missing: list[MissingReport] = field(default_factory=list)
    returned: list[ProgressReport] = field(default_factory=list)


# How long "what we owe" tells an agency that a report of its was withdrawn.
WITHDRAWN_NOTICE_DAYS = 30


def obligations(agency_ids: set[int], today: date, *, horizon: int | None = None) -> dict[int, Obligations]:
    """What each agency of ``agency_ids`` owes as of ``today``, by agency id.

    - ``actions``: without ``horizon`` (the agency's page), every action it leads or
      supports, whatever its status; with ``horizon`` (its digest), only those a reminder
      may be about: actions it leads, in a status that is not final, not paused, overdue
      or due within ``horizon`` days, so a digest stays short however many actions an
      agency has. Overdue first, then by due date.
    - ``missing``: the reports missing in each plan's latest round that has opened (late
      ones too: a late report is still owed) on actions it leads
      (``rounds.missing_reports``); the digest, like every reminder, leaves paused actions out.
    - ``returned``, ``drafts``, ``submitted`` (waiting for review) and ``withdrawn`` (within
      ``WITHDRAWN_NOTICE_DAYS``): its own reports, those its agency wrote (a report belongs
      to the agency that wrote it).
    """
    agency_ids = set(agency_ids)
    owed = {agency_id: Obligations([], set(), [], [], []) for agency_id in agency_ids}
    if not agency_ids:
        return owed
    for agency_id, action in _actions(agency_ids, today, horizon):
        owed[agency_id].actions.append(action)
        if action.is_overdue(today):
            owed[agency_id].overdue.add(action.id)
    for items in owed.values():
        items.actions.sort(key=lambda a: (
            a.id not in items.overdue, a.due_date or date.max, a.plan_id, a.position, a.id))

    missing = missing_reports(latest_rounds(today), agency_ids=agency_ids, remindable_only=horizon is not None)
    for item in sorted(missing, key=lambda m: (m.round.deadline, m.action.due_date or date.max)):
        owed[item.action.lead_agency_id].missing.append(item)

    since = datetime.combine(today - timedelta(days=WITHDRAWN_NOTICE_DAYS), time.min, tzinfo=UTC)
    reports = db.session.scalars(
        select(ProgressReport)
        .where(
            ProgressReport.agency_id.in_(agency_ids),
            ProgressReport.state.in_(OPEN_REPORT_STATES)
            | ((ProgressReport.state == ReportState.WITHDRAWN) & (ProgressReport.withdrawn_at >= since)),
        )
        .options(selectinload(ProgressReport.action).selectinload(Action.plan))
        .order_by(ProgressReport.created_at, ProgressReport.id)
    )
    lists = {ReportState.RETURNED: "returned", ReportState.DRAFT: "drafts", ReportState.WITHDRAWN: "withdrawn",
             ReportState.SUBMITTED: "submitted"}
    for report in reports:
        getattr(owed[report.agency_id], lists[report.state]).append(report)
    return owed


def what_we_owe(agency_id: int, today: date) -> Obligations:
    """Everything one agency owes, on its page: ``obligations`` without a horizon."""
    return obligations({agency_id}, today)[agency_id]


def _actions(agency_ids: set[int], today: date, horizon: int | None) -> list[tuple[int, Action]]:
    """(agency id, action) for the actions ``obligations`` lists (see there)."""
    loads = [selectinload(Action.status), selectinload(Action.plan)]
    if horizon is None:
        loads.append(selectinload(Action.lead_agency))  # the page names the lead of supported actions
    led = select(Action).where(Action.lead_agency_id.in_(agency_ids)).options(*loads)
    if horizon is not None:
        led = led.join(Status, Action.status_key == Status.key).where(
            Status.is_final.is_(False), Action.paused.is_(False),
            Action.due_date <= today + timedelta(days=horizon),
        )
        return [(action.lead_agency_id, action) for action in db.session.scalars(led)]
    found = {(action.lead_agency_id, action.id): action for action in db.session.scalars(led)}
    supported = db.session.execute(
        select(action_supporting_agencies.c.agency_id, Action)
        .join(Action, Action.id == action_supporting_agencies.c.action_id)
        .where(action_supporting_agencies.c.agency_id.in_(agency_ids))
        .options(*loads)
    )
    for agency_id, action in supported:
        found.setdefault((agency_id, action.id), action)
    return [(agency_id, action) for (agency_id, _), action in found.items()]
