"""Reading an uploaded CSV or XLSX file into rows, refusing a hostile or malformed one."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from tracker.exchange.csv_files import unneutralise
from tracker.exchange.spreadsheets.columns import (
    COLUMN_NAMES,
    REQUIRED_COLUMNS,
    Problem,
    SpreadsheetRefused,
    present,
    translation_column,
)

XLSX_MAGIC = b"PK\x03\x04"
# Members smaller than this are not held to the compression ratio: they cannot hurt,
# and tiny parts of real workbooks can compress unusually well.
RATIO_FLOOR = 1024 * 1024
NOT_VALID = "Not a valid spreadsheet"


@dataclass(frozen=True)
class SpreadsheetLimits:
    """How large an uploaded file may be, and how far an XLSX workbook may expand.

    Defaults match ``tracker.config``; ``from_config`` reads the settings. Apache POI
    refuses ratios above 100 by default too; real plan workbooks stay near 10.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: int = 100

    @classmethod
    def from_config(cls, config: Mapping) -> SpreadsheetLimits:
        return cls(
            max_bytes=config["MAX_SPREADSHEET_BYTES"],
            max_uncompressed_bytes=config["SPREADSHEET_MAX_UNCOMPRESSED_BYTES"],
            max_compression_ratio=config["SPREADSHEET_MAX_COMPRESSION_RATIO"],
        )


DEFAULT_LIMITS = SpreadsheetLimits()


def read_rows(
    filename: str, data: bytes, *, limits: SpreadsheetLimits = DEFAULT_LIMITS
) -> list[tuple[int, dict[str, object]]]:
    """The data rows of a CSV or XLSX file as (row number, {column: value}), header checked."""
    _check_size(data, limits)
    table = _read_xlsx(data, limits) if data.startswith(XLSX_MAGIC) else _read_csv(filename, data)
    if not table or not any(present(v) for v in table[0]):
        raise SpreadsheetRefused([Problem(1, None, "The file has no header row.")])
    header = [str(v).strip().lower() if v is not None else "" for v in table[0]]
    problems = _header_problems(header, table[1:])
    if problems:
        raise SpreadsheetRefused(problems)
    rows = _data_rows(header, table[1:])
    if not rows:
        raise SpreadsheetRefused([Problem(None, None, "The file has a header but no data rows.")])
    return rows


def _check_size(data: bytes, limits: SpreadsheetLimits) -> None:
    if not data:
        raise SpreadsheetRefused([Problem(None, None, "The file is empty.")])
    if len(data) > limits.max_bytes:
        raise SpreadsheetRefused([Problem(
            None, None,
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {limits.max_bytes / 1e6:.0f} MB.",
        )])


def _data_rows(header: list[str], data_rows: list[list[object]]) -> list[tuple[int, dict[str, object]]]:
    """The rows that hold anything, numbered as the spreadsheet numbers them (the header is row 1)."""
    rows = []
    for number, values in enumerate(data_rows, start=2):
        row = {name: unneutralise(values[i]) if i < len(values) else None for i, name in enumerate(header) if name}
        if any(present(v) for v in row.values()):
            rows.append((number, row))
    return rows


def _header_problems(header: list[str], data_rows: list[list[object]]) -> list[Problem]:
    """Unknown columns (named, or unnamed over filled cells), missing required ones, repeated ones."""
    problems = [
        Problem(1, name or f"column {i + 1}", "Unknown column; see the spreadsheet format for the known columns.")
        for i, name in enumerate(header)
        if name not in COLUMN_NAMES and translation_column(name) is None and (name or any(present(r[i]) for r in data_rows if i < len(r)))
    ]
    problems += [Problem(1, name, "Missing column (required).") for name in REQUIRED_COLUMNS if name not in header]
    seen = set()
    for name in header:
        if name and name in seen:
            problems.append(Problem(1, name, "This column appears twice."))
        seen.add(name)
    return problems


def _read_csv(filename: str, data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetRefused(
            [Problem(None, None, f"{NOT_VALID}: {filename} is not a CSV file in UTF-8, nor an XLSX workbook.")]
        ) from None
    if "\x00" in text:
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: {filename} is not a spreadsheet (binary data).")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = f"a cell is longer than {csv.field_size_limit():,} characters"
        else:
            reason = f"the CSV cannot be read ({exc})"
        raise SpreadsheetRefused([Problem(reader.line_num or None, None, f"{NOT_VALID}: {reason}.")]) from None


def _read_xlsx(data: bytes, limits: SpreadsheetLimits) -> list[list[object]]:
    _check_workbook(data, limits)
    try:
        # openpyxl warns about parts it ignores (data validation, styles); they do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                return [list(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds of error for a damaged file)
        # defusedxml (openpyxl uses it when installed) refuses what _check_workbook's scan
        # cannot see, such as entities in a part encoded in UTF-16; openpyxl wraps its error.
        refusal = _cause(exc, DefusedXmlException)
        reason = (
            f"the workbook declares XML entities ({refusal!r})" if refusal
            else f"not a readable XLSX workbook ({' '.join(str(exc).split())})"
        )
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: {reason}.")]) from None


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """``exc`` or the first exception of ``kind`` in its chain of causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _check_workbook(data: bytes, limits: SpreadsheetLimits) -> None:
    """Refuse a workbook that would expand too far, or whose XML declares entities.

    Run before openpyxl opens it. The sizes are the ones each member declares; Python's
    zipfile stops reading a member at its declared size (and fails its checksum), so a
    member cannot expand past what is checked here. Workbooks never contain a DTD; a part
    that declares one is refused, since its entities can expand without bound ("billion
    laughs") or read files of the server (external entities).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: the XLSX file is damaged ({exc}).")]) from None
    limit_mib = limits.max_uncompressed_bytes / 2**20
    total = 0
    for info in members:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise SpreadsheetRefused([Problem(None, None, (
                f"{NOT_VALID}: the workbook expands to more than {limit_mib:.0f} MiB of data "
                f"({info.filename} alone is {info.file_size / 2**20:.1f} MiB)."
            ))])
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise SpreadsheetRefused([Problem(None, None, (
                f"{NOT_VALID}: {info.filename} expands to {ratio:.0f} times its compressed size "
                f"(at most {limits.max_compression_ratio} is accepted); it looks like a zip bomb."
            ))])
    try:
        for info in members:
            if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_entities(archive, info):
                raise SpreadsheetRefused([Problem(None, None, (
                    f"{NOT_VALID}: {info.filename} declares a document type or entities, which "
                    "workbooks never do (they could expand without bound or read the server's files)."
                ))])
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        # A damaged member, an encrypted one or an unknown compression method.
        raise SpreadsheetRefused([Problem(None, None, f"{NOT_VALID}: the XLSX file is damaged ({exc}).")]) from None


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member's XML has a ``<!DOCTYPE`` or ``<!ENTITY`` (read in chunks)."""
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False
