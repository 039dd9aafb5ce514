"""Digests for followers: one mail per subscription with every status change since the last.

A pass writes each digest and moves its subscription's ``notified_until`` in the same
transaction, so a change is told once: a second pass, or a second scheduler, finds nothing
new. The outbox then delivers each message once.
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment
from sqlalchemy import and_, or_, select

from tracker.extensions import db
from tracker.models import (
    Action,
    Plan,
    Recommendation,
    StatusChange,
    Subscription,
    recommendation_actions,
)
from tracker.reminders.compose import LinkSettings
from tracker.services.transaction import atomic
from tracker.subscriptions.follow import followed_by, queue_mail

# A digest lists at most this many changes, then links to the plan's changes page: a mail
# of a thousand lines helps nobody (and costs its rendering for every follower).
LISTED = 50


def queue_digests(now: datetime, *, links: LinkSettings, templates: Environment) -> int:
    """Write a digest for every confirmed subscription whose things changed status; returns how many."""
    written = 0
    with atomic():
        subscriptions = db.session.scalars(
            select(Subscription).join(Plan, Subscription.plan_id == Plan.id).where(
                Subscription.confirmed_at.is_not(None), Subscription.unsubscribed_at.is_(None),
                Plan.published.is_(True),
            ).order_by(Subscription.id)
        ).all()
        # Followers of one thing told up to the same moment (every pass moves them all on
        # together) share one query and one list: a thousand followers of a plan cost one.
        found: dict[tuple, list[dict]] = {}
        for subscription in subscriptions:
            key = (subscription.plan_id, subscription.area_id, subscription.recommendation_id,
                   subscription.notified_until)
            if key not in found:
                found[key] = _rows(_changes(subscription, now), links.base_url)
            if not found[key]:
                continue
            queue_mail(subscription, "subscription_digest", {
                "followed": followed_by(subscription), "changes": found[key],
                "listed": LISTED, "changes_url": f"{links.base_url}/plans/{subscription.plan.slug}/changes",
            }, now=now, links=links, templates=templates)
            subscription.notified_until = now
            written += 1
    return written


def _changes(subscription: Subscription, now: datetime) -> list[StatusChange]:
    """Status changes in the subscription's scope after it was last told, up to ``now``."""
    query = select(StatusChange).where(
        StatusChange.plan_id == subscription.plan_id,
        StatusChange.changed_at > subscription.notified_until, StatusChange.changed_at <= now,
    )
    if subscription.recommendation_id is not None:
        actions = select(recommendation_actions.c.action_id).where(
            recommendation_actions.c.recommendation_id == subscription.recommendation_id)
        query = query.where(or_(
            and_(StatusChange.subject_type == "recommendation", StatusChange.subject_id == subscription.recommendation_id),
            and_(StatusChange.subject_type == "action", StatusChange.subject_id.in_(actions)),
        ))
    elif subscription.area_id is not None:
        query = query.where(or_(
            and_(StatusChange.subject_type == "recommendation", StatusChange.subject_id.in_(
                select(Recommendation.id).where(Recommendation.area_id == subscription.area_id))),
            and_(StatusChange.subject_type == "action", StatusChange.subject_id.in_(
                select(Action.id).where(Action.area_id == subscription.area_id))),
        ))
    return list(db.session.scalars(query.order_by(StatusChange.changed_at, StatusChange.id)))


def _rows(changes: list[StatusChange], base_url: str) -> list[dict]:
    ids = {kind: {c.subject_id for c in changes if c.subject_type == kind} for kind in ("recommendation", "action")}
    subjects = {("recommendation", r.id): r for r in db.session.scalars(
        select(Recommendation).where(Recommendation.id.in_(ids["recommendation"])))}
    subjects |= {("action", a.id): a for a in db.session.scalars(select(Action).where(Action.id.in_(ids["action"])))}
    rows = []
    for change in changes:
        subject = subjects.get((change.subject_type, change.subject_id))
        if subject is None:
            continue
        kind = "recommendations" if change.subject_type == "recommendation" else "actions"
        # The subject and statuses themselves, not their words: followers of one thing share
        # these rows, and each mail names them in its reader's language.
        rows.append({
            "code": subject.code,
            "subject": subject,
            "field": "title" if change.subject_type == "action" else "text",
            "old": change.old_status,
            "new": change.new_status,
            "new_key": change.new_status_key,
            "percent": change.new_percent if change.new_percent != change.old_percent else None,
            "on": change.changed_at.date(),
            "url": f"{base_url}/plans/{subject.plan.slug}/{kind}/{subject.code}",
        })
    return rows
