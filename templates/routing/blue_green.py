"""Test listener rules of blue/green services: computed priorities, conflict-checked like the routes.

During a blue/green deployment ECS points a *test* listener rule at the new
(green) target group before production traffic shifts.  Ours matches the
service's own route plus one HTTP header (``blue_green.test_header``), so
``curl -H 'X-Deployment-Test: green' https://api.example.com/auth`` reaches
green while everyone else still reaches blue.

Its priority must be lower (evaluated earlier) than its production rule's,
or the production rule would answer first.  It stays in the production
rule's band (same specificity): every other service's route either sorts in
another band by design or cannot match a request of this route (R003), so the
only rule it must beat is its own production rule.  Inside that band it takes
a hashed slot below the production priority, from the route's host and path
alone, so it is as stable as the production priority itself.

* **D004** a test priority equal to another rule's priority, or no room below
  the production rule: reported at ``blue_green.test_priority`` with a free
  priority to pin.
"""

from __future__ import annotations

import hashlib

from templates.errors import Problem
from templates.params.environment import Environment
from templates.params.route_lock import RouteLock
from templates.routing.plan import BAND_WIDTH, RulePlan, band_of_priority, plan_rules


def _band_base(priority: int) -> int:
    return band_of_priority(priority) * BAND_WIDTH + 1


def computed_green_priority(production: RulePlan) -> int | None:
    """A slot between the band's first priority and the production priority; None when there is no room."""
    base = _band_base(production.priority)
    room = production.priority - base
    if room <= 0:
        return None
    digest = hashlib.sha256(f"{','.join(production.hosts)}|{','.join(production.paths)}|test".encode()).digest()
    return base + int.from_bytes(digest[:8], "big") % room


def plan_green_rules(env: Environment, lock: RouteLock | None = None) -> list[RulePlan]:
    """One test rule per blue/green service (pinned or computed), assuming ``green_rule_problems`` passed.

    ``lock`` is the route lock the production rules were planned with; a test
    rule goes on its production rule's ALB.
    """
    plans = []
    for production in plan_rules(env, lock):
        settings = env.services[production.service].blue_green
        if settings is None:
            continue
        priority = settings.test_priority or computed_green_priority(production)
        if priority is not None:
            plans.append(
                RulePlan(
                    production.service, production.index, production.hosts, production.paths, priority, production.alb
                )
            )
    return sorted(plans, key=lambda p: p.priority)


def _free_below(production: RulePlan, taken: set[int]) -> int | None:
    for candidate in range(production.priority - 1, _band_base(production.priority) - 1, -1):
        if candidate not in taken:
            return candidate
    return None


def green_rule_problems(env: Environment) -> list[Problem]:
    """D004: each test rule needs a priority of its own, below (before) its production rule."""
    productions = plan_rules(env)
    taken = {p.priority for p in productions}
    problems = []
    for production in productions:
        settings = env.services[production.service].blue_green
        if settings is None:
            continue
        where = f"services.{production.service}.blue_green.test_priority"
        pinned = settings.test_priority
        wanted = pinned or computed_green_priority(production)
        if wanted is not None and wanted not in taken and wanted < production.priority:
            taken.add(wanted)
            continue
        free = _free_below(production, taken)
        hint = f"pin test_priority: {free} (free, just before the route)" if free else "pin a free priority"
        if wanted is None:
            reason = f"the route's priority {production.priority} is the first of its band: no room before it"
        elif wanted >= production.priority:
            reason = f"test priority {wanted} is not below the route's priority {production.priority}"
        else:
            reason = f"test priority {wanted} is already used by another listener rule"
        problems.append(Problem(where, f"{reason}; the test rule must be evaluated first: {hint}", "D004"))
        if free is not None:
            taken.add(free)
    return problems
