"""Files only the service's own user may read: uploads, backups, the instance folder.

Evidence files and drafts, and backups (which hold password and token hashes and live
signed links), must not be readable by other accounts on the machine, whatever the
umask of the process that writes them.
"""

from __future__ import annotations

import os
import shutil
import stat
from typing import IO

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: str) -> str:
    """Create ``path`` (and its parents) if needed, and make it reachable by its owner only."""
    os.makedirs(path, mode=DIRECTORY_MODE, exist_ok=True)
    if stat.S_IMODE(os.stat(path).st_mode) != DIRECTORY_MODE:
        os.chmod(path, DIRECTORY_MODE)
    return path


def open_private(path: str) -> IO[bytes]:
    """Open ``path`` for writing bytes, created (or truncated) readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)  # a file that already existed keeps its mode otherwise
        return os.fdopen(descriptor, "wb")
    except BaseException:
        os.close(descriptor)
        raise


def copy_private(source: str, target: str) -> None:
    """Copy ``source`` to ``target``, the copy readable by its owner only."""
    with open(source, "rb") as reading, open_private(target) as writing:
        shutil.copyfileobj(reading, writing)
