"""Assign, report, review: the workflow through the services, with its history."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.models import Evidence, ProgressReport
from tracker.services.actions import assign_actions, update_action
from tracker.services.assessments import (
    open_assessment_round,
    recommendation_status_views,
    record_assessor_status,
)
from tracker.services.errors import EditConflict, Forbidden, Throttled, ValidationFailed
from tracker.services.history import timeline
from tracker.services.obligations import what_we_owe
from tracker.services.reports import (
    accept_report,
    add_evidence_file,
    return_report,
    review_queue,
    save_report,
)
from tracker.services.rounds import missing_reports, open_reporting_round
from tracker.services.transaction import Actor
from tracker.services.users import sign_in

LATER = NOW + timedelta(days=1)


@pytest.fixture
def setting(db_session):
    plan = factories.plan()
    ministry = factories.agency(acronym="MIN")
    other = factories.agency(acronym="OTH")
    rec = factories.recommendation(plan)
    action = factories.action(plan, recommendations=[rec.code], due_date="2026-12-31")
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="MIN")
    outsider = factories.user("agency", agency="OTH")
    return plan, ministry, other, rec, action, secretariat, focal, outsider


def report_data(**fields):
    return {"narrative": "Portal launched", "percent_complete": 60, "proposed_status": "ongoing", **fields}


def test_the_whole_story_assign_report_return_resubmit_accept(setting, tmp_path):
    plan, ministry, _, _rec, action, secretariat, focal, _ = setting
    assign_actions([action], {"lead_agency": "MIN", "reason": "Owns the portal"}, actor=Actor.of(secretariat), now=NOW)
    round_ = open_reporting_round(plan, {"name": "Q4 2026", "opens_on": "2026-10-01", "deadline": "2026-12-15"})
    assert [m.action for m in missing_reports(round_)] == [action]

    report = save_report(action, report_data(), author=focal, now=NOW, submit=False)
    assert report.state == "draft" and report.round == round_
    add_evidence_file(report, "minutes.pdf", io.BytesIO(b"%PDF-1.7 minutes"), user=focal,
                      upload_dir=str(tmp_path), max_bytes=1_000_000, now=NOW)
    save_report(action, report_data(links=["https://data.example.org/portal"]), author=focal, now=NOW,
                submit=True, report=report)
    assert report.state == "submitted" and review_queue() == [report]
    assert missing_reports(round_) == []
    assert action.status_key == "pending"  # nothing public changes before acceptance

    return_report(report, {"comment": "Add the launch date"}, reviewer=secretariat, now=LATER)
    assert report.state == "returned" and what_we_owe(ministry.id, date(2026, 11, 24)).returned == [report]
    save_report(action, report_data(narrative="Portal launched on 1 Nov"), author=focal, now=LATER,
                submit=True, report=report)
    accept_report(report, {"comment": "Thanks"}, reviewer=secretariat, now=LATER + timedelta(hours=1))

    assert (action.status_key, action.percent_complete) == ("ongoing", 60)
    kinds = [entry.kind for entry in timeline(action)]
    assert kinds == ["status", "reassigned", "report_submitted", "report_returned",
                     "report_submitted", "status", "report_accepted"]
    last_status = [e for e in timeline(action, secretariat) if e.kind == "status"][-1]
    assert last_status.who == secretariat.email and last_status.reason == "Accepted progress report of 2026-11-24"
    assert (report.reviewer_comment, report.comment_public) == ("Thanks", False)  # private unless ticked public
    assert {e.kind for e in report.evidence} == {"file", "link"}


def test_other_agencies_cannot_report_or_see_drafts(setting):
    _, _, _, _, action, secretariat, focal, outsider = setting
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    with pytest.raises(Forbidden):
        save_report(action, report_data(), author=outsider, now=NOW, submit=True)
    from tracker.services.access import can_view_report

    draft = save_report(action, report_data(), author=focal, now=NOW, submit=False)
    assert can_view_report(focal, draft)
    assert not can_view_report(outsider, draft)
    assert not can_view_report(secretariat, draft)  # drafts stay with the agency
    with pytest.raises(Forbidden):
        accept_report(draft, {}, reviewer=focal, now=NOW)


def test_every_problem_of_a_report_is_named_at_once(setting, db_session):
    _, _, _, _, action, _, focal, _ = setting
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    with pytest.raises(ValidationFailed) as caught:
        save_report(action, {"narrative": "", "percent_complete": 120, "proposed_status": "done"},
                    author=focal, now=NOW, submit=True)
    assert set(caught.value.errors) == {"narrative", "percent_complete", "proposed_status"}
    with pytest.raises(ValidationFailed) as caught:
        save_report(action, {"narrative": "", "percent_complete": 20, "proposed_status": "done",
                             "links": ["javascript:alert(1)"]}, author=focal, now=NOW, submit=True)
    assert set(caught.value.errors) == {"links", "narrative", "proposed_status"}
    with pytest.raises(ValidationFailed) as caught:
        save_report(action, {"narrative": "", "percent_complete": 20, "proposed_status": "done"},
                    author=focal, now=NOW, submit=True)
    assert set(caught.value.errors) == {"narrative", "proposed_status"}
    assert db_session.scalar(select(func.count()).select_from(ProgressReport)) == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "not a valid .pdf"),
        ("notes.txt", b"<!DOCTYPE html><p>hi</p>", "not a valid .txt"),
        ("../../etc/passwd.txt", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"x" * 2000, "larger than"),
    ],
)
def test_bad_evidence_files_are_refused_and_nothing_is_stored(setting, tmp_path, db_session, name, content, message):
    _, _, _, _, action, _, focal, _ = setting
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    report = save_report(action, report_data(), author=focal, now=NOW, submit=False)
    with pytest.raises(ValidationFailed) as caught:
        add_evidence_file(report, name, io.BytesIO(content), user=focal, upload_dir=str(tmp_path), max_bytes=1024, now=NOW)
    assert message in caught.value.errors["file"][0]
    assert db_session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert list(tmp_path.iterdir()) == []


def test_traversal_names_are_stored_under_random_names(setting, tmp_path):
    _, _, _, _, action, _, focal, _ = setting
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    report = save_report(action, report_data(), author=focal, now=NOW, submit=False)
    evidence = add_evidence_file(report, "../../../etc/cron.d/x.pdf", io.BytesIO(b"%PDF-1.4"), user=focal,
                                 upload_dir=str(tmp_path), max_bytes=1024, now=NOW)
    assert evidence.filename == "etc_cron.d_x.pdf"
    assert [p.name for p in tmp_path.iterdir()] == [evidence.stored_name]


def test_concurrent_edits_conflict_and_name_what_changed(setting):
    _, _, _, _, action, secretariat, _, _ = setting
    seen = action.version
    first = {"title": "Publish budget data", "status": "pending", "start_date": "2026-01-01", "due_date": "2026-12-31"}
    update_action(action, first, expected_version=seen, actor=Actor.of(secretariat), now=NOW)
    second = {"title": "Publish spending data", "status": "pending", "start_date": "2026-01-01", "due_date": "2026-12-31"}
    with pytest.raises(EditConflict) as caught:
        update_action(action, second, expected_version=seen, actor=Actor.of(secretariat), now=NOW)
    assert caught.value.changes == {"title": ("Publish budget data", "Publish spending data")}
    assert action.title == "Publish budget data"
    update_action(action, second, expected_version=caught.value.version, actor=Actor.of(secretariat), now=NOW)
    assert action.title == "Publish spending data"


def test_date_changes_need_a_reason_and_are_on_the_timeline(setting):
    _, _, _, _, action, secretariat, _, _ = setting
    data = {"title": action.title, "status": "pending", "start_date": "2026-01-01", "due_date": "2027-03-31"}
    with pytest.raises(ValidationFailed) as caught:
        update_action(action, data, expected_version=action.version, actor=Actor.of(secretariat), now=NOW)
    assert caught.value.errors == {"reason": ["Say why the due date change."]}
    assert action.due_date == date(2026, 12, 31)
    update_action(action, {**data, "reason": "Budget approved late"}, expected_version=action.version,
                  actor=Actor.of(secretariat), now=NOW)
    [entry] = [e for e in timeline(action) if e.kind == "dates_changed"]
    assert "2026-12-31 → 2027-03-31" in entry.summary and entry.reason == "Budget approved late"


def test_bulk_assignment(setting):
    plan, _, other, _, action, secretariat, _, _ = setting
    more = [factories.action(plan) for _ in range(3)]
    assign_actions([action, *more], {"lead_agency": "OTH", "reason": "Reorganisation"},
                   actor=Actor.of(secretariat), now=NOW)
    assert {a.lead_agency_id for a in [action, *more]} == {other.id}
    assert all(any(e.kind == "reassigned" for e in timeline(a)) for a in more)


def test_assessor_status_is_kept_apart_from_the_validated_status(setting):
    plan, _, _, rec, _, _, _, _ = setting
    assessor = factories.user("assessor")
    round_ = open_assessment_round(plan, {"name": "Independent review 2026", "assessed_on": "2026-11-01"},
                                   user=assessor, now=NOW)
    record_assessor_status(round_, rec, {"status": "under_discussion", "justification": "Drafts only"},
                           assessor=assessor, now=NOW)
    views = recommendation_status_views(rec)
    assert views.validated.key == "pending"
    assert [(a.status_key, a.justification) for a in views.assessed] == [("under_discussion", "Drafts only")]
    with pytest.raises(Forbidden):
        record_assessor_status(round_, rec, {"status": "ongoing", "justification": "x" * 5},
                               assessor=factories.user("secretariat"), now=NOW)


def test_sign_in_is_throttled_after_repeated_failures(db_session):
    user = factories.user()
    right, wrong = {"email": user.email, "password": factories.PASSWORD}, {"email": user.email, "password": "wrong"}
    for minute in range(5):
        assert sign_in(wrong, remote_addr="10.0.0.1", now=NOW + timedelta(minutes=minute)) is None
    with pytest.raises(Throttled):  # a minute's wait after the fifth failure (services.throttling)
        sign_in(right, remote_addr="10.0.0.1", now=NOW + timedelta(minutes=4, seconds=30))
    later = NOW + timedelta(minutes=16)
    assert sign_in(right, remote_addr="10.0.0.1", now=later) == user


def test_what_we_owe_lists_overdue_first(setting):
    plan, ministry, _, _, action, _, _, _ = setting
    late = factories.action(plan, due_date="2026-10-01", start_date="2026-01-01")
    assign_actions([action, late], {"lead_agency": "MIN"}, actor=SYSTEM, now=NOW)
    owed = what_we_owe(ministry.id, date(2026, 11, 23))
    assert owed.actions == [late, action] and owed.overdue == {late.id}


def test_api_tokens_are_hashed_shown_once_and_revocable(setting):
    from tracker.services.tokens import TokenRefused, authenticate_token, create_token, revoke_token

    _, _, _, _, _, _, focal, _ = setting
    token, secret = create_token(focal, {"name": "laptop", "scope": "read"}, now=NOW)
    assert secret not in token.token_hash and token.prefix == secret[:8]
    assert authenticate_token(secret, now=NOW).user == focal
    revoke_token(focal, token.id, now=datetime(2026, 11, 24, tzinfo=UTC))
    with pytest.raises(TokenRefused):
        authenticate_token(secret, now=NOW)
