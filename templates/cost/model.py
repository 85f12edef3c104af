"""An environment's monthly fixed cost by component: a pure function of the params and a price table.

Fixed means billed by the hour whether or not traffic flows: NAT gateways,
the ALB, interface endpoints, public IPv4 addresses, Fargate tasks at their
desired (or minimum) count and at their scaling maximum, and CloudWatch
alarms.  Everything billed by use (GB, requests, LCUs, log ingestion,
Container Insights, flow logs, scheduled task runs) is named under
``usage_based`` with no number, and traffic charges are named as not included.

Fargate Spot tasks are priced at the table's Spot discount; ECS places the
on-demand base first and splits the rest by weight (``capacity.spot_tasks``).
ARM64 tasks use the ARM64 prices and never Spot (Fargate has no ARM64 Spot).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from templates import naming
from templates.cost.prices import AS_OF, HOURS_PER_MONTH, SOURCE, RegionPrices, prices_for
from templates.cost.units import unit_prices
from templates.params.egress import endpoints_to_create
from templates.params.environment import Environment
from templates.params.route_lock import RouteLock
from templates.params.service import Service
from templates.routing.plan import plan_rules
from templates.stacks.alb_shards import shard_scheme
from templates.stacks.service.capacity import spot_tasks

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


def nat_gateways(env: Environment) -> int:
    """NAT gateways this environment creates (an existing VPC brings its own egress, not billed here)."""
    if env.network.existing is not None:
        return 0
    return {"none": 0, "single": 1, "per-az": env.network.az_count}[env.network.nat]


def alb_schemes(env: Environment, lock: RouteLock | None = None) -> dict[str, str]:
    """ALB stack key -> scheme of every ALB the environment creates (``alb`` always, more when spread).

    With the route lock, as the templates place routes: a host the lock keeps on
    ``alb-2`` is billed there even when a fresh allocation would fit one ALB.
    """
    keys = {rule.alb for rule in plan_rules(env, lock)} | {naming.ALB}
    return {key: shard_scheme(env, key) for key in keys}


def interface_endpoints(env: Environment) -> int:
    """Interface endpoints the network stack creates; each is billed once per AZ (the S3 gateway is free)."""
    endpoints = env.network.endpoints
    return 0 if endpoints is None else len(endpoints_to_create(env.services, env.region, endpoints))


def _network(env: Environment, p: RegionPrices, lock: RouteLock | None = None) -> list[Line]:
    nats = nat_gateways(env)
    own_alb = env.alb.existing is None
    albs = alb_schemes(env, lock) if own_alb else {}  # routes spread over several ALBs when one cannot hold them
    public_ips = nats + env.network.zones * sum(1 for scheme in albs.values() if scheme == "internet-facing")
    endpoints = interface_endpoints(env)
    zones = env.network.zones
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


def task_hourly(svc: Service, p: RegionPrices) -> float:
    return (
        svc.cpu / 1024 * p.fargate_vcpu_hour[svc.architecture] + svc.memory / 1024 * p.fargate_gb_hour[svc.architecture]
    )


def _tasks_monthly(svc: Service, p: RegionPrices, count: int) -> float:
    spot = spot_tasks(svc, count)
    hourly = task_hourly(svc, p)
    return round(((count - spot) * hourly + spot * hourly * (1 - p.spot_discount)) * HOURS_PER_MONTH, 2)


def _fargate(svc: Service, p: RegionPrices) -> Line | None:
    if not svc.has_service:
        return None  # scheduled: billed per run, listed as usage-based
    low = svc.scaling.min_count if svc.scaling else svc.desired_count
    high = svc.scaling.max_count if svc.scaling else svc.desired_count
    size = f"{svc.cpu / 1024:g} vCPU / {svc.memory / 1024:g} GiB {svc.architecture}"
    spot = f", Spot {spot_tasks(svc, low)}-{spot_tasks(svc, high)} of them" if svc.capacity.uses_spot else ""
    return Line(
        f"fargate:{svc.name}",
        f"Fargate {svc.name}",
        low,
        "task",
        _tasks_monthly(svc, p, low),
        high,
        _tasks_monthly(svc, p, high),
        f"{size}, {low}-{high} tasks{spot}",
    )


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


def _usage_based(env: Environment, p: RegionPrices) -> list[str]:
    notes = ["CloudWatch Logs ingestion and storage", "ECR storage and image pulls"]
    if env.cluster.container_insights:
        notes.append("Container Insights (custom metrics and performance logs, per task)")
    if env.network.flow_logs is not None:
        notes.append("VPC flow logs (log ingestion per GB)")
    for name, svc in sorted(env.services.items()):
        if not svc.has_service:
            per_run = task_hourly(svc, p)
            notes.append(f"scheduled task {name}: ${per_run:.4f} per task-hour of each run")
    return notes


def cost_model(env: Environment, lock: RouteLock | None = None) -> dict[str, Any]:
    """The cost.json document: components, totals, what is usage-based, what is not included."""
    prices, fallback = prices_for(env.region)
    lines = _network(env, prices, lock)
    lines += [line for svc in env.services.values() if (line := _fargate(svc, prices)) is not None]
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
        "unit_prices": unit_prices(prices),  # USD/month per unit: the deployer prices change sets with them
        "components": [asdict(line) for line in lines],
        "total_monthly": round(sum(line.monthly for line in lines), 2),
        "total_monthly_at_max": round(sum(line.monthly_at_max for line in lines), 2),
        "usage_based": _usage_based(env, prices),
        "not_included": NOT_INCLUDED,
    }


def summary(model: dict[str, Any]) -> str:
    """The line ``generate`` prints."""
    return (
        f"fixed cost ~${model['total_monthly']:,.2f}/month (${model['total_monthly_at_max']:,.2f} at scaling "
        f"maxima), {model['region']} prices of {model['price_table']['as_of']}; traffic not included"
    )
