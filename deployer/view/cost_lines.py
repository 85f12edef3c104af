"""The review's monthly cost delta as lines: "+2 NAT gateways: +$70.08/month (network)".

The same lines on the terminal and in review.md; the numbers come from
``review.cost_delta``, which review.json carries as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text


def text_lines(cost: Mapping[str, Any]) -> list[str]:
    """``+2 NAT gateways: +$70.08/month (network)`` per line, then the total; the same for every output."""
    out = [
        f"{_count(line)} ({line['detail']}): {_money(line['monthly'])}"
        if line.get("detail")
        else f"{_count(line)}: {_money(line['monthly'])} ({', '.join(line['stacks'])})"
        for line in cost["lines"]
    ]
    if cost["lines"]:
        out.append(f"total: {_money(cost['total_monthly'])} at {cost['prices']}")
    return out


def _count(line: Mapping[str, Any]) -> str:
    if not line["quantity"]:
        return _plural(str(line["unit"]))  # the same number of them, another size: "Fargate tasks"
    unit = line["unit"] if abs(line["quantity"]) == 1 else _plural(line["unit"])
    return f"{line['quantity']:+d} {unit}"


def _plural(unit: str) -> str:
    head, _, tail = unit.partition(" (")
    head += "es" if head.endswith("s") else "s"
    return f"{head} ({tail}" if tail else head


def _money(amount: float) -> str:
    return f"{'+' if amount >= 0 else '-'}${abs(amount):,.2f}/month"


def terminal(cost: Mapping[str, Any]) -> RenderableType:
    """The cost delta on the terminal, with what could not be priced."""
    parts: list[RenderableType] = [Text("Monthly cost delta", "bold")]
    parts += [Text(f"  {line}") for line in text_lines(cost)] or [Text("  no priced change", "dim")]
    parts += [Text(f"  not priced: {item}", "dim") for item in cost["not_priced"]]
    if cost["not_included"]:
        parts.append(Text(f"  not included: {'; '.join(cost['not_included'])}", "dim"))
    return Group(*parts)


def markdown(cost: Mapping[str, Any]) -> list[str]:
    """review.md's cost section: the same lines as the terminal."""
    lines = ["## Monthly cost delta", ""]
    lines += [f"- {line}" for line in text_lines(cost)] or ["- no priced change"]
    lines += [f"- not priced: {item}" for item in cost["not_priced"]]
    return [*lines, *([f"- not included: {'; '.join(cost['not_included'])}"] if cost["not_included"] else []), ""]
