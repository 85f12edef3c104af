"""A stack's import step on the terminal and in review.md: what is imported, and what is left as it is.

The resource table already lists the Import rows and the update's rows; this
adds, per imported resource, the identifier CloudFormation is given (what an
operator checks against the console), and the live resources the stack does
not take over, each with what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType
from rich.text import Text

from deployer.review.stack_review import ImportStep
from deployer.view.lifecycle_tables import titled_table

IMPORT_COLUMNS = ("Logical id", "Type", "Live resource", "Identifier")
MdTable = Callable[[tuple[str, ...], list[list[str]]], list[str]]


def rows(step: ImportStep) -> list[list[str]]:
    return [
        [item.logical_id, item.resource_type, item.name, ", ".join(f"{k}={v}" for k, v in item.identifier.items())]
        for item in step.imported
    ]


def terminal(step: ImportStep | None) -> list[RenderableType]:
    """The import table and the left-alone lines, or nothing for a stack without an import step."""
    if step is None:
        return []
    parts: list[RenderableType] = [titled_table("Imported as they are", IMPORT_COLUMNS, rows(step))]
    parts += [Text(f"  left as it is: {line}", "yellow") for line in step.left_alone]
    return parts


def markdown(step: ImportStep | None, table: MdTable) -> list[str]:
    """review.md's lines for the import step."""
    if step is None:
        return []
    lines = ["Imported as they are:", "", *table(IMPORT_COLUMNS, rows(step)), ""]
    return lines + [f"- left as it is: {line}" for line in step.left_alone] + ([""] if step.left_alone else [])
