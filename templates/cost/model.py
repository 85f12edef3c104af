"""An environment's monthly fixed cost by component: a pure function of the params and a price table.

Fixed means billed by the hour whether or not traffic flows: NAT gateways,
the ALB, interface endpoints, public IPv4 addresses, Fargate tasks at their
desired (or minimum) count and at their scaling maximum, and CloudWatch
alarms.  Everything billed by use (GB, requests, LCUs, log ingestion,
Container Insights, flow logs, scheduled task runs) is named under
``usage_based`` with no number, and traffic charges are named as not included.

Fargate Spot tasks are priced at the table's Spot discount, AWS's advertised
maximum ("up to 70%"), and ``assumptions`` says so; ECS places the on-demand
base first and splits the rest by weight (``plan.tasks``).  ARM64 tasks use the
ARM64 prices and never Spot (Fargate has no ARM64 Spot).  Ephemeral storage
above the 20 GiB every task gets is priced per GB-hour, at full price on Spot
too.  A blue/green deployment runs green beside blue for the bake time: that
doubling is no fixed monthly cost (it depends on how often you deploy), so it
is priced per deployment (``per_deployment``), never in the totals.

Services on EC2 capacity groups cost nothing per task: their groups'
instances are priced instead (``instance_prices``), at the group's size at
rest (desired, else minimum) and at its maximum, the Spot share at the
table's cautious Spot discount, each instance with its root volume.  A group
with several types is priced at the first (On-Demand launches follow the
list's order).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from templates.cost import instance_prices
from templates.cost.prices import AS_OF, HOURS_PER_MONTH, SOURCE, RegionPrices, prices_for
from templates.cost.units import unit_prices
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import EnvironmentPlan, GroupPlan, TaskPlan

# Every Fargate task gets 20 GiB of ephemeral storage; more (up to 200) is billed per GB-hour:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
INCLUDED_EPHEMERAL_GIB = 20

NOT_INCLUDED = [
    "data transfer (internet egress, cross-AZ)",
    "NAT gateway and interface endpoint data processing (per GB)",
    "ALB load balancer capacity units (LCU-hours, by traffic)",
]


@dataclass(frozen=True)
class Line:
    key: str  # stable across runs: what a delta compares
    component: str
    quantity: int  # units at desired/min counts
    unit: str
    monthly: float
    quantity_at_max: int
    monthly_at_max: float
    detail: str


def _fixed(key: str, component: str, quantity: int, unit: str, hourly: float, detail: str) -> Line:
    monthly = round(quantity * hourly * HOURS_PER_MONTH, 2)
    return Line(key, component, quantity, unit, monthly, quantity, monthly, detail)


def _network(env: Environment, p: RegionPrices, plan: EnvironmentPlan) -> list[Line]:
    """NAT gateways, the ALBs the plan creates (with the route lock), endpoints per AZ, public IPv4 addresses."""
    nats = plan.network.nat_gateways
    own_alb = env.alb.existing is None
    albs = {a.key: a.scheme for a in plan.albs} if own_alb else {}  # routes spread over ALBs when one is not enough
    zones = plan.network.zones
    public_ips = nats + zones * sum(1 for scheme in albs.values() if scheme == "internet-facing")
    endpoints = len(plan.network.interface_endpoints)
    alb_detail = "hourly charge; LCUs are usage-based" if own_alb else "existing ALB: billed to its owner"
    return [
        _fixed("nat", "NAT gateways", nats, "NAT gateway", p.nat_gateway_hour, f"nat: {env.network.nat}"),
        _fixed("alb", "Application Load Balancer", len(albs), "ALB", p.alb_hour, alb_detail),
        _fixed(
            "endpoints",
            "Interface VPC endpoints",
            endpoints * zones,
            "endpoint-AZ",
            p.interface_endpoint_az_hour,
            f"{endpoints} endpoint(s) x {zones} AZs",
        ),
        _fixed(
            "public-ipv4", "Public IPv4 addresses", public_ips, "address", p.public_ipv4_hour, "NAT EIPs + ALB nodes"
        ),
    ]


def extra_storage_gib(svc: Service) -> int:
    """Ephemeral storage billed on top of the task: what ``ephemeral_storage`` asks above the included 20 GiB."""
    return max(0, (svc.ephemeral_storage or INCLUDED_EPHEMERAL_GIB) - INCLUDED_EPHEMERAL_GIB)


def compute_hourly(svc: Service, p: RegionPrices) -> float:
    """vCPU and memory of one task (what Fargate Spot discounts)."""
    return (
        svc.cpu / 1024 * p.fargate_vcpu_hour[svc.architecture] + svc.memory / 1024 * p.fargate_gb_hour[svc.architecture]
    )


def task_hourly(svc: Service, p: RegionPrices) -> float:
    """One on-demand task: vCPU, memory and ephemeral storage above the included 20 GiB."""
    return compute_hourly(svc, p) + extra_storage_gib(svc) * p.ephemeral_gb_hour


def _tasks_hourly(svc: Service, p: RegionPrices, count: int, spot: int) -> float:
    compute, storage = compute_hourly(svc, p), extra_storage_gib(svc) * p.ephemeral_gb_hour
    return (count - spot) * compute + spot * compute * (1 - p.spot_discount) + count * storage


def _tasks_monthly(svc: Service, p: RegionPrices, count: int, spot: int) -> float:
    return round(_tasks_hourly(svc, p, count, spot) * HOURS_PER_MONTH, 2)


def _fargate(svc: Service, p: RegionPrices, tasks: TaskPlan) -> Line | None:
    if not svc.has_service or svc.on_ec2:
        return None  # scheduled: billed per run, listed as usage-based; EC2: priced by its group's instances
    low, high = tasks.low, tasks.high
    size = f"{svc.cpu / 1024:g} vCPU / {svc.memory / 1024:g} GiB {svc.architecture}"
    if extra_storage_gib(svc):
        size += f" + {extra_storage_gib(svc)} GiB ephemeral storage above the {INCLUDED_EPHEMERAL_GIB} included"
    spot = f", Spot {tasks.spot_low}-{tasks.spot_high} of them" if svc.capacity.uses_spot else ""
    return Line(
        f"fargate:{svc.name}",
        f"Fargate {svc.name}",
        low,
        "task",
        _tasks_monthly(svc, p, low, tasks.spot_low),
        high,
        _tasks_monthly(svc, p, high, tasks.spot_high),
        f"{size}, {low}-{high} tasks{spot}",
    )


def _instances(env: Environment, group: GroupPlan) -> tuple[Line, str | None]:
    """A capacity group's instances at rest and at their maximum, Spot share and root volumes included."""
    params = env.cluster.capacity_groups[group.name]
    priced = group.instance_types[0]
    hourly, found = instance_prices.instance_hour(env.region, priced)
    on_demand = hourly * HOURS_PER_MONTH
    spot = on_demand * (1 - instance_prices.SPOT_DISCOUNT)
    volume = params.root_volume.size_gib * instance_prices.ebs_gb_month(env.region, params.root_volume.type)

    def monthly(count: int, spot_count: int) -> float:
        return round((count - spot_count) * on_demand + spot_count * spot + count * volume, 2)

    runs = [*group.services, *(f"{d} (daemon)" for d in group.daemons)]
    detail = (
        f"{priced} x {group.low}-{group.high}, Spot {group.spot_low}-{group.spot_high} of them; "
        f"{params.root_volume.size_gib} GiB {params.root_volume.type} each; runs {', '.join(runs) or 'nothing'}"
    )
    at_rest, at_max = monthly(group.low, group.spot_low), monthly(group.high, group.spot_high)
    line = Line(f"ec2:{group.name}", f"EC2 capacity group {group.name}", group.low, "instance", at_rest,
                group.high, at_max, detail)  # fmt: skip
    note = None if found else f"no {env.region} price for {priced}: us-east-1's used for group {group.name}"
    return line, note


