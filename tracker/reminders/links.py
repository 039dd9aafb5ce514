"""Signed, expiring links from reminder emails to one action's report form.

A link names one user and one action and grants nothing else: it opens that
report form (or records "no change since the last report") without signing in.
It files one report, ever: the report carries the link's id, which is unique.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.models import Action, User
from tracker.services.errors import Forbidden
from tracker.services.permissions import can_report_on

SALT = "report-link"


@dataclass(frozen=True)
class ReportLink:
    user: User
    action: Action
    # A digest of the token's signed part (payload and time): the signature covers exactly
    # those bytes, so no other spelling of the token (its signature's last base64 character
    # can vary) makes another id.
    link_id: str


def sign_report_link(secret_key: str, user: User, action: Action) -> str:
    """A token for ``user`` to report on ``action``."""
    return URLSafeTimedSerializer(secret_key, salt=SALT).dumps({"u": user.id, "a": action.id})


def open_report_link(secret_key: str, token: str, *, max_age: int) -> ReportLink:
    """The user and action a token names; ``Forbidden`` if it is bad, expired or no longer valid."""
    serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise Forbidden(gettext("This link has expired. Sign in to report, or use the link in a newer reminder.")) from None
    except BadSignature:
        raise Forbidden(gettext("This link is not valid.")) from None
    user = db.session.get(User, payload.get("u"))
    action = db.session.get(Action, payload.get("a"))
    # The link stops working when the user may no longer report on the action.
    if user is None or action is None or not user.active or not can_report_on(user, action):
        raise Forbidden(gettext("This link is no longer valid for this action."))
    signed = token.rsplit(".", 1)[0]
    return ReportLink(user=user, action=action, link_id=hashlib.sha256(signed.encode()).hexdigest())
