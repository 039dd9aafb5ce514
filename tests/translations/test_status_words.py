"""The default status vocabulary is in the catalogue: what the first migration inserts is
what ``models.status.DEFAULT_VOCABULARY_WORDS`` marks, word for word, so a page in Spanish
or Russian names the default statuses and defines them without an administrator's typing."""

from __future__ import annotations

from sqlalchemy import select

from tracker.models import Status
from tracker.models.status import DEFAULT_VOCABULARY_WORDS


def test_the_migrated_vocabulary_is_marked_for_the_catalogue(db_session):
    statuses = db_session.scalars(select(Status)).all()
    assert statuses, "the first migration inserts the default vocabulary"
    inserted = {text for status in statuses for text in (status.label, status.description) if text}
    assert inserted == set(DEFAULT_VOCABULARY_WORDS)
