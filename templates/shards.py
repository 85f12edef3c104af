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
place it, the params must change (or the account's quota, then the setting).
Pure: plain data in, plain data out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

RouteKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Unit:
    """Routes that must share one ALB."""

    hosts: tuple[str, ...]
    services: tuple[str, ...]
    keys: tuple[RouteKey, ...]
    scheme: str

    @property
    def name(self) -> str:
        return ", ".join(h or "(any host)" for h in self.hosts)


@dataclass(frozen=True)
class Capacity:
    rules: int
    target_groups: int

    def fits(self, load: tuple[int, int], unit: Unit) -> bool:
        rules, groups = load
        return rules + len(unit.keys) <= self.rules and groups + len(unit.services) <= self.target_groups


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
        )
        units = [merged]
    too_big = [u for u in units if not capacity.fits((0, 0), u)]
    candidates = [u for u in units if capacity.fits((0, 0), u)]
    most = len(units) + len(set(previous.values())) + 1  # enough names for every unit and every locked ALB
    family = {scheme: [shard_key(scheme, n) for n in range(1, most + 1)] for scheme in {u.scheme for u in units}}
    load: dict[str, tuple[int, int]] = {}
    placed: dict[RouteKey, str] = {}

    def put(unit: Unit, shard: str) -> None:
        rules, groups = load.get(shard, (0, 0))
        load[shard] = (rules + len(unit.keys), groups + len(unit.services))
        placed.update({key: shard for key in unit.keys})

    homeless = []
    homes = _homes(candidates, previous, family)
    for unit, home in sorted(homes, key=lambda pair: (_new_routes(pair[0], previous), pair[0].name)):
        if home is not None and capacity.fits(load.get(home, (0, 0)), unit):
            put(unit, home)
        else:
            homeless.append(unit)
    for unit in sorted(homeless, key=lambda u: (-len(u.keys), -len(u.services), u.name)):
        shard = next(s for s in family[unit.scheme] if capacity.fits(load.get(s, (0, 0)), unit))
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
