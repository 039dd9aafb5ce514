"""Reporting rounds: periods by whose deadline every open action needs a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, Plan, ProgressReport, ReportingRound, Status
from tracker.schemas.report import RoundInput
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def open_reporting_round(plan: Plan, data: dict) -> ReportingRound:
    """Open a reporting round for ``plan`` with a name, an opening date and a deadline."""
    fields = validated(RoundInput(), data)
    with atomic():
        round_ = ReportingRound(plan_id=plan.id, **fields)
        db.session.add(round_)
        db.session.flush()
        return round_


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


@dataclass(frozen=True)
class MissingReport:
    round: ReportingRound
    action: Action


def missing_reports(round_: ReportingRound, *, agency_id: int | None = None) -> list[MissingReport]:
    """Open actions of the round's plan with no submitted or accepted report in the round."""
    reported = select(ProgressReport.action_id).where(
        ProgressReport.round_id == round_.id, ProgressReport.state.in_(("submitted", "accepted"))
    )
    query = (
        select(Action)
        .join(Status, Action.status_key == Status.key)
        .where(Action.plan_id == round_.plan_id, Status.is_final.is_(False), Action.id.not_in(reported))
        .options(selectinload(Action.lead_agency))
        .order_by(Action.due_date, Action.position)
    )
    if agency_id is not None:
        query = query.where(Action.lead_agency_id == agency_id)
    return [MissingReport(round_, action) for action in db.session.scalars(query)]


CADENCES = {"quarterly": 3, "half-yearly": 6, "yearly": 12}


def period_of(cadence: str, today: date) -> tuple[str, date, date]:
    """(name, first day, last day) of the cadence's period containing ``today``."""
    months = CADENCES[cadence]
    first_month = (today.month - 1) // months * months + 1
    start = date(today.year, first_month, 1)
    end = (start + relativedelta(months=months)) - timedelta(days=1)
    if cadence == "quarterly":
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
    return opened
