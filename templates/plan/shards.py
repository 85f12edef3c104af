"""Which ALB carries which routes, once one listener cannot hold them all.

AWS limits each ALB (rules per listener, 100 by default but raisable;
target groups per load balancer, 100), and a host's DNS record points at one
load balancer, so routes are spread over ALBs (``alb``, ``alb-2``, ...) in
**units**: the routes of a set of hosts linked through services.  A service's
target group can be attached to one ALB only, so a service with routes on
two hosts ties those hosts together.  Routes without a host match on every
ALB they sit on; they form one unit of their own (host "").

Placement is stable, the point of the route lock:

1. a unit whose routes the lock places on an ALB (of the unit's scheme) stays
   there if it still fits; units that did not grow are placed first, so when
   an ALB overflows it is the grown unit that moves (its host's DNS changes:
   the deployer's review flags that);
2. new (or moved) units, biggest first, take the first ALB of their scheme
   with room, else open the next one (first-fit decreasing: few ALBs).

A unit larger than one ALB can hold is returned as ``too_big``: nothing can
place it, the params must change (or the account's quota, then the setting);
the rules Q001/Q003 (rules, target groups) and D005 (target ports, one
outbound rule each on the ALB's security group) say so.  Pure: plain data
in, plain data out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from templates import naming
from templates.params.environment import Environment
from templates.plan.keys import route_key

RouteKey = tuple[str, tuple[str, ...]]

# Per Application Load Balancer, AWS defaults (rules per listener is the params setting alb.rules_per_listener):
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
TARGET_GROUPS_PER_ALB = 100
# An ALB's security group has one outbound rule per distinct target port of the services on it (to the
# service-clients group every task joins), however many services share the port; a group holds 60 by default:
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
SECURITY_GROUP_EGRESS_RULES = 60


@dataclass(frozen=True)
class Unit:
    """Routes that must share one ALB."""

    hosts: tuple[str, ...]
    services: tuple[str, ...]
    keys: tuple[RouteKey, ...]
    scheme: str
    blue_green: int = 0  # blue/green services: one more rule (the test rule) and target group each
    schemes: tuple[tuple[str, str], ...] = ()  # (service, the load balancer it asks for)
    ports: frozenset[int] = frozenset()  # the target ports of its services (one ALB egress rule each)

    @property
    def mixed(self) -> bool:
        """Services of these hosts ask for different load balancers: the host's DNS can point at one only."""
        return len({scheme for _, scheme in self.schemes}) > 1

    @property
    def rules(self) -> int:
        return len(self.keys) + self.blue_green

    @property
    def target_groups(self) -> int:
        return len(self.services) + self.blue_green

    @property
    def name(self) -> str:
        return ", ".join(h or "(any host)" for h in self.hosts)


Load = tuple[int, int, frozenset[int]]  # rules, target groups, target ports on one ALB
EMPTY: Load = (0, 0, frozenset())


@dataclass(frozen=True)
class Capacity:
    """What one ALB holds: listener rules, target groups, and outbound rules (``rules_per_port`` per target port)."""

    rules: int
    target_groups: int
    egress_rules: int = SECURITY_GROUP_EGRESS_RULES
    rules_per_port: int = 1  # 2 while alb.egress_to_vpc_cidr keeps the old CIDR rule beside each

    def egress_needed(self, ports: frozenset[int]) -> int:
        return len(ports) * self.rules_per_port

    def fits(self, load: Load, unit: Unit) -> bool:
        rules, groups, ports = load
        return (
            rules + unit.rules <= self.rules
            and groups + unit.target_groups <= self.target_groups
            and self.egress_needed(ports | unit.ports) <= self.egress_rules
        )


