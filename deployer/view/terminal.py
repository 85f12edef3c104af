"""The review, a mid-run change set, the stack events and the routing table on a terminal, with rich.

Replacement is the column people miss: ``True`` is red and ``Conditional``
(CloudFormation's "maybe") yellow, never plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from deployer.review.stack_review import RESOURCE_COLUMNS, Result, Review, StackReview
from deployer.view import cost_lines, import_tables, lifecycle_tables, prediction_tables, route_tables
from deployer.view.value_rows import TERMINAL_WIDTH, VALUE_COLUMNS, value_rows

REPLACEMENT_STYLES = {"True": "bold white on red", "Conditional": "bold black on yellow", "False": "green"}
ACTION_STYLES = {"Add": "green", "Modify": "yellow", "Remove": "bold red", "Import": "cyan"}
RESULT_STYLES = {
    Result.CHANGES: "yellow",
    Result.NO_CHANGES: "green",
    Result.PREVIEW: "cyan",
    Result.DEFERRED: "cyan",
    Result.EXECUTED: "bold green",
}


def heading(review: StackReview) -> Text:
    """A stack's one-line heading: name, key, action, result, counts."""
    counts = ", ".join(f"{n} {action.lower()}" for action, n in review.counts().items() if n)
    text = Text.assemble(
        (review.stack_name, "bold"),
        f" ({review.key})  ",
        (review.action or "-", "bold"),
        "  ",
        (str(review.result), RESULT_STYLES.get(review.result, "bold red")),
    )
    if counts:
        text.append(f"  {counts}")
    if review.template_changed is False:
        text.append("  parameters only", "cyan")
    return text


def resource_table(review: StackReview) -> Table:
    """The resource rows, with the Replacement column coloured so it is not missed."""
    table = Table(*RESOURCE_COLUMNS, show_lines=False, header_style="bold")
    for change in review.resources:
        action, logical_id, kind, replacement, *details = change.cells()
        table.add_row(
            Text(action, ACTION_STYLES.get(action, "")),
            Text(logical_id, "bold red" if change.risk else ""),
            kind,
            Text(replacement, REPLACEMENT_STYLES.get(replacement, "")),
            *details,
        )
    return table


def parameter_table(review: StackReview) -> Table:
    """Parameters whose value changes, and where the new value comes from."""
    table = Table("Parameter", "Deployed", "New", "From", title="Parameters", title_justify="left", header_style="bold")
    for change in review.parameters:
        table.add_row(change.name, _value(change.deployed), _value(change.new), change.source)
    return table


def export_table(review: StackReview) -> Table:
    """Exports added, removed or changed; one in use is red."""
    table = Table("Export", "Change", "Why", "Imported by", title="Exports", title_justify="left", header_style="bold")
    for change in review.exports:
        style = "bold red" if change.risk else ("green" if change.change == "added" else "yellow")
        table.add_row(change.name, Text(change.change, style), change.reason, ", ".join(change.importers))
    return table


def _value(value: str | None) -> Text:
    return Text("(none)", "dim") if value is None else Text(value)


def stack_block(review: StackReview) -> RenderableType:
    """One stack's whole review on the terminal: heading, tables, risks, notes."""
    parts: list[RenderableType] = [heading(review)]
    if review.message:
        parts.append(Text(f"  {review.message}", "bold red" if review.result.is_failure else ""))
    parts += import_tables.terminal(review.imports)
    if review.resources:
        parts.append(resource_table(review))
    if review.predicted:
        parts.append(prediction_tables.terminal(review))
    if any(r.values for r in review.resources):
        parts.append(
            lifecycle_tables.titled_table("Values", VALUE_COLUMNS, value_rows(review.resources, TERMINAL_WIDTH))
        )
    if review.parameters:
        parts.append(parameter_table(review))
    if review.exports:
        parts.append(export_table(review))
    parts += [Text(f"  RISK: {risk}", "bold red") for risk in review.risks]
    parts += [Text(f"  note: {note}", "dim") for note in review.all_notes]
    return Group(*parts)


