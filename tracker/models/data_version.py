"""The public data's version: one counter that every committed write moves on."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class DataVersion(db.Model):
    """A single row (id 1) whose ``counter`` grows with every transaction that wrote data.

    Caches of public pages and chart fingerprints are keyed by it: while it stands
    still, nothing they show can have changed. Maintained by ``publishing.data_version``;
    migration 0005 inserts the row.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(BigInteger, default=0)
