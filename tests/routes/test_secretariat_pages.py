"""The secretariat's pages: plans, areas, recommendations, actions, assignment, rounds, reviews."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token
from tests.factories import NOW
from tracker.models import (
    Action,
    Area,
    Event,
    Plan,
    ProgressReport,
    Recommendation,
    ReportingRound,
    StatusChange,
)
from tracker.services.actions import assign_actions
from tracker.services.obligations import what_we_owe
from tracker.services.reports import add_evidence_file, save_report
from tracker.services.rounds import open_reporting_round


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, path, data, *, form_path=None):
    """Submit a form as a browser would: with the CSRF token from the form's page."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)})


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input id="{name}" name="{name}" type="\w+" value="([^"]*)"', page)
    return match.group(1) if match else None


def events(db_session, action, kind):
    return db_session.scalars(
        select(Event).where(Event.subject_type == "action", Event.subject_id == action.id, Event.kind == kind)
    ).all()


@pytest.fixture
def plan(db_session):
    return factories.plan(title="Open data in Testland")


# --- Access ------------------------------------------------------------------------------------


@pytest.fixture
def everything(db_session, plan, tmp_path):
    """A plan with an area, a recommendation, an action, a round and a submitted report."""
    ministry = factories.agency(acronym="MIN")
    area = factories.area(plan, code="GOV", name="Governance")
    rec = factories.recommendation(plan, area="GOV")
    action = factories.action(plan, recommendations=[rec.code], lead_agency="MIN")
    round_ = open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"})
    focal = factories.user("agency", agency="MIN")
    report = save_report(action, {"narrative": "Portal launched", "percent_complete": 60,
                                  "proposed_status": "ongoing"}, author=focal, now=NOW, submit=True)
    return {"plan": plan, "ministry": ministry, "area": area, "rec": rec, "action": action,
            "round": round_, "focal": focal, "report": report}


def secretariat_pages(e) -> tuple[list[str], list[str]]:
    slug = e["plan"].slug
    base = f"/secretariat/plans/{slug}"
    gets = [
        "/secretariat/plans", "/secretariat/plans/new", base, f"{base}/edit", f"{base}/areas",
        f"{base}/areas/{e['area'].id}/edit", f"{base}/recommendations/new",
        f"{base}/recommendations/{e['rec'].id}/edit", f"{base}/recommendations/{e['rec'].id}/status",
        f"{base}/actions/new", f"{base}/actions/{e['action'].id}/edit", f"{base}/rounds",
        "/secretariat/reviews", f"/secretariat/reviews/{e['report'].id}", "/secretariat/import",
        f"{base}/export.csv",
    ]
    posts = [
        "/secretariat/plans/new", f"{base}/edit", f"{base}/areas", f"{base}/areas/{e['area'].id}/edit",
        f"{base}/assign", f"{base}/recommendations/new", f"{base}/recommendations/{e['rec'].id}/edit",
        f"{base}/recommendations/{e['rec'].id}/status", f"{base}/actions/new",
        f"{base}/actions/{e['action'].id}/edit", f"{base}/rounds",
        f"/secretariat/reviews/{e['report'].id}/accept", f"/secretariat/reviews/{e['report'].id}/return",
    ]
    return gets, posts


def test_every_page_works_for_the_secretariat_and_admins(client, auth, everything):
    gets, _ = secretariat_pages(everything)
    auth.login_as("secretariat")
    for path in gets:
        assert client.get(path).status_code == 200, path
    auth.logout()
    auth.login_as("admin")
    assert client.get(f"/secretariat/plans/{everything['plan'].slug}").status_code == 200


def test_an_agency_user_gets_403_on_every_secretariat_page(client, auth, everything, db_session):
    gets, posts = secretariat_pages(everything)
    auth.login_as("agency", agency="MIN")
    token = csrf_token(client, "/")
    for path in gets:
        assert client.get(path).status_code == 403, path
    for path in posts:
        response = client.post(path, data={"csrf_token": token, "title": "x", "comment": "x" * 5})
        assert response.status_code == 403, path
    assert everything["report"].state == "submitted"


