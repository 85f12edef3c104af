"""Environment-wide quotas the release features add to (D005, D006).

* D005: each web service's stack adds one egress rule to the ALB's security
  group (towards its own tasks).  A security group holds at most 60 outbound
  rules by default (adjustable in Service Quotas):
  https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
* D006: a blue/green service adds a test listener rule and an alternate
  target group, on top of what Q001/Q003 count for the routes: 100 rules per
  listener and 100 target groups per load balancer by default
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html).
"""

from __future__ import annotations

from templates.checks.quotas import TARGET_GROUPS_PER_ALB
from templates.errors import Problem
from templates.params.environment import Environment
from templates.params.service import Service
from templates.routing.plan import plan_rules

SECURITY_GROUP_EGRESS_RULES = 60


def _per_alb(env: Environment) -> dict[str, set[str]]:
    """ALB stack key -> its web services, as routing spreads them (one ALB unless routes outgrow it)."""
    albs: dict[str, set[str]] = {}
    for rule in plan_rules(env):
        if env.services[rule.service].alb_port is not None:
            albs.setdefault(rule.alb, set()).add(rule.service)
    return albs


def alb_egress_rule_count(env: Environment) -> int:
    """Outbound rules the busiest ALB's security group ends up with: one per web service on it, the placeholder,
    old CIDR rules.

    An existing ALB's group is its owners' (we add nothing to it), so it counts none.
    """
    if env.alb.existing is not None:
        return 0
    busiest = max(_per_alb(env).values(), key=len, default=set())
    web = [svc for name, svc in env.services.items() if name in busiest]
    cidr_ports = {svc.alb_port for svc in web} if env.alb.egress_to_vpc_cidr else set()
    return len(web) + 1 + len(cidr_ports)


def _blue_green_problems(env: Environment) -> list[Problem]:
    """D006, only where blue/green is what crosses the quota (Q001/Q003 report the routes' own excess)."""
    problems = []
    for names in _per_alb(env).values():  # per ALB: routes spread over ALBs count where they are
        problems += _blue_green_on_one_alb(env, [env.services[n] for n in sorted(names)])
    return problems


def _blue_green_on_one_alb(env: Environment, services: list[Service]) -> list[Problem]:
    green = sum(1 for svc in services if svc.blue_green is not None)
    routes = sum(len(svc.routes) for svc in services)
    groups = len(services)
    problems = []
    for used, limit, what in (
        (routes, env.alb.rules_per_listener, "listener rules (routes plus one test rule each)"),
        (groups, TARGET_GROUPS_PER_ALB, "target groups (one per web service plus one alternate each)"),
    ):
        if green and used <= limit < used + green:
            problems.append(
                Problem(
                    "services",
                    f"{green} blue/green service(s) bring the ALB to {used + green} {what}; AWS allows {limit} "
                    "by default: raise the quota in Service Quotas, or keep some services rolling",
                    "D006",
                )
            )
    return problems


def release_problems(env: Environment) -> list[Problem]:
    problems = _blue_green_problems(env)
    count = alb_egress_rule_count(env)
    if count > SECURITY_GROUP_EGRESS_RULES:
        problems.append(
            Problem(
                "services",
                f"the ALB's security group would need {count} outbound rules (one per web service, plus one); "
                f"AWS allows {SECURITY_GROUP_EGRESS_RULES} by default: raise 'Outbound rules per security group' in "
                "Service Quotas first, or move services to a second environment",
                "D005",
            )
        )
    return problems
