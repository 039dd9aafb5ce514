"""Backups: every table's rows and every uploaded evidence file in one archive, and back.

The archive is a ``.tar.gz`` (or a ``.zip`` when its name ends in ``.zip``)::

    manifest.json          format, app version, Alembic revision, creation time, source
                           database, and per table its columns, row count and SHA-256;
                           per evidence file its size and SHA-256
    tables/<table>.jsonl   one JSON object per row, in primary-key order; tables are
                           listed in the manifest in foreign-key-safe order
    files/<stored_name>    each uploaded file the evidence table refers to

Values are dialect-neutral, so a SQLite backup restores into PostgreSQL and back:
dates and timestamps are ISO 8601 strings (timestamps in UTC with their offset),
JSON columns are JSON, booleans are booleans, numbers are numbers.

Both directions read the tables from the database itself (reflection), not from
the models: a backup taken before ``flask db upgrade`` (an older revision than the
code) is as complete as one taken after, and restores at its own revision.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    Table,
    func,
    inspect,
    null,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db
from tracker.services.errors import ServiceError
from tracker.services.evidence_files import evidence_path
from tracker.services.private_files import copy_private, open_private, private_directory

FORMAT = "tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ALEMBIC_TABLE = "alembic_version"
# Tables the migrations fill with defaults (0001: the status vocabulary, 0004: the
# default reminder rules, 0005: the data version's row, 0015: the scheduler heartbeat's
# row). A freshly migrated database has rows there and is still empty; a restore replaces
# them with the archive's own (possibly edited) rows.
# A migration that inserts defaults into another table must add it here (the backup
# tests restore into a freshly migrated database and would fail otherwise).
MIGRATION_DEFAULT_TABLES = frozenset({"statuses", "reminder_rules", "data_version", "scheduler_heartbeat"})
# Bookkeeping of this database, not data: the counter the caches are keyed by (a restore
# keeps the target's own row and moves it on, see _move_data_version_on), and when this
# database's scheduler last beat (an archive's beat would tell /healthz of another server).
NOT_BACKED_UP = frozenset({"data_version", "scheduler_heartbeat"})
INSERT_BATCH = 1000
_TABLE_MEMBER = re.compile(r"tables/([a-z0-9_]+)\.jsonl")
_FILE_MEMBER = re.compile(r"files/([0-9a-f]{1,64})")


class BackupError(ServiceError):
    """A backup could not be made, or an archive cannot be restored here; the message says why."""


@dataclass(frozen=True)
class TableEntry:
    """One table of an archive: its columns (in order), row count and checksum."""

    name: str
    rows: int
    columns: list[str]
    sha256: str


@dataclass(frozen=True)
class FileEntry:
    """One evidence file of an archive, by its stored name."""

    stored_name: str
    size: int
    sha256: str


@dataclass
class BackupManifest:
    """What an archive holds; written as ``manifest.json`` and returned by both operations."""

    revision: str
    created_at: datetime
    app_version: str
    database: str
    tables: list[TableEntry] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    # Files the evidence table names but the upload folder no longer has.
    missing_files: list[str] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows per table."""
        return {table.name: table.rows for table in self.tables}

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "app_version": self.app_version,
            "alembic_revision": self.revision,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "database": self.database,
            "tables": [
                {"name": t.name, "rows": t.rows, "columns": t.columns, "sha256": t.sha256}
                for t in self.tables
            ],
            "files": [
                {"stored_name": f.stored_name, "size": f.size, "sha256": f.sha256} for f in self.files
            ],
            "missing_files": self.missing_files,
        }

    @classmethod
    def from_json(cls, data: Any) -> BackupManifest:
        """Read a manifest, refusing anything that is not one this code can restore."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("The archive's manifest.json is not a tracker backup manifest.")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"The archive uses backup format {version!r}; this version of the tracker "
                f"reads format {FORMAT_VERSION} or older. Restore it with a newer tracker."
            )
        try:
            return cls(
                revision=str(data["alembic_revision"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                app_version=str(data.get("app_version", "unknown")),
                database=str(data.get("database", "unknown")),
                tables=[
                    TableEntry(str(t["name"]), int(t["rows"]), [str(c) for c in t["columns"]], str(t["sha256"]))
                    for t in data["tables"]
                ],
                files=[
                    FileEntry(str(f["stored_name"]), int(f["size"]), str(f["sha256"]))
                    for f in data.get("files", [])
                ],
                missing_files=[str(name) for name in data.get("missing_files", [])],
                format_version=version,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"The archive's manifest.json is incomplete or malformed ({exc}).") from None


# --- create -------------------------------------------------------------------


def create_backup(
    path_or_stream: str | os.PathLike | IO[bytes], *, upload_dir: str, now: datetime,
    fmt: str | None = None,
) -> BackupManifest:
    """Write every table's rows and every referenced evidence file into one archive.

    ``path_or_stream`` is a file name (``.zip`` makes a zip, anything else a
    ``.tar.gz``; the file appears only once complete) or a writable binary stream
    (``fmt`` "zip" or "tar.gz", the default). All tables are read in one transaction,
    so the archive is a consistent snapshot. An evidence file missing from
    ``upload_dir`` does not stop the backup: it is listed in ``missing_files``.
    """
    is_path = isinstance(path_or_stream, str | os.PathLike)
    if fmt is None:
        fmt = "zip" if is_path and os.fspath(path_or_stream).lower().endswith(".zip") else "tar.gz"
    if fmt not in ("zip", "tar.gz"):
        raise BackupError(f"Unknown archive format {fmt!r}; use tar.gz or zip.")

    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as work:
        manifest, members = _dump(work, upload_dir=upload_dir, now=now)
        if not is_path:
            _write_archive(path_or_stream, fmt, manifest, members, now)
            return manifest
        target = os.fspath(path_or_stream)
        partial = target + ".part"
        try:
            # Owner-only: the archive holds password and token hashes, drafts and live links.
            with open_private(partial) as handle:
                _write_archive(handle, fmt, manifest, members, now)
            os.replace(partial, target)
        except BaseException:
            if os.path.exists(partial):
                os.remove(partial)
            raise
    return manifest


def _dump(work: str, *, upload_dir: str, now: datetime) -> tuple[BackupManifest, list[tuple[str, str]]]:
    """Dump the tables and collect the files; returns the manifest and (member, local path) pairs."""
    members: list[tuple[str, str]] = []
    os.makedirs(os.path.join(work, "tables"))
    with _snapshot_connection() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
        if revision is None:
            raise BackupError("The database has no schema (no Alembic revision): there is nothing to back up.")
        manifest = BackupManifest(
            revision=revision, created_at=now, app_version=_app_version(), database=conn.dialect.name,
        )
        metadata = _reflect(conn)
        for table in metadata.sorted_tables:
            if table.name in NOT_BACKED_UP:
                continue
            if not _TABLE_MEMBER.fullmatch(f"tables/{table.name}.jsonl"):
                raise BackupError(f"Table {table.name!r} has a name backups do not support.")
            local = os.path.join(work, "tables", f"{table.name}.jsonl")
            manifest.tables.append(_dump_table(conn, table, local))
            members.append((f"tables/{table.name}.jsonl", local))
        stored_names = _referenced_files(conn, metadata)

    for stored_name in stored_names:
        try:
            source = evidence_path(upload_dir, stored_name)
        except ValueError:
            raise BackupError(f"The evidence table names a file {stored_name!r} that is not a stored name.") from None
        if not os.path.isfile(source):
            manifest.missing_files.append(stored_name)
            continue
        digest, size = _file_digest(source)
        manifest.files.append(FileEntry(stored_name, size, digest))
        members.append((f"files/{stored_name}", source))
    return manifest, members


@contextmanager
def _snapshot_connection() -> Iterator[Connection]:
    """A connection in one read-only transaction: a consistent view of every table."""
    engine = db.engine
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()  # nothing was written: there is nothing to keep


def _dump_table(conn: Connection, table: Table, local: str) -> TableEntry:
    # A generated column (PostgreSQL's word search: ``models.types.SEARCH_TEXT``) is the database's
    # own copy of other columns: not data, and a restore could not write it.
    columns = [c for c in table.columns if c.computed is None]
    order = list(table.primary_key.columns) or columns
    digest = hashlib.sha256()
    rows = 0
    with open(local, "wb") as handle:
        result = conn.execute(select(*columns).order_by(*order).execution_options(yield_per=INSERT_BATCH))
        for row in result:
            record = {c.name: _encode(row[i], c.type, f"{table.name}.{c.name}") for i, c in enumerate(columns)}
            line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            handle.write(line)
            digest.update(line)
            rows += 1
    return TableEntry(table.name, rows, [c.name for c in columns], digest.hexdigest())


def _referenced_files(conn: Connection, metadata: MetaData) -> list[str]:
    evidence = metadata.tables.get("evidence")
    if evidence is None or "stored_name" not in evidence.c:
        return []  # a revision from before evidence files
    return list(conn.scalars(
        select(evidence.c.stored_name).where(evidence.c.stored_name.is_not(None)).order_by(evidence.c.stored_name)
    ))


def _write_archive(
    stream: IO[bytes], fmt: str, manifest: BackupManifest, members: list[tuple[str, str]], now: datetime
) -> None:
    manifest_bytes = (json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "zip":
        stamp = now.astimezone(UTC).timetuple()[:6]
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo(MANIFEST, stamp), manifest_bytes, zipfile.ZIP_DEFLATED)
            for name, local in members:
                info = zipfile.ZipInfo(name, stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(local, "rb") as source, archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target)
        return
    mtime = int(now.timestamp())
    with tarfile.open(fileobj=stream, mode="w:gz") as archive:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(manifest_bytes), mtime, 0o600
        archive.addfile(info, _BytesReader(manifest_bytes))
        for name, local in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = os.path.getsize(local), mtime, 0o600
            with open(local, "rb") as source:
                archive.addfile(info, source)


class _BytesReader:
    """The smallest file-like object ``tarfile.addfile`` accepts for in-memory bytes."""

    def __init__(self, data: bytes):
        self.data, self.position = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.position + size
        chunk = self.data[self.position:end]
        self.position += len(chunk)
        return chunk


# --- restore ------------------------------------------------------------------


def restore_backup(
    path: str | os.PathLike, *, upload_dir: str, migrations: AlembicConfig, force: bool = False,
) -> BackupManifest:
    """Restore an archive into this database and ``upload_dir``: all or nothing.

    The archive is checked completely (manifest, checksums, row counts, a revision
    this code knows) before anything is touched. A database without a schema is
    first migrated to the archive's revision; one at another revision is refused.
    A database holding data is refused unless ``force``, which replaces everything.
    Rows are loaded in one transaction; PostgreSQL sequences are moved past the
    restored ids; the evidence files are put in place once the transaction commits.
    ``migrations`` is the Alembic configuration of this code's migrations, which says
    what revisions exist and builds the schema.
    """
    with tempfile.TemporaryDirectory(prefix="tracker-restore-") as work:
        manifest = _unpack(os.fspath(path), work)
        _require_known_revision(manifest.revision, migrations)
        _prepare_schema(manifest.revision, migrations)
        staged: list[tuple[str, str]] = []
        conn = db.engine.connect().execution_options(write_transaction=True)
        try:
            with conn.begin():
                metadata = _reflect(conn)
                if not force:
                    _require_empty(conn, metadata)
                for table in reversed(metadata.sorted_tables):
                    if table.name not in NOT_BACKED_UP:
                        conn.execute(table.delete())
                _load_tables(conn, metadata, manifest, work)
                _move_data_version_on(conn, metadata)
                if conn.dialect.name == "postgresql":
                    _fix_sequences(conn, metadata)
                staged = _stage_files(manifest, work, upload_dir)
        except BaseException:
            for partial, _ in staged:
                if os.path.exists(partial):
                    os.remove(partial)
            raise
        finally:
            conn.close()
        for partial, final in staged:
            os.replace(partial, final)
    return manifest


def _unpack(path: str, work: str) -> BackupManifest:
    """Extract the archive's expected members into ``work`` and check them against the manifest."""
    try:
        members = dict(_extract(path, work))
    except BackupError:
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{os.path.basename(path)} is damaged or not a backup archive ({exc}).") from None
    if MANIFEST not in members:
        raise BackupError(f"{os.path.basename(path)} is not a tracker backup: it has no {MANIFEST}.")
    try:
        with open(members.pop(MANIFEST), encoding="utf-8") as handle:
            manifest = BackupManifest.from_json(json.load(handle))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"The archive's {MANIFEST} is not valid JSON ({exc}).") from None

    for table in manifest.tables:
        local = members.pop(f"tables/{table.name}.jsonl", None)
        if local is None:
            raise BackupError(f"The archive is incomplete: the rows of table {table.name} are missing.")
        digest, _ = _file_digest(local)
        if digest != table.sha256:
            raise BackupError(f"The archive is damaged: the rows of table {table.name} do not match their checksum.")
        with open(local, "rb") as handle:
            lines = sum(1 for _ in handle)
        if lines != table.rows:
            raise BackupError(f"The archive is damaged: table {table.name} has {lines} rows, the manifest says {table.rows}.")
    for entry in manifest.files:
        local = members.pop(f"files/{entry.stored_name}", None)
        if local is None:
            raise BackupError(f"The archive is incomplete: evidence file {entry.stored_name} is missing.")
        if _file_digest(local) != (entry.sha256, entry.size):
            raise BackupError(f"The archive is damaged: evidence file {entry.stored_name} does not match its checksum.")
    if members:
        raise BackupError(f"The archive holds members its manifest does not list: {', '.join(sorted(members))}.")
    return manifest


