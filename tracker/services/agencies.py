"""Agencies: creating them and finding them by acronym or name within a country."""

from __future__ import annotations

import difflib

from flask_babel import gettext
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


def described_agency(data: dict) -> Agency | None:
    """The existing agency that ``data`` (name, acronym, country) describes, if any.

    Bodies are de-duplicated within a country: first by acronym, then by name.
    """
    fields = validated(AgencyInput(), data)
    agency = None
    if fields["acronym"]:
        agency = find_agency(fields["country"], fields["acronym"])
    if agency is None:
        agency = find_agency(fields["country"], fields["name"])
    return agency


def agency_reference(name: str, acronym: str | None) -> str:
    """How plan documents and spreadsheets write an agency: ``Name [ACRONYM]``, or the name."""
    return f"{name} [{acronym}]" if acronym else name


def closest_agencies(country: str, key: str, *, limit: int = 3) -> list[Agency]:
    """The agencies of ``country`` whose acronym or name look most like ``key``, best first.

    For "did you mean" hints: ``DRO`` typed for ``DOR`` finds DOR.
    """
    candidates: dict[str, Agency] = {}
    for agency in db.session.scalars(
        select(Agency).where(func.lower(Agency.country) == country.lower()).order_by(Agency.id)
    ):
        for text in (agency.acronym, agency.name):
            if text:
                candidates.setdefault(text.lower(), agency)
    found: list[Agency] = []
    for text in difflib.get_close_matches(key.strip().lower(), list(candidates), n=limit * 2, cutoff=0.6):
        if candidates[text] not in found:
            found.append(candidates[text])
    return found[:limit]


def ensure_agency(data: dict) -> Agency:
    """The agency described by ``data`` (name, acronym, country), created if new.

    Bodies are de-duplicated within a country: first by acronym, then by name.
    """
    fields = validated(AgencyInput(), data)
    with atomic():
        agency = described_agency(fields)
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
            errors["name"] = [gettext("An agency with this name already exists in this country.")]
        if fields["acronym"] and find_agency(fields["country"], fields["acronym"]):
            errors["acronym"] = [gettext("An agency with this acronym already exists in this country.")]
        if errors:
            raise ValidationFailed(errors)
        agency = Agency(**fields)
        db.session.add(agency)
        db.session.flush()
        return agency
