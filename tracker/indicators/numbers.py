"""An indicator's number as people read it: no trailing ".0", thousands grouped."""

from __future__ import annotations


def number_text(value: float | None) -> str:
    """``1234.0`` as ``1,234``, ``0.5`` as ``0.5``, ``None`` as an empty string."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")
