"""Stacks to remove and drift, on a terminal (rich) and in review.md.

One row builder per section feeds both, so the terminal and the file list
the same things; only the terminal shortens long values.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from deployer.review.lifecycle import DELETED, LISTED, Lifecycle, Removal, StackDrift, Teardown
from deployer.view.value_rows import shorten

REMOVAL_COLUMNS = ("Stack", "Status", "Exports (imported by)", "Routes", "Result")
DRIFT_COLUMNS = ("Stack", "Resource", "Type", "Drift", "Property", "Template → actual", "This run")
MdTable = Callable[[tuple[str, ...], list[list[str]]], list[str]]


def removal_rows(lifecycle: Lifecycle) -> list[list[str]]:
    """One row per stack no longer in the manifest: its exports and importers, routes, result."""
    rows = []
    for r in lifecycle.removals:
        exports = "; ".join(f"{e} ({', '.join(r.importers.get(e, [])) or 'not imported'})" for e in r.exports)
        rows.append([r.stack_name, r.status, exports or "-", "; ".join(r.routes) or "-", _result(r)])
    return rows


def _result(removal: Removal) -> str:
    if removal.result == LISTED:
        return "kept: blocked" if removal.blockers else "kept: --prune --allow-delete deletes it"
    return f"{removal.result}: {removal.message}" if removal.message else removal.result


def drift_rows(drift: list[StackDrift], width: int | None = None) -> list[list[str]]:
    """One row per drifted property (or resource); ``width`` shortens values for the terminal."""

    def cell(value: str | None) -> str:
        return shorten(value, width) if width else ("(none)" if value is None else value)

    rows = []
    for stack in drift:
        for res in stack.resources:
            effect = "overwrites it" if res.overwritten else "-"
            for prop in res.properties or [None]:
                path = prop.path if prop else "-"
                values = f"{cell(prop.expected)} → {cell(prop.actual)}" if prop else "-"
                rows.append([stack.stack_name, res.logical_id, res.resource_type, res.status, path, values, effect])
    return rows


def drift_notes(lifecycle: Lifecycle) -> list[str]:
    """Why drift is incomplete, and which console changes this run overwrites."""
    notes = [lifecycle.drift_note] if lifecycle.drift_note else []
    notes += [f"{d.stack_name}: {d.note}" for d in lifecycle.drift if d.note]
    overwritten = sorted(
        {f"{d.stack_name} {r.logical_id}" for d in lifecycle.drift for r in d.resources if r.overwritten}
    )
    if overwritten:
        notes.append(
            f"This run's change sets modify drifted resources ({', '.join(overwritten)}): the console changes "
            "shown above are overwritten. Put them into the params file first if they must stay."
        )
    return notes


def terminal(lifecycle: Lifecycle, width: int = 40) -> RenderableType:
    """Stacks to remove and drift on the terminal, with blockers, risks and notes."""
    parts: list[RenderableType] = []
    if lifecycle.removals:
        parts.append(titled_table("Stacks no longer in the manifest", REMOVAL_COLUMNS, removal_rows(lifecycle)))
        for r in lifecycle.removals:
            parts += [Text(f"  blocked: {r.stack_name}: {b}", "bold red") for b in r.blockers]
        parts += [Text(f"  RISK: {risk}", "bold red") for risk in lifecycle.risks]
        parts += [Text(f"  left behind: {line}", "yellow") for r in lifecycle.to_delete for line in r.left_behind]
        if any(r.result == LISTED and not r.blockers for r in lifecycle.removals):
            parts.append(
                Text("  note: kept; --prune --allow-delete deletes them after the other stacks are updated", "yellow")
            )
    if lifecycle.prune_note:
        parts.append(
            Text(
                f"  stacks no longer in the manifest: {lifecycle.prune_note}",
                "bold red" if lifecycle.prune else "yellow",
            )
        )
    drifted = drift_rows(lifecycle.drift, width)
    if drifted:
        parts.append(titled_table("Drift (changed outside CloudFormation)", DRIFT_COLUMNS, drifted))
    parts += [Text(f"  drift: {note}", "yellow") for note in drift_notes(lifecycle)]
    return Group(*parts)


def outcomes(lifecycle: Lifecycle) -> RenderableType:
    """After execution: one line per stack that was to be deleted, and what each deletion left behind."""
    lines = []
    for r in lifecycle.removals:
        if r.prune and r.result != LISTED:
            style = "green" if r.result == DELETED else "bold red"
            lines.append(Text(f"{r.stack_name}: {r.result}{': ' + r.message if r.message else ''}", style))
            if r.result == DELETED:
                lines += [Text(f"  left behind: {line}", "yellow") for line in r.left_behind]
    return Group(*lines)


TEARDOWN_COLUMNS = ("#", "Stack", "Status", "Exports", "After (importers)", "Routes", "Result")


def teardown_rows(stacks: list[Removal]) -> list[list[str]]:
    """The order explained: each stack is deleted after the stacks importing its exports."""
    names = {s.stack_name: s.key for s in stacks}
    rows = []
    for n, s in enumerate(stacks, 1):
        after = sorted({names.get(i, i) for importers in s.importers.values() for i in importers})
        rows.append([str(n), s.stack_name, s.status, str(len(s.exports)), ", ".join(after) or "-",
                     "; ".join(s.routes) or "-", _result(s)])  # fmt: skip
    return rows


def teardown_table(stacks: list[Removal]) -> Table:
    """The stacks a teardown deletes, in deletion order."""
    return titled_table("Stacks to delete, in this order", TEARDOWN_COLUMNS, teardown_rows(stacks))


def teardown_markdown(title: str, stacks: list[Removal], left_behind: list[str], table: MdTable) -> list[str]:
    """A teardown's review.md: the same rows as the terminal, then blockers and what is left behind."""
    lines = [title, "", *table(TEARDOWN_COLUMNS, teardown_rows(stacks)), ""]
    lines += [f"- **blocked** {s.stack_name}: {b}" for s in stacks for b in s.blockers]
    lines += [f"- left behind: {line}" for line in left_behind]
    return [*lines, ""]


