"""Evidence files: checked by content, stored under random names outside the web root."""

from __future__ import annotations

import os
import secrets
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext
from werkzeug.utils import secure_filename

from tracker.services.errors import ValidationFailed
from tracker.services.private_files import open_private, private_directory


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...]  # empty for text files, which are checked differently


# What agencies may upload, by extension; the content must match, whatever the name says.
ALLOWED = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": FileType("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "csv": FileType("text/csv", ()),
    "txt": FileType("text/plain", ()),
}
# What a browser sniffing a text file takes for markup (the WHATWG MIME Sniffing
# standard's HTML and XML patterns, plus SVG): a tag name must end there (a space, "/", ">").
HTML_TAGS = ("html", "head", "script", "iframe", "h1", "div", "font", "table", "a",
             "style", "title", "b", "body", "br", "p", "svg")
MARKUP_STARTS = ("<!doctype", "<!--", "<?xml")


@dataclass(frozen=True)
class Upload:
    """A file as a form or a request sent it: the name it came with and its content."""

    filename: str | None
    stream: BinaryIO


@dataclass(frozen=True)
class FileStore:
    """Where evidence files are kept and how large one may be (the app's settings)."""

    upload_dir: str
    max_bytes: int


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int


def store_evidence_file(
    filename: str | None, stream: BinaryIO, *, upload_dir: str, max_bytes: int
) -> StoredFile:
    """Check an uploaded file and store it; raise ``ValidationFailed`` naming the problem.

    The stored name is random, so an uploaded name can never choose a path; the
    original name is kept (cleaned) only to show people. The folder and the file are
    readable by the service's own user only.
    """
    clean = secure_filename(filename or "") or "evidence"
    extension = clean.rsplit(".", 1)[-1].lower() if "." in clean else ""
    kind = ALLOWED.get(extension)
    if kind is None:
        allowed = ", ".join(sorted(ALLOWED))
        raise ValidationFailed({"file": [gettext("Files of this type are not accepted; use one of: %(allowed)s.", allowed=allowed)]})
    data = stream.read(max_bytes + 1)
    if not data:
        raise ValidationFailed({"file": [gettext("The file is empty.")]})
    if len(data) > max_bytes:
        raise ValidationFailed({"file": [gettext("The file is larger than %(value)s MB.", value=max_bytes // (1024 * 1024))]})
    if not _content_matches(kind, data):
        raise ValidationFailed({"file": [gettext("The file's content is not a valid .%(extension)s file.", extension=extension)]})

    private_directory(upload_dir)
    stored_name = secrets.token_hex(16)
    path = os.path.join(upload_dir, stored_name)
    with open_private(path + ".part") as handle:
        handle.write(data)
    os.replace(path + ".part", path)
    return StoredFile(clean, stored_name, kind.content_type, len(data))


def evidence_path(upload_dir: str, stored_name: str) -> str:
    """Where a stored file is; stored names are ours (hex), never a user's."""
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise ValueError("not a stored evidence name")
    return os.path.join(upload_dir, stored_name)


def discard(upload_dir: str, stored_name: str) -> None:
    """Remove a stored file (when the transaction that referred to it did not commit)."""
    try:
        os.remove(evidence_path(upload_dir, stored_name))
    except FileNotFoundError:
        pass


def _content_matches(kind: FileType, data: bytes) -> bool:
    if kind.signatures:
        return data.startswith(kind.signatures)
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    # A text file that a browser would render as a page is refused.
    return not _looks_like_markup(text)


def _looks_like_markup(text: str) -> bool:
    """Whether ``text`` starts like an HTML or XML document, once what a reader skips is skipped.

    Byte-order marks (one or several), whitespace, zero-width and control characters
    come off first: "\ufeff<html>" is a page to a browser, whatever the extension says.
    """
    start = 0
    while start < len(text) and (text[start].isspace() or unicodedata.category(text[start]) in ("Cf", "Cc")):
        start += 1
    head = text[start:start + 32].lower()
    if head.startswith(MARKUP_STARTS):
        return True
    return any(
        head.startswith("<" + tag) and head[len(tag) + 1:len(tag) + 2] in ("", " ", ">", "\t", "\n", "\r", "\f", "/")
        for tag in HTML_TAGS
    )
