"""Rules over the routes and where the plan put them: conflicts (R001-R003), placement (R005, R006, Q001-Q003).

Conflicts, all checked before anything is built:

* **R001** one host + path claimed twice.
* **R002** two routes pinned to one priority.
* **R003** routes of two services that can match the same request (same
  host, or wildcard hosts where one covers the other) at the same
  specificity (same band): ``/api`` and ``/api/*``, ``/api`` and ``/api*``, a
  host-only route and ``/``.  Which service answers would depend on the
  slots, so it is an error whether or not either is pinned.  Overlaps
  across bands are intended: the longer literal path wins (``/api/v1``
  before ``/api*``), an exact host before a wildcard one.

What the plan could not place (``plan.unplaced``):

* **R005** a band of one listener has no free slot left.
* **R006** services sharing a host ask for different load balancers, or for
  another scheme than the existing ALB's.
* **Q001 / Q003** one host (with the hosts its services link it to) needs more
  rules than ``alb.rules_per_listener`` or more target groups than an ALB holds.
* **Q002** a rule with more than 5 condition values.
* **R008** the route lock places a route on an ALB the params no longer
  create (``plan.stale_lock``): the user decides the move, not the allocator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from templates.params.environment import Environment
from templates.params.service import Route
from templates.plan.keys import path_patterns, route_key
from templates.plan.model import EnvironmentPlan
from templates.plan.routes import BAND_WIDTH, band, entries, route_path
from templates.plan.shards import TARGET_GROUPS_PER_ALB, Unit
from templates.rules.registry import At, plan_rule

ALB_QUOTAS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
DOCS_RULE_EVALUATION = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html"
CONDITION_VALUES_PER_RULE = 5


@plan_rule("R001", "one host + path claimed by two routes")
def host_path_claimed_twice(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    claimed: dict[tuple[str, tuple[str, ...]], str] = {}
    for name, i, route in entries(env):
        key = route_key(route)
        if key in claimed:
            yield At(
                route_path(name, i),
                f"host {key[0] or '(any)'} + path {route.path or '(any)'} is already "
                f"routed by {claimed[key]}; each host+path may belong to one service",
            )
        else:
            claimed[key] = route_path(name, i)


@plan_rule("R002", "two routes pinned to one priority", docs=DOCS_RULE_EVALUATION)
def priority_pinned_twice(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    pinned: dict[int, str] = {}
    for name, i, route in entries(env):
        if route.priority is None:
            continue
        if route.priority in pinned:
            yield At(route_path(name, i), f"priority {route.priority} is already pinned by {pinned[route.priority]}")
        pinned[route.priority] = route_path(name, i)


@plan_rule("R005", "no free listener-rule priority left in a route's band on its ALB", docs=DOCS_RULE_EVALUATION)
def band_full(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for full in plan.unplaced.full_bands:
        yield At(
            full.where,
            f"no listener-rule priority of this specificity is free on {full.alb} (a band holds {BAND_WIDTH}): "
            "move some routes of this host and path length to another host",
        )


@plan_rule("R006", "services of one host ask for different load balancers, or not the existing ALB's scheme")
def mixed_load_balancers(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for unit in plan.unplaced.mixed_schemes:
        listed = ", ".join(f"{n} ({scheme})" for n, scheme in unit.schemes)
        yield At(
            f"services.{unit.services[-1]}.load_balancer",
            f"services {listed} share host(s) {unit.name}, whose DNS can point at one load balancer only: "
            "give them one load_balancer (internet-facing or internal) or separate hosts",
        )
    for unit in plan.unplaced.off_existing:
        yield At(
            f"services.{unit.services[0]}.load_balancer",
            f"every route goes to the existing load balancer (alb.existing, {env.alb.scheme}), not {unit.scheme}",
        )


@plan_rule(
    "R008",
    "the route lock places a route on an ALB these params no longer create (beside alb.existing, another "
    "scheme's ALB, a name no shard has)",
)
def lock_names_a_gone_alb(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """The lock keeps deployed rules where they are; when it names an ALB the params cannot have, the route
    must move and its host's DNS with it.  That is the user's decision, not the allocator's, so it is refused
    with what to change, instead of building services that import exports nobody exports."""
    where = {route_key(route): route_path(name, i) for name, i, route in entries(env)}
    why = (
        "with alb.existing every route goes to the existing load balancer (alb)"
        if env.alb.existing is not None
        else f"with alb.scheme {env.alb.scheme} the ALBs are alb, alb-2, ... and "
        f"alb-{'internal' if env.alb.scheme == 'internet-facing' else 'public'}, ..."
    )
    stale: dict[tuple[str, str], list[str]] = {}
    for entry in plan.stale_lock:
        stale.setdefault((entry.alb, entry.host or ""), []).append(where[entry.key])
    for (alb, host), paths in sorted(stale.items()):
        shown = host or "(any host)"
        yield At(
            paths[0],
            f"the route lock (the .lock.yaml beside this params file) places host {shown} ({len(paths)} route(s)) "
            f"on {alb}, an ALB these params no longer create ({why}): delete the lock's lines with alb: {alb} "
            f"and host: {host or 'null'}, so generate.py places those routes afresh and rewrites the lock (the "
            f"host's DNS then follows its new ALB), or restore the params that created {alb}",
        )


def _names(unit: Unit) -> str:
    more = f" and {len(unit.services) - 3} more" if len(unit.services) > 3 else ""
    return ", ".join(unit.services[:3]) + more


@plan_rule(
    "Q001",
    "one host's routes need more listener rules than one ALB's listener holds",
    docs=ALB_QUOTAS,
    limit="alb.rules_per_listener (AWS default 100, adjustable)",
)
def host_over_rules_per_listener(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for unit in plan.unplaced.too_big:
        if len(unit.keys) > plan.capacity.rules:
            yield At(
                f"services.{unit.services[0]}.routes",
                f"host {unit.name} needs {len(unit.keys)} listener rules (routes of {_names(unit)}), but one "
                f"listener holds {env.alb.rules_per_listener} (alb.rules_per_listener, your account's quota) and a "
                "host's routes stay on one ALB: move routes to another host, or raise the quota in Service Quotas "
                "and set alb.rules_per_listener",
            )


@plan_rule(
    "Q003",
    "one host is served by more services (target groups) than one ALB holds",
    docs=ALB_QUOTAS,
    limit=f"{TARGET_GROUPS_PER_ALB} target groups per load balancer",
)
def host_over_target_groups(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for unit in plan.unplaced.too_big:
        if len(unit.keys) <= plan.capacity.rules and len(unit.services) > plan.capacity.target_groups:
            yield At(
                f"services.{unit.services[0]}.routes",
                f"host {unit.name} is served by {len(unit.services)} services ({_names(unit)}), each with its own "
                f"target group, but one ALB holds at most {TARGET_GROUPS_PER_ALB} target groups and a host's services "
                "stay on one ALB: move services to another host",
            )


@plan_rule(
    "Q002",
    "a listener rule with more than 5 condition values (hosts and path patterns together)",
    docs=ALB_QUOTAS,
    limit=f"{CONDITION_VALUES_PER_RULE} condition values per rule",
)
def condition_values(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """Current params cannot exceed it: a route has one host and at most two path patterns (``/x``, ``/x/*``).

    The rule stays so that a future route form (several hosts, a list of
    paths) is caught here rather than by a failed deploy; it is tested on
    constructed plans for that reason.
    """
    for rule in plan.routes:
        values = len(rule.hosts) + len(rule.paths)
        if values > CONDITION_VALUES_PER_RULE:
            yield At(
                route_path(rule.service, rule.index),
                f"{values} condition values ({len(rule.hosts)} host, {len(rule.paths)} path patterns); "
                f"a listener rule allows at most {CONDITION_VALUES_PER_RULE}",
            )


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


@plan_rule(
    "R003",
    "routes of two services match a common request at the same specificity (which answers would depend on hashing)",
    docs=DOCS_RULE_EVALUATION,
)
def overlapping_routes(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """R003: two services' routes that match a common request at the same specificity.

    Same band and a request both match (same host, or wildcard hosts where
    one covers the other), so their order is the hashed slots' order:
    ``/api`` vs ``/api/*`` (they share ``/api/*``), ``/api`` vs ``/api*``
    (``/api*`` matches ``/api/x`` too), a host-only route vs ``/``.
    Different bands are fine: the more specific route wins by design.  Exact
    duplicates are R001's; routes of one service cannot conflict (same target).
    """
    seen: list[tuple[str, Route, str]] = []  # service, route, key path
    for name, i, route in entries(env):
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
            yield At(route_path(name, i), message)
        seen.append((name, route, route_path(name, i)))
