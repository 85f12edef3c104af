"""What a reader of ``output/<env>/`` needs from a rendered template, read in one place.

The deployer compares deployed and new templates (a host moving to another
ALB), checks our rules against other teams' rules on a shared listener, and
verifies an existing VPC before anything runs; the generator's rules read
exports and imports.  They all read templates through these functions, so
only this module knows how a listener rule names its listener or how an
export name is written (``Fn::Sub`` of the ``ExportPrefix`` parameter).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from templates import naming
from templates.contract.graph import resolve_name

LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
EXPORT_PREFIX_PARAM = naming.EXPORT_PREFIX_PARAM
NETWORK = naming.NETWORK
SERVICE_PREFIX = naming.SERVICE_PREFIX
AMI_PARAMETER_PREFIX = naming.AMI_PARAMETER_PREFIX  # the cluster stack's ECS-optimized AMI parameters
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def service_stack_key(service: str) -> str:
    """The stack key of a service (``auth`` -> ``svc-auth``)."""
    return naming.service_stack_key(service)


@dataclass(frozen=True)
class TemplateRule:
    """One listener rule of a template, as written: its listener (export name) and what it matches."""

    logical_id: str
    listener_export: str | None  # resolved export name of the listener it attaches to; None when not imported
    alb: str | None  # the ALB stack key behind that listener (alb, alb-2, ...); None for a listener not ours
    priority: int | None
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    target_groups: tuple[str, ...] = ()  # logical ids of this template's target groups the rule forwards to

    @property
    def host_text(self) -> str:
        return ", ".join(self.hosts) or "(any host)"


def sub_name(name: Any, prefix: str) -> str | None:
    """An export name as written (text, or ``Fn::Sub`` of ``${ExportPrefix}``), with the prefix filled in."""
    return resolve_name(name, {EXPORT_PREFIX_PARAM: prefix}) if name is not None else None


def _conditions(props: Mapping[str, Any], field: str) -> tuple[str, ...]:
    config = "HostHeaderConfig" if field == "host-header" else "PathPatternConfig"
    return tuple(
        value
        for condition in props.get("Conditions") or []
        if condition.get("Field") == field
        for value in (condition.get(config) or {}).get("Values", [])
    )


def _forwarded_groups(props: Mapping[str, Any]) -> tuple[str, ...]:
    """Logical ids a rule forwards to: ``TargetGroupArn`` of a plain forward, or of a weighted ``ForwardConfig``."""
    arns = []
    for action in props.get("Actions") or []:
        arns.append(action.get("TargetGroupArn"))
        arns += [group.get("TargetGroupArn") for group in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
    return tuple(dict.fromkeys(arn["Ref"] for arn in arns if isinstance(arn, dict) and isinstance(arn.get("Ref"), str)))


def listener_rules(template: Mapping[str, Any] | None, prefix: str | None = None) -> list[TemplateRule]:
    """Every listener rule of ``template``; export names resolved with ``prefix`` (the template's default if None)."""
    template = template or {}
    if prefix is None:
        prefix = str(((template.get("Parameters") or {}).get(EXPORT_PREFIX_PARAM) or {}).get("Default", ""))
    found = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") != LISTENER_RULE:
            continue
        props = resource.get("Properties") or {}
        listener = props.get("ListenerArn")
        imported = listener.get("Fn::ImportValue") if isinstance(listener, dict) else None
        export = sub_name(imported, prefix)
        alb = naming.alb_of_listener_export(export.rsplit("-", 1)[-1]) if export else None
        priority = props.get("Priority")
        found.append(
            TemplateRule(
                logical_id,
                export,
                alb,
                int(priority) if isinstance(priority, int | str) and str(priority).isdigit() else None,
                _conditions(props, "host-header"),
                _conditions(props, "path-pattern"),
                _forwarded_groups(props),
            )
        )
    return found


def listener_rule_conditions(template: Mapping[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Listener-rule logical id -> its ``Conditions`` as written: every condition type, the shape DescribeRules
    answers too, so the deployer can evaluate our planned rules and a listener's live ones alike."""
    return {
        logical_id: [dict(condition) for condition in props.get("Conditions") or []]
        for logical_id, props in resources_of_type(template or {}, LISTENER_RULE)
    }


_SERVICE_NAME = re.compile(r"^com\.amazonaws\.[^.]+\.(.+)$")


def gateway_endpoints(template: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Gateway endpoint service (``s3``, ``dynamodb``) -> the route tables given as literal ids (existing ones).

    The deployer's pre-check asks whether those tables already carry a route of that service.
    """
    found: dict[str, list[str]] = {}
    for _logical_id, props in resources_of_type(template or {}, "AWS::EC2::VPCEndpoint"):
        if props.get("VpcEndpointType") != "Gateway":
            continue
        name = props.get("ServiceName")
        text = name.get("Fn::Sub") if isinstance(name, dict) else name
        match = _SERVICE_NAME.match(text) if isinstance(text, str) else None
        if match:
            tables = [t for t in props.get("RouteTableIds") or [] if isinstance(t, str)]
            found.setdefault(match.group(1), []).extend(tables)
    return found


def literal_exports(template: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """Export name -> value for the exports declared with a literal value (ids of things that already exist)."""
    values = {}
    for output in (template.get("Outputs") or {}).values():
        name = sub_name((output.get("Export") or {}).get("Name"), prefix)
        if name is not None and isinstance(output.get("Value"), str):
            values[name] = output["Value"]
    return values


def existing_load_balancer(stack_key: str, template: Mapping[str, Any]) -> tuple[str, str] | None:
    """(``app/<name>/<id>``, DNS name) of the existing ALB an ALB stack re-exports as literal values, else None.

    Nothing of ours describes that load balancer, so the deployer's routing table reads its name here.
    """
    outputs = template.get("Outputs") or {}
    full = (outputs.get(naming.alb_export_key(stack_key, naming.ExportKey.ALB_FULL_NAME)) or {}).get("Value")
    dns = (outputs.get(naming.alb_export_key(stack_key, naming.ExportKey.ALB_DNS_NAME)) or {}).get("Value")
    return (full, dns) if isinstance(full, str) and isinstance(dns, str) else None


def existing_vpc(template: Mapping[str, Any]) -> dict[str, Any] | None:
    """What a network template over an existing VPC promises (ids, egress): the deployer's pre-check reads it."""
    metadata = (template.get("Metadata") or {}).get(naming.EXISTING_VPC_METADATA)
    return dict(metadata) if isinstance(metadata, dict) else None


def resources_of_type(template: Mapping[str, Any], kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(logical id, properties) of every resource of one type."""
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") == kind:
            yield logical_id, resource.get("Properties") or {}


def references(node: Any) -> Iterator[str]:
    """Logical ids and parameter names an expression refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    if isinstance(node, list):
        for item in node:
            yield from references(item)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "Ref" and isinstance(value, str):
            yield value
        elif key == "Fn::GetAtt":
            yield (value.split(".")[0] if isinstance(value, str) else value[0])
        elif key == "Fn::Sub":
            text = value if isinstance(value, str) else value[0]
            yield from (name.split(".")[0] for name in _SUB_NAME.findall(text))
            yield from references(value[1:] if isinstance(value, list) else [])
        else:
            yield from references(value)


def capacity_group_of(resource: Mapping[str, Any]) -> str | None:
    """The EC2 capacity group an Auto Scaling group (or other group resource) belongs to: its group tag."""
    for tag in (resource.get("Properties") or {}).get("Tags") or []:
        if isinstance(tag, dict) and tag.get("Key") == naming.CAPACITY_GROUP_ATTRIBUTE:
            return str(tag.get("Value"))
    return None


def runs_on_ec2(service: Mapping[str, Any]) -> bool:
    """Whether an ECS service resource runs on EC2 capacity (the EC2 launch type, or a strategy of group providers).

    Fargate's providers are always named as text; a capacity group's provider is imported from the cluster stack.
    """
    props = service.get("Properties") or {}
    if props.get("LaunchType") == "EC2":
        return True
    return any(
        not isinstance(item.get("CapacityProvider"), str) for item in props.get("CapacityProviderStrategy") or []
    )
