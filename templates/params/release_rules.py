"""Rules of a safe release that need the whole service: blue/green only where ECS can do it (D0xx).

D001 alarm period x evaluation periods over one day    D003 blue/green on a service without one ALB route
D002 alarm period not a multiple of 60 s               D004 test-rule priority taken (routing.blue_green)
D005 ALB security group over its outbound-rule quota   D006 blue/green over the ALB's rule or target-group quota
(D005 and D006 live in checks/release_limits: they need the whole environment.)
"""

from __future__ import annotations

from templates.errors import rule_violation
from templates.params.service import Service


def check_release(svc: Service) -> None:
    """D003: ECS blue/green shifts one production listener rule; it needs a web service with exactly one route.

    ECS takes one production and one test listener rule per load balancer
    entry (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html);
    rules it does not know would keep pointing at blue after the shift.
    """
    if svc.blue_green is None:
        return
    if svc.kind != "web":
        raise rule_violation(
            "D003", f"blue_green shifts ALB traffic; a {svc.kind} has none (remove blue_green)", "blue_green"
        )
    if len(svc.routes) != 1:
        raise rule_violation(
            "D003",
            f"blue_green needs exactly one route (ECS shifts one production listener rule), found {len(svc.routes)}; "
            "split the service or use rolling deployments",
            "routes",
        )
