"""The monthly cost a run's change sets make: "+2 NAT gateways: +$70.08/month".

Priced from what the change sets say (resources added and removed, property
values before -> after) with the unit prices generate.py wrote into
``cost.json`` (``unit_prices``): the deployer reads that file as data and never
imports the cost model (tests/test_layout.py).  Only fixed, hourly charges are
priced, as in cost.json: NAT gateways, load balancers, interface endpoints per
AZ, public IPv4 addresses (EIPs), alarms, and Fargate tasks (a new service's
tasks from cost.json's line for it; desired count and task size changes where
the change set carries values).  What cannot be priced is said, never
guessed: removed services, endpoints of unknown type, stacks whose change set
is made later, stacks --prune deletes, and traffic.

EC2 capacity groups are priced by their instances: a new group at cost.json's
line for it (``ec2:<group>``, the instances managed scaling runs for the
planned tasks); a changed minimum or desired size at the per-instance price
of that line; a changed first instance type (On-Demand launches follow the
list) at the difference of the two types' monthly prices in ``unit_prices``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from deployer.review.parameter_changes import Deployable
from deployer.review.stack_review import ResourceChange, Result, Review, StackReview
from templates.contract.files import COST
from templates.contract.template import capacity_group_of, runs_on_ec2, service_stack_key

PRICED_RESULTS = (Result.CHANGES, Result.PREVIEW, Result.EXECUTED)
# Resource type -> (unit, key of cost.json's unit_prices): one unit per resource.
PER_RESOURCE = {
    "AWS::EC2::NatGateway": ("NAT gateway", "nat_gateway"),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("load balancer", "load_balancer"),
    "AWS::EC2::EIP": ("public IPv4 address", "public_ipv4_address"),
    "AWS::CloudWatch::Alarm": ("alarm", "alarm_metric"),
}
SIGN = {"Add": 1, "Remove": -1}


class Generated(Protocol):
    """What the cost delta reads of the deployment (the deployer's ``Deployment``): its folder and templates."""

    @property
    def folder(self) -> Path: ...
    @property
    def stacks(self) -> Mapping[str, Deployable]: ...


@dataclass
class Priced:
    """One priced resource change: how many units it adds (or removes) and what they cost a month."""

    unit: str
    quantity: int
    monthly: float
    stack: str


def estimate(deployment: Generated, review: Review) -> dict[str, Any]:
    """The review's cost section (JSON-ready): lines by unit, the total, and what is not priced."""
    cost = _read(deployment.folder)
    if cost is None or "unit_prices" not in cost:
        return {"lines": [], "total_monthly": 0.0, "prices": "", "not_priced": [_missing(cost)], "not_included": []}
    priced: list[Priced] = []
    not_priced: list[str] = []
    for stack in review.stacks.values():
        if stack.result in PRICED_RESULTS:
            template = deployment.stacks[stack.key].template if stack.key in deployment.stacks else {}
            for item in _stack(stack, template, cost):
                (not_priced.append(item) if isinstance(item, str) else priced.append(item))
        elif stack.result is Result.DEFERRED:
            not_priced.append(f"{stack.stack_name}: its change set is made during execution, after its imports")
    not_priced += [f"{r.stack_name}: deleted by --prune (what it runs is not in cost.json)" for r in
                   review.lifecycle.to_delete]  # fmt: skip
    lines = _lines(priced)
    table = cost.get("price_table", {})
    return {
        "lines": lines,
        "total_monthly": round(sum(line["monthly"] for line in lines), 2),
        "prices": f"{table.get('region', '?')} prices of {table.get('as_of', '?')} (cost.json)",
        "not_priced": not_priced,
        "not_included": list(cost.get("not_included", [])),  # traffic: never in a fixed monthly figure
    }


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / COST).read_text())
    except (OSError, ValueError):
        return None


def _missing(cost: dict[str, Any] | None) -> str:
    if cost is None:
        return f"no cost delta: {COST} is missing from the folder (python generate.py writes it)"
    return f"no cost delta: {COST} has no unit prices; regenerate the folder"


