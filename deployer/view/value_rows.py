"""Property values as table rows: whole in review.md, shortened on the terminal.

One row builder feeds both outputs, so they list the same values; the
terminal's cells are narrow, and an image URI keeps its registry start and
its tag when the middle gives way.
"""

from __future__ import annotations

from collections.abc import Iterable

from deployer.review.property_values import Row

VALUE_COLUMNS = ("Resource", "Property", "Before → after")
TERMINAL_WIDTH = 44  # per value cell: an image URI keeps its registry start and its tag


def shorten(value: str | None, width: int = TERMINAL_WIDTH) -> str:
    """Keep the start and the end (an image's registry and its tag); the middle gives way."""
    if value is None:
        return "(none)"
    value = " ".join(value.split())
    if len(value) <= width:
        return value
    head = (width - 1) // 2
    return value[:head] + "…" + value[-(width - 1 - head) :]


def value_rows(rows: Iterable[Row], width: int | None = None) -> list[list[str]]:
    """One row per changed value under ``VALUE_COLUMNS``; ``width`` shortens the values (the terminal)."""

    def cell(value: str | None) -> str:
        return shorten(value, width) if width else ("(none)" if value is None else value)

    return [
        [row.logical_id, value.label or value.path, f"{cell(value.before)} → {cell(value.after)}"]
        for row in rows
        for value in row.values
    ]
