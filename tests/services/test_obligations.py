"""What an agency owes: its page and its weekly digest are one read with a horizon, so
they agree on everything but the horizon (issue 13)."""

from __future__ import annotations

from datetime import date

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.services.actions import set_paused
from tracker.services.obligations import obligations, what_we_owe
from tracker.services.reports import return_report, save_report
from tracker.services.rounds import open_reporting_round

TODAY = date(2026, 11, 23)


def test_the_digest_is_the_page_within_its_horizon(db_session):
    plan = factories.plan()
    ministry, helper = factories.agency(acronym="OBL"), factories.agency(acronym="OBH")
    focal, secretariat = factories.user("agency", agency="OBL"), factories.user("secretariat")
    late = factories.action(plan, code="LATE", due_date="2026-10-01", lead_agency="OBL")
    soon = factories.action(plan, code="SOON", due_date="2026-12-10", lead_agency="OBL")
    far = factories.action(plan, code="FAR", due_date="2027-06-30", lead_agency="OBL")
    done = factories.action(plan, code="DONE", due_date="2026-10-01", lead_agency="OBL", status="fully_achieved")
    paused = factories.action(plan, code="PAUSED", due_date="2026-10-01", lead_agency="OBL")
    helped = factories.action(plan, code="HELPED", due_date="2026-10-01", lead_agency="OBH",
                              supporting_agencies=["OBL"])
    set_paused(paused, True, reason="Waiting for the budget", actor=SYSTEM, now=NOW)
    open_reporting_round(plan, {"name": "Q4", "opens_on": "2026-10-01", "deadline": "2026-12-15"})
    report = save_report(soon, {"narrative": "Half way", "percent_complete": 50, "proposed_status": "ongoing"},
                         author=focal, now=NOW, submit=True)
    return_report(report, {"comment": "Say which districts"}, reviewer=secretariat, now=NOW)

    page = what_we_owe(ministry.id, TODAY)
    digest = obligations({ministry.id, helper.id}, TODAY, horizon=30)[ministry.id]

    # The page: every action it leads or supports, whatever its status; overdue first.
    assert page.actions == [late, paused, helped, done, soon, far]
    assert page.overdue == {late.id, paused.id, helped.id}
    # The digest: actions it leads that a reminder may be about, overdue or due within 30 days.
    assert digest.actions == [late, soon] and digest.overdue == {late.id}
    # The reports to correct and the reports missing come from the same read for both.
    assert page.returned == digest.returned == [report]
    assert [m.action for m in page.missing] == [late, paused, soon, far]
    assert [m.action for m in digest.missing] == [late, soon, far]  # a paused action gets no reminder
    assert obligations({helper.id}, TODAY, horizon=30)[helper.id].actions == [helped]
