"""Reporting rounds: periods by whose deadline every open action needs a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import REPORTED_STATES, Action, Plan, ProgressReport, ReportingRound, Status
from tracker.schemas.report import RoundInput
from tracker.services.transaction import atomic
from tracker.services.validation import validated
from tracker.webhooks.events import queue_event


def open_reporting_round(plan: Plan, data: dict, *, now: datetime | None = None) -> ReportingRound:
    """Open a reporting round for ``plan`` with a name, an opening date and a deadline."""
    fields = validated(RoundInput(), data)
    with atomic():
        round_ = ReportingRound(plan_id=plan.id, **fields)
        db.session.add(round_)
        db.session.flush()
        _queue_round_opened(round_, now or datetime.combine(round_.opens_on, time(), UTC))
        return round_


def _queue_round_opened(round_: ReportingRound, now: datetime) -> None:
    queue_event("round.opened", plan_id=round_.plan_id, now=now, event_id=f"round-opened-{round_.id}", data={
        "round": {"id": round_.id, "name": round_.name, "opens_on": round_.opens_on,
                  "deadline": round_.deadline},
    })


def plan_rounds(plan: Plan) -> list[ReportingRound]:
    return list(
        db.session.scalars(
            select(ReportingRound).where(ReportingRound.plan_id == plan.id).order_by(ReportingRound.opens_on.desc())
        )
    )


def current_round(plan_id: int, today: date) -> ReportingRound | None:
    """The latest round of the plan that has opened by ``today``."""
    return db.session.scalars(
        select(ReportingRound)
        .where(ReportingRound.plan_id == plan_id, ReportingRound.opens_on <= today)
        .order_by(ReportingRound.opens_on.desc(), ReportingRound.id.desc())
    ).first()


def latest_rounds(today: date, window: int | None = None) -> list[ReportingRound]:
    """Each plan's latest round that has opened by ``today``; with ``window``, only if its
    deadline is past or within ``window`` days (the reminders look no further ahead)."""
    latest = (
        select(ReportingRound.plan_id, func.max(ReportingRound.opens_on).label("opens_on"))
        .where(ReportingRound.opens_on <= today)
        .group_by(ReportingRound.plan_id)
        .subquery()
    )
    query = select(ReportingRound).join(
        latest, and_(ReportingRound.plan_id == latest.c.plan_id, ReportingRound.opens_on == latest.c.opens_on)
    )
    if window is not None:
        query = query.where(ReportingRound.deadline <= today + timedelta(days=window))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class MissingReport:
    round: ReportingRound
    action: Action


def missing_report_keys(
    rounds: list[ReportingRound], *, agency_ids: set[int] | None = None, remindable_only: bool = False,
) -> list[tuple[ReportingRound, int, int | None]]:
    """(round, action id, lead agency id) for every report missing in ``rounds``.

    The one rule of a missing report: an action of the round's plan, in a status that is
    not final, with no report in the round that counts as reported (``REPORTED_STATES``:
    submitted or accepted). ``agency_ids`` keeps the actions those agencies lead;
    ``remindable_only`` keeps those a reminder can go to (not paused, with a lead agency),
    the reminders' and digests' view. Rows come in no particular order (the reminders
    need none, and sorting every open action of a large plan set costs); ``missing_reports``
    orders them.
    """
    if not rounds:
        return []
    by_id = {r.id: r for r in rounds}
    reported = select(ProgressReport.id).where(
        ProgressReport.action_id == Action.id,
        ProgressReport.round_id == ReportingRound.id,
        ProgressReport.state.in_(REPORTED_STATES),
    )
    query = (
        select(ReportingRound.id, Action.id, Action.lead_agency_id)
        .join(Action, Action.plan_id == ReportingRound.plan_id)
        .join(Status, Action.status_key == Status.key)
        .where(ReportingRound.id.in_(by_id), Status.is_final.is_(False), ~reported.exists())
    )
    if agency_ids is not None:
        query = query.where(Action.lead_agency_id.in_(agency_ids))
    if remindable_only:
        query = query.where(Action.paused.is_(False), Action.lead_agency_id.is_not(None))
    return [(by_id[round_id], action_id, agency_id) for round_id, action_id, agency_id in db.session.execute(query)]


def missing_reports(
    rounds: list[ReportingRound] | ReportingRound, *, agency_ids: set[int] | None = None,
    remindable_only: bool = False,
) -> list[MissingReport]:
    """The reports missing in ``rounds`` (see ``missing_report_keys``), with their actions,
    by due date (actions without one last, on every database) and position."""
    keys = missing_report_keys(
        [rounds] if isinstance(rounds, ReportingRound) else rounds,
        agency_ids=agency_ids, remindable_only=remindable_only,
    )
    actions = {
        a.id: a for a in db.session.scalars(
            select(Action).where(Action.id.in_({action_id for _, action_id, _ in keys}))
            .options(selectinload(Action.lead_agency))
        )
    } if keys else {}
    found = [MissingReport(round_, actions[action_id]) for round_, action_id, _ in keys]
    return sorted(found, key=lambda m: (m.action.due_date or date.max, m.action.position, m.action.id))


# A plan's reporting cadence -> the months each of its rounds spans (``Plan.reporting_cadence``;
# "manual": the secretariat opens rounds itself).
CADENCES = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


def period_of(cadence: str, today: date) -> tuple[str, date, date]:
    """(name, first day, last day) of the cadence's period containing ``today``."""
    months = CADENCES[cadence]
    first_month = (today.month - 1) // months * months + 1
    start = date(today.year, first_month, 1)
    end = (start + relativedelta(months=months)) - timedelta(days=1)
    if cadence == "monthly":
        name = f"{today.year}-{first_month:02d}"
    elif cadence == "quarterly":
        name = f"{today.year} Q{(first_month - 1) // 3 + 1}"
    elif cadence == "half-yearly":
        name = f"{today.year} H{(first_month - 1) // 6 + 1}"
    else:
        name = str(today.year)
    return name, start, end


def open_scheduled_rounds(today: date) -> list[ReportingRound]:
    """Open this period's round for every plan with a cadence that has none yet.

    A round opens on the first day of its period; its deadline is the period's last day.
    """
    opened = []
    with atomic():
        plans = db.session.scalars(select(Plan).where(Plan.reporting_cadence.in_(CADENCES))).all()
        for plan in plans:
            name, start, end = period_of(plan.reporting_cadence, today)
            exists = db.session.scalars(
                select(ReportingRound.id).where(ReportingRound.plan_id == plan.id, ReportingRound.opens_on == start)
            ).first()
            if exists is None:
                round_ = ReportingRound(plan_id=plan.id, name=name, opens_on=start, deadline=end)
                db.session.add(round_)
                opened.append(round_)
        db.session.flush()
        for round_ in opened:
            _queue_round_opened(round_, datetime.combine(today, time(), UTC))
    return opened
