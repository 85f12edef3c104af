"""Listener-rule planning: path patterns, conflicts, and stable priorities.

Priorities are decided here, offline, rather than at deploy time (Copilot's
"max + 1" custom resource makes routing order depend on deploy order).  Rules
fall into bands by specificity (longer literal path first, then exact host,
wildcard host, no host; literal paths of 63 or more characters share the most
specific band), so a more specific route always has the lower priority.

Inside its band a route's slot is allocated once and then kept:
``allocate`` hands the routes, the params' pins and the route lock (the
previous allocation, ``params/<env>.lock.yaml``, read by the pipeline) to
``templates.routing.priorities``.  A new route takes its hashed slot (a function of
its host and path alone) or, when that is taken, the nearest free slot of its
band; the lock remembers it, so adding, removing or reordering routes never
moves another rule, and no collision needs a hand-pinned priority.  Pinned
priorities (``priority:``) are used as written and win over the lock.

Conflicts, all checked before anything is built (``check_routes``):

* **R001** one host + path claimed twice.
* **R002** two routes pinned to one priority.
* **R003** routes of two services that can match the same request (same
  host, or wildcard hosts where one covers the other) at the same
  specificity (same band): ``/api`` and ``/api/*``, ``/api`` and ``/api*``, a
  host-only route and ``/``.  Which service answers would depend on the
  slots, so it is an error whether or not either is pinned.  Overlaps
  across bands are intended: the longer literal path wins (``/api/v1``
  before ``/api*``), an exact host before a wildcard one.

From ``allocate``, which also spreads routes over ALBs (``templates.routing.shards``):

* **R005** a band of one listener has no free slot left.
* **R007** (``params.lock``) the route lock file does not parse or lists a route twice.
* **R006** services sharing a host ask for different load balancers
  (internet-facing and internal).
* **Q001** one host (with the hosts its services link it to) needs more rules
  than ``alb.rules_per_listener`` or more target groups than an ALB holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from templates import naming
from templates.errors import ParamsError, Problem
from templates.params.environment import Environment
from templates.params.route_lock import LockedRoute, RouteLock
from templates.params.service import Route
from templates.routing.keys import path_patterns, route_key
from templates.routing.priorities import Request, Slot, allocate_slots
from templates.routing.shards import capacity_of, place_units, route_units, too_big_problem

MAX_PRIORITY = 50000
_PATH_LEVELS = 64  # literal path lengths 0..63 get their own band; longer share band 0
_HOST_CLASSES = 3  # exact host, wildcard host, no host
BAND_WIDTH = MAX_PRIORITY // (_PATH_LEVELS * _HOST_CLASSES)


@dataclass(frozen=True)
class RulePlan:
    service: str
    index: int
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    priority: int
    alb: str = naming.ALB


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


def _route_path(service: str, index: int) -> str:
    return f"services.{service}.routes[{index}]"


def _entries(env: Environment, in_file_order: bool = False) -> list[tuple[str, int, Route]]:
    """Every route as (service, index, route); services sorted by name, or as the params file lists them."""
    services = env.services.items() if in_file_order else sorted(env.services.items())
    return [(name, i, route) for name, svc in services for i, route in enumerate(svc.routes)]


def plan_rules(env: Environment, lock: RouteLock | None = None) -> list[RulePlan]:
    """Every listener rule of the environment with its ALB and priority, sorted by priority.

    ``lock`` is the previous allocation (none: allocate afresh).  Assumes
    ``check_routes`` passed; otherwise two plans may share a priority.
    """
    slots = allocate(env, lock)[0].by_key()
    plans = []
    for name, i, route in _entries(env):
        host, paths = key = route_key(route)
        slot = slots.get(key)
        alb, number = (slot.alb, slot.priority) if slot is not None else (naming.ALB, priority(route))
        plans.append(RulePlan(name, i, (host,) if host else (), paths, number, alb))
    return sorted(plans, key=lambda p: (p.alb, p.priority, p.service, p.index))


def route_albs(
    env: Environment, lock: RouteLock | None
) -> tuple[dict[tuple[str, tuple[str, ...]], str], list[Problem]]:
    """The ALB (stack key) of every route: whole units per ALB, kept where the lock had them (``shards``)."""
    units, problems = route_units(env)
    previous = {entry.key: entry.alb for entry in lock.routes} if lock is not None else {}
    capacity = capacity_of(env)

    def shard_key(scheme: str, number: int) -> str:
        return naming.alb_shard_key(scheme == env.alb.scheme, scheme, number)

    existing = env.alb.existing is not None  # not ours: routes cannot spread to more ALBs
    placed, too_big = place_units(units, previous, capacity, shard_key, single=existing)
    problems += [p for unit in too_big if (p := too_big_problem(env, unit, capacity)) is not None]
    problems += [
        Problem(
            f"services.{u.services[0]}.load_balancer",
            f"every route goes to the existing load balancer (alb.existing, {env.alb.scheme}), not {u.scheme}",
            "R006",
        )
        for u in units
        if existing and u.scheme != env.alb.scheme
    ]
    albs = {route_key(route): placed.get(route_key(route), naming.ALB) for _, _, route in _entries(env)}
    return albs, problems


def allocate(env: Environment, lock: RouteLock | None = None) -> tuple[RouteLock, list[Problem]]:
    """The new route lock (pins, kept slots, new slots) and R005 for routes left without a slot.

    Pure: ``lock`` is data the pipeline read.  ``allocate(env, allocate(env, L)[0])``
    returns the same lock, so the pipeline may pass either.
    """
    previous = lock.by_key() if lock is not None else {}
    albs, problems = route_albs(env, lock)
    requests: dict[tuple[str, tuple[str, ...]], tuple[Request, str]] = {}
    for name, i, route in _entries(env):
        key = route_key(route)
        if key not in requests:  # a repeated host+path is R001's
            request = Request(key, band(route), computed_priority(route), albs[key], route.priority)
            requests[key] = (request, _route_path(name, i))
    locked = {key: Slot(entry.alb, entry.priority) for key, entry in previous.items()}
    slots, full = allocate_slots([r for r, _ in requests.values()], locked, BAND_WIDTH)
    entries = [
        LockedRoute(host=key[0] or None, paths=list(key[1]), alb=slot.alb, priority=slot.priority)
        for key, slot in slots.items()
    ]
    problems += [
        Problem(
            requests[r.key][1],
            f"no listener-rule priority of this specificity is free on {r.alb} (a band holds {BAND_WIDTH}): "
            "move some routes of this host and path length to another host",
            "R005",
        )
        for r in full
    ]
    return RouteLock.of(entries), problems


def check_routes(file: Path | str, env: Environment) -> None:
    problems = route_problems(env)
    if problems:
        raise ParamsError(file, problems)


def route_problems(env: Environment) -> list[Problem]:
    """R001-R003 (see the module docstring), each at the route to change."""
    problems: list[Problem] = []
    claimed: dict[tuple[str, tuple[str, ...]], str] = {}
    pinned: dict[int, str] = {}
    for name, i, route in _entries(env):
        where = _route_path(name, i)
        key = route_key(route)
        if key in claimed:
            problems.append(
                Problem(
                    where,
                    f"host {key[0] or '(any)'} + path {route.path or '(any)'} is already "
                    f"routed by {claimed[key]}; each host+path may belong to one service",
                    "R001",
                )
            )
        else:
            claimed[key] = where
        if route.priority is not None:
            if route.priority in pinned:
                problems.append(
                    Problem(where, f"priority {route.priority} is already pinned by {pinned[route.priority]}", "R002")
                )
            pinned[route.priority] = where
    return problems + _overlap_problems(env)


def _describe(route: Route) -> str:
    return f"host {route.host or '(any)'} + path {route.path or '(any)'}"


def _path_text(route: Route) -> str:
    return f"path {route.path}" if route.path else "no path: every path"


@dataclass(frozen=True)
class _Pattern:
    """One path pattern as ALB reads ours: ``literal`` exactly, or anything starting with it (trailing ``*``)."""

    literal: str
    prefix: bool

    def witness(self, other: _Pattern) -> str | None:
        """A request path both patterns match, or None if they match none in common."""
        if self.prefix and other.prefix:
            if self.literal.startswith(other.literal):
                return self.literal or "/"
            return (other.literal or "/") if other.literal.startswith(self.literal) else None
        if self.prefix:
            return other.literal if other.literal.startswith(self.literal) else None
        if other.prefix:
            return self.literal if self.literal.startswith(other.literal) else None
        return self.literal if self.literal == other.literal else None


def _patterns(route: Route) -> tuple[_Pattern, ...]:
    """Our paths allow ``*`` only at the end (no ``?``), so each pattern is a literal or a prefix."""
    if route.path is None:
        return (_Pattern("", prefix=True),)  # no path condition: every path
    return tuple(_Pattern(p.removesuffix("*"), p.endswith("*")) for p in path_patterns(route.path))


def _common_request(a: Route, b: Route) -> str | None:
    for x in _patterns(a):
        for y in _patterns(b):
            found = x.witness(y)
            if found is not None:
                return found
    return None


def _common_host(a: str | None, b: str | None) -> str | None:
    """A host both host conditions match ("" when neither has one), or None.

    Only hosts of one kind share a band, so only two exact hosts (equal) or two
    wildcards matter; ALB's ``*`` also matches dots, so ``*.example.com``
    covers ``*.b.example.com``.
    """
    if a == b:
        return (a or "").replace("*", "x")
    if a and b and a.startswith("*.") and b.startswith("*."):
        longer, shorter = (a, b) if len(a) >= len(b) else (b, a)
        return longer.replace("*", "x") if longer.endswith(shorter[1:]) else None
    return None


def _overlap_problems(env: Environment) -> list[Problem]:
    """R003: two services' routes that match a common request at the same specificity.

    Same band and a request both match (same host, or wildcard hosts where
    one covers the other), so their order is the hashed slots' order:
    ``/api`` vs ``/api/*`` (they share ``/api/*``), ``/api`` vs ``/api*``
    (``/api*`` matches ``/api/x`` too), a host-only route vs ``/``.
    Different bands are fine: the more specific route wins by design.  Exact
    duplicates are R001's; routes of one service cannot conflict (same target).
    """
    problems = []
    seen: list[tuple[str, Route, str]] = []  # service, route, key path
    for name, i, route in _entries(env):
        patterns = frozenset(path_patterns(route.path))
        for other_name, other, where in seen:
            if other_name == name or band(other) != band(route) or route_key(other) == route_key(route):
                continue
            host = _common_host(route.host, other.host)
            request = _common_request(route, other)
            if host is None or request is None:
                continue
            shared = patterns & frozenset(path_patterns(other.path))
            if shared and route.host == other.host:
                message = (
                    f"path pattern {', '.join(sorted(shared))} on host {route.host or '(any)'} is also "
                    f"routed to {other_name} by {where}; give each service its own path"
                )
            else:
                message = (
                    f"a request for {request} on host {host or '(any)'} matches this route "
                    f"({_path_text(route)}) and {where} of {other_name} ({_path_text(other)}) "
                    "at the same specificity, so which service answers would depend on hashing; allowed: "
                    "routes of two services on one host match no common path, or one has a longer literal "
                    "path (it wins); give each service its own path"
                )
            problems.append(Problem(_route_path(name, i), message, "R003"))
        seen.append((name, route, _route_path(name, i)))
    return problems
