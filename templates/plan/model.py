"""The environment's plan as plain data: what every later stage reads instead of recomputing it.

Built once per run by ``plan.build.build_plan`` from the validated params and
the route lock, then handed to the rules, the stack builders, the diagram and
the cost model, so all of them see the same ALBs, priorities, endpoints and
task counts (before, each recomputed its own, and some without the lock).

What could not be placed (a band without a free priority, a host too big for
one ALB, services of one host asking for different load balancers) is data
here too (``Unplaced``); the rules in ``templates/rules/plan/`` turn it into
messages.  A plan with something unplaced is never built into templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from templates import naming
from templates.params.route_lock import LockedRoute, RouteLock
from templates.plan.shards import Capacity, Unit

RouteKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class RulePlan:
    """One listener rule: the route it serves (service, index), what it matches, its priority and ALB."""

    service: str
    index: int
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int
    alb: str = naming.ALB


@dataclass(frozen=True)
class AlbPlan:
    """One ALB stack: its key (``alb``, ``alb-2``, ``alb-internal``...), scheme and the web services on it."""

    key: str
    scheme: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class FullBand:
    """A route left without a priority: its specificity band on ``alb`` has no free slot."""

    where: str  # key path of the route, e.g. services.api.routes[0]
    alb: str


@dataclass(frozen=True)
class Unplaced:
    """What the routes asked for and the plan could not give; empty when everything was placed."""

    full_bands: tuple[FullBand, ...] = ()
    too_big: tuple[Unit, ...] = ()  # a host (with the hosts tied to it) larger than one ALB holds
    mixed_schemes: tuple[Unit, ...] = ()  # services of one host asking for different load balancers
    off_existing: tuple[Unit, ...] = ()  # routes asking for a scheme the existing ALB does not have

    def __bool__(self) -> bool:
        return bool(self.full_bands or self.too_big or self.mixed_schemes or self.off_existing)


@dataclass(frozen=True)
class EndpointNeed:
    """An AWS API the tasks call: why, the interface endpoints any one of which carries it, a free gateway if any."""

    reason: str
    endpoints: tuple[str, ...]  # PrivateLink service names (templates.aws.privatelink), the first one preferred
    gateway: str | None = None  # s3 / dynamodb: a gateway endpoint carries it as well

    @property
    def names(self) -> str:
        return " or ".join(self.endpoints)


@dataclass(frozen=True)
class NetworkPlan:
    """Subnets, NAT gateways, VPC endpoints and the ports the ALBs listen on and forward to."""

    zones: int
    public_subnets: tuple[str, ...]  # CIDRs carved from network.cidr, or an existing VPC's subnet ids
    private_subnets: tuple[str, ...]
    carved_private_cidrs: tuple[str, ...]  # the private CIDRs network.cidr yields (subnet capacity counts these)
    nat_gateways: int
    gateway_endpoints: tuple[str, ...]  # free gateway endpoints on the private route tables (s3, dynamodb)
    interface_endpoints: tuple[str, ...]  # created in the network stack, in creation order
    endpoint_needs: Mapping[str, EndpointNeed]  # first endpoint carrying it -> what the tasks call and why
    listener_ports: tuple[int, ...]
    target_ports: tuple[int, ...]  # every port an ALB forwards to (web services' traffic ports)

    @property
    def s3_gateway(self) -> bool:
        return "s3" in self.gateway_endpoints


@dataclass(frozen=True)
class TaskPlan:
    """How many tasks one service runs: at rest, at its scaling maximum, at a deploy's peak; and on Spot."""

    service: str
    low: int  # desired count, or the scaling minimum
    high: int  # desired count, or the scaling maximum
    peak: int  # the most at once during a rolling deploy (subnet addresses)
    spot_low: int
    spot_high: int


@dataclass(frozen=True)
class GroupPlan:
    """One capacity group: its instances at rest and at most, their Spot share, and the services on it."""

    name: str
    instance_types: tuple[str, ...]
    architecture: str
    gpu: bool
    min_size: int  # the Auto Scaling group's bounds
    max_size: int
    low: int  # instances managed scaling runs for the tasks at rest (within desired/min_size .. max_size)
    high: int  # ... and for the services' scaling maxima
    spot_low: int  # of those, on Spot
    spot_high: int
    services: tuple[str, ...]  # services with the group in their capacity provider strategy
    daemons: tuple[str, ...]  # daemon services: one task on each instance of the group
    bridge_albs: tuple[str, ...]  # ALB stacks whose bridge-mode targets are instances of this group


@dataclass(frozen=True)
class ComputePlan:
    groups: tuple[GroupPlan, ...] = ()
    where: Mapping[str, str] = field(default_factory=dict)  # service -> where its tasks run, in words

    def group(self, name: str) -> GroupPlan:
        return next(g for g in self.groups if g.name == name)

    @property
    def instances_high(self) -> int:
        """Every instance the groups may run at once (each takes a private address)."""
        return sum(g.max_size for g in self.groups)


@dataclass(frozen=True)
class EnvironmentPlan:
    lock: RouteLock  # every route's ALB and priority: generate.py writes it back as params/<env>.lock.yaml
    routes: tuple[RulePlan, ...]  # production listener rules, by ALB then priority
    test_routes: tuple[RulePlan, ...]  # blue/green test rules, by priority
    albs: tuple[AlbPlan, ...]  # ``alb`` first, then the others
    capacity: Capacity  # what one ALB holds (rules per listener, target groups, egress rules)
    unplaced: Unplaced
    network: NetworkPlan
    tasks: Mapping[str, TaskPlan] = field(default_factory=dict)
    # Entries of the route lock as read that place a route of these params on an ALB they cannot have (an ALB
    # beside alb.existing, another scheme's family, a name no shard has): rule R008 names them.
    stale_lock: tuple[LockedRoute, ...] = ()
    compute: ComputePlan = field(default_factory=ComputePlan)  # EC2 capacity groups, where services run

    def routes_of(self, service: str) -> list[RulePlan]:
        return [r for r in self.routes if r.service == service]

    def test_routes_of(self, service: str) -> list[RulePlan]:
        return [r for r in self.test_routes if r.service == service]

    def alb_of(self, service: str) -> str:
        """The ALB a service's rules are on (all of them on one: a target group belongs to one ALB)."""
        rules = self.routes_of(service)
        return rules[0].alb if rules else naming.ALB

    def alb(self, key: str) -> AlbPlan:
        return next(a for a in self.albs if a.key == key)

    @property
    def route_slots(self) -> dict[RouteKey, tuple[str, int]]:
        """Route identity -> (ALB, priority), as the lock records it."""
        return {key: (entry.alb, entry.priority) for key, entry in self.lock.by_key().items()}
