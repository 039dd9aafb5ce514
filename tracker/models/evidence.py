"""Evidence attached to progress reports: links, and files stored outside the web root."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.report import ProgressReport
from tracker.models.types import UTCDateTime


class Evidence(db.Model):
    """A link or an uploaded file supporting a progress report."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # "link" | "file"
    url: Mapped[str | None] = mapped_column(String(2000))
    # The name the uploader gave, cleaned; shown to people, never used as a path.
    filename: Mapped[str | None] = mapped_column(String(255))
    # A random name under the upload folder: uploads never choose where they land.
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")

    __table_args__ = (CheckConstraint("kind IN ('link', 'file')", name="kind_known"),)
