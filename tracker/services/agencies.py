"""Agencies: creating them and finding them by acronym or name within a country."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from tracker.extensions import db
from tracker.models import Agency
from tracker.schemas.user import AgencyInput
from tracker.services.errors import ValidationFailed
from tracker.services.transaction import atomic
from tracker.services.validation import validated


def find_agency(country: str, key: str) -> Agency | None:
    """The agency of ``country`` whose acronym or name is ``key`` (case-insensitive)."""
    folded = key.strip().lower()
    return db.session.scalars(
        select(Agency).where(
            func.lower(Agency.country) == country.lower(),
            or_(func.lower(Agency.acronym) == folded, func.lower(Agency.name) == folded),
        )
    ).first()


def find_agency_anywhere(key: str) -> Agency | None:
    """An agency by acronym or name in any country (for the CLI, where keys are unambiguous)."""
    folded = key.strip().lower()
    matches = list(
        db.session.scalars(
            select(Agency).where(
                or_(func.lower(Agency.acronym) == folded, func.lower(Agency.name) == folded)
            )
        )
    )
    return matches[0] if len(matches) == 1 else None


def ensure_agency(data: dict) -> Agency:
    """The agency described by ``data`` (name, acronym, country), created if new.

    Bodies are de-duplicated within a country: first by acronym, then by name.
    """
    fields = validated(AgencyInput(), data)
    with atomic():
        agency = None
        if fields["acronym"]:
            agency = find_agency(fields["country"], fields["acronym"])
        if agency is None:
            agency = find_agency(fields["country"], fields["name"])
        if agency is None:
            agency = Agency(**fields)
            db.session.add(agency)
            db.session.flush()
        return agency


def create_agency(data: dict) -> Agency:
    """Create a new agency; refuse a name or acronym already used in that country."""
    fields = validated(AgencyInput(), data)
    with atomic():
        errors = {}
        if find_agency(fields["country"], fields["name"]):
            errors["name"] = ["An agency with this name already exists in this country."]
        if fields["acronym"] and find_agency(fields["country"], fields["acronym"]):
            errors["acronym"] = ["An agency with this acronym already exists in this country."]
        if errors:
            raise ValidationFailed(errors)
        agency = Agency(**fields)
        db.session.add(agency)
        db.session.flush()
        return agency
