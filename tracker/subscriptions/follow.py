"""Following by email: ask (a confirmation mail goes out), confirm, unsubscribe in one click.

The address is kept only to send what was asked for: never shown on a page, never in open
data or the API. The page says the same thing whether or not the address was already
following, so nobody can learn who follows what.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from jinja2 import Environment
from marshmallow import ValidationError, validate
from sqlalchemy import select

from tracker.extensions import db
from tracker.formats import DEFAULT_LOCALE
from tracker.models import Area, OutboxMessage, Plan, Recommendation, Subscription
from tracker.reminders.compose import LinkSettings
from tracker.reminders.mail import one_line
from tracker.services.errors import NotFound, ValidationFailed
from tracker.services.transaction import atomic
from tracker.web.content_language import content_text

# A second request for the same address and thing within this time sends no second mail
# (someone typing another person's address again and again cannot flood their inbox).
RESEND_AFTER = timedelta(hours=1)
_email = validate.Email()


@dataclass(frozen=True)
class Followed:
    """What a subscription is about, for pages and mails."""

    plan: Plan
    area: Area | None
    recommendation: Recommendation | None

    @property
    def label(self) -> str:
        # Read when a page or mail is written, in its language (titles too, where translated).
        plan = content_text(self.plan, "title")
        if self.recommendation is not None:
            return gettext("recommendation %(code)s of %(plan)s", code=self.recommendation.code, plan=plan)
        if self.area is not None:
            return gettext("the area %(area)s of %(plan)s", area=content_text(self.area, "name"), plan=plan)
        return plan

    @property
    def path(self) -> str:
        if self.recommendation is not None:
            return f"/plans/{self.plan.slug}/recommendations/{self.recommendation.code}"
        return f"/plans/{self.plan.slug}"


def followed_thing(plan_slug: str | None, area_code: str | None = None,
                   recommendation_code: str | None = None) -> Followed:
    """The published plan, area or recommendation named; ``ValidationFailed`` naming the field."""
    plan = db.session.scalars(select(Plan).where(Plan.slug == (plan_slug or ""), Plan.published.is_(True))).first()
    if plan is None:
        raise ValidationFailed({"plan": [gettext("No such published plan.")]})
    area = recommendation = None
    if recommendation_code:
        recommendation = db.session.scalars(select(Recommendation).where(
            Recommendation.plan_id == plan.id, Recommendation.code == recommendation_code)).first()
        if recommendation is None:
            raise ValidationFailed({"recommendation": [gettext("The plan has no such recommendation.")]})
    elif area_code:
        area = db.session.scalars(select(Area).where(Area.plan_id == plan.id, Area.code == area_code)).first()
        if area is None:
            raise ValidationFailed({"area": [gettext("The plan has no such area.")]})
    return Followed(plan, area, recommendation)


def subscribe(email: str, followed: Followed, *, now: datetime, links: LinkSettings,
              templates: Environment, locale: str | None = None) -> None:
    """Ask to follow ``followed``: a confirmation mail is queued unless one went out recently
    or the address already follows it. Nothing is sent until the address confirms.

    ``locale`` is the language the address subscribed in: its mails are written in it."""
    email = (email or "").strip()
    try:
        _email(email)
    except ValidationError:
        email = ""
    if not email or len(email) > 254:
        raise ValidationFailed({"email": [gettext("Enter an email address like name@example.org.")]})
    with atomic():
        existing = db.session.scalars(select(Subscription).where(
            Subscription.email == email.lower(), Subscription.plan_id == followed.plan.id,
            _same(Subscription.area_id, followed.area), _same(Subscription.recommendation_id, followed.recommendation),
            Subscription.unsubscribed_at.is_(None),
        )).first()
        if existing is not None and (existing.confirmed_at or existing.created_at > now - RESEND_AFTER):
            return
        if existing is None:
            existing = Subscription(
                email=email.lower(), plan_id=followed.plan.id,
                area_id=followed.area.id if followed.area else None,
                recommendation_id=followed.recommendation.id if followed.recommendation else None,
            )
            db.session.add(existing)
        existing.token, existing.created_at = secrets.token_urlsafe(32), now
        existing.locale = locale
        db.session.flush()
        queue_mail(existing, "subscription_confirm", {"followed": followed}, now=now, links=links,
                   templates=templates)


def _same(column, thing):
    return column.is_(None) if thing is None else column == thing.id


def subscription_by_token(token: str) -> Subscription:
    """The subscription a link's token names (``NotFound`` for an unknown or ended one)."""
    found = db.session.scalars(select(Subscription).where(Subscription.token == (token or "")[:64])).first()
    if found is None or found.unsubscribed_at is not None:
        raise NotFound(gettext("This link is not valid any more: the subscription has ended or never existed."))
    return found


def confirm(token: str, *, now: datetime) -> Subscription:
    """Confirm a subscription from its mail's link; digests start with the changes after now."""
    with atomic():
        subscription = subscription_by_token(token)
        if subscription.confirmed_at is None:
            subscription.confirmed_at = subscription.notified_until = now
    return subscription


def unsubscribe(token: str, *, now: datetime) -> Subscription:
    """End a subscription (one click from any of its mails); nothing more is sent."""
    with atomic():
        subscription = subscription_by_token(token)
        subscription.unsubscribed_at = now
    return subscription


def followed_by(subscription: Subscription) -> Followed:
    return Followed(subscription.plan, subscription.area, subscription.recommendation)


def queue_mail(subscription: Subscription, kind: str, context: dict, *, now: datetime, links: LinkSettings,
               templates: Environment) -> OutboxMessage:
    """Write one mail about ``subscription`` to the outbox, with its one-click unsubscribe
    (RFC 8058: List-Unsubscribe and List-Unsubscribe-Post) in the headers and the text."""
    unsubscribe_url = f"{links.base_url}/subscriptions/{subscription.token}/unsubscribe"
    context = {**context, "base_url": links.base_url, "unsubscribe_url": unsubscribe_url,
               "confirm_url": f"{links.base_url}/subscriptions/{subscription.token}/confirm"}

    def written(name: str) -> str:
        return templates.get_template(f"email/{kind}{name}").render(context)

    host = links.base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "tracker"
    with force_locale(subscription.locale or DEFAULT_LOCALE):  # the language it subscribed in
        subject, body_text, body_html = one_line(written(".subject.txt")), written(".txt"), written(".html")
    message = OutboxMessage(
        recipient=subscription.email, kind=kind, subject=subject,
        body_text=body_text, body_html=body_html,
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        message_id=f"<{uuid.uuid4().hex}@{host}>", state="pending", attempts=0, next_attempt_at=now, created_at=now,
    )
    db.session.add(message)
    return message
