"""iCalendar feeds of a plan or an agency: due dates, milestones and report deadlines.

Every event's UID names the thing it is about (``action-12-due@host``), never its date,
so when a date moves a calendar that subscribed to the feed updates the event in place
instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Action, Agency, Milestone, Plan, ReportingRound

PRODUCT_ID = "-//Action-plan tracker//Calendars//EN"


@dataclass(frozen=True)
class CalendarItem:
    """One all-day event: a thing's ``key`` (its UID before the @) and its date."""

    key: str
    on: date
    summary: str
    description: str
    path: str | None  # the public page about it, when there is one
    changed_at: datetime | None = None


def plan_items(plan: Plan) -> list[CalendarItem]:
    """A plan's action due dates, milestones and reporting-round deadlines."""
    actions = db.session.scalars(
        select(Action).where(Action.plan_id == plan.id).options(
            selectinload(Action.milestones), selectinload(Action.status), selectinload(Action.plan))
        .order_by(Action.position, Action.id)
    ).all()
    rounds = db.session.scalars(select(ReportingRound).where(ReportingRound.plan_id == plan.id)).all()
    return _action_items(actions) + _round_items(rounds, {plan.id: plan})


def agency_items(agency: Agency) -> list[CalendarItem]:
    """What an agency leads: its actions' due dates and milestones, and the deadlines of the
    reporting rounds of the plans it reports to."""
    actions = db.session.scalars(
        select(Action).where(Action.lead_agency_id == agency.id).options(
            selectinload(Action.milestones), selectinload(Action.status), selectinload(Action.plan))
        .order_by(Action.plan_id, Action.position, Action.id)
    ).all()
    plans = {a.plan_id: a.plan for a in actions}
    rounds = db.session.scalars(select(ReportingRound).where(ReportingRound.plan_id.in_(plans))).all()
    return _action_items(actions) + _round_items(rounds, plans)


def _action_items(actions) -> list[CalendarItem]:
    items = []
    for action in actions:
        path = f"/plans/{action.plan.slug}/actions/{action.code}" if action.plan.published else None
        if action.due_date:
            items.append(CalendarItem(
                key=f"action-{action.id}-due", on=action.due_date,
                summary=_("Due: %(code)s %(title)s", code=action.code, title=action.title),
                description=_("%(plan)s. Status: %(status)s, %(percent)s%% complete.", plan=action.plan.title,
                              status=action.status.label, percent=action.percent_complete),
                path=path, changed_at=action.updated_at,
            ))
        for milestone in action.milestones:
            items.append(_milestone_item(action, milestone, path))
    return items


def _milestone_item(action: Action, milestone: Milestone, path: str | None) -> CalendarItem:
    achieved = (_("Achieved on %(day)s.", day=milestone.achieved_on.isoformat())
                if milestone.achieved_on else "")
    return CalendarItem(
        key=f"milestone-{milestone.id}", on=milestone.due_date,
        summary=_("Milestone: %(title)s (%(code)s)", title=milestone.title, code=action.code),
        description=f"{action.plan.title}. {achieved}".strip(), path=path,
    )


def _round_items(rounds, plans: dict[int, Plan]) -> list[CalendarItem]:
    return [
        CalendarItem(
            key=f"round-{round_.id}-deadline", on=round_.deadline,
            summary=_("Report deadline: %(round)s (%(plan)s)", round=round_.name, plan=plans[round_.plan_id].title),
            description=_("Progress reports for the round %(round)s are due.", round=round_.name),
            path=f"/plans/{plans[round_.plan_id].slug}" if plans[round_.plan_id].published else None,
        )
        for round_ in rounds
    ]


def ics(items: list[CalendarItem], *, name: str, now: datetime, base_url: str) -> bytes:
    """The RFC 5545 calendar of ``items``: one all-day VEVENT each, with a stable UID."""
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "tracker"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for item in sorted(items, key=lambda i: (i.on, i.key)):
        event = Event()
        event.add("uid", f"{item.key}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.on)
        event.add("dtend", item.on + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        if item.changed_at:
            event.add("last-modified", item.changed_at)
        if item.path:
            event.add("url", base_url.rstrip("/") + item.path)
        calendar.add_component(event)
    return calendar.to_ical()