def _extract(path: str, work: str) -> Iterator[tuple[str, str]]:
    """Yield (member name, local path) for each regular member, refusing unexpected names.

    Members are copied to paths we choose, never extracted by their own names, so an
    archive cannot write outside ``work``.
    """
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                local = _local_path(work, info.filename)
                with archive.open(info) as source, open(local, "wb") as target:
                    shutil.copyfileobj(source, target)
                yield info.filename, local
        return
    with tarfile.open(path, mode="r:*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if not info.isfile():
                raise BackupError(f"The archive holds {info.name!r}, which is not a regular file.")
            local = _local_path(work, info.name)
            source = archive.extractfile(info)
            with source, open(local, "wb") as target:
                shutil.copyfileobj(source, target)
            yield info.name, local


def _local_path(work: str, name: str) -> str:
    if name == MANIFEST:
        return os.path.join(work, MANIFEST)
    for prefix, pattern in (("table-", _TABLE_MEMBER), ("file-", _FILE_MEMBER)):
        match = pattern.fullmatch(name)
        if match:
            return os.path.join(work, prefix + match.group(1))
    raise BackupError(f"The archive holds {name!r}, which is not part of a tracker backup.")


def head_revision(migrations: AlembicConfig) -> str:
    """The newest database revision this code knows (what ``flask db upgrade`` reaches)."""
    return ScriptDirectory.from_config(migrations).get_current_head()


def _require_known_revision(revision: str, migrations: AlembicConfig) -> None:
    script = ScriptDirectory.from_config(migrations)
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"The archive was made at database revision {revision!r}, which this version of the "
            f"tracker does not know (its newest is {script.get_current_head()!r}): it comes from a "
            "newer version. Install that version (or a later one) to restore it."
        )


