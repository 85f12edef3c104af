"""What a successful deploy prints last: the routing table, and each service's URLs, log group and tail command.

The routing table is read from what is deployed (``run.live_routes``): the
resources of each stack that can route, listed as soon as its operation is
over (``Prefetch``), so a big deploy does not end with one ListStackResources
per service after its last stack is done.  The URLs and log groups come from
the templates just deployed (``templates.contract.service_access``), with the
live ALB's DNS name for a route without a host.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from rich.console import Console
from rich.text import Text

from deployer.aws.clients import AWS_ERRORS
from deployer.review.stack_review import Result, StackReview
from deployer.run.context import Context
from deployer.run.inputs import load_deployment
from deployer.run.live_routes import alb_routes, may_route, stack_resources
from deployer.view import terminal
from deployer.view.service_access import ServiceAccess, service_lines
from templates.contract.service_access import log_group_names, route_urls
from templates.contract.template import EXPORT_PREFIX_PARAM, existing_load_balancer


class Prefetch:
    """ListStackResources of each stack that can route, started the moment its operation succeeds."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="routes")
        self.listing: dict[str, Future[list[dict[str, Any]]]] = {}

    def stack_done(self, key: str, stack: StackReview) -> None:
        """A stack's result (the walk's ``on_result``): list its resources now if it was deployed and routes."""
        stack_in = self.ctx.deployment.stacks.get(key)
        if stack.result is Result.EXECUTED and stack_in is not None and may_route(stack_in.template):
            self.listing[key] = self.pool.submit(stack_resources, self.ctx.clients.cloudformation, stack.stack_name)

    def known(self) -> dict[str, list[dict[str, Any]]]:
        """What was listed, waited for; a listing that failed is asked again by the routing table."""
        self.pool.shutdown(wait=True)
        return {key: f.result() for key, f in self.listing.items() if f.exception() is None and f.result()}


def where_it_answers(
    ctx: Context, console: Console, workers: int = 0, profile: str | None = None, prefetch: Prefetch | None = None
) -> None:
    """The routing table, then every service of the run: its URLs, its log group and how to follow its logs.

    The table is read from the stacks that can hold a load balancer or a
    rule: a stack deployed in this run from a template without either has
    none, it is not asked.
    """
    d = ctx.deployment
    names = {
        key: name for key, name in d.stack_names.items() if key not in d.stacks or may_route(d.stacks[key].template)
    }
    # An existing ALB's stack is read even when --stacks left it out (the folder is read again only then).
    every = d.stacks if d.stacks.keys() >= d.stack_names.keys() else {**load_deployment(d.folder).stacks, **d.stacks}
    existing = {
        found[0]: (key, found[1])
        for key, stack in every.items()
        if (found := existing_load_balancer(key, stack.template))
    }
    dns_names: dict[str, str] = {}
    known = prefetch.known() if prefetch is not None else {}
    try:
        dns_name, routes = alb_routes(ctx.clients, names, workers or min(16, len(names)), existing, known)
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
