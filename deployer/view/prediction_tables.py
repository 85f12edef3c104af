"""The offline prediction of a stack on the terminal and in review.md: what each change forces, and what the
change set says about the same resource.

``replace`` is red and ``may replace`` yellow, like the change set's Replacement column; a row where the
prediction and the change set disagree is marked, and the note under the stack says how.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from deployer.review.stack_review import PREDICTED_COLUMNS, StackReview
from deployer.view.lifecycle_tables import MdTable

TITLE = "Predicted from the templates"  # the Why column names the create-only properties
EFFECT_STYLES = {"replace": "bold white on red", "may replace": "bold black on yellow", "remove": "bold red"}


def terminal(stack: StackReview) -> Table:
    """One row per predicted modification or removal, the change set's word beside it."""
    table = Table(*PREDICTED_COLUMNS, title=TITLE, title_justify="left", header_style="bold")
    for change in stack.predicted:
        logical_id, kind, effect, why, said = change.cells()
        table.add_row(
            Text(logical_id, "bold red" if change.risk else ""),
            kind,
            Text(effect, EFFECT_STYLES.get(effect, "")),
            why,
            Text(said + (" (disagrees)" if change.disagreement else ""), "bold yellow" if change.disagreement else ""),
        )
    return table


def markdown(stack: StackReview, table: MdTable) -> list[str]:
    """review.md's prediction section of one stack."""
    if not stack.predicted:
        return []
    rows = []
    for change in stack.predicted:
        cells = change.cells()
        if change.effect in ("replace", "may replace"):
            cells[2] = f"**{cells[2]}**"
        if change.disagreement:
            cells[4] += " (disagrees)"
        rows.append(cells)
    return [f"{TITLE}:", "", *table(PREDICTED_COLUMNS, rows), ""]
