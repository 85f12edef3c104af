"""``build_plan``: the environment's plan, once per run, from the validated params and the route lock."""

from __future__ import annotations

from collections.abc import Sequence

from templates import naming
from templates.params.environment import Environment
from templates.params.route_lock import LockedRoute, RouteLock
from templates.plan.compute import compute_plan
from templates.plan.green_routes import place_test_routes
from templates.plan.keys import route_key
from templates.plan.model import AlbPlan, EnvironmentPlan, RulePlan
from templates.plan.network import network_plan
from templates.plan.routes import allocate, production_rules
from templates.plan.shards import alb_scheme, producible_alb
from templates.plan.tasks import task_plans


def alb_plans(env: Environment, routes: Sequence[RulePlan]) -> tuple[AlbPlan, ...]:
    """``alb`` always (as before routes could spread), then every further ALB some rule is on."""
    keys = sorted({rule.alb for rule in routes} | {naming.ALB}, key=lambda key: (key != naming.ALB, len(key), key))
    return tuple(
        AlbPlan(key, alb_scheme(env, key), tuple(sorted({r.service for r in routes if r.alb == key}))) for key in keys
    )


def stale_lock_entries(env: Environment, lock: RouteLock | None) -> tuple[LockedRoute, ...]:
    """Lock entries of routes these params still have, on an ALB the params can no longer produce."""
    if lock is None:
        return ()
    keys = {route_key(route) for svc in env.services.values() for route in svc.routes}
    return tuple(entry for entry in lock.routes if entry.key in keys and not producible_alb(env, entry.alb))


def build_plan(env: Environment, lock: RouteLock | None = None) -> EnvironmentPlan:
    """Routes placed with ``lock`` (none: a new environment), ALBs, network, tasks and EC2 capacity.

    Builders, rules, the diagram and the cost model all take this one plan, so
    what they count and draw is what the templates deploy.
    """
    allocation = allocate(env, lock)
    routes = production_rules(env, allocation.lock)
    tasks = task_plans(env)
    return EnvironmentPlan(
        lock=allocation.lock,
        routes=routes,
        test_routes=place_test_routes(env, routes),
        albs=alb_plans(env, routes),
        capacity=allocation.capacity,
        unplaced=allocation.unplaced,
        network=network_plan(env),
        tasks=tasks,
        compute=compute_plan(env, routes, tasks),
        stale_lock=stale_lock_entries(env, lock),
    )