def _prepare_schema(revision: str, migrations: AlembicConfig) -> None:
    """Build the schema at the archive's revision if there is none; refuse a different one."""
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = [name for name in inspect(conn).get_table_names() if name != ALEMBIC_TABLE]
    if current is None:
        if tables:
            raise BackupError(
                "The database has tables but no Alembic revision, so it is not a tracker database "
                f"this restore can use ({', '.join(sorted(tables)[:5])}, ...). Use an empty database."
            )
        # Alembic's own command, as flask_migrate.upgrade runs it, but raising its errors
        # instead of exiting the process, so the caller can show them.
        alembic_command.upgrade(migrations, revision)
        return
    if current != revision:
        raise BackupError(
            f"The database schema is at revision {current} but the archive was made at revision "
            f"{revision}. Restore into a database with no tables (the restore builds the schema at "
            f"{revision}), or first run 'flask db downgrade {revision}' or 'flask db upgrade "
            f"{revision}'; afterwards 'flask db upgrade' brings the restored data up to date."
        )


def _require_empty(conn: Connection, metadata: MetaData) -> None:
    occupied = []
    for table in metadata.sorted_tables:
        if table.name in MIGRATION_DEFAULT_TABLES:
            continue
        rows = conn.scalar(select(func.count()).select_from(table))
        if rows:
            occupied.append(f"{table.name} has {rows} row{'s' if rows > 1 else ''}")
    if occupied:
        if len(occupied) > 4:
            occupied[3:] = [f"and {len(occupied) - 3} more tables have rows"]
        raise BackupError(
            f"The database is not empty: {', '.join(occupied)}. Restore into an empty database, "
            "or pass --force to replace everything in this one. Nothing was changed."
        )


