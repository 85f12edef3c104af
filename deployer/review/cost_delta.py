"""The monthly cost a run makes: "+2 NAT gateways: +$70.08/month", never silent.

Priced from the template diff, not from the change set (whose property
values an endpoint may not give): each stack's fixed units before and after
this run (``templates.contract.billable``: counted the way cost.json counts
them) times cost.json's ``unit_prices``.  The deployer reads cost.json as
data and never imports the cost model.  So a first deploy's delta is
cost.json's total, and a task size or desired count change is priced
wherever it is deployed from.

EC2 capacity groups are priced by their instances (their services cost
nothing per task): a new group at cost.json's ``ec2:<group>`` line (the
instances managed scaling runs for the planned tasks, Spot share and root
volumes included); a changed size at rest (desired, else minimum) at that
line's price per instance; a changed first instance type (On-Demand launches
follow the overrides' order) at the difference of the two types' monthly
prices in ``unit_prices.ec2_instance``, for the line's instances.  A removed
group is named, not priced: its instances were planned by an earlier cost.json.

What cannot be priced is named with the reason: a template value only known
at deploy time, a stack whose deployed template could not be read, usage
billed per run; traffic is listed as not included, as in cost.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deployer.review.stack_review import Result, Review
from deployer.review.template_pairs import TemplatePair
from templates.contract.billable import ALARM, ALB, ENDPOINT_AZ, IPV4, NAT, Bill, Instances, Tasks, bill
from templates.contract.files import COST

PRICED_RESULTS = (Result.CHANGES, Result.PREVIEW, Result.DEFERRED, Result.EXECUTED)
UNITS = {
    NAT: "NAT gateway",
    ALB: "load balancer",
    IPV4: "public IPv4 address",
    ENDPOINT_AZ: "interface endpoint-AZ",
    ALARM: "alarm metric",
}
FARGATE = "Fargate task"
INSTANCE = "EC2 instance"


@dataclass
class Priced:
    """One priced change: how many units it adds (or removes) and what they cost a month."""

    unit: str
    quantity: int
    monthly: float
    stack: str
    detail: str = ""  # Fargate: which stack, its service's tasks before -> after


def estimate(folder: Path, review: Review, pairs: Mapping[str, TemplatePair], lists: Mapping[str, int]) -> dict:
    """The review's cost section (JSON-ready): lines by unit, the total, and what is not priced.

    ``pairs``: each stack's templates before and after the run (stacks --prune deletes have no after);
    ``lists``: the length of each exported list (``billable.list_lengths`` of the folder's templates).
    """
    cost = _read(folder)
    if cost is None or "unit_prices" not in cost:
        return {"lines": [], "total_monthly": 0.0, "prices": "", "not_priced": [_missing(cost)], "not_included": []}
    priced: list[Priced] = []
    not_priced: list[str] = []
    for key, name in _changing(review):
        pair = pairs.get(key)
        if pair is None:
            not_priced.append(f"{name}: its deployed template could not be read")
            continue
        for item in _stack(key, name, pair, cost, lists):
            (not_priced.append(item) if isinstance(item, str) else priced.append(item))
    lines = _lines(priced)
    table = cost.get("price_table", {})
    return {
        "lines": lines,
        "total_monthly": round(sum(line["monthly"] for line in lines), 2),
        "prices": f"{table.get('region', '?')} prices of {table.get('as_of', '?')} (cost.json)",
        "not_priced": not_priced,
        "not_included": list(cost.get("not_included", [])),  # traffic: never in a fixed monthly figure
    }


def _changing(review: Review) -> Iterator[tuple[str, str]]:
    """(stack key, stack name) of every stack this run changes or deletes."""
    for stack in review.stacks.values():
        if stack.result in PRICED_RESULTS:
            yield stack.key, stack.stack_name
    for removal in review.lifecycle.to_delete:
        yield removal.key, removal.stack_name


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / COST).read_text())
    except (OSError, ValueError):
        return None


def _missing(cost: dict[str, Any] | None) -> str:
    if cost is None:
        return f"no cost delta: {COST} is missing from the folder (python generate.py writes it)"
    return f"no cost delta: {COST} has no unit prices; regenerate the folder"


def _stack(
    key: str, name: str, pair: TemplatePair, cost: Mapping[str, Any], lists: Mapping[str, int]
) -> Iterator[Priced | str]:
    """What one stack's change costs: each fixed unit's net change, each service's tasks, what is not priced."""
    units = cost["unit_prices"]
    before, after = bill(pair.before, pair.before_params, lists), bill(pair.after, pair.after_params, lists)
    for unit in sorted(before.units.keys() | after.units.keys()):
        delta = after.units.get(unit, 0) - before.units.get(unit, 0)
        if delta:
            yield Priced(UNITS[unit], delta, delta * float(units[unit]), key)
    for service in sorted(before.tasks.keys() | after.tasks.keys()):
        old, new = before.tasks.get(service), after.tasks.get(service)
        if old != new:
            yield _tasks(key, service, old, new, units)
    for group in sorted(before.groups.keys() | after.groups.keys()):
        old_group, new_group = before.groups.get(group), after.groups.get(group)
        if old_group != new_group:
            yield from _instances(key, name, group, (old_group, new_group), cost)
    yield from (f"{name}: {reason}" for reason in _unlike(before, after))


def _unlike(before: Bill, after: Bill) -> list[str]:
    """Reasons and usage notes of one side that the other does not share (unchanged ones cost nothing new)."""
    one = before.not_counted + before.usage
    other = after.not_counted + after.usage
    return [reason for reason in other if reason not in one] + [reason for reason in one if reason not in other]


def _monthly(tasks: Tasks | None, units: Mapping[str, Any]) -> float:
    """A service's tasks a month: on-demand ones at full price, Spot ones at the Spot discount."""
    if tasks is None:
        return 0.0
    arch = tasks.architecture
    per_task = tasks.cpu / 1024 * units["fargate_vcpu"][arch] + tasks.memory / 1024 * units["fargate_gb"][arch]
    return per_task * (tasks.count - tasks.spot + tasks.spot * (1 - float(units["fargate_spot_discount"])))


def _tasks(key: str, service: str, old: Tasks | None, new: Tasks | None, units: Mapping[str, Any]) -> Priced:
    delta = (new.count if new else 0) - (old.count if old else 0)
    if old is not None and new is not None:
        detail = f"{key}: {old.describe()} -> {new.describe()}"
    elif new is not None:
        detail = f"{key}: {new.describe()}"
    else:
        detail = f"{key}: {old.describe() if old else 'none'} removed"
    return Priced(FARGATE, delta, _monthly(new, units) - _monthly(old, units), key, detail)


def _instances(
    key: str, name: str, group: str, sides: tuple[Instances | None, Instances | None], cost: Mapping[str, Any]
) -> Iterator[Priced | str]:
    """One capacity group's instances: added whole, or by a changed size at rest or first instance type."""
    old, new = sides
    line = next((c for c in cost.get("components", []) if c.get("key") == f"ec2:{group}"), None)
    if new is None or line is None:
        which = new or old
        logical_id = which.logical_id if which else group
        yield f"{name}: {'remove' if new is None else 'add'} Auto Scaling group {logical_id} (its instances)"
        return
    quantity = int(line["quantity"])
    if old is None:
        yield Priced(INSTANCE, quantity, float(line["monthly"]), key, f"{group}: {new.instance_type} x {quantity}")
        return
    if old.floor != new.floor:
        if old.floor is None or new.floor is None or not quantity:
            yield f"{name}: the size of capacity group {group} changes (no values or instances to price it)"
        else:
            delta = new.floor - old.floor
            detail = f"{group}: {old.floor} -> {new.floor} at rest"
            yield Priced(INSTANCE, delta, delta * float(line["monthly"]) / quantity, key, detail)
    prices = cost["unit_prices"].get("ec2_instance", {})
    if old.instance_type != new.instance_type and {old.instance_type, new.instance_type} <= prices.keys():
        per_type = prices[new.instance_type] - prices[old.instance_type]
        detail = f"{group}: {old.instance_type} -> {new.instance_type}, {quantity} On-Demand"
        yield Priced(INSTANCE, 0, quantity * per_type, key, detail)
    elif old.instance_type != new.instance_type:
        yield f"{name}: capacity group {group} launches {new.instance_type}: no price for it in cost.json"


def _lines(priced: list[Priced]) -> list[dict[str, Any]]:
    """One line per unit (per service for Fargate tasks): net quantity, monthly amount, the stacks."""
    by_unit: dict[tuple[str, str], dict[str, Any]] = {}
    for item in priced:
        line = by_unit.setdefault(
            (item.unit, item.detail),
            {"unit": item.unit, "quantity": 0, "monthly": 0.0, "stacks": [], "detail": item.detail},
        )
        line["quantity"] += item.quantity
        line["monthly"] += item.monthly
        if item.stack not in line["stacks"]:
            line["stacks"].append(item.stack)
    lines = [{**line, "monthly": round(line["monthly"], 2)} for line in by_unit.values()]
    return [line for line in lines if line["quantity"] or line["monthly"]]
