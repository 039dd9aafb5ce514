"""Read-only look-ups for pages: finding things by id or code, and what a viewer may see of them.

Nothing here writes. The rules themselves are in ``services.permissions`` and, for progress
reports, ``services.access``; this module
applies them to whole pages (which reports, proposals, timeline entries and evidence a
viewer gets), so the views stay thin and the public and signed-in pages agree.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
    EDITABLE_REPORT_STATES,
    Action,
    Agency,
    AssessmentRound,
    Evidence,
    Plan,
    ProgressReport,
    Recommendation,
    RecommendationAssessment,
    User,
)
from tracker.services.access import can_read_review, visible_review_comment
from tracker.services.actions import find_action
from tracker.services.assessments import StatusViews
from tracker.services.errors import NotFound
from tracker.services.history import TimelineEntry, timeline
from tracker.services.permissions import is_agency_action, is_staff
from tracker.services.plans import get_plan
from tracker.services.recommendations import find_recommendation
from tracker.services.reports import accepted_reports

# Timeline events of the review exchange: their details (what a submission proposed, why
# a report was returned) are only for the secretariat and the agency that wrote the report;
# everyone else sees the bare fact, under this summary. A withdrawn report was never
# submitted: nobody else learns it existed.
REPORT_EVENTS = {
    "report_submitted": "Progress report submitted",
    "report_returned": "Progress report returned to the agency",
    "report_withdrawn": None,
}


def _get(model, ident: int, message: str):
    found = db.session.get(model, ident)
    if found is None:
        raise NotFound(message)
    return found


def get_action(action_id: int) -> Action:
    return _get(Action, action_id, "No such action.")


def get_evidence(evidence_id: int) -> Evidence:
    return _get(Evidence, evidence_id, "No such evidence.")


def get_user(user_id: int) -> User:
    return _get(User, user_id, "No such user.")


def get_recommendation(recommendation_id: int) -> Recommendation:
    return _get(Recommendation, recommendation_id, "No such recommendation.")


def get_assessment_round(round_id: int) -> AssessmentRound:
    return _get(AssessmentRound, round_id, "No such assessment round.")


def published_recommendation(slug: str, code: str) -> Recommendation:
    """The recommendation ``code`` of the published plan ``slug``."""
    rec = find_recommendation(get_plan(slug, published_only=True), code)
    if rec is None:
        raise NotFound(gettext("No recommendation %(code)r in this plan.", code=code))
    return rec


def published_action(slug: str, code: str) -> Action:
    """The action ``code`` of the published plan ``slug``."""
    action = find_action(get_plan(slug, published_only=True), code)
    if action is None:
        raise NotFound(gettext("No action %(code)r in this plan.", code=code))
    return action


def editable_report(action: Action, viewer: User) -> ProgressReport | None:
    """The viewer's agency's draft or returned report on the action, to carry on with."""
    return db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.action_id == action.id, ProgressReport.agency_id == viewer.agency_id,
               ProgressReport.state.in_(EDITABLE_REPORT_STATES))
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
    ).first()


def review_comments(reports: list[ProgressReport], viewer: User | None) -> dict[int, str | None]:
    """Each report's reviewer comment as ``viewer`` may read it, by report id."""
    return {report.id: visible_review_comment(viewer, report) for report in reports}


def accepted_evidence(actions: list[Action]) -> list[tuple[Action, ProgressReport]]:
    """(action, accepted report) pairs that carry evidence, for a recommendation's page."""
    return [(action, report) for action in actions for report in accepted_reports(action) if report.evidence]


def visible_proposals(views: StatusViews, viewer: User | None) -> list[tuple[Action, ProgressReport]]:
    """Agencies' proposed statuses: staff see all; an agency sees its own actions'; the public none."""
    if is_staff(viewer):
        return list(views.proposed)
    return [(action, report) for action, report in views.proposed if is_agency_action(viewer, action)]


def visible_timeline(subject, viewer: User | None) -> list[TimelineEntry]:
    """``subject``'s timeline, without the review exchange ``viewer`` may not read, and
    with who did each thing as ``viewer`` may know them (``services.actors``).

    What a submission proposed and why a report was returned stay between the
    secretariat and the agency that wrote the report, also once the report is accepted;
    the public sees only that a report was submitted or returned. An acceptance comment
    is on the timeline only if it was made public, but the secretariat and the agency
    read it there all the same.
    """
    entries = timeline(subject, viewer)
    kinds = {*REPORT_EVENTS, "report_accepted"}
    report_ids = {e.details.get("report_id") for e in entries if e.kind in kinds and e.details}
    reports = {
        r.id: r
        for r in db.session.scalars(select(ProgressReport).where(ProgressReport.id.in_(report_ids)))
    } if report_ids else {}
    shown = []
    for entry in entries:
        report = reports.get((entry.details or {}).get("report_id")) if entry.kind in kinds else None
        readable = report is not None and can_read_review(viewer, report)
        if entry.kind in REPORT_EVENTS and not readable:
            if REPORT_EVENTS[entry.kind] is None:
                continue
            entry = replace(entry, summary=REPORT_EVENTS[entry.kind], reason=None, details={})
        elif entry.kind == "report_accepted" and readable and entry.reason is None:
            entry = replace(entry, reason=report.reviewer_comment)
        shown.append(entry)
    return shown


def assessment_rounds(plan) -> list[AssessmentRound]:
    """A plan's assessment rounds, newest first."""
    return list(
        db.session.scalars(
            select(AssessmentRound)
            .where(AssessmentRound.plan_id == plan.id)
            .options(selectinload(AssessmentRound.assessments))
            .order_by(AssessmentRound.assessed_on.desc(), AssessmentRound.id.desc())
        )
    )


def round_plan(round_: AssessmentRound) -> Plan:
    """The plan an assessment round belongs to."""
    return _get(Plan, round_.plan_id, "No such plan.")


def round_assessments(round_: AssessmentRound) -> dict[int, RecommendationAssessment]:
    """The statuses recorded in a round, by recommendation id."""
    return {
        a.recommendation_id: a
        for a in db.session.scalars(
            select(RecommendationAssessment)
            .where(RecommendationAssessment.round_id == round_.id)
            .options(selectinload(RecommendationAssessment.status))
        )
    }


def list_agencies() -> list[Agency]:
    """Every agency, by country then name."""
    return list(db.session.scalars(select(Agency).order_by(Agency.country, Agency.name)))
