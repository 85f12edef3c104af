"""D004: each blue/green test rule needs a priority of its own, below (before) its production rule.

ECS points the test listener rule at green before production traffic
shifts; evaluated after its production rule, it would never answer
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html).
Checked on the plan's rules, placed with the route lock, as they will be built.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.params.environment import Environment
from templates.plan.green_routes import band_base, computed_green_priority
from templates.plan.model import EnvironmentPlan, RulePlan
from templates.rules.registry import At, plan_rule

BLUE_GREEN_RULES = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html"


def _free_below(production: RulePlan, taken: set[int]) -> int | None:
    for candidate in range(production.priority - 1, band_base(production.priority) - 1, -1):
        if candidate not in taken:
            return candidate
    return None


@plan_rule("D004", "a blue/green test rule's priority is taken, or not below its production rule's", BLUE_GREEN_RULES)
def test_rule_priority(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    taken = {p.priority for p in plan.routes}
    for production in plan.routes:
        settings = env.services[production.service].blue_green
        if settings is None:
            continue
        wanted = settings.test_priority or computed_green_priority(production)
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
        where = f"services.{production.service}.blue_green.test_priority"
        yield At(where, f"{reason}; the test rule must be evaluated first: {hint}")
        if free is not None:
            taken.add(free)
