"""The URLs a template's listener rules answer, who owns each, and which rules ECS blue/green steers.

A route is what a request sees: listener (HTTP or HTTPS), host and path patterns, and for a blue/green
test route the header that reaches it.  Its owner is what answers it: the ALB, the service stack, the
target groups, the priority.  The deployer compares the deployed templates' routes with the new ones
(``deployer.review.route_impact``) to list every URL a deploy adds, removes or hands to another owner.

ECS native blue/green names a production and a test listener rule on the service
(``LoadBalancers[].AdvancedConfiguration``) and moves their forward weights itself, outside
CloudFormation: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from templates import naming
from templates.contract.template import EXPORT_PREFIX_PARAM, listener_rules
from templates.contract.template_diff import parameter_values

ECS_SERVICE = "AWS::ECS::Service"
PRODUCTION, TEST = "production", "test"


@dataclass(frozen=True)
class Route:
    """One listener rule as a URL and its owner."""

    listener: str  # HTTPS | HTTP, or the listener export's name when it is not one of ours
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    header: str  # "X-Deployment-Test: green" on a blue/green test route, else ""
    alb: str  # the ALB stack key (alb, alb-2, ...); "-" for a listener not ours
    stack: str  # the stack key owning the rule
    rule: str  # its logical id
    target_groups: tuple[str, ...]  # logical ids it forwards to
    priority: int | None
    blue_green: str = ""  # PRODUCTION | TEST | "" (an ordinary rule)

    @property
    def key(self) -> tuple[str, tuple[str, ...], tuple[str, ...], str]:
        """What identifies a URL across deploys: listener, hosts, paths, header."""
        return (self.listener, self.hosts, self.paths, self.header)

    @property
    def url(self) -> str:
        """``HTTPS api.example.com /auth, /auth/*`` (+ the test header)."""
        text = f"{self.listener} {', '.join(self.hosts) or '*'} {', '.join(self.paths) or '/*'}"
        return text + (f" + header {self.header}" if self.header else "")

    @property
    def owner(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.alb, self.stack, self.target_groups)


def _protocol(export: str | None) -> str:
    if not export:
        return "?"
    key = export.rsplit("-", 1)[-1]
    for protocol, suffix in (
        ("HTTPS", naming.ExportKey.HTTPS_LISTENER_ARN),
        ("HTTP", naming.ExportKey.HTTP_LISTENER_ARN),
    ):
        if key.endswith(suffix.value):
            return protocol
    return export


def _header(props: Mapping[str, Any]) -> str:
    found = []
    for condition in props.get("Conditions") or []:
        if condition.get("Field") == "http-header":
            config = condition.get("HttpHeaderConfig") or {}
            found.append(f"{config.get('HttpHeaderName', '?')}: {' | '.join(config.get('Values', []))}")
    return ", ".join(found)


def forward_weights(props: Mapping[str, Any]) -> dict[str, int]:
    """Target group logical id -> weight of a rule's forward action (a plain forward: weight 1)."""
    weights: dict[str, int] = {}
    for action in props.get("Actions") or []:
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        groups = groups or [{"TargetGroupArn": action.get("TargetGroupArn"), "Weight": 1}]
        for group in groups:
            ref = group.get("TargetGroupArn")
            if isinstance(ref, dict) and isinstance(ref.get("Ref"), str):
                weights[ref["Ref"]] = int(group.get("Weight", 1))
    return weights


def blue_green_rules(template: Mapping[str, Any] | None) -> dict[str, str]:
    """Listener-rule logical id -> PRODUCTION or TEST, for every rule an ECS service steers by blue/green."""
    found: dict[str, str] = {}
    for resource in ((template or {}).get("Resources") or {}).values():
        if resource.get("Type") != ECS_SERVICE:
            continue
        for balancer in (resource.get("Properties") or {}).get("LoadBalancers") or []:
            advanced = balancer.get("AdvancedConfiguration") or {}
            for role, field in ((PRODUCTION, "ProductionListenerRule"), (TEST, "TestListenerRule")):
                ref = advanced.get(field)
                if isinstance(ref, dict) and isinstance(ref.get("Ref"), str):
                    found[ref["Ref"]] = role
    return found


def routes_of(stack: str, template: Mapping[str, Any] | None, params: Mapping[str, str] | None = None) -> list[Route]:
    """Every listener rule of ``template`` (the stack ``stack``) as a route, export names resolved with ``params``."""
    if not template:
        return []
    prefix = parameter_values(template, params).get(EXPORT_PREFIX_PARAM, "")
    resources = template.get("Resources") or {}
    steered = blue_green_rules(template)
    found = []
    for rule in listener_rules(template, prefix):
        props = (resources.get(rule.logical_id) or {}).get("Properties") or {}
        found.append(
            Route(
                _protocol(rule.listener_export),
                rule.hosts,
                rule.paths,
                _header(props),
                rule.alb or "-",
                stack,
                rule.logical_id,
                tuple(sorted(forward_weights(props))),
                rule.priority,
                steered.get(rule.logical_id, ""),
            )
        )
    return found