def place_units(
    units: Sequence[Unit],
    previous: Mapping[RouteKey, str],
    capacity: Capacity,
    shard_key: Callable[[str, int], str],
    single: bool = False,
) -> tuple[dict[RouteKey, str], list[Unit]]:
    """Every placed route's ALB (stack key) and the units too big for any ALB.

    ``shard_key(scheme, n)`` names the n-th ALB of a scheme (``naming.alb_shard_key``).
    ``single``: only one ALB exists (an existing one we do not own), so all
    units are one, and too big when together they overflow it.
    """
    if single and units:
        merged = Unit(
            tuple(h for u in units for h in u.hosts),
            tuple(s for u in units for s in u.services),
            tuple(k for u in units for k in u.keys),
            units[0].scheme,
            sum(u.blue_green for u in units),
            tuple(s for u in units for s in u.schemes),
            frozenset(p for u in units for p in u.ports),
        )
        units = [merged]
    too_big = [u for u in units if not capacity.fits(EMPTY, u)]
    candidates = [u for u in units if capacity.fits(EMPTY, u)]
    # Enough names for every unit and every locked ALB; an existing ALB is the only one there can be.
    most = 1 if single else len(units) + len(set(previous.values())) + 1
    family = {scheme: [shard_key(scheme, n) for n in range(1, most + 1)] for scheme in {u.scheme for u in units}}
    load: dict[str, Load] = {}
    placed: dict[RouteKey, str] = {}

    def put(unit: Unit, shard: str) -> None:
        rules, groups, ports = load.get(shard, EMPTY)
        load[shard] = (rules + unit.rules, groups + unit.target_groups, ports | unit.ports)
        placed.update({key: shard for key in unit.keys})

    homeless = []
    homes = _homes(candidates, previous, family)
    for unit, home in sorted(homes, key=lambda pair: (_new_routes(pair[0], previous), pair[0].name)):
        if home is not None and capacity.fits(load.get(home, EMPTY), unit):
            put(unit, home)
        else:
            homeless.append(unit)
    for unit in sorted(homeless, key=lambda u: (-len(u.keys), -len(u.services), u.name)):
        shard = next(s for s in family[unit.scheme] if capacity.fits(load.get(s, EMPTY), unit))
        put(unit, shard)
    return placed, too_big


def _new_routes(unit: Unit, previous: Mapping[RouteKey, str]) -> int:
    return sum(1 for key in unit.keys if key not in previous)


def _homes(
    units: Sequence[Unit], previous: Mapping[RouteKey, str], family: Mapping[str, list[str]]
) -> list[tuple[Unit, str | None]]:
    """Each unit with the ALB most of its locked routes are on (None when the lock has none of its scheme)."""
    homes = []
    for unit in units:
        votes = Counter(previous[k] for k in unit.keys if k in previous and previous[k] in family[unit.scheme])
        ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
        homes.append((unit, ranked[0][0] if ranked else None))
    return homes


def route_units(env: Environment) -> list[Unit]:
    """The services behind an ALB grouped into units: hosts linked by services (union-find over hosts)."""
    behind = {name: svc for name, svc in sorted(env.services.items()) if svc.alb_port is not None}
    group = {name: name for name in behind}

    def root(name: str) -> str:
        while group[name] != name:
            name = group[name]
        return name

    first_service: dict[str, str] = {}
    for name, svc in behind.items():
        for route in svc.routes:
            host = route.host or ""
            other = first_service.setdefault(host, name)
            group[root(name)] = root(other)
    members: dict[str, list[str]] = {}
    for name in behind:
        members.setdefault(root(name), []).append(name)
    units = []
    for names in members.values():
        schemes = tuple((n, behind[n].load_balancer or env.alb.scheme) for n in names)
        hosts = tuple(sorted({r.host or "" for n in names for r in behind[n].routes}))
        keys = tuple(sorted({route_key(r) for n in names for r in behind[n].routes}))
        green = sum(1 for n in names if behind[n].blue_green is not None)
        ports = frozenset(port for n in names if (port := behind[n].alb_port) is not None)
        units.append(Unit(hosts, tuple(names), keys, schemes[0][1], green, schemes, ports))
    return units


def capacity_of(env: Environment) -> Capacity:
    """One ALB's room; an existing ALB's security group is its owners' (we add no egress rule to it)."""
    egress = 10**6 if env.alb.existing is not None else SECURITY_GROUP_EGRESS_RULES
    return Capacity(env.alb.rules_per_listener, TARGET_GROUPS_PER_ALB, egress, 2 if env.alb.egress_to_vpc_cidr else 1)


def alb_scheme(env: Environment, key: str) -> str:
    """The scheme of an ALB stack key (``alb-internal-2`` -> internal; ``alb-3`` -> the environment's)."""
    if key.startswith(f"{naming.ALB}-internal"):
        return "internal"
    if key.startswith(f"{naming.ALB}-public"):
        return "internet-facing"
    return env.alb.scheme


def producible_alb(env: Environment, key: str) -> bool:
    """Whether these params can have an ALB stack ``key``: ``alb`` and ``alb-<n>`` of the environment's own
    scheme, ``alb-internal[-<n>]`` (or ``alb-public[-<n>]``) of the other; only ``alb`` with ``alb.existing``."""
    if env.alb.existing is not None:
        return key == naming.ALB
    other = "internal" if env.alb.scheme == "internet-facing" else "public"
    pattern = rf"^{naming.ALB}(-{other})?(-([2-9]|[1-9][0-9]+))?$"
    return re.match(pattern, key) is not None
