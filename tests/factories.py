"""Factories: valid data through the real services, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from tracker.services.actions import create_action
from tracker.services.agencies import create_agency
from tracker.services.plans import create_plan, save_area
from tracker.services.recommendations import create_recommendation
from tracker.services.tokens import create_token
from tracker.services.transaction import Actor
from tracker.services.users import create_user

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SYSTEM = Actor.system("test")
_seq = itertools.count(1)


def plan(**fields):
    n = next(_seq)
    data = {
        "slug": f"plan-{n}",
        "title": f"Plan {n}",
        "country": "Testland",
        "period_start": "2026-01-01",
        "period_end": "2027-12-31",
    }
    data.update(fields)
    return create_plan(data, now=NOW)


def area(plan, **fields):
    n = next(_seq)
    return save_area(plan, {"code": f"AREA{n}", "name": f"Area {n}", **fields})[0]


def agency(**fields):
    n = next(_seq)
    return create_agency({"name": f"Agency {n}", "acronym": f"AG{n}", "country": "Testland", **fields})


def recommendation(plan, **fields):
    n = next(_seq)
    data = {"code": f"R{n}", "text": f"Recommendation {n}", "status": "pending"}
    data.update(fields)
    return create_recommendation(plan, data, actor=SYSTEM, now=NOW)


def action(plan, **fields):
    n = next(_seq)
    data = {
        "code": f"A{n}",
        "title": f"Action {n}",
        "status": "pending",
        "start_date": date(2026, 1, 1),
        "due_date": date(2026, 12, 31),
    }
    data.update(fields)
    return create_action(plan, data, actor=SYSTEM, now=NOW)


def user(role: str = "secretariat", **fields):
    n = next(_seq)
    data = {"email": f"user{n}@example.org", "password": PASSWORD, "role": role}
    if role == "agency" and "agency" not in fields:
        fields["agency"] = agency().acronym
    data.update(fields)
    return create_user(data, now=NOW)


def api_token(user, *, scope: str = "read_write", name: str = "test token") -> str:
    """A working personal API token of ``user``, to send as a bearer token.

    Made at the real time, not ``NOW``: the API checks a token's expiry against the clock.
    """
    return create_token(user, {"name": name, "scope": scope}, now=datetime.now(UTC))[1]


def indicator(subject, **fields):
    """An indicator of an action or a recommendation: 10 datasets in 2024 up to 100 by 2028 by default."""
    from tracker.services.indicators import create_indicator

    n = next(_seq)
    data = {"code": f"I{n}", "name": f"Indicator {n}", "unit": "datasets", "kind": "number", "direction": "up",
            "baseline_value": 10, "baseline_date": "2024-01-01", "target_value": 100, "target_date": "2028-01-01"}
    data.update(fields)
    return create_indicator(subject, data, actor=SYSTEM, now=NOW)