def titled_table(title: str, columns: tuple[str, ...], rows: list[list[str]]) -> Table:
    """A rich table with a title on the left, for sections that have rows but no styling of their own."""
    table = Table(*columns, title=title, title_justify="left", header_style="bold")
    for row in rows:
        table.add_row(*row)
    return table


def markdown(lifecycle: Lifecycle, table: MdTable) -> list[str]:
    """review.md's sections, drawn with report's own table function."""
    lines: list[str] = []
    if lifecycle.removals:
        lines += ["## Stacks no longer in the manifest", "", *table(REMOVAL_COLUMNS, removal_rows(lifecycle)), ""]
        lines += [f"- **blocked** {r.stack_name}: {b}" for r in lifecycle.removals for b in r.blockers]
        lines += [f"- **RISK** {risk}" for risk in lifecycle.risks]
        lines += [f"- left behind: {line}" for r in lifecycle.to_delete for line in r.left_behind]
        noted = any(r.blockers or (r in lifecycle.to_delete and r.left_behind) for r in lifecycle.removals)
        lines += [""] if noted or lifecycle.risks else []
    if lifecycle.prune_note:
        lines += ["## Stacks no longer in the manifest", "", f"- {lifecycle.prune_note}", ""]
    drifted = drift_rows(lifecycle.drift)
    notes = drift_notes(lifecycle)
    if drifted or notes:
        lines += ["## Drift", ""]
        lines += [*table(DRIFT_COLUMNS, drifted), ""] if drifted else []
        lines += [f"- {note}" for note in notes] + ([""] if notes else [])
    return lines


def show_teardown(console: Console, plan: Teardown) -> None:
    """A teardown's review on the terminal: the stacks in deletion order, what blocks them, what stays."""
    console.rule(f"Teardown: {plan.project}/{plan.environment} in {plan.where or plan.region}")
    if not plan.stacks:
        console.print(Text("No stack of this environment exists (but its lock stack).", "green"))
        return
    console.print(teardown_table(plan.stacks))
    for stack in plan.stacks:
        for blocker in stack.blockers:
            console.print(Text(f"  blocked: {stack.stack_name}: {blocker}", "bold red"))
    for line in plan.left_behind:
        console.print(Text(f"  left behind: {line}", "yellow"))
    console.print(Text(f"  last: the environment's lock stack {plan.lock_stack['stack_name']} (no resources)", "dim"))
