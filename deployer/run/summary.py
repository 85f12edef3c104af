"""What a successful deploy prints last: the routing table, and each service's URLs, log group and tail command.

The routing table is read from what is deployed (``run.live_routes``); the
URLs and log groups from the templates just deployed (``templates.contract.
service_access``), with the live ALB's DNS name for a route without a host.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from deployer.aws.clients import AWS_ERRORS
from deployer.run.context import Context
from deployer.run.live_routes import alb_routes, may_route
from deployer.view import terminal
from deployer.view.service_access import ServiceAccess, service_lines
from templates.contract.service_access import log_group_names, route_urls
from templates.contract.template import EXPORT_PREFIX_PARAM


def where_it_answers(ctx: Context, console: Console, workers: int = 0, profile: str | None = None) -> None:
    """The routing table, then every service of the run: its URLs, its log group and how to follow its logs.

    The table is read from the stacks that can hold a load balancer or a
    rule: a stack deployed in this run from a template without either has
    none, it is not asked.
    """
    d = ctx.deployment
    names = {
        key: name for key, name in d.stack_names.items() if key not in d.stacks or may_route(d.stacks[key].template)
    }
    dns_names: dict[str, str] = {}
    try:
        dns_name, routes = alb_routes(ctx.clients, names, workers or min(16, len(names)))
    except AWS_ERRORS as exc:  # the deploy succeeded; only the summary is missing
        console.print(Text(f"Could not read the ALB's routing table: {exc}", "yellow"))
    else:
        console.print(terminal.routes_table(dns_name, routes))
        dns_names = {route["alb"]: route["alb_dns"] for route in routes if route.get("alb_dns")}
        if dns_name:
            dns_names.setdefault("alb", dns_name)
    services = [
        ServiceAccess(
            stack.stack_name,
            route_urls(stack.template, stack.parameters.get(EXPORT_PREFIX_PARAM, ""), dns_names),
            log_group_names(stack.template, stack.parameters),
        )
        for stack in d.stacks.values()
    ]
    services = [service for service in services if service.log_groups]  # a service stack has its log group
    if services:
        console.print(service_lines(services, d.region, profile))
