"""A small published plan with two agencies, and bearer tokens for its users."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests import factories
from tracker.models import Action, Agency, Plan, User


def bearer(user: User) -> dict[str, str]:
    """Headers for an API call with a new personal token of ``user``."""
    return {"Authorization": f"Bearer {factories.api_token(user, name='api test')}"}


@dataclass
class World:
    plan: Plan
    ministry: Agency
    other: Agency
    overdue: Action       # led by MIN, due in 2020, pending
    supported: Action     # led by OTH with MIN supporting, due 2199-12-31 (the last day accepted), ongoing
    done: Action          # led by OTH, due in 2020 but fully achieved: not overdue
    secretariat: User
    focal: User           # MIN's focal point
    outsider: User        # OTH's focal point


@pytest.fixture
def world(db_session) -> World:
    plan = factories.plan(slug="open-data-plan", title="Open data plan", period_start="2026-01-01")
    gov = factories.area(plan, code="GOV", name="Governance", position=1)
    factories.area(plan, code="USE", name="Use", position=2)
    ministry = factories.agency(acronym="MIN", name="Ministry of Information")
    other = factories.agency(acronym="OTH", name="Office of Other Things")
    factories.recommendation(plan, code="R1", area=gov.code, status="pending", position=1)
    factories.recommendation(plan, code="R2", area="USE", status="ongoing", position=2)
    past = {"start_date": "2019-01-01"}
    overdue = factories.action(plan, code="A1", area="GOV", lead_agency="MIN", recommendations=["R1"],
                               due_date="2020-01-31", position=1, **past)
    supported = factories.action(plan, code="A2", area="USE", lead_agency="OTH",
                                 supporting_agencies=["MIN"], recommendations=["R2"],
                                 status="ongoing", due_date="2199-12-31", position=2)
    done = factories.action(plan, code="A3", lead_agency="OTH", status="fully_achieved",
                            percent_complete=100, due_date="2020-06-30", position=3, **past)
    return World(
        plan=plan, ministry=ministry, other=other, overdue=overdue, supported=supported, done=done,
        secretariat=factories.user("secretariat"),
        focal=factories.user("agency", agency="MIN"),
        outsider=factories.user("agency", agency="OTH"),
    )
