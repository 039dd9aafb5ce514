"""Where an item came from: document, section and line range, so anyone can check it."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column


class SourceMixin:
    """Columns recording the source location of a seeded or imported item."""

    source_document: Mapped[str | None] = mapped_column(String(200))
    source_section: Mapped[str | None] = mapped_column(String(300))
    source_lines: Mapped[str | None] = mapped_column(String(40))

    @property
    def source_reference(self) -> str:
        """The location as one line: ``document, section, lines a-b``."""
        parts = [self.source_document, self.source_section]
        if self.source_lines:
            parts.append(f"lines {self.source_lines}")
        return ", ".join(part for part in parts if part)