def test_signed_out_visitors_are_sent_to_sign_in(client, plan):
    response = client.get(f"/secretariat/plans/{plan.slug}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_post_without_csrf_token_is_refused(client, login_as, db_session):
    login_as("secretariat")
    response = client.post("/secretariat/plans/new", data={"slug": "no-token", "title": "T", "country": "X"})
    assert response.status_code == 400
    assert "CSRF" in text(response)
    assert count(db_session, Plan) == 0


# --- Plans and areas ---------------------------------------------------------------------------


def test_create_plan_with_an_empty_title_names_the_field_and_stores_nothing(client, login_as, db_session):
    login_as("secretariat")
    response = post(client, "/secretariat/plans/new",
                    {"slug": "mexico-2018", "title": "  ", "country": "Mexico", "description": "Follow-up"})
    page = text(response)
    assert response.status_code == 422
    assert "There is a problem" in page and "Enter a title" in page and 'href="#title"' in page and "title:" not in page
    assert 'aria-describedby="title-error"' in page
    assert input_value(page, "slug") == "mexico-2018" and ">Follow-up</textarea>" in page
    assert count(db_session, Plan) == 0


def test_create_plan_then_edit_and_publish_it(client, login_as, db_session):
    login_as("secretariat")
    response = post(client, "/secretariat/plans/new", {
        "slug": "mexico-2018", "title": "Mexico follow-up", "country": "Mexico",
        "period_start": "2018-01-01", "period_end": "2019-12-31", "citation": "OECD (2018)",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith("/secretariat/plans/mexico-2018")
    plan = db_session.scalars(select(Plan)).one()
    assert (plan.title, plan.published, plan.period_end.isoformat()) == ("Mexico follow-up", False, "2019-12-31")
    assert "Plan “Mexico follow-up” created." in text(client.get(response.headers["Location"]))
    assert client.get("/plans/mexico-2018").status_code == 404  # not published yet

    response = post(client, "/secretariat/plans/mexico-2018/edit", {
        "title": "Mexico: the way forward", "country": "Mexico", "period_start": "2018-01-01",
        "period_end": "2017-12-31", "published": "y",
    })
    assert response.status_code == 422
    assert "The period cannot end before it starts." in text(response)
    assert plan.title == "Mexico follow-up"

    response = post(client, "/secretariat/plans/mexico-2018/edit", {
        "title": "Mexico: the way forward", "country": "Mexico", "period_start": "2018-01-01",
        "period_end": "2019-12-31", "citation": "OECD (2018)", "published": "y",
    })
    assert response.status_code == 302
    assert (plan.title, plan.published, plan.slug) == ("Mexico: the way forward", True, "mexico-2018")
    assert client.get("/plans/mexico-2018").status_code == 200


def test_add_and_edit_areas_and_a_duplicate_code_is_refused(client, login_as, db_session, plan):
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/areas"
    assert post(client, path, {"code": "GOV", "name": "Governance", "position": "1"}).status_code == 302
    response = post(client, path, {"code": "GOV", "name": "Something else"})
    assert response.status_code == 422
    assert "An area with this code already exists in this plan." in text(response)
    area = db_session.scalars(select(Area)).one()
    assert area.name == "Governance"

    response = post(client, f"{path}/{area.id}/edit", {"name": "Governance and leadership", "position": "1",
                                                       "source_section": "Chapter 2"})
    assert response.status_code == 302
    assert (area.code, area.name, area.source_section) == ("GOV", "Governance and leadership", "Chapter 2")
    assert "Governance and leadership" in text(client.get(path))


# --- Recommendations ---------------------------------------------------------------------------


def test_create_recommendation_with_a_duplicate_code_is_refused(client, login_as, db_session, plan):
    factories.recommendation(plan, code="R1")
    login_as("secretariat")
    response = post(client, f"/secretariat/plans/{plan.slug}/recommendations/new",
                    {"code": "R1", "text": "Adopt an open data policy", "status": "pending"})
    page = text(response)
    assert response.status_code == 422
    assert "This code is already used in this plan." in page
    assert ">Adopt an open data policy</textarea>" in page
    assert count(db_session, Recommendation) == 1


def test_create_and_edit_a_recommendation(client, login_as, db_session, plan):
    factories.area(plan, code="GOV")
    factories.agency(name="Ministry of Finance", acronym="MOF")
    login_as("secretariat")
    response = post(client, f"/secretariat/plans/{plan.slug}/recommendations/new", {
        "code": "R7", "text": "Publish budgets", "area": "GOV", "status": "ongoing", "timeframe": "short",
        "priority": "high", "response": "partially_accepted", "institutions": "MOF",
        "source_document": "002", "source_section": "Annex A", "source_lines": "10-12", "position": "7",
    })
    assert response.status_code == 302
    rec = db_session.scalars(select(Recommendation)).one()
    assert (rec.area.code, rec.status_key, rec.response, rec.timeframe) == ("GOV", "ongoing", "partially_accepted", "short")
    assert [a.acronym for a in rec.institutions] == ["MOF"] and rec.source_section == "Annex A"

    page = text(client.get(f"/secretariat/plans/{plan.slug}/recommendations/{rec.id}/edit"))
    assert 'value="partially_accepted" selected' in page and 'value="MOF" checked' in page

    response = post(client, f"/secretariat/plans/{plan.slug}/recommendations/{rec.id}/edit", {
        "text": "Publish budgets as open data", "area": "GOV", "response": "accepted",
        "actions_taken": "Portal launched", "source_document": "002", "source_section": "Annex A",
        "source_lines": "10-12", "position": "7",
    })
    assert response.status_code == 302
    assert (rec.text, rec.response, rec.actions_taken, rec.institutions) == (
        "Publish budgets as open data", "accepted", "Portal launched", [])
    assert (rec.code, rec.status_key, rec.position) == ("R7", "ongoing", 7)  # kept


def test_setting_the_validated_status_needs_a_reason_and_goes_into_the_history(client, login_as, db_session, plan):
    rec = factories.recommendation(plan)
    user = login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/recommendations/{rec.id}/status"
    response = post(client, path, {"status": "fully_achieved", "reason": ""})
    assert response.status_code == 422
    assert "Enter the reason" in text(response)
    assert rec.status_key == "pending"

    response = post(client, path, {"status": "fully_achieved", "reason": "Law adopted in May"})
    assert response.status_code == 302
    change = db_session.scalars(select(StatusChange).where(StatusChange.subject_id == rec.id)
                                .order_by(StatusChange.id.desc())).first()
    assert (change.new_status_key, change.reason, change.changed_by_label) == (
        "fully_achieved", "Law adopted in May", user.email)
    assert "Law adopted in May" in text(client.get(path))


# --- Actions -----------------------------------------------------------------------------------


def action_form(**fields):
    data = {"title": "Publish the budget", "status": "pending", "percent_complete": "0",
            "start_date": "2026-01-01", "due_date": "2026-12-31"}
    data.update(fields)
    return data


def test_an_action_due_before_it_starts_is_refused(client, login_as, db_session, plan):
    login_as("secretariat")
    response = post(client, f"/secretariat/plans/{plan.slug}/actions/new",
                    action_form(code="A1", start_date="2026-06-01", due_date="2026-03-01"))
    page = text(response)
    assert response.status_code == 422
    assert "The due date cannot be before the start date." in page
    assert input_value(page, "due_date") == "2026-03-01" and input_value(page, "start_date") == "2026-06-01"
    assert count(db_session, Action) == 0


def test_create_an_action_with_owners_recommendations_and_milestones(client, login_as, db_session, plan):
    r1, r2 = factories.recommendation(plan, code="R1"), factories.recommendation(plan, code="R2")
    factories.agency(acronym="MIN")
    factories.agency(acronym="NDC")
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/actions/new"
    bad = action_form(code="A1", milestones="2026-03-31 Draft\nsoon Launch")
    response = post(client, path, bad)
    assert response.status_code == 422
    assert "Enter the milestone's due date as a date in the format YYYY-MM-DD, for example 2027-03-31 (line 2)" in text(response)
    assert "2026-03-31 Draft\nsoon Launch</textarea>" in text(response)

    data = action_form(code="A1", lead_agency="MIN", milestones="2026-03-31 Draft\n\n2026-09-30 Launch (achieved 2026-09-28)")
    response = client.post(path, data={**data, "supporting_agencies": ["NDC"], "recommendations": ["R1", "R2"],
                                       "csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    action = db_session.scalars(select(Action)).one()
    assert action.lead_agency.acronym == "MIN" and [a.acronym for a in action.supporting_agencies] == ["NDC"]
    assert {r.code for r in action.recommendations} == {"R1", "R2"} and r1.actions == r2.actions == [action]
    first = action.milestones[0]
    assert (first.due_date.isoformat(), first.title, first.achieved_on) == ("2026-03-31", "Draft", None)
    assert action.milestones[1].achieved_on.isoformat() == "2026-09-28"
    page = text(client.get(f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"))
    assert "2026-09-30 Launch (achieved 2026-09-28)" in page  # editing keeps what was achieved


def edit_page(client, path) -> dict:
    page = client.get(path).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return {"version": version, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}


def test_two_edits_from_the_same_version_conflict_and_nothing_typed_is_lost(client, login_as, db_session, plan):
    factories.recommendation(plan, code="R1")
    action = factories.action(plan, title="Publish the budget")
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"
    first_tab, second_tab = edit_page(client, path), edit_page(client, path)

    response = client.post(path, data={**first_tab, **action_form(title="Publish budget data")})
    assert response.status_code == 302
    saved_version = action.version
    assert saved_version == int(first_tab["version"]) + 1

    mine = action_form(title="Publish spending data", description="Monthly, as CSV", percent_complete="20", status="ongoing",
                       milestones="2026-06-30 First release", reason="Started early", recommendations="R1")
    response = client.post(path, data={**second_tab, **mine})
    page = text(response)
    assert response.status_code == 409
    assert "Someone else saved this action since you opened it" in page
    assert re.search(r"<th scope=\"row\">Title</th>\s*<td>Publish budget data</td>\s*<td>Publish spending data</td>", page)
    assert re.search(r"<th scope=\"row\">Percent complete</th>\s*<td>0</td>\s*<td>20</td>", page)
    assert re.search(r"<th scope=\"row\">Status</th>\s*<td>Pending</td>\s*<td>Ongoing</td>", page)
    assert input_value(page, "title") == "Publish spending data"
    assert input_value(page, "percent_complete") == "20"
    assert ">Monthly, as CSV</textarea>" in page and ">2026-06-30 First release</textarea>" in page
    assert ">Started early</textarea>" in page and 'value="R1" checked' in page
    assert f'name="version" value="{saved_version}"' in page
    assert action.title == "Publish budget data"  # nothing written

    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(path, data={**mine, "version": str(saved_version), "csrf_token": token})
    assert response.status_code == 302
    assert (action.title, action.percent_complete, action.status_key, action.description) == (
        "Publish spending data", 20, "ongoing", "Monthly, as CSV")
    assert [m.title for m in action.milestones] == ["First release"]


def test_changing_the_due_date_needs_a_reason(client, login_as, db_session, plan):
    action = factories.action(plan)
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"
    response = client.post(path, data={**edit_page(client, path), **action_form(title=action.title, due_date="2027-03-31")})
    assert response.status_code == 422
    assert "Say why the due date change." in text(response)
    assert action.due_date.isoformat() == "2026-12-31"


def test_clearing_fields_in_the_edit_form_clears_them(client, login_as, db_session, plan):
    factories.agency(acronym="MIN")
    action = factories.action(plan, lead_agency="MIN", description="Old text", milestones=[
        {"title": "Draft", "due_date": "2026-03-31"}])
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"
    form = {**edit_page(client, path), **action_form(title=action.title, description="", lead_agency="",
                                                     start_date="", milestones="", reason="No start yet")}
    assert client.post(path, data=form).status_code == 302
    assert (action.description, action.lead_agency, action.start_date, action.milestones) == ("", None, None, [])


def test_reassigning_one_action_in_its_edit_form_is_recorded(client, login_as, db_session, plan):
    factories.agency(acronym="MIN")
    factories.agency(acronym="OTH")
    action = factories.action(plan, lead_agency="MIN")
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"
    form = {**edit_page(client, path), **action_form(title=action.title, lead_agency="OTH", reason="New mandate")}
    assert client.post(path, data=form).status_code == 302
    assert action.lead_agency.acronym == "OTH"
    [event] = events(db_session, action, "reassigned")
    assert event.reason == "New mandate" and "OTH" in event.summary


# --- Workspace and bulk assignment --------------------------------------------------------------


def test_workspace_filters_by_area_agency_status_and_overdue(client, login_as, plan):
    factories.area(plan, code="GOV", name="Governance")
    factories.area(plan, code="DEM", name="Demand")
    factories.agency(acronym="MIN")
    other = factories.agency(acronym="OTH")
    factories.recommendation(plan, code="R-GOV", area="GOV")
    factories.recommendation(plan, code="R-DEM", area="DEM", status="ongoing")
    factories.action(plan, code="A-LATE", title="Late one", area="GOV", lead_agency="MIN",
                     start_date="2020-01-01", due_date="2020-06-30", recommendations=["R-GOV"])
    factories.action(plan, code="A-SOON", title="Soon one", area="DEM", lead_agency="OTH",
                     status="ongoing", start_date="2026-01-01", due_date="2099-01-01")
    login_as("secretariat")
    base = f"/secretariat/plans/{plan.slug}"

    page = text(client.get(base))
    assert "A-LATE" in page and "A-SOON" in page and "R-GOV" in page and "R-DEM" in page
    # Overdue is said in words (and an icon), not only by colour.
    assert re.search(r"2020-06-30 <span class=\"overdue\"><span aria-hidden=\"true\">⚠ </span>overdue</span>", page)

    def shown(query):
        page = text(client.get(f"{base}?{query}"))
        return {code for code in ("R-GOV", "R-DEM", "A-LATE", "A-SOON") if f'<th scope="row">{code}</th>' in page}

    assert shown("area=GOV") == {"R-GOV", "A-LATE"}
    assert shown(f"agency={other.id}") == {"A-SOON"}
    assert shown("status=ongoing") == {"R-DEM", "A-SOON"}
    assert shown("overdue=1") == {"R-GOV", "A-LATE"}
    assert shown("area=DEM&overdue=1") == set()
    assert "No actions match." in text(client.get(f"{base}?area=DEM&overdue=1"))


def test_bulk_assignment_records_a_reassigned_event_on_each_action(client, login_as, db_session, plan):
    factories.agency(acronym="MIN")
    new_owner = factories.agency(name="National Data Centre", acronym="NDC")
    a1, a2, a3 = (factories.action(plan, lead_agency="MIN") for _ in range(3))
    other_plan_action = factories.action(factories.plan())
    user = login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}"

    response = post(client, f"{path}/assign?status=pending", {"lead_agency": "NDC"}, form_path=path)
    assert response.status_code == 422
    assert "Choose at least one action." in text(response)

    token = csrf_token(client, path)
    response = client.post(f"{path}/assign?status=pending", data={
        "action": [str(a1.id), str(a2.id), str(other_plan_action.id)], "lead_agency": "NDC",
        "reason": "Reorganisation", "csrf_token": token,
    })
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{path}?status=pending")
    assert "2 actions assigned to National Data Centre (NDC)." in text(client.get(response.headers["Location"]))
    assert a1.lead_agency_id == a2.lead_agency_id == new_owner.id
    assert a3.lead_agency.acronym == "MIN" and other_plan_action.lead_agency is None
    for action in (a1, a2):
        [event] = events(db_session, action, "reassigned")
        assert (event.reason, event.actor_label) == ("Reorganisation", user.email)
    assert events(db_session, a3, "reassigned") == []


def test_bulk_assignment_to_an_unknown_agency_keeps_the_ticks(client, login_as, db_session, plan):
    action = factories.action(plan)
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}"
    response = post(client, f"{path}/assign", {"action": str(action.id), "lead_agency": "NOPE"}, form_path=path)
    page = text(response)
    assert response.status_code == 422 and "Choose the lead agency from the list" in page and "lead agency:" not in page
    assert f'value="{action.id}" id="pick-{action.id}" checked' in page
    assert action.lead_agency is None


# --- Reporting rounds ---------------------------------------------------------------------------


def test_opening_a_round_and_listing_missing_reports(client, login_as, db_session, plan):
    factories.agency(name="Ministry", acronym="MIN")
    factories.action(plan, code="A1", title="Open the portal", lead_agency="MIN")
    factories.action(plan, code="A2", title="Done already", status="fully_achieved")
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}/rounds"

    response = post(client, path, {"name": "Q1 2027", "opens_on": "2027-01-01", "deadline": "2026-12-01"})
    assert response.status_code == 422
    assert "The deadline cannot be before the round opens." in text(response)
    assert count(db_session, ReportingRound) == 0

    response = post(client, path, {"name": "Q1 2027", "opens_on": "2027-01-01", "deadline": "2027-03-31"})
    assert response.status_code == 302
    round_ = db_session.scalars(select(ReportingRound)).one()
    assert (round_.plan_id, round_.name, round_.deadline.isoformat()) == (plan.id, "Q1 2027", "2027-03-31")
    page = text(client.get(path))
    assert "Reporting round “Q1 2027” opened; reports are due by 2027-03-31." in page
    assert "1 report missing" in page and "Open the portal" in page and "Ministry (MIN)" in page
    assert "Done already" not in page


# --- Reviewing reports --------------------------------------------------------------------------


@pytest.fixture
def submitted(db_session, plan, tmp_path):
    """Two submitted reports from the ministry's focal point, the second one with evidence."""
    ministry = factories.agency(name="Ministry", acronym="MIN")
    focal = factories.user("agency", agency="MIN")
    first = factories.action(plan, code="A1", title="Open the portal", lead_agency="MIN")
    second = factories.action(plan, code="A2", title="Train staff", lead_agency="MIN")
    older = save_report(first, {"narrative": "Portal in beta", "percent_complete": 40, "proposed_status": "ongoing"},
                        author=focal, now=NOW - timedelta(days=3), submit=True)
    report = save_report(second, {"narrative": "Two sessions held", "percent_complete": 50,
                                  "proposed_status": "ongoing"}, author=focal, now=NOW - timedelta(days=1), submit=False)
    add_evidence_file(report, "minutes.pdf", io.BytesIO(b"%PDF-1.7 minutes"), user=focal,
                      upload_dir=str(tmp_path), max_bytes=1_000_000, now=NOW)
    save_report(second, {"narrative": "Two sessions held", "percent_complete": 50, "proposed_status": "ongoing",
                         "links": ["https://data.example.org/training"]},
                author=focal, now=NOW - timedelta(days=1), submit=True, report=report)
    return {"ministry": ministry, "focal": focal, "older": older, "report": report, "action": second}


def test_the_review_queue_lists_submitted_reports_oldest_first(client, login_as, submitted):
    login_as("secretariat")
    page = text(client.get("/secretariat/reviews"))
    assert "2 reports waiting" in page
    assert page.index("Open the portal") < page.index("Train staff")
    assert client.get("/secretariat/reviews").status_code == 200


def test_the_review_page_shows_the_report_its_evidence_and_earlier_reports(client, login_as, db_session, submitted):
    report, action = submitted["report"], submitted["action"]
    # One open report per action and round: the earlier one belongs to an earlier round.
    past = open_reporting_round(action.plan, {"name": "Earlier round", "opens_on": "2025-01-01",
                                              "deadline": "2025-03-31"})
    earlier = save_report(action, {"narrative": "Curriculum drafted", "percent_complete": 10,
                                   "proposed_status": "ongoing", "round_id": past.id}, author=submitted["focal"],
                          now=NOW - timedelta(days=30), submit=True)
    earlier.state = "accepted"
    db_session.commit()
    login_as("secretariat")
    page = text(client.get(f"/secretariat/reviews/{report.id}"))
    file_evidence = next(e for e in report.evidence if e.kind == "file")
    assert "Two sessions held" in page and "Ministry (MIN)" in page and "Train staff" in page
    assert f'href="/evidence/{file_evidence.id}">minutes.pdf</a>' in page
    assert 'href="https://data.example.org/training"' in page
    assert "Curriculum drafted" in page  # the earlier report
    assert "Accept report" in page and "Return report" in page


def test_accepting_a_report_changes_the_action_and_records_the_reviewer(client, login_as, db_session, submitted):
    report, action = submitted["report"], submitted["action"]
    reviewer = login_as("secretariat")
    path = f"/secretariat/reviews/{report.id}"
    response = post(client, f"{path}/accept", {"accept_comment": "Well documented", "accept_comment_public": "1"},
                    form_path=path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/secretariat/reviews")
    assert "Report accepted: A2 is now Ongoing at 50%." in text(client.get("/secretariat/reviews"))
    assert (report.state, report.reviewer_comment, report.comment_public) == ("accepted", "Well documented", True)
    assert (action.status_key, action.percent_complete) == ("ongoing", 50)
    change = db_session.scalars(select(StatusChange).where(
        StatusChange.subject_type == "action", StatusChange.subject_id == action.id,
        StatusChange.new_status_key == "ongoing")).one()
    assert change.changed_by_label == reviewer.email and change.new_percent == 50
    assert "Well documented" in change.reason
    assert "1 report waiting" in text(client.get("/secretariat/reviews"))


def test_returning_a_report_needs_a_comment_which_the_agency_then_sees(client, login_as, db_session, submitted):
    report = submitted["report"]
    login_as("secretariat")
    path = f"/secretariat/reviews/{report.id}"
    response = post(client, f"{path}/return", {"return_comment": " "}, form_path=path)
    page = text(response)
    assert response.status_code == 422
    assert "Say what should change" in page and 'aria-describedby="return_comment-error"' in page
    assert report.state == "submitted"

    response = post(client, f"{path}/return", {"return_comment": "Add the attendance list"}, form_path=path)
    assert response.status_code == 302
    assert (report.state, report.reviewer_comment) == ("returned", "Add the attendance list")
    owed = what_we_owe(submitted["ministry"].id, NOW.date())
    assert [(r.id, r.reviewer_comment) for r in owed.returned] == [(report.id, "Add the attendance list")]
    assert client.get(path).status_code == 404  # back with its agency until it is submitted again


def test_a_report_reviewed_meanwhile_cannot_be_reviewed_twice(client, login_as, db_session, submitted):
    report = submitted["report"]
    login_as("secretariat")
    path = f"/secretariat/reviews/{report.id}"
    token = csrf_token(client, path)
    assert client.post(f"{path}/accept", data={"csrf_token": token}).status_code == 302
    response = client.post(f"{path}/return", data={"csrf_token": token, "return_comment": "Too late"})
    assert response.status_code == 422
    assert "Only submitted reports can be reviewed; this one is accepted." in text(response)
    assert db_session.get(ProgressReport, report.id).state == "accepted"


def test_assigning_through_the_service_shows_on_the_workspace(client, login_as, plan):
    # The workspace reads fresh data: an assignment made elsewhere is shown at once.
    factories.agency(name="Cabinet Secretariat", acronym="CS")
    action = factories.action(plan)
    assign_actions([action], {"lead_agency": "CS"}, actor=factories.SYSTEM, now=NOW)
    login_as("secretariat")
    assert "Cabinet Secretariat (CS)" in text(client.get(f"/secretariat/plans/{plan.slug}"))


def test_workspace_is_paged_and_select_all_assigns_every_matching_action_on_every_page(
        client, login_as, db_session, plan):
    factories.agency(acronym="MIN")
    new_owner = factories.agency(name="National Data Centre", acronym="NDC")
    pending = [factories.action(plan, code=f"P{n:03d}", lead_agency="MIN") for n in range(60)]
    ongoing = [factories.action(plan, code=f"O{n:03d}", lead_agency="MIN", status="ongoing") for n in range(5)]
    login_as("secretariat")
    path = f"/secretariat/plans/{plan.slug}"

    page = text(client.get(f"{path}?status=pending"))
    assert "Showing 1–50 of 60 actions" in page and page.count('name="action" value=') == 50
    assert "Select all 60 actions that match the filters, on every page" in page
    assert f'href="{path}?status=pending&act_page=2#actions-heading"' in page

    # Nothing ticked, no agency: the errors come first on the page, before the filters and tables.
    response = post(client, f"{path}/assign?status=pending", {"select_all": "1"}, form_path=path)
    page = text(response)
    assert response.status_code == 422
    summary = page.index('class="error-summary"')
    assert summary < page.index('id="filters-heading"') < page.index('id="actions-heading"')
    assert '<a href="#lead_agency">Choose the lead agency</a>' in page[summary:summary + 600]

    response = post(client, f"{path}/assign?status=pending&act_page=2",
                    {"select_all": "1", "lead_agency": "NDC", "reason": "Moved"}, form_path=path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{path}?status=pending&act_page=2")
    assert "60 actions assigned to National Data Centre (NDC)." in text(client.get(response.headers["Location"]))
    assert {a.lead_agency_id for a in pending} == {new_owner.id}
    assert {a.lead_agency.acronym for a in ongoing} == {"MIN"}  # the filter left them out


def test_workspace_bad_parameters_fall_back_with_a_message(client, login_as, plan):
    factories.action(plan, code="ONLY")
    login_as("secretariat")
    response = client.get(f"/secretariat/plans/{plan.slug}?act_page=x&status=nope&act_sort=sideways")
    page = text(response)
    assert response.status_code == 200 and '<th scope="row">ONLY</th>' in page
    for message in ("page: 'x' is not a whole number", "There is no status 'nope'", "cannot be sorted by 'sideways'"):
        assert message in page
