"""The status vocabulary (data, not code) and the audit trail of status changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.translations import N_, translations_column
from tracker.models.types import UTCDateTime

# Who loaded the seed reports, as history records it (``changed_by_label``, no user):
# pages show such rows as one "Imported from the OECD (2018) report" line.
SEED_LOAD_LABEL = "seed"

# The Open Government Partnership's Independent Reporting Mechanism completion scale,
# in order: every status maps to one, so exports speak a scale others read.
IRM_COMPLETION = ("not_started", "limited", "substantial", "complete")

# The labels and definitions of the default vocabulary (the first migration inserts them,
# the OECD's words), for the catalogue: a page shows a status's own translation where an
# administrator typed one, else the catalogue's (``web.content_language.status_label``), so
# the default statuses read in every language of the interface. The migration cannot import
# the models: a change of wording there is a change here.
DEFAULT_VOCABULARY_WORDS = (
    N_("Fully achieved"),
    N_("Ongoing"),
    N_("Under discussion"),
    N_("Pending"),
    N_(
        "Strategic actions were taken at all levels to fully address the key challenges "
        "affecting the objective of the recommendation. No further action is expected in the "
        "short, medium and long terms, but efforts should be sustained."
    ),
    N_(
        "Actions have been taken to address the recommendation. Further actions can "
        "contribute to support policy results in the long term."
    ),
    N_(
        "Discussions underway on course of action: potential actions have been discussed by "
        "top decision makers, but the final course of action is yet to be defined and "
        "implemented."
    ),
    N_(
        "Pending discussions: neither ongoing discussions have taken place nor has a clear "
        "course of action been defined."
    ),
)


class Status(db.Model):
    """One value of the status vocabulary, e.g. *Fully achieved*.

    The default set (fully achieved / ongoing / under discussion / pending, with the
    OECD's definitions) is inserted by the first migration; admins may add more.
    """

    __tablename__ = "statuses"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    label_translations: Mapped[dict] = translations_column()
    description: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0)
    default_percent: Mapped[int] = mapped_column(Integer, default=0)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    # Its place on the OGP IRM completion scale (``IRM_COMPLETION``), for exports.
    irm_completion: Mapped[str] = mapped_column(String(20), default="not_started", server_default="not_started")
    # A retired status stays on the records that have it but is offered no more.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<Status {self.key}>"


class StatusChange(db.Model):
    """One change of a recommendation's or an action's status: what, old, new, who, when, why."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # "recommendation" | "action"
    subject_id: Mapped[int] = mapped_column(Integer)
    old_status_key: Mapped[str | None] = mapped_column(ForeignKey("statuses.key"))
    new_status_key: Mapped[str] = mapped_column(ForeignKey("statuses.key"))
    old_percent: Mapped[int | None] = mapped_column(Integer)
    new_percent: Mapped[int | None] = mapped_column(Integer)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who, as shown to people: a user's email, or e.g. "seed" for loaded source data,
    # kept even if the user account is later removed.
    changed_by_label: Mapped[str] = mapped_column(String(200))
    # When the change was recorded in the tracker (typed in, imported).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # When it took effect in the world, if a source dates it earlier than it was recorded:
    # a seeded status holds from its report's assessment date (Mexico: 2017-12-31), not
    # from the day the seed was loaded. Empty: it took effect when recorded. "As of a
    # date" reads this; "changes since a date" reads ``changed_at``.
    effective_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)

    old_status: Mapped[Status | None] = relationship(foreign_keys=[old_status_key])
    new_status: Mapped[Status] = relationship(foreign_keys=[new_status_key])

    __table_args__ = (db.Index("ix_status_changes_subject", "subject_type", "subject_id"),)
