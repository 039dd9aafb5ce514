"""bench/RESULTS.md, which several scripts share: each keeps its own section between its
markers (``<!-- NAME: written by ... -->`` and ``<!-- /NAME -->``, the form bench/run.py
keeps when it rewrites the file) and leaves the rest alone."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(begin: str, end: str, section: str, results: Path = RESULTS) -> None:
    """Replace the part of ``results`` from ``begin`` to ``end`` with ``section`` (which holds
    both markers), or add it at the end of the file."""
    current = results.read_text(encoding="utf-8") if results.exists() else ""
    if begin in current and end in current:
        before, rest = current.split(begin, 1)
        current = before + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(current, encoding="utf-8")
