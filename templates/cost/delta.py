"""The monthly cost a change makes: two cost models (cost.json documents) in, review lines out.

A pure function, so the deployer's review (or generate's output) can say
"+2 NAT gateways: +$70.08/month" without knowing how cost is computed.
"""

from __future__ import annotations

from typing import Any


def _money(amount: float) -> str:
    sign = "+" if amount >= 0 else "-"
    return f"{sign}${abs(amount):,.2f}/month"


def _count(quantity: int, unit: str) -> str:
    plural = unit if abs(quantity) == 1 else unit + ("es" if unit.endswith("s") else "s")
    return f"{quantity:+d} {plural}"


def cost_delta(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """One line per component whose cost changed, then the total; [] when nothing changed.

    ``old`` None (a new environment) counts every component as added.
    """
    before = {line["key"]: line for line in (old or {}).get("components", [])}
    after = {line["key"]: line for line in new.get("components", [])}
    lines = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        change = (now["monthly"] if now else 0) - (was["monthly"] if was else 0)
        ref = now or was
        assert ref is not None
        quantity = (now["quantity"] if now else 0) - (was["quantity"] if was else 0)
        if abs(change) < 0.005 and not quantity:
            continue
        what = _count(quantity, ref["unit"]) if quantity else "changed"
        lines.append(f"{ref['component']}: {what}: {_money(change)}")
    if lines:
        total = new.get("total_monthly", 0) - (old or {}).get("total_monthly", 0)
        lines.append(f"total fixed cost: {_money(total)}")
    return lines
