"""The URLs a deploy changes, on the terminal and in review.md, before the question is asked.

The same rows in both; a removed URL is red, a URL changing owner yellow, a
new one green.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deployer.review.route_impact import ADDED, REMOVED, ROUTE_COLUMNS, RouteChange
from deployer.view.lifecycle_tables import MdTable

TITLE = "URLs this deploy changes"
STYLES = {REMOVED: "bold red", ADDED: "green"}


def terminal(routes: list[RouteChange]) -> RenderableType:
    """The route impact table, or one line saying no URL changes."""
    if not routes:
        return Text("  URLs: no route is added, removed or changes owner", "dim")
    table = Table(*ROUTE_COLUMNS, title=TITLE, title_justify="left", header_style="bold")
    for route in routes:
        change, *rest = route.cells()
        table.add_row(Text(change, STYLES.get(route.change, "yellow")), *rest)
    return Group(table)


def markdown(routes: list[RouteChange], table: MdTable) -> list[str]:
    """review.md's route impact section."""
    lines = [f"## {TITLE}", ""]
    if not routes:
        return [*lines, "No route is added, removed or changes owner.", ""]
    return [*lines, *table(ROUTE_COLUMNS, [route.cells() for route in routes]), ""]
