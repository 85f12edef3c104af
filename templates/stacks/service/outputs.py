"""What a service stack tells the console: where its routes answer, and how to reach green.

``RouteUrls`` lists the URL of each route; a route without a host answers on
every name of the ALB, shown as ``<alb-dns-name>`` (cfn-lint refuses an
output made of another stack's export, W6001).  A blue/green service adds ``GreenTestRequest``: the request
that reaches the new revision during the bake, before traffic shifts.
"""

from __future__ import annotations

from troposphere import Join, Output, Template

from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.routes import RulePlan


def _url(env: Environment, rule: RulePlan, path: str | None) -> str:
    scheme = "https://" if env.https else "http://"
    shown = path or "/"
    return f"{scheme}{rule.hosts[0] if rule.hosts else '<alb-dns-name>'}{shown}"


def add_route_outputs(
    t: Template, env: Environment, svc: Service, rules: list[RulePlan], green_rules: list[RulePlan]
) -> None:
    if not rules:
        return
    urls = [_url(env, rule, svc.routes[rule.index].path) for rule in rules]
    t.add_output(Output("RouteUrls", Description="URLs this service's routes answer on", Value=Join(" ", urls)))
    if green_rules and svc.blue_green is not None:
        header = svc.blue_green.test_header
        first = green_rules[0]
        t.add_output(
            Output(
                "GreenTestRequest",
                Description="During a blue/green bake this request reaches the new revision",
                Value=f"curl -H '{header.name}: {header.value}' {_url(env, first, svc.routes[first.index].path)}",
            )
        )
