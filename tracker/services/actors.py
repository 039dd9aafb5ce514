"""Who did something, as a given viewer may know them: the one rule for every page, feed
and download that says who changed a status, reassigned an action or reviewed a report.

The secretariat and administrators see the person's email address: they run the process
and need to know whom to ask. Everyone else (other agencies' focal points, assessors,
the public, open data) sees a role ("Secretariat") or, for an agency's focal point, the
agency ("Cabinet Secretariat (CabSec)"): who acted on behalf of whom, never an address.
Changes made by the system keep their source's name ("seed", "import").

Histories record the user's id and the email they had; the role and agency shown are the
user's current ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Agency, User
from tracker.services.permissions import is_staff

ROLE_NAMES = {
    "admin": "Administrator",
    "secretariat": "Secretariat",
    "assessor": "Independent assessor",
    "agency": "Agency focal point",  # only when the user has no agency
}
FORMER_USER = "A former user"


@dataclass(frozen=True)
class ActorRef:
    """Who a history record names: the label recorded with it, and the user's role and agency.

    ``label`` is the user's email when the record was made, or a system source ("seed").
    ``role`` is None when no user is known (the system, or an account since removed).
    """

    label: str
    role: str | None = None
    agency: str | None = None  # the agency's display name, for focal points

    @classmethod
    def of(cls, user: User) -> ActorRef:
        """A user as the actor of something."""
        return cls(label=user.email, role=user.role, agency=user.agency.display_name if user.agency else None)


def shown_actor(actor: ActorRef, viewer: User | None) -> str:
    """How ``actor`` is named to ``viewer`` (None: the public): the one place that decides."""
    if is_staff(viewer) or (actor.role is None and "@" not in actor.label):
        return actor.label  # staff see addresses; system sources are names, not addresses
    if actor.role is None:
        return FORMER_USER
    if actor.role == "agency" and actor.agency:
        return actor.agency
    return ROLE_NAMES.get(actor.role, actor.role)


Recorded = tuple[int | None, str]  # (user id, label) as a history record keeps them


def shown_actors(records: Iterable[Recorded], viewer: User | None) -> dict[Recorded, str]:
    """``shown_actor`` for many recorded (user id, label) pairs, the users looked up at once."""
    records = set(records)
    ids = {user_id for user_id, _ in records if user_id is not None}
    users = {
        user_id: (role, agency.display_name if agency else None)
        for user_id, role, agency in db.session.execute(
            select(User.id, User.role, Agency).outerjoin(Agency, User.agency_id == Agency.id).where(User.id.in_(ids))
        )
    } if ids else {}
    shown = {}
    for user_id, label in records:
        role, agency = users.get(user_id, (None, None))
        shown[(user_id, label)] = shown_actor(ActorRef(label, role, agency), viewer)
    return shown
