"""Agencies and bodies that own actions and are named by recommendations."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


def display_name(name: str, acronym: str | None) -> str:
    """``Name (ACRONYM)``, or the name alone: how pages name an agency."""
    return f"{name} ({acronym})" if acronym else name


class Agency(db.Model):
    """A public body, de-duplicated within its country by name and by acronym."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(100))

    __table_args__ = (
        UniqueConstraint("country", "name"),
        UniqueConstraint("country", "acronym"),
    )

    @property
    def display_name(self) -> str:
        """``Name (ACRONYM)``, or the name alone."""
        return display_name(self.name, self.acronym)

    def __repr__(self) -> str:
        return f"<Agency {self.acronym or self.name}>"