def summary_table(review: Review) -> Table:
    """One line per stack: action, result, counts and risks; then the stacks --prune deletes."""
    table = Table("Stack", "Action", "Result", "Add", "Modify", "Remove", "Risks", title="Summary", header_style="bold")
    for stack in review.stacks.values():
        counts = stack.counts()
        table.add_row(
            stack.stack_name,
            stack.action or "-",
            Text(str(stack.result), RESULT_STYLES.get(stack.result, "bold red")),
            str(counts["Add"]),
            str(counts["Modify"]),
            Text(str(counts["Remove"]), "bold red" if counts["Remove"] else ""),
            Text(str(len(stack.risks)), "bold red" if stack.risks else ""),
        )
    for row in deletion_rows(review):
        table.add_row(*row[:2], Text(row[2], "bold red"), *row[3:5], Text(row[5], "bold red"), Text(row[6], "bold red"))
    return table


def deletion_rows(review: Review) -> list[list[str]]:
    """The summary's rows for the stacks --prune deletes: DELETE, the result, every resource removed."""
    return [
        [r.stack_name, "DELETE", r.result, "0", "0", "?" if r.resources is None else str(r.resources),
         str(1 if r.risk else 0)]
        for r in review.lifecycle.removals
        if r.prune
    ]  # fmt: skip


def header(review: Review) -> tuple[str, str]:
    """The review's title (project, environment, account and region) and the line under it (caller, endpoint)."""
    where = review.identity.short() if review.identity else review.region
    return f"Review: {review.project}/{review.environment} in {where}", (
        review.identity.details() if review.identity else ""
    )


def show_review(console: Console, review: Review) -> None:
    """The whole review on the terminal, stack by stack, then URLs, lifecycle, cost and the summary."""
    title, details = header(review)
    console.rule(title)
    if details:
        console.print(Text(f"  {details}", "dim"))
    for stack in review.stacks.values():
        console.print(stack_block(stack))
        console.print()
    console.print(route_tables.terminal(review.routes))
    console.print(lifecycle_tables.terminal(review.lifecycle))
    if review.cost:
        console.print(cost_lines.terminal(review.cost))
    console.print(summary_table(review))


def show_stack(console: Console, stack: StackReview) -> None:
    """One stack's review, for a change set made mid-run (shown before it is confirmed)."""
    console.print(stack_block(stack))


def event_printer(console: Console) -> Callable[[str], Callable[[list[dict[str, Any]]], None]]:
    """Per stack, a callback that prints that stack's new events as they arrive."""

    def for_stack(stack_name: str) -> Callable[[list[dict[str, Any]]], None]:
        def print_events(events: Iterable[dict[str, Any]]) -> None:
            lines = []
            for event in events:
                status = event["ResourceStatus"]
                style = "green" if status.endswith("COMPLETE") else ""
                style = "red" if "FAILED" in status or "ROLLBACK" in status else style
                reason = event.get("ResourceStatusReason") or ""
                lines.append(
                    Text.assemble(
                        (f"  {stack_name} ", "dim"),
                        f"{'(stack)' if event['LogicalResourceId'] == stack_name else event['LogicalResourceId']} ",
                        (status, style),
                        (f"  {reason}" if reason else "", "dim"),
                    )
                )
            if lines:  # one print per poll: the same lines, one rendering pass instead of one per event
                console.print(Text("\n").join(lines))

        return print_events

    return for_stack


def routes_table(dns_name: str | None, routes: list[dict[str, Any]]) -> RenderableType:
    """The routing table, each rule with its ALB; the DNS name of every further ALB under the first's."""
    table = Table("ALB", "Priority", "Host", "Path", "Service stack", title="Routing", header_style="bold")
    for route in routes:
        alb = route.get("alb", "alb")
        path = (route["path"] or "*") + (f" + header {route['header']}" if route.get("header") else "")
        table.add_row(alb, str(route["priority"]), route["host"] or "*", path, route["stack"])
    lines = [Text.assemble(("ALB DNS name: ", "bold"), dns_name or "(not found)")]
    others = sorted({(r["alb"], r["alb_dns"]) for r in routes if r.get("alb_dns") and r["alb_dns"] != dns_name})
    lines += [Text.assemble((f"{alb} DNS name: ", "bold"), dns) for alb, dns in others]
    return Group(*lines, table)