def alarm_metrics(svc: Service) -> int:
    """Alarm metrics CloudWatch bills for this service: deployment, step-scaling and target-tracking alarms."""
    count = 0
    if svc.has_service and svc.deployment_alarms.enabled:
        groups = 2 if svc.blue_green is not None else 1
        count += 2 * groups if svc.alb_port is not None else 2 if svc.kind == "worker" else 0
    if svc.scaling is not None:
        count += 2 if svc.scaling.step is not None else 0
        tracked = svc.scaling.target_tracking
        if tracked is not None:  # Application Auto Scaling keeps a high and a low alarm per metric
            count += 2 * sum(v is not None for v in (tracked.cpu, tracked.memory, tracked.requests_per_target))
    return count


def blue_green_bakes(env: Environment, p: RegionPrices, plan: EnvironmentPlan) -> list[dict[str, Any]]:
    """What one blue/green deployment adds: green's tasks (the service's count) beside blue for the bake time.

    Counted from the shift to the end of the bake; the minutes green takes to start and pass its health
    checks before the shift come on top (they depend on the image and the health check).
    """
    bakes = []
    for name, svc in sorted(env.services.items()):
        if svc.blue_green is None or not svc.has_service:
            continue
        tasks, hours = plan.tasks[name], svc.blue_green.bake_time_minutes / 60
        bakes.append(
            {
                "key": f"blue-green:{name}",
                "component": f"Blue/green bake {name}",
                "extra_tasks": tasks.low,
                "extra_tasks_at_max": tasks.high,
                "hours": round(hours, 4),
                "cost": round(_tasks_hourly(svc, p, tasks.low, tasks.spot_low) * hours, 4),
                "cost_at_max": round(_tasks_hourly(svc, p, tasks.high, tasks.spot_high) * hours, 4),
                "detail": f"each deployment runs {tasks.low}-{tasks.high} green tasks beside blue for the "
                f"{svc.blue_green.bake_time_minutes} min bake (green's start-up before the shift not counted)",
            }
        )
    return bakes


