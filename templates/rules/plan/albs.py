"""Quotas of each ALB and its security group, counted on the plan's ALBs (Q004, D005, D006).

Counted per ALB as the plan places routes (with the route lock), so these
counts are the ones the ALB stacks, the diagram and the cost model show.
Limits are AWS's defaults; the adjustable ones say so in the message.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import EnvironmentPlan
from templates.plan.shards import SECURITY_GROUP_EGRESS_RULES, TARGET_GROUPS_PER_ALB
from templates.rules.registry import At, plan_rule

VPC_QUOTAS = "https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups"
ALB_QUOTAS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html"
RULES_PER_SECURITY_GROUP = 60  # inbound and outbound each


@plan_rule(
    "Q004",
    "an ALB security group with more than 60 inbound rules (CIDRs x listener ports)",
    docs=VPC_QUOTAS,
    limit=f"{RULES_PER_SECURITY_GROUP} inbound rules per security group (adjustable)",
)
def security_group_rules(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    ports = plan.network.listener_ports
    ingress = len(env.alb.ingress_cidrs) * len(ports)
    if ingress > RULES_PER_SECURITY_GROUP:
        yield At(
            "alb.ingress_cidrs",
            f"{len(env.alb.ingress_cidrs)} CIDRs x {len(ports)} listener ports = {ingress} "
            f"inbound rules on the ALB security group; at most {RULES_PER_SECURITY_GROUP} "
            "(AWS quota): use fewer, wider CIDRs",
        )


def web_services_per_alb(env: Environment, plan: EnvironmentPlan) -> dict[str, list[Service]]:
    """ALB stack key -> the web services whose rules the plan put on it."""
    albs: dict[str, set[str]] = {}
    for rule in plan.routes:
        if env.services[rule.service].alb_port is not None:
            albs.setdefault(rule.alb, set()).add(rule.service)
    return {key: [env.services[n] for n in sorted(names)] for key, names in albs.items()}


def alb_egress_rules_of(services: list[Service], plan: EnvironmentPlan) -> int:
    """Outbound rules of an ALB's security group: one per distinct target port of its services (to the group
    every task joins), twice that under ``alb.egress_to_vpc_cidr``, or the one placeholder when it has none."""
    ports = frozenset(port for svc in services if (port := svc.alb_port) is not None)
    return plan.capacity.egress_needed(ports) or 1


def alb_egress_rule_count(env: Environment, plan: EnvironmentPlan) -> int:
    """Outbound rules the busiest ALB's security group ends up with.  An existing ALB's group is its owners'
    (we add nothing to it)."""
    if env.alb.existing is not None:
        return 0
    return max(
        (alb_egress_rules_of(services, plan) for services in web_services_per_alb(env, plan).values()), default=1
    )


@plan_rule(
    "D005",
    "an ALB's security group over its outbound-rule quota (one rule per distinct target port of its services)",
    docs=VPC_QUOTAS,
    limit=f"{SECURITY_GROUP_EGRESS_RULES} outbound rules per security group (adjustable)",
)
def alb_egress_rules(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """Services sharing a port share the rule, so this counts ports, not services: 100 web services on 8080
    need one rule.  Hosts are spread over ALBs with the ports in mind; only one host whose services alone
    listen on more ports than a group holds is left over (``plan.unplaced.too_big``)."""
    cidr = " (two each with alb.egress_to_vpc_cidr)" if plan.capacity.rules_per_port > 1 else ""
    for unit in plan.unplaced.too_big:
        needed = plan.capacity.egress_needed(unit.ports)
        if needed > plan.capacity.egress_rules:
            yield At(
                f"services.{unit.services[0]}",
                f"host {unit.name} is served by services on {len(unit.ports)} distinct target ports, one outbound "
                f"rule each{cidr} on its ALB's security group: {needed} rules, AWS allows "
                f"{SECURITY_GROUP_EGRESS_RULES} by default: let services share ports, or raise 'Outbound rules per "
                "security group' in Service Quotas",
            )


@plan_rule(
    "D006",
    "blue/green's test rules and alternate target groups take an ALB over its rule or target-group quota",
    docs=ALB_QUOTAS,
    limit=f"alb.rules_per_listener rules per listener; {TARGET_GROUPS_PER_ALB} target groups per load balancer",
)
def blue_green_over_alb_quotas(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """Only where blue/green is what crosses the quota (Q001/Q003 report the routes' own excess)."""
    for services in web_services_per_alb(env, plan).values():
        green = sum(1 for svc in services if svc.blue_green is not None)
        routes = sum(len(svc.routes) for svc in services)
        for used, limit, what in (
            (routes, env.alb.rules_per_listener, "listener rules (routes plus one test rule each)"),
            (len(services), TARGET_GROUPS_PER_ALB, "target groups (one per web service plus one alternate each)"),
        ):
            if green and used <= limit < used + green:
                yield At(
                    "services",
                    f"{green} blue/green service(s) bring the ALB to {used + green} {what}; AWS allows {limit} "
                    "by default: raise the quota in Service Quotas, or keep some services rolling",
                )