def _move_data_version_on(conn: Connection, metadata: MetaData) -> None:
    """Everything changed: move the data version on, in place, so no cached page survives."""
    table = metadata.tables.get("data_version")
    if table is not None:  # an archive from before revision 0005: 'flask db upgrade' makes it
        conn.execute(table.update().values(counter=table.c.counter + 1))


def _load_tables(conn: Connection, metadata: MetaData, manifest: BackupManifest, work: str) -> None:
    entries = {entry.name: entry for entry in manifest.tables}
    unknown = sorted(set(entries) - set(metadata.tables))
    if unknown:
        raise BackupError(f"The archive has tables this database does not: {', '.join(unknown)}.")
    for table in metadata.sorted_tables:  # parents before children
        entry = entries.get(table.name)
        if entry is None or not entry.rows:
            continue
        missing = [name for name in entry.columns if name not in table.c]
        if missing:
            raise BackupError(f"The archive's table {table.name} has columns this database lacks: {', '.join(missing)}.")
        try:
            _insert_rows(conn, table, entry, os.path.join(work, f"table-{table.name}"))
        except UnicodeDecodeError:
            raise BackupError(f"The archive's table {table.name} is not UTF-8 text.") from None
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise BackupError(
                f"The archive's rows of table {table.name} do not fit this database ({detail})."
            ) from None


