"""Single sign-on: who an identity provider's answer is, here.

The OpenID Connect exchange itself (state, nonce, PKCE, the ID token's signature and
expiry) is checked by the client in ``web.oidc``; this module decides what the verified
claims mean. An account is matched by its email, and only when the provider says the
email is verified (unless the operator turned that off for a provider that never says).
Nobody gets an account just for having a login at the provider: one is created at the
first sign-in only for an email domain an admin allowed, with the role they chose.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import SingleSignOnDomain, User
from tracker.schemas.user import SingleSignOnDomainInput
from tracker.services.agencies import find_agency_anywhere
from tracker.services.errors import NotFound, SignInRefused, ValidationFailed
from tracker.services.permissions import require
from tracker.services.transaction import atomic
from tracker.services.users import find_user_by_email
from tracker.services.validation import validated


def claimed_email(claims: dict, *, email_claim: str, require_verified: bool) -> str:
    """The email the provider vouches for, or ``SignInRefused`` saying why there is none."""
    email = claims.get(email_claim)
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise SignInRefused("Your identity provider did not give an email address, so we cannot tell who you are.")
    if require_verified and claims.get("email_verified") is not True:
        raise SignInRefused(
            "Your identity provider has not verified your email address, so it cannot be used to sign you in."
        )
    return email.strip().lower()


def account_for_identity(
    claims: dict, *, email_claim: str, require_verified: bool, now: datetime
) -> User:
    """The active account the verified claims name, created now if an admin allowed its domain.

    Raises ``SignInRefused`` when the email is missing or unverified, the account is disabled,
    or there is no account and its domain is not allowed.
    """
    email = claimed_email(claims, email_claim=email_claim, require_verified=require_verified)
    user = find_user_by_email(email)
    if user is not None:
        if not user.active:
            raise SignInRefused("This account is disabled. Ask an administrator.")
        return user
    rule = domain_rule(email.rsplit("@", 1)[1])
    if rule is None:
        raise SignInRefused(
            f"There is no account for {email}, and accounts are not created for its domain. Ask an administrator."
        )
    with atomic():
        # No password anyone knows: the account signs in through its provider (an admin or
        # the command line can give it one later).
        user = User(email=email, role=rule.role, agency=rule.agency if rule.role == "agency" else None,
                    created_at=now)
        user.set_password(_unusable_password())
        db.session.add(user)
        db.session.flush()
        return user


def _unusable_password() -> str:
    return secrets.token_urlsafe(32)


def domain_rule(domain: str) -> SingleSignOnDomain | None:
    return db.session.scalars(
        select(SingleSignOnDomain).where(SingleSignOnDomain.domain == domain.strip().lower())
    ).first()


def domain_rules() -> list[SingleSignOnDomain]:
    return list(db.session.scalars(select(SingleSignOnDomain).order_by(SingleSignOnDomain.domain)))


def allow_domain(data: dict, *, acting_admin: User | None, now: datetime) -> SingleSignOnDomain:
    """Let people of an email domain get an account, with a role, at their first single sign-on."""
    require(acting_admin is None or acting_admin.role == "admin", lazy_gettext("Only administrators manage single sign-on."))
    fields = validated(SingleSignOnDomainInput(), {**data, "domain": (data.get("domain") or "").strip().lower()})
    agency = None
    if fields["role"] == "agency":
        agency = find_agency_anywhere(fields["agency"])
        if agency is None:
            raise ValidationFailed({"agency": [gettext("Unknown agency %(agency)r.", agency=fields['agency'])]})
    if domain_rule(fields["domain"]) is not None:
        raise ValidationFailed({"domain": [gettext("This domain is allowed already; remove it first to change its role.")]})
    with atomic():
        rule = SingleSignOnDomain(domain=fields["domain"], role=fields["role"], agency=agency, created_at=now)
        db.session.add(rule)
        db.session.flush()
        return rule


def remove_domain(rule_id: int, *, acting_admin: User | None) -> SingleSignOnDomain:
    """Stop creating accounts for a domain; accounts made already stay."""
    require(acting_admin is None or acting_admin.role == "admin", lazy_gettext("Only administrators manage single sign-on."))
    rule = db.session.get(SingleSignOnDomain, rule_id)
    if rule is None:
        raise NotFound(gettext("No such domain."))
    with atomic():
        db.session.delete(rule)
        return rule