def _stack(stack: StackReview, template: Mapping[str, Any], cost: Mapping[str, Any]) -> Iterator[Priced | str]:
    """What each priced resource change of one stack costs, or why it cannot be priced."""
    units = cost["unit_prices"]
    resources = template.get("Resources") or {}
    for change in stack.resources:
        sign = SIGN.get(change.action, 0)
        spec = resources.get(change.logical_id) or {}
        if change.resource_type in PER_RESOURCE and sign:
            unit, key = PER_RESOURCE[change.resource_type]
            yield Priced(unit, sign, sign * units[key], stack.key)
        elif change.resource_type == "AWS::EC2::VPCEndpoint" and sign:
            yield _endpoint(stack, change, spec, units)
        elif change.resource_type == "AWS::ECS::Service" and runs_on_ec2(spec):
            if change.action in SIGN:  # no charge per task: the group's instances carry it
                yield f"{stack.stack_name}: {change.action.lower()} {change.logical_id} on EC2 (its group's instances)"
        elif change.resource_type == "AWS::ECS::Service":
            yield from _service(stack, change, cost)
        elif change.resource_type == "AWS::ECS::TaskDefinition" and change.action == "Modify":
            yield from _task_size(stack, change, spec, cost)
        elif change.resource_type == "AWS::AutoScaling::AutoScalingGroup":
            yield from _instances(stack, change, spec, cost)


def _endpoint(stack: StackReview, change: ResourceChange, spec: Mapping[str, Any], units: Mapping[str, Any]) -> Any:
    """An interface endpoint bills once per AZ (its subnets); a gateway endpoint is free."""
    props = spec.get("Properties") or {}
    subnets = props.get("SubnetIds")
    if change.action == "Add" and props.get("VpcEndpointType") == "Gateway":
        return Priced("gateway endpoint (free)", 1, 0.0, stack.key)
    if change.action == "Add" and props.get("VpcEndpointType") == "Interface" and isinstance(subnets, list):
        return Priced("interface endpoint-AZ", len(subnets), len(subnets) * units["interface_endpoint_az"], stack.key)
    return f"{stack.stack_name}: {change.action.lower()} VPC endpoint {change.logical_id} (its type or AZs unknown)"


def _service(stack: StackReview, change: ResourceChange, cost: Mapping[str, Any]) -> Iterator[Priced | str]:
    line = _fargate_line(stack.key, cost)
    if change.action == "Add" and line is not None:
        yield Priced("Fargate task", int(line["quantity"]), float(line["monthly"]), stack.key)
    elif change.action in SIGN:
        yield f"{stack.stack_name}: {change.action.lower()} ECS service {change.logical_id} (its tasks)"
    elif "DesiredCount" in _names(change):
        counts = _before_after(change, "DesiredCount")
        if counts is None or line is None or not line["quantity"]:
            yield f"{stack.stack_name}: desired count of {change.logical_id} changes (no values to price it)"
            return
        delta = int(counts[1]) - int(counts[0])
        yield Priced("Fargate task", delta, delta * line["monthly"] / line["quantity"], stack.key)


def _task_size(
    stack: StackReview, change: ResourceChange, spec: Mapping[str, Any], cost: Mapping[str, Any]
) -> Iterator[Priced | str]:
    """A task size change x the service's task count, at on-demand prices of its architecture."""
    changed = {"Cpu", "Memory"} & set(_names(change))
    if not changed:
        return
    line = _fargate_line(stack.key, cost)
    props = spec.get("Properties") or {}
    arch = str((props.get("RuntimePlatform") or {}).get("CpuArchitecture", "X86_64")).lower()
    units = cost["unit_prices"]
    sizes = {name: _before_after(change, name) or (props.get(name), props.get(name)) for name in ("Cpu", "Memory")}
    try:
        (cpu0, cpu1), (mem0, mem1) = ((int(a), int(b)) for a, b in sizes.values())  # type: ignore[arg-type]
        per_task = (cpu1 - cpu0) / 1024 * units["fargate_vcpu"][arch] + (mem1 - mem0) / 1024 * units["fargate_gb"][arch]
    except (TypeError, ValueError, KeyError):
        yield f"{stack.stack_name}: task size of {change.logical_id} changes (no values to price it)"
        return
    if line is None:
        yield f"{stack.stack_name}: task size of {change.logical_id} changes (no task count in cost.json)"
        return
    count = int(line["quantity"])
    yield Priced(f"Fargate task size ({count} task(s), on-demand)", 0, count * per_task, stack.key)


