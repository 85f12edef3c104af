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

A test priority equal to another rule's priority, or no room below the
production rule, is D004's (``templates/rules/plan/blue_green.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from templates.params.environment import Environment
from templates.plan.model import RulePlan
from templates.plan.routes import BAND_WIDTH, band_of_priority


def band_base(priority: int) -> int:
    """The first priority of the band ``priority`` is in."""
    return band_of_priority(priority) * BAND_WIDTH + 1


def computed_green_priority(production: RulePlan) -> int | None:
    """A slot between the band's first priority and the production priority; None when there is no room."""
    base = band_base(production.priority)
    room = production.priority - base
    if room <= 0:
        return None
    digest = hashlib.sha256(f"{','.join(production.hosts)}|{','.join(production.paths)}|test".encode()).digest()
    return base + int.from_bytes(digest[:8], "big") % room


def place_test_routes(env: Environment, routes: Sequence[RulePlan]) -> tuple[RulePlan, ...]:
    """One test rule per blue/green service (pinned or computed), on its production rule's ALB.

    A service whose production rule is the first of its band gets none; D004
    reports it (and any test priority that collides).
    """
    plans = []
    for production in routes:
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
    return tuple(sorted(plans, key=lambda p: p.priority))
