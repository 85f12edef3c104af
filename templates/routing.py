"""Listener-rule planning: path patterns, conflicts, and stable priorities.

Priorities are computed here rather than at deploy time (Copilot's "max + 1"
custom resource makes routing order depend on deploy order).  A rule's
priority depends only on its own host and path: rules fall into bands by
specificity (longer literal path first, then exact host, wildcard host, none)
and take a hashed slot inside their band.  Adding or removing a service
leaves every other rule's priority unchanged unless two rules hash to the
same slot, where the lower (service, index) keeps it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from templates.errors import ParamsError, Problem
from templates.params import Environment, Route

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


def path_patterns(path: str | None) -> tuple[str, ...]:
    """``/auth`` -> (``/auth``, ``/auth/*``); ``/`` -> (``/*``,); ``/x*`` kept as written."""
    if path is None:
        return ()
    if path.endswith("*"):
        return (path,)
    trimmed = path.rstrip("/")
    if not trimmed:
        return ("/*",)
    return (trimmed, trimmed + "/*")


def route_key(route: Route) -> tuple[str, tuple[str, ...]]:
    return (route.host or "", path_patterns(route.path))


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


def _slot(route: Route) -> int:
    host, paths = route_key(route)
    digest = hashlib.sha256(f"{host}|{','.join(paths)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BAND_WIDTH


def _route_path(service: str, index: int) -> str:
    return f"services.{service}.routes[{index}]"


def plan_rules(env: Environment) -> list[RulePlan]:
    """Every listener rule of the environment with its priority, sorted by priority."""
    entries = [(name, i, route) for name, svc in sorted(env.services.items()) for i, route in enumerate(svc.routes)]
    taken: dict[int, tuple[str, int]] = {}
    plans: list[RulePlan] = []

    def add(name: str, i: int, route: Route, priority: int) -> None:
        taken[priority] = (name, i)
        host, paths = route_key(route)
        plans.append(RulePlan(name, i, (host,) if host else (), paths, priority))

    for name, i, route in entries:
        if route.priority is not None:
            add(name, i, route, route.priority)
    for name, i, route in sorted(
        (e for e in entries if e[2].priority is None), key=lambda e: (band(e[2]), _slot(e[2]), e[0], e[1])
    ):
        start = band(route) * BAND_WIDTH + 1
        for step in range(BAND_WIDTH):
            candidate = start + (_slot(route) + step) % BAND_WIDTH
            if candidate not in taken:
                add(name, i, route, candidate)
                break
    return sorted(plans, key=lambda p: p.priority)


def check_routes(file: Path | str, env: Environment) -> None:
    """Duplicate host+path claims and clashing pinned priorities are params errors."""
    problems: list[Problem] = []
    claimed: dict[tuple[str, tuple[str, ...]], str] = {}
    pinned: dict[int, str] = {}
    for name, svc in sorted(env.services.items()):
        for i, route in enumerate(svc.routes):
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
                        Problem(
                            where, f"priority {route.priority} is already pinned by {pinned[route.priority]}", "R002"
                        )
                    )
                pinned[route.priority] = where
    problems += _overlap_problems(env)
    if problems:
        raise ParamsError(file, problems)


def _overlap_problems(env: Environment) -> list[Problem]:
    """R003: two services claiming the same path pattern on the same host.

    ``/api`` (-> /api, /api/*) and ``/api/*`` are different routes but share
    ``/api/*``; which service gets /api/x would depend on priority hashing.
    Exact duplicates are R001's.
    """
    problems = []
    seen: list[tuple[str, str, frozenset[str], str]] = []  # service, host, patterns, key path
    for name, svc in sorted(env.services.items()):
        for i, route in enumerate(svc.routes):
            host, paths = route_key(route)
            patterns = frozenset(paths)
            for other_name, other_host, other_patterns, where in seen:
                shared = patterns & other_patterns
                if other_name != name and host == other_host and shared and patterns != other_patterns:
                    problems.append(
                        Problem(
                            _route_path(name, i),
                            f"path pattern {', '.join(sorted(shared))} on host {host or '(any)'} is also "
                            f"routed to {other_name} by {where}; give each service its own path",
                            "R003",
                        )
                    )
            seen.append((name, host, patterns, _route_path(name, i)))
    return problems
