"""CSV files: the one writer behind every CSV the tracker hands out, and its convention.

Every CSV file (the plan export, the charts' tables, the open data tables) is written by
``csv_bytes`` with its cells made by ``cell``, so they all follow one convention:

- UTF-8, a header row of column names, rows ending in CRLF (RFC 4180);
- no value is an empty cell; a yes-or-no value is ``true`` or ``false``; a date is
  ``YYYY-MM-DD`` and a timestamp ISO 8601 in UTC with a ``Z``; a list is its items joined
  with ``"; "``; numbers are written as numbers;
- text a spreadsheet program would run as a formula (it starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) gets a leading apostrophe, so opening a download
  never runs anything (CSV injection). The importer takes the apostrophe off again
  (``unneutralise``), so an exported plan reads back as it was. The XLSX export escapes
  its cells the same way.
- A byte-order mark only on the files meant for spreadsheet programs (the plan export and
  the charts' tables, ``for_spreadsheets=True``): without one, Excel reads UTF-8 as a
  legacy code page and garbles every accent. Open data has none, as the Frictionless
  Data standard it follows expects.

One documented exception to the cells: the plan export's ``published`` column says
``yes`` or ``no``, as ``docs/spreadsheet-format.md`` promises the people who fill it in
(an import reads ``true``/``false`` as well).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

BYTE_ORDER_MARK = "\ufeff"
# Spreadsheet programs run cells starting with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix text a spreadsheet would run as a formula with an apostrophe (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unneutralise(value):
    """A cell as it was before ``neutralise``: the apostrophe before a formula prefix removed."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def iso(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD``, timestamps as ISO 8601 in UTC with a ``Z``; others unchanged."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def cell(value: Any) -> str | int | float:
    """One value as a CSV cell, by the convention of the module docstring."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        return iso(value)
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(item) for item in value))
    return neutralise(str(value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, for_spreadsheets: bool) -> bytes:
    """``header`` and ``rows`` (sequences of values, made cells by ``cell``) as a CSV file.

    ``for_spreadsheets`` puts a byte-order mark first (see the module docstring).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    text = buffer.getvalue()
    return ((BYTE_ORDER_MARK if for_spreadsheets else "") + text).encode("utf-8")
