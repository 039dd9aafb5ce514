"""Column types shared by the models, and the bounds of the values the tracker writes to them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

# The largest value an ``Integer`` column holds (PostgreSQL ``integer``): ids, positions.
MAX_INTEGER = 2**31 - 1

# The days the tracker accepts anywhere (forms, API, spreadsheets, seed files): wider than any
# review or plan needs, and far enough from Python's and the databases' own limits (years 1
# and 9999) that "a month later" or "two years from the start" can always be computed.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def within_date_range(day: date) -> date:
    """``day``, or the nearer end of the accepted range if it lies outside it.

    For drawing and date arithmetic only: a date stored before the range was enforced (or
    written to the database by hand) must not break a chart or a page for everyone.
    """
    return min(max(day, EARLIEST_DATE), LATEST_DATE)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zones and hands back naive values; normalising here means
    the rest of the code only ever sees aware datetimes in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# PostgreSQL only (migration 0026): actions.search_text and recommendations.search_text, a
# generated column holding ``lower()`` of the columns the tables' word search reads, joined
# by a line break, with a trigram index (``ix_actions_words``, ``ix_recommendations_words``).
# ``services.item_tables`` searches it with a ``LIKE`` of the lower-cased words: the rows
# ``ILIKE`` finds over each column, without lower-casing every value on every search. No
# model maps it (SQLite has no such column, and nothing writes it), so comparisons of the
# models with a PostgreSQL database leave it and its index out (``belongs_to_dialect``).
SEARCH_TEXT = "search_text"
SEARCH_TEXT_INDEXES = frozenset({"ix_actions_words", "ix_recommendations_words"})


def belongs_to_dialect(dialect_name: str):
    """An Alembic ``include_object`` hook: leave out of a comparison of models and database
    the indexes the models declare for another dialect only (``Index.ddl_if``) and, on
    PostgreSQL, the word search's generated columns and their indexes (``SEARCH_TEXT``), which
    no model maps; everything else is compared."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if dialect_name == "postgresql" and reflected and compare_to is None and (
                (type_ == "column" and name == SEARCH_TEXT) or (type_ == "index" and name in SEARCH_TEXT_INDEXES)):
            return False  # the word search's generated columns, which no model maps (SEARCH_TEXT)
        condition = getattr(obj, "_ddl_if", None)
        if type_ != "index" or reflected or condition is None or condition.dialect is None:
            return True
        dialects = (condition.dialect,) if isinstance(condition.dialect, str) else tuple(condition.dialect)
        return dialect_name in dialects

    return include