INSTANCE_UNIT = "EC2 instance"
FIRST_TYPE = "Overrides/0/InstanceType"


def _instances(
    stack: StackReview, change: ResourceChange, spec: Mapping[str, Any], cost: Mapping[str, Any]
) -> Iterator[Priced | str]:
    """A capacity group's instances: added whole, or by a changed size or first instance type."""
    group = capacity_group_of(spec)
    line = next((c for c in cost.get("components", []) if c.get("key") == f"ec2:{group}"), None)
    if change.action == "Add" and line is not None:
        yield Priced(INSTANCE_UNIT, int(line["quantity"]), float(line["monthly"]), stack.key)
        return
    if change.action != "Modify" or line is None:
        yield f"{stack.stack_name}: {change.action.lower()} Auto Scaling group {change.logical_id} (its instances)"
        return
    per_instance = float(line["monthly"]) / line["quantity"] if line["quantity"] else None
    for name in ("MinSize", "DesiredCapacity"):
        sizes = _before_after(change, name) if name in _names(change) else None
        if sizes is not None and per_instance is not None:
            delta = int(sizes[1]) - int(sizes[0])
            yield Priced(INSTANCE_UNIT, delta, delta * per_instance, stack.key)
        elif name in _names(change):
            yield f"{stack.stack_name}: {name} of {change.logical_id} changes (no values or instances to price it)"
    types = next((v for v in change.values if v.path.endswith(FIRST_TYPE) and v.before and v.after), None)
    prices = cost["unit_prices"].get("ec2_instance", {})
    if types is not None and types.before in prices and types.after in prices:
        per_type = prices[types.after] - prices[types.before]
        unit = f"EC2 instance type {types.before} -> {types.after} ({line['quantity']} instance(s), On-Demand)"
        yield Priced(unit, 0, int(line["quantity"]) * per_type, stack.key)


def _fargate_line(key: str, cost: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """cost.json's line for the service a stack key runs (``svc-web`` -> ``fargate:web``)."""
    prefix = service_stack_key("")
    if not key.startswith(prefix):
        return None
    wanted = f"fargate:{key.removeprefix(prefix)}"
    return next((line for line in cost.get("components", []) if line.get("key") == wanted), None)


def _names(change: ResourceChange) -> list[str]:
    """Changed property names, without what they force ("Cpu (replaces)" -> "Cpu")."""
    return [name.split(" (")[0] for name in change.properties]


def _before_after(change: ResourceChange, name: str) -> tuple[str, str] | None:
    for value in change.values:
        if value.path.rstrip("/").split("/")[-1] == name and value.before is not None and value.after is not None:
            return value.before, value.after
    return None


def _lines(priced: list[Priced]) -> list[dict[str, Any]]:
    """One line per unit: the net quantity, the monthly amount and the stacks it comes from."""
    by_unit: dict[str, dict[str, Any]] = {}
    for item in priced:
        line = by_unit.setdefault(item.unit, {"unit": item.unit, "quantity": 0, "monthly": 0.0, "stacks": []})
        line["quantity"] += item.quantity
        line["monthly"] += item.monthly
        if item.stack not in line["stacks"]:
            line["stacks"].append(item.stack)
    lines = [{**line, "monthly": round(line["monthly"], 2)} for line in by_unit.values()]
    return [line for line in lines if line["quantity"] or line["monthly"]]
