"""Listener rules: path patterns, specificity bands, and priorities kept by the route lock.

Priorities are decided here, offline, rather than at deploy time (Copilot's
"max + 1" custom resource makes routing order depend on deploy order).  Rules
fall into bands by specificity (longer literal path first, then exact host,
wildcard host, no host; literal paths of 63 or more characters share the most
specific band), so a more specific route always has the lower priority.

Inside its band a route's slot is allocated once and then kept:
``allocate`` hands the routes, the params' pins and the route lock (the
previous allocation, ``params/<env>.lock.yaml``) to
``templates.plan.priorities``.  A new route takes its hashed slot (a function of
its host and path alone) or, when that is taken, the nearest free slot of its
band; the lock remembers it, so adding, removing or reordering routes never
moves another rule, and no collision needs a hand-pinned priority.  Pinned
priorities (``priority:``) are used as written and win over the lock.

``allocate`` also spreads routes over ALBs (``templates.plan.shards``).  What
it cannot place is returned as data (``Unplaced``); the rules R005, R006,
Q001 and Q003 (``templates/rules/plan/routes.py``) say what to change, as
do R001-R003 for routes that claim the same requests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from templates import naming
from templates.params.environment import Environment
from templates.params.route_lock import LockedRoute, RouteLock
from templates.params.service import Route
from templates.plan.keys import route_key
from templates.plan.model import FullBand, RulePlan, Unplaced
from templates.plan.priorities import Request, Slot, allocate_slots
from templates.plan.shards import Capacity, capacity_of, place_units, route_units

MAX_PRIORITY = 50000
_PATH_LEVELS = 64  # literal path lengths 0..63 get their own band; longer share band 0
_HOST_CLASSES = 3  # exact host, wildcard host, no host
BAND_WIDTH = MAX_PRIORITY // (_PATH_LEVELS * _HOST_CLASSES)


def band(route: Route) -> int:
    literal = (route.path or "").rstrip("*").rstrip("/")
    path_level = _PATH_LEVELS - 1 - min(len(literal), _PATH_LEVELS - 1)
    if route.host is None:
        host_class = 2
    elif route.host.startswith("*."):
        host_class = 1
    else:
        host_class = 0
    return path_level * _HOST_CLASSES + host_class


def band_of_priority(priority: int) -> int:
    return (priority - 1) // BAND_WIDTH


def _slot(route: Route) -> int:
    host, paths = route_key(route)
    digest = hashlib.sha256(f"{host}|{','.join(paths)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BAND_WIDTH


def computed_priority(route: Route) -> int:
    """The route's priority unless pinned: its band's base plus its hashed slot, from host and path alone."""
    return band(route) * BAND_WIDTH + 1 + _slot(route)


def priority(route: Route) -> int:
    return route.priority if route.priority is not None else computed_priority(route)


def entries(env: Environment, in_file_order: bool = False) -> list[tuple[str, int, Route]]:
    """Every route as (service, index, route); services sorted by name, or as the params file lists them."""
    services = env.services.items() if in_file_order else sorted(env.services.items())
    return [(name, i, route) for name, svc in services for i, route in enumerate(svc.routes)]


def route_path(service: str, index: int) -> str:
    """The key path of a route in the params file."""
    return f"services.{service}.routes[{index}]"


@dataclass(frozen=True)
class Allocation:
    """Where ``allocate`` put every route (the new lock), and what it could not place."""

    lock: RouteLock
    unplaced: Unplaced
    capacity: Capacity


def production_rules(env: Environment, lock: RouteLock) -> tuple[RulePlan, ...]:
    """Every listener rule with its ALB and priority as ``lock`` (an allocation) places it.

    A route ``lock`` lacks (left without a slot, or a repeated host+path)
    falls back to its computed priority on ``alb``; the rules reporting why
    keep such a plan from ever being built.
    """
    slots = lock.by_key()
    plans = []
    for name, i, route in entries(env):
        host, paths = key = route_key(route)
        slot = slots.get(key)
        alb, number = (slot.alb, slot.priority) if slot is not None else (naming.ALB, priority(route))
        plans.append(RulePlan(name, i, (host,) if host else (), paths, number, alb))
    return tuple(sorted(plans, key=lambda p: (p.alb, p.priority, p.service, p.index)))


def _route_albs(
    env: Environment, lock: RouteLock | None, capacity: Capacity
) -> tuple[dict[tuple[str, tuple[str, ...]], str], Unplaced]:
    """The ALB (stack key) of every route: whole units per ALB, kept where the lock had them (``shards``)."""
    units = route_units(env)
    previous = {entry.key: entry.alb for entry in lock.routes} if lock is not None else {}

    def shard_key(scheme: str, number: int) -> str:
        return naming.alb_shard_key(scheme == env.alb.scheme, scheme, number)

    existing = env.alb.existing is not None  # not ours: routes cannot spread to more ALBs
    placed, too_big = place_units(units, previous, capacity, shard_key, single=existing)
    unplaced = Unplaced(
        too_big=tuple(too_big),
        mixed_schemes=tuple(u for u in units if u.mixed),
        off_existing=tuple(u for u in units if existing and u.scheme != env.alb.scheme),
    )
    albs = {route_key(route): placed.get(route_key(route), naming.ALB) for _, _, route in entries(env)}
    return albs, unplaced


def allocate(env: Environment, lock: RouteLock | None = None) -> Allocation:
    """The new route lock (pins, kept slots, new slots) and what could not be placed.

    Pure: ``lock`` is data the pipeline read.  ``allocate(env, allocate(env, L).lock)``
    returns the same lock, so a plan may be rebuilt from either.
    """
    previous = lock.by_key() if lock is not None else {}
    capacity = capacity_of(env)
    albs, unplaced = _route_albs(env, lock, capacity)
    requests: dict[tuple[str, tuple[str, ...]], tuple[Request, str]] = {}
    for name, i, route in entries(env):
        key = route_key(route)
        if key not in requests:  # a repeated host+path is R001's
            request = Request(key, band(route), computed_priority(route), albs[key], route.priority)
            requests[key] = (request, route_path(name, i))
    locked = {key: Slot(entry.alb, entry.priority) for key, entry in previous.items()}
    slots, full = allocate_slots([r for r, _ in requests.values()], locked, BAND_WIDTH)
    entries_ = [
        LockedRoute(host=key[0] or None, paths=list(key[1]), alb=slot.alb, priority=slot.priority)
        for key, slot in slots.items()
    ]
    full_bands = tuple(FullBand(requests[r.key][1], r.alb) for r in full)
    unplaced = Unplaced(full_bands, unplaced.too_big, unplaced.mixed_schemes, unplaced.off_existing)
    return Allocation(RouteLock.of(entries_), unplaced, capacity)