def _insert_rows(conn: Connection, table: Table, entry: TableEntry, local: str) -> None:
    batch: list[dict] = []
    with open(local, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            batch.append(_decode_row(table, entry, line, number))
            if len(batch) >= INSERT_BATCH:
                conn.execute(table.insert(), batch)
                batch = []
    if batch:
        conn.execute(table.insert(), batch)


def _decode_row(table: Table, entry: TableEntry, line: str, number: int) -> dict:
    try:
        record = json.loads(line)
        if not isinstance(record, dict) or set(record) - set(entry.columns):
            raise ValueError("not an object with the listed columns")
        return {name: _decode(value, table.c[name].type) for name, value in record.items()}
    except (ValueError, TypeError) as exc:
        raise BackupError(f"The archive's table {table.name}, row {number}, cannot be read ({exc}).") from None


def _fix_sequences(conn: Connection, metadata: MetaData) -> None:
    """Move each id sequence past the restored ids, so new rows do not collide with them."""
    quote = conn.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer):
            continue
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": quote(table.name), "column": pk[0].name},
        )
        if sequence:
            highest = conn.scalar(select(func.max(pk[0])))
            # is_called false: the next id handed out is exactly this value.
            conn.execute(
                text("SELECT setval(CAST(:sequence AS regclass), :next, false)"),
                {"sequence": sequence, "next": (highest or 0) + 1},
            )


def _stage_files(manifest: BackupManifest, work: str, upload_dir: str) -> list[tuple[str, str]]:
    """Copy the files next to their final names; they are renamed into place after the commit."""
    staged = []
    if manifest.files:
        private_directory(upload_dir)
    for entry in manifest.files:
        final = evidence_path(upload_dir, entry.stored_name)
        partial = final + ".restoring"
        staged.append((partial, final))
        copy_private(os.path.join(work, f"file-{entry.stored_name}"), partial)
    return staged


# --- values -------------------------------------------------------------------


def _encode(value: Any, column_type, where: str) -> Any:
    """A column value as plain JSON, the same whichever database it came from."""
    if value is None or isinstance(column_type, JSON):
        return value
    if isinstance(value, datetime):
        # SQLite keeps no zone; the app stores every timestamp in UTC (UTCDateTime).
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool | int | float | str):
        return value
    raise BackupError(f"Column {where} holds a {type(value).__name__}, which backups do not support.")


def _decode(value: Any, column_type) -> Any:
    """An archive value as the target column expects it (the inverse of ``_encode``)."""
    if isinstance(column_type, JSON):
        # None is SQL NULL here too, not the JSON value null (JSON's bind step knows null()).
        return null() if value is None else value
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        moment = datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, Boolean):
        if not isinstance(value, bool | int):
            raise TypeError(f"{value!r} is not a boolean")
        return bool(value)
    if isinstance(column_type, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{value!r} is not an integer")
        return value
    if isinstance(column_type, Float):
        return float(value)
    if isinstance(column_type, Numeric):
        return Decimal(str(value))
    return value


# --- helpers ------------------------------------------------------------------


def _reflect(conn: Connection) -> MetaData:
    """The database's own tables (not the models'), without Alembic's bookkeeping table."""
    metadata = MetaData()
    metadata.reflect(bind=conn, only=lambda name, _: name != ALEMBIC_TABLE and not name.startswith("_alembic_tmp"))
    return metadata


def _file_digest(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _app_version() -> str:
    try:
        return importlib.metadata.version("tracker")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
