"""Environment-wide limits of the release features (D005).

Each web service's stack adds one egress rule to the ALB's security group
(towards its own tasks).  A security group holds at most 60 outbound rules
by default (adjustable in Service Quotas):
https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
"""

from __future__ import annotations

from templates.errors import Problem
from templates.params.environment import Environment

SECURITY_GROUP_EGRESS_RULES = 60


def alb_egress_rule_count(env: Environment) -> int:
    """Outbound rules the ALB's security group ends up with: one per web service, the placeholder, old CIDR rules.

    An existing ALB's group is its owners' (we add nothing to it), so it counts none.
    """
    if env.alb.existing is not None:
        return 0
    web = [svc for svc in env.services.values() if svc.alb_port is not None]
    cidr_ports = {svc.alb_port for svc in web} if env.alb.egress_to_vpc_cidr else set()
    return len(web) + 1 + len(cidr_ports)


def release_problems(env: Environment) -> list[Problem]:
    count = alb_egress_rule_count(env)
    if count <= SECURITY_GROUP_EGRESS_RULES:
        return []
    return [
        Problem(
            "services",
            f"the ALB's security group would need {count} outbound rules (one per web service, plus one); "
            f"AWS allows {SECURITY_GROUP_EGRESS_RULES} by default: raise 'Outbound rules per security group' in "
            "Service Quotas first, or move services to a second environment",
            "D005",
        )
    ]
