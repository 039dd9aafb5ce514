"""Read-only look-ups for pages: finding things by id or code, and what a viewer may see of them.

Nothing here writes. The rules themselves are in ``services.permissions``; this module
applies them to whole pages (which reports, proposals, timeline entries and evidence a
viewer gets), so the views stay thin and the public and signed-in pages agree.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import (
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
from tracker.services.actions import find_action
from tracker.services.assessments import StatusViews
from tracker.services.errors import NotFound
from tracker.services.history import TimelineEntry, timeline
from tracker.services.permissions import can_view_report, is_agency_action, is_staff
from tracker.services.plans import get_plan
from tracker.services.recommendations import find_recommendation
from tracker.services.reports import accepted_reports, reports_for_action

# Timeline events about a report, whose details are only for those who may see the report.
REPORT_EVENTS = {
    "report_submitted": "Progress report submitted",
    "report_returned": "Progress report returned to the agency",
}


def _get(model, ident: int, message: str):
    found = db.session.get(model, ident)
    if found is None:
        raise NotFound(message)
    return found


def get_action(action_id: int) -> Action:
    return _get(Action, action_id, "No such action.")


def get_report(report_id: int) -> ProgressReport:
    return _get(ProgressReport, report_id, "No such report.")


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
        raise NotFound(f"No recommendation {code!r} in this plan.")
    return rec


def published_action(slug: str, code: str) -> Action:
    """The action ``code`` of the published plan ``slug``."""
    action = find_action(get_plan(slug, published_only=True), code)
    if action is None:
        raise NotFound(f"No action {code!r} in this plan.")
    return action


def editable_report(action: Action) -> ProgressReport | None:
    """The action's latest draft or returned report, which its agency should carry on with."""
    return db.session.scalars(
        select(ProgressReport)
        .where(ProgressReport.action_id == action.id, ProgressReport.state.in_(("draft", "returned")))
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
    ).first()


def is_public_report(report: ProgressReport) -> bool:
    """Accepted reports of published plans are for everyone."""
    return report.state == "accepted" and report.action.plan.published


def may_see_report(report: ProgressReport, viewer: User | None) -> bool:
    return is_public_report(report) or can_view_report(viewer, report)


def visible_reports(action: Action, viewer: User | None) -> list[ProgressReport]:
    """The public's accepted reports, plus every other report ``viewer`` may see; newest first."""
    reports = {r.id: r for r in accepted_reports(action)}
    if viewer is not None:
        reports.update({r.id: r for r in reports_for_action(action, viewer)})
    return sorted(reports.values(), key=lambda r: (r.created_at, r.id), reverse=True)


def accepted_evidence(actions: list[Action]) -> list[tuple[Action, ProgressReport]]:
    """(action, accepted report) pairs that carry evidence, for a recommendation's page."""
    return [(action, report) for action in actions for report in accepted_reports(action) if report.evidence]


def visible_proposals(views: StatusViews, viewer: User | None) -> list[tuple[Action, ProgressReport]]:
    """Agencies' proposed statuses: staff see all; an agency sees its own actions'; the public none."""
    if is_staff(viewer):
        return list(views.proposed)
    return [(action, report) for action, report in views.proposed if is_agency_action(viewer, action)]


def visible_timeline(subject, viewer: User | None) -> list[TimelineEntry]:
    """``subject``'s timeline, without the details of reports ``viewer`` may not see, and
    with who did each thing as ``viewer`` may know them (``services.actors``).

    A submitted report's percent and proposed status (and a returned one's comment) stay
    with its agency and the secretariat until it is accepted; the public sees only that
    a report was submitted or returned.
    """
    entries = timeline(subject, viewer)
    report_ids = {
        e.details.get("report_id") for e in entries if e.kind in REPORT_EVENTS and e.details
    }
    reports = {
        r.id: r
        for r in db.session.scalars(select(ProgressReport).where(ProgressReport.id.in_(report_ids)))
    } if report_ids else {}
    shown = []
    for entry in entries:
        if entry.kind in REPORT_EVENTS:
            report = reports.get((entry.details or {}).get("report_id"))
            if report is None or not may_see_report(report, viewer):
                entry = replace(entry, summary=REPORT_EVENTS[entry.kind], reason=None, details={})
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
