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