def assumptions(env: Environment, p: RegionPrices) -> list[str]:
    """What the figures assume that a bill may not bear out."""
    notes = []
    if any(svc.capacity.uses_spot for svc in env.services.values()):
        notes.append(
            f"Fargate Spot priced at {p.spot_discount:.0%} off on-demand, the most AWS advertises ('up to 70%'); "
            "the real discount varies with spare capacity, so Spot lines may cost more"
        )
    if any(svc.blue_green is not None for svc in env.services.values()):
        notes.append(
            "blue/green deployments are not in the monthly totals: each runs a second set of tasks for the bake "
            "time, priced per deployment under per_deployment (multiply by your deployments a month)"
        )
    return notes


def _usage_based(env: Environment, p: RegionPrices) -> list[str]:
    notes = ["CloudWatch Logs ingestion and storage", "ECR storage and image pulls"]
    if env.cluster.container_insights:
        notes.append("Container Insights (custom metrics and performance logs, per task)")
    if env.network.flow_logs is not None:
        notes.append("VPC flow logs (log ingestion per GB)")
    for name, svc in sorted(env.services.items()):
        if not svc.has_service and not svc.on_ec2:
            per_run = task_hourly(svc, p)
            notes.append(f"scheduled task {name}: ${per_run:.4f} per task-hour of each run")
    return notes


def cost_model(env: Environment, plan: EnvironmentPlan) -> dict[str, Any]:
    """The cost.json document: components, totals, what is usage-based, what is not included."""
    prices, fallback = prices_for(env.region)
    lines = _network(env, prices, plan)
    lines += [line for n, svc in env.services.items() if (line := _fargate(svc, prices, plan.tasks[n])) is not None]
    groups = [_instances(env, group) for group in plan.compute.groups]
    lines += [line for line, _ in groups]
    fallback = "; ".join(filter(None, [fallback, *(note for _, note in groups)])) or None
    alarms = sum(alarm_metrics(svc) for svc in env.services.values())
    lines.append(
        Line("alarms", "CloudWatch alarms", alarms, "alarm metric", round(alarms * prices.alarm_metric_month, 2),
             alarms, round(alarms * prices.alarm_metric_month, 2), "deployment, step and target-tracking alarms")
    )  # fmt: skip
    lines.sort(key=lambda line: line.key)
    return {
        "environment": f"{env.project}/{env.environment}",
        "region": env.region,
        "currency": "USD",
        "price_table": {"region": prices.region, "as_of": AS_OF, "source": SOURCE, "note": fallback},
        "hours_per_month": HOURS_PER_MONTH,
        "spot_discount": prices.spot_discount,
        # USD/month per unit: the deployer prices change sets with them
        "unit_prices": unit_prices(prices) | (instance_prices.unit_prices(env.region) if groups else {}),
        "components": [asdict(line) for line in lines],
        "total_monthly": round(sum(line.monthly for line in lines), 2),
        "total_monthly_at_max": round(sum(line.monthly_at_max for line in lines), 2),
        "per_deployment": blue_green_bakes(env, prices, plan),
        "assumptions": assumptions(env, prices),
        "usage_based": _usage_based(env, prices),
        "not_included": NOT_INCLUDED,
    }


def summary(model: dict[str, Any]) -> str:
    """The line ``generate`` prints."""
    return (
        f"fixed cost ~${model['total_monthly']:,.2f}/month (${model['total_monthly_at_max']:,.2f} at scaling "
        f"maxima), {model['region']} prices of {model['price_table']['as_of']}; traffic not included"
    )
