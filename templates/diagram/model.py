"""What the environment diagram shows, as plain data: built from params and the environment's plan.

One model, two drawings (``d2`` for the SVG, ``mermaid`` for review.md), so
both always show the same environment.  Nothing here reads files or calls a
program.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import EnvironmentPlan, TaskPlan


@dataclass(frozen=True)
class Zone:
    name: str
    public_cidr: str
    private_cidr: str
    nat: bool


@dataclass(frozen=True)
class Rule:
    priority: int
    match: str
    service: str
    test_header: str | None = None  # blue/green test rule: "Header: value"


@dataclass(frozen=True)
class Box:
    """One service, worker or scheduled task and the facts ops ask about first."""

    name: str
    kind: str
    size: str
    count: str
    extras: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        return (f"{self.name} ({self.kind})", self.size, self.count, *self.extras)


@dataclass(frozen=True)
class GroupBox:
    """One EC2 capacity group: its instances and the services placed on it."""

    name: str
    lines: tuple[str, ...]
    services: tuple[str, ...]  # services (daemons included) that run on it


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    label: str


@dataclass
class Picture:
    title: str
    vpc: str
    zones: list[Zone]
    egress: str
    alb: str
    listeners: list[str]
    rules_listener: str
    rules: list[Rule]
    boxes: list[Box]
    namespace: str
    links: list[Link] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)
    groups: list[GroupBox] = field(default_factory=list)  # EC2 capacity groups (none: Fargate only)


def _size(svc: Service) -> str:
    vcpu = svc.cpu / 1024
    memory = svc.memory / 1024
    return f"{vcpu:g} vCPU / {memory:g} GiB, {svc.architecture}"


def _count(svc: Service, tasks: TaskPlan) -> str:
    if svc.schedule is not None:
        state = "" if svc.schedule.enabled else " (disabled)"
        return f"{svc.schedule.task_count} task(s) at {svc.schedule.expression}{state}"
    spot = svc.capacity.uses_spot
    if svc.scaling is not None:
        share = f", {tasks.spot_low}-{tasks.spot_high} on Spot" if spot else ""
        return f"{tasks.low}-{tasks.high} tasks (auto scaling){share}"
    share = f", {tasks.spot_low} on Spot" if spot else ""
    return f"{tasks.low} task(s){share}"


def _extras(svc: Service, plan: EnvironmentPlan) -> tuple[str, ...]:
    extras = [f"on {plan.compute.where[svc.name]}"] if plan.compute.groups else []
    if svc.blue_green is not None:
        extras.append(f"blue/green, bake {svc.blue_green.bake_time_minutes} min")
    if svc.discovery_name is not None and svc.discovery is not None:
        extras.append(f"{svc.discovery.mode}: {svc.discovery_name}")
    return tuple(extras)


def _groups(plan: EnvironmentPlan) -> list[GroupBox]:
    """Each capacity group: types, instance range (and what the tasks need), Spot share, what runs there."""
    boxes = []
    for group in plan.compute.groups:
        kind = f"{group.architecture}, GPU" if group.gpu else group.architecture
        spot = f", Spot {group.spot_low}-{group.spot_high}" if group.spot_high else ", On-Demand"
        lines = (
            f"EC2 group {group.name} ({kind})",
            ", ".join(group.instance_types),
            f"{group.min_size}-{group.max_size} instances, {group.low}-{group.high} for the tasks{spot}",
        )
        boxes.append(GroupBox(group.name, lines, (*group.services, *group.daemons)))
    return boxes


def _match(hosts: tuple[str, ...], paths: tuple[str, ...]) -> str:
    return f"{hosts[0] if hosts else '(any host) '}{paths[0] if paths else '/*'}"


def _links(env: Environment) -> list[Link]:
    """Discovery: each service that publishes a name or calls Service Connect names, linked to the namespace.

    Service Connect lets every client call every published name, so pairwise
    links would grow with the square of the services; one link each to the
    namespace says the same and stays readable at 50 services.
    """
    links = []
    for name, svc in sorted(env.services.items()):
        if svc.discovery is None:
            continue
        if svc.discovery_name is not None:
            links.append(Link(name, "namespace", f"publishes {svc.discovery_name}"))
        else:
            links.append(Link(name, "namespace", "calls Service Connect names"))
    return links


def _zones(plan: EnvironmentPlan) -> list[Zone]:
    """The AZs with their subnets: carved from the CIDR, or the ids of an existing VPC."""
    network = plan.network
    pairs = zip(network.public_subnets, network.private_subnets, strict=True)
    return [Zone(f"AZ {i + 1}", pub, priv, i < network.nat_gateways) for i, (pub, priv) in enumerate(pairs)]


def _egress(env: Environment) -> str:
    net = env.network
    parts = ["its own egress" if net.existing is not None else f"NAT: {net.nat}"]
    if net.flow_logs is not None:
        parts.append("flow logs")
    return ", ".join(parts)


def _endpoints(plan: EnvironmentPlan) -> list[str]:
    """VPC endpoints the network stack creates: the gateways (S3, DynamoDB), then the interface endpoints."""
    gateways = [f"{name} (gateway, free)" for name in plan.network.gateway_endpoints]
    return gateways + list(plan.network.interface_endpoints)


def build_picture(env: Environment, plan: EnvironmentPlan) -> Picture:
    """The picture of ``env`` as its plan places rules, ALBs, subnets and endpoints (what the templates deploy)."""
    net = env.network
    planned, green = plan.routes, plan.test_routes
    albs = sorted(a.key for a in plan.albs)
    # Spread over several ALBs: each rule says which one serves it (its host's DNS points there).
    where = {key: f"[{key}] " if len(albs) > 1 else "" for key in albs}
    rules = [Rule(r.priority, where[r.alb] + _match(r.hosts, r.paths), r.service) for r in planned]
    for r in green:
        header = env.services[r.service].blue_green
        assert header is not None
        text = f"{header.test_header.name}: {header.test_header.value}"
        rules.append(Rule(r.priority, where[r.alb] + _match(r.hosts, r.paths), r.service, test_header=text))
    listeners = ["HTTPS :443", "HTTP :80 (redirects to HTTPS)"] if env.https else ["HTTP :80"]
    alb = f"ALB ({env.alb.scheme})" if len(albs) <= 1 else f"{len(albs)} ALBs: {', '.join(albs)}"
    if env.alb.existing is not None:
        alb = f"existing ALB {env.alb.existing.dns_name}"
        listeners = ["HTTPS listener" if env.alb.existing.https_listener_arn else "HTTP listener"]
    vpc = f"existing VPC {net.existing.vpc_id} {net.existing.cidr}" if net.existing else f"VPC {net.cidr}"
    return Picture(
        title=f"{env.project}/{env.environment} ({env.region})",
        vpc=vpc,
        zones=_zones(plan),
        egress=_egress(env),
        alb=alb,
        listeners=listeners,
        rules_listener=listeners[0],
        rules=sorted(rules, key=lambda r: r.priority),
        boxes=[
            Box(n, s.kind, _size(s), _count(s, plan.tasks[n]), _extras(s, plan))
            for n, s in sorted(env.services.items())
        ],
        namespace=f"namespace {env.namespace}",
        links=_links(env),
        endpoints=_endpoints(plan),
        groups=_groups(plan),
    )
