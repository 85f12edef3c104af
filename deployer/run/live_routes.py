"""Where the deployed environment answers: the ALB's DNS name and its routing table.

Read from what is deployed (the stacks' resources, then Elastic Load
Balancing), not from the templates, so it shows what the load balancer will
actually do with a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation, elbv2
from deployer.aws.clients import Clients

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"


def stack_resources(cfn: Any, stack_name: str) -> list[dict[str, Any]]:
    """The stack's resources; none for a stack that cannot be listed (not deployed yet, or gone)."""
    try:
        return cloudformation.list_stack_resources(cfn, stack_name)
    except ClientError:
        return []  # not deployed (yet)


def may_route(template: Mapping[str, Any]) -> bool:
    """A template with a load balancer or a listener rule: the routing table must read its stack."""
    types = {spec.get("Type") for spec in (template.get("Resources") or {}).values()}
    return bool(types & {LOAD_BALANCER, LISTENER_RULE})


def load_balancer_id(arn: str) -> str:
    """``app/<name>/<id>`` of a load balancer ARN or of one of its listener-rule ARNs (documented ARN formats)."""
    resource = arn.split(":", 5)[-1]  # loadbalancer/app/n/i  or  listener-rule/app/n/i/<listener>/<rule>
    return "/".join(resource.split("/")[1:4])


def alb_routes(
    clients: Clients,
    stack_names: Mapping[str, str],
    workers: int = 1,
    existing: Mapping[str, tuple[str, str]] | None = None,
    known: Mapping[str, list[dict[str, Any]]] | None = None,
) -> tuple[str | None, list[dict[str, Any]]]:
    """The first ALB's DNS name and one row per listener rule: priority, host, path, owning stack and ALB.

    An environment whose routes are spread over ALBs (``alb``, ``alb-2``, ...)
    shows each rule's ALB (stack key) and that ALB's DNS name (``alb_dns``).
    An existing ALB (``alb.existing``) is no resource of ours: ``existing``
    names it, ``app/<name>/<id>`` -> (ALB stack key, DNS name), as the
    templates re-export it.  The stacks' resources are listed ``workers`` at a
    time (one ListStackResources each), but for those in ``known`` (stack key -> its
    resources, listed already).
    """
    load_balancers: dict[str, str] = {}  # ARN -> ALB stack key
    rule_owner: dict[str, str] = {}
    stacks = list(stack_names.items())
    known = known or {}

    def resources(item: tuple[str, str]) -> list[dict[str, Any]]:
        return known[item[0]] if item[0] in known else stack_resources(clients.cloudformation, item[1])

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="routes") as pool:
        listed = list(pool.map(resources, stacks))
    for (key, _name), resources in zip(stacks, listed, strict=True):
        for resource in resources:
            if resource["ResourceType"] == LOAD_BALANCER:
                load_balancers[resource["PhysicalResourceId"]] = key
            elif resource["ResourceType"] == LISTENER_RULE:
                rule_owner[resource["PhysicalResourceId"]] = key
    alb_of: dict[str, tuple[str, str]] = dict(existing or {})  # app/<name>/<id> -> (stack key, DNS name)
    dns_name = next((dns for key, dns in alb_of.values() if key == "alb"), None)
    if load_balancers:
        found = elbv2.describe_load_balancers(clients.elbv2, list(load_balancers))
        for lb in found:
            alb_of[load_balancer_id(lb["LoadBalancerArn"])] = (
                load_balancers.get(lb["LoadBalancerArn"], "?"),
                lb["DNSName"],
            )
        first = next(iter(load_balancers))
        dns_name = next((lb["DNSName"] for lb in found if lb["LoadBalancerArn"] == first), None)
    routes = []
    if rule_owner:
        for rule in elbv2.describe_rules(clients.elbv2, rule_arns=sorted(rule_owner)):
            routes.append(
                {
                    "priority": int(rule["Priority"]) if str(rule["Priority"]).isdigit() else rule["Priority"],
                    "host": ", ".join(_values(rule, "host-header")),
                    "path": ", ".join(_values(rule, "path-pattern")),
                    "header": headers(rule),
                    "stack": rule_owner.get(rule["RuleArn"], "?"),
                    "alb": alb_of.get(load_balancer_id(rule["RuleArn"]), ("?", ""))[0],
                    "alb_dns": alb_of.get(load_balancer_id(rule["RuleArn"]), ("?", ""))[1],
                }
            )
    return dns_name, sorted(routes, key=lambda r: (r["alb"], isinstance(r["priority"], str), r["priority"]))


def _values(rule: Mapping[str, Any], field: str) -> list[str]:
    config = {"host-header": "HostHeaderConfig", "path-pattern": "PathPatternConfig"}[field]
    values: list[str] = []
    for condition in rule.get("Conditions", []):
        if condition.get("Field") == field:
            values += condition.get(config, {}).get("Values") or condition.get("Values", [])
    return values


def headers(rule: Mapping[str, Any]) -> str:
    """A rule's http-header conditions (``X-Deployment-Test: green``): how a blue/green test rule is reached."""
    found = []
    for condition in rule.get("Conditions", []):
        if condition.get("Field") == "http-header":
            config = condition.get("HttpHeaderConfig", {})
            found.append(f"{config.get('HttpHeaderName', '?')}: {' | '.join(config.get('Values', []))}")
    return ", ".join(found)
