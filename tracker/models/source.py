"""Where an item came from: the source report (bibliographic data) and the passage in it.

A seeded or imported item records its source as a document, a section and a line range
(``SourceMixin``), so anyone can check it against the text file. People read the same
source as a citation, e.g. "OECD (2018), *Open Government Data in Mexico: The Way
Forward*, Chapter 2, Table 2.1": the bibliographic data for that is kept once per
document in ``SourceDocument``, keyed by the document's file name.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.extensions import db


class SourceDocument(db.Model):
    """A source report's bibliographic data: author, year, title, publisher.

    ``issued_on`` is the day the report states what it states (its publication or
    assessment date, as precisely as the report gives it): seeded statuses that come from
    the report take effect on that day (``StatusChange.effective_on``).
    """

    __tablename__ = "source_documents"

    # The file name items cite in ``source_document``, e.g. "002_6847f20350a23e8f.txt".
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Empty when the report names no author: it is then cited by its title.
    author: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    issued_on: Mapped[date | None] = mapped_column(Date)

    @property
    def short_reference(self) -> str:
        """Author and year, as cited in running text: ``OECD (2018)`` (the title when
        the report names no author)."""
        who = self.author or self.title
        return f"{who} ({self.year})" if self.year else who

    @property
    def effective_day(self) -> date | None:
        """The day the report's statements hold from: its issue date, else the last day
        of its year (the latest day by which it certainly existed)."""
        if self.issued_on:
            return self.issued_on
        return date(self.year, 12, 31) if self.year else None

    def __repr__(self) -> str:
        return f"<SourceDocument {self.name}>"


class Cited:
    """How a page cites an item's source, from its ``source_document``, ``source_section``,
    ``source_lines`` and ``source_details`` (the document's ``SourceDocument`` or None):
    the models' items (``SourceMixin``) and the plain rows of a table page alike."""

    @property
    def source_reference(self) -> str:
        """The location as one line: ``document, section, lines a-b`` (for checkers)."""
        parts = [self.source_document, self.source_section]
        if self.source_lines:
            parts.append(f"lines {self.source_lines}")
        return ", ".join(part for part in parts if part)

    @property
    def line_reference(self) -> str:
        """Where to check the passage in the text file: ``document, lines a-b``."""
        parts = [self.source_document]
        if self.source_lines:
            parts.append(f"lines {self.source_lines}")
        return ", ".join(part for part in parts if part)

    @property
    def citation_parts(self) -> tuple[str, str, str] | None:
        """(``OECD (2018)``, title, passage) for a human citation; None when the document
        has no bibliographic data (pages then show ``source_reference``)."""
        details = self.source_details if self.source_document else None
        if details is None:
            return None
        title = details.title if details.author else ""  # an authorless report is cited by title
        return details.short_reference, title, self.source_section or ""

    @property
    def human_citation(self) -> str:
        """The source as people cite it: ``OECD (2018), Title, Chapter 2, Table 2.1``;
        the line reference when the document has no bibliographic data."""
        parts = self.citation_parts
        if parts is None:
            return self.source_reference
        return ", ".join(part for part in parts if part)


class SourceMixin(Cited):
    """Columns recording the source location of a seeded or imported item."""

    source_document: Mapped[str | None] = mapped_column(String(200))
    source_section: Mapped[str | None] = mapped_column(String(300))
    source_lines: Mapped[str | None] = mapped_column(String(40))

    @declared_attr
    def source_details(cls) -> Mapped[SourceDocument | None]:
        """The cited document's bibliographic data, when it is known (no foreign key: an
        item may cite a document nobody has described yet)."""
        return relationship(
            SourceDocument,
            primaryjoin=lambda: db.foreign(cls.__table__.c.source_document) == SourceDocument.name,
            viewonly=True,
            lazy="select",
        )
