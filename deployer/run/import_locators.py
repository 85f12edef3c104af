"""Find the live resource a template's names identify, and read it as CloudFormation would record it.

One locator per importable type.  Each answers what an import needs: the
``ResourceIdentifier`` (keys from the type's registry schema), the live
properties (``review.live_properties``), what ``Ref`` and ``Fn::GetAtt`` will
answer once it is in the stack, and the physical id CloudFormation keeps for
it (to ask whether another stack holds it already).  A listener rule has no
name: it is found by its listener and priority, and is ours to import only
when it forwards to the target group the same stack imports; any other rule
there belongs to someone else (the shared-listener check names it).  A
scalable target is named by the service it scales, so it is looked for once
the service is found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deployer.aws import application_autoscaling, ecs, elbv2, logs
from deployer.aws.clients import Clients
from deployer.review import live_properties
from templates.contract import imports
from templates.contract.imports import NamedResource
from templates.contract.resource_schemas import identifier_keys


@dataclass
class Located:
    """A live resource a template names, read for its import."""

    named: NamedResource
    identifier: dict[str, str]
    properties: dict[str, Any]
    ref: str  # what Ref answers once it is in the stack
    physical_id: str  # what CloudFormation records as its PhysicalResourceId
    label: str  # how people call it
    attributes: dict[str, str] = field(default_factory=dict)  # Fn::GetAtt answers, by attribute name
    forwards_to: list[str] = field(default_factory=list)  # a rule's target groups


def _identifier(resource_type: str, values: dict[str, str]) -> dict[str, str]:
    """The import's ResourceIdentifier: exactly the schema's identifier keys."""
    return {key: values[key] for key in identifier_keys(resource_type)}


def log_group(clients: Clients, named: NamedResource, _template: dict[str, Any]) -> Located | None:
    name = named.names["LogGroupName"]
    found = [g for g in logs.describe_log_groups(clients.of("logs"), name) if g["logGroupName"] == name]
    if not found:
        return None
    tags = logs.list_tags_for_resource(clients.of("logs"), found[0]["arn"])
    properties = live_properties.log_group(found[0], tags)
    located = Located(named, _identifier(named.resource_type, {"LogGroupName": name}), properties, name, name, name)
    located.attributes = {"Arn": found[0]["arn"]}
    return located


def cluster(clients: Clients, named: NamedResource, _template: dict[str, Any]) -> Located | None:
    name = named.names["ClusterName"]
    found = [c for c in ecs.describe_clusters(clients.of("ecs"), [name]) if c.get("status") == "ACTIVE"]
    if not found:
        return None
    identifier = _identifier(named.resource_type, {"ClusterName": name})
    located = Located(named, identifier, live_properties.cluster(found[0]), name, name, f"cluster {name}")
    located.attributes = {"Arn": found[0]["clusterArn"]}
    return located


def service(clients: Clients, named: NamedResource, _template: dict[str, Any]) -> Located | None:
    name, cluster_name = named.names["ServiceName"], named.names["Cluster"]
    described = ecs.describe_services(clients.of("ecs"), cluster_name, [name], tags=True)
    found = [s for s in described if s.get("status") == "ACTIVE"]
    if not found:
        return None
    arn = found[0]["serviceArn"]
    identifier = _identifier(named.resource_type, {"ServiceArn": arn, "Cluster": cluster_name})
    properties = live_properties.service(found[0], cluster_name)
    located = Located(named, identifier, properties, arn, arn, f"service {name} in cluster {cluster_name}")
    located.attributes = {"Name": name, "ServiceArn": arn}
    return located


def target_group(clients: Clients, named: NamedResource, template: dict[str, Any]) -> Located | None:
    found = elbv2.describe_target_groups(clients.elbv2, names=[named.names["Name"]])
    if not found:
        return None
    group = found[0]
    arn = group["TargetGroupArn"]
    managed = {a.get("Key") for a in _properties(template, named).get("TargetGroupAttributes") or []}
    attributes = {k: v for k, v in elbv2.describe_target_group_attributes(clients.elbv2, arn).items() if k in managed}
    tags = elbv2.describe_tags(clients.elbv2, [arn]).get(arn, {})
    properties = live_properties.target_group(group, attributes, tags)
    identifier = _identifier(named.resource_type, {"TargetGroupArn": arn})
    located = Located(named, identifier, properties, arn, arn, f"target group {group['TargetGroupName']}")
    located.attributes = {
        "TargetGroupFullName": arn.split(":", 5)[-1].removeprefix("targetgroup/"),
        "TargetGroupName": group["TargetGroupName"],
    }
    return located


def listener_rule(clients: Clients, named: NamedResource, _template: dict[str, Any]) -> Located | None:
    listener, priority = named.names["ListenerArn"], named.names["Priority"]
    rules = [r for r in elbv2.describe_rules(clients.elbv2, listener_arn=listener) if str(r["Priority"]) == priority]
    if not rules:
        return None
    rule = rules[0]
    tags = elbv2.describe_tags(clients.elbv2, [rule["RuleArn"]]).get(rule["RuleArn"], {})
    properties = live_properties.listener_rule(rule, listener, tags)
    identifier = _identifier(named.resource_type, {"RuleArn": rule["RuleArn"]})
    label = f"rule {_route(properties)} at priority {priority}"
    located = Located(named, identifier, properties, rule["RuleArn"], rule["RuleArn"], label)
    located.forwards_to = [a["TargetGroupArn"] for a in properties["Actions"] if a.get("TargetGroupArn")]
    return located


def scalable_target(clients: Clients, named: NamedResource, _template: dict[str, Any]) -> Located | None:
    resource_id, dimension = named.names["ResourceId"], named.names["ScalableDimension"]
    autoscaling = clients.of("application-autoscaling")
    live = application_autoscaling.describe_scalable_targets(autoscaling, resource_id)
    found = [t for t in live if (t["ScalableDimension"], t["ServiceNamespace"]) == (dimension, "ecs")]
    if not found:
        return None
    identifier = _identifier(named.resource_type, named.names)
    physical = imports.physical_id(named.resource_type, named.names)
    properties = live_properties.scalable_target(found[0])
    label = f"scalable target of {resource_id} ({found[0]['MinCapacity']}-{found[0]['MaxCapacity']} tasks)"
    return Located(named, identifier, properties, physical, physical, label)


def _route(properties: dict[str, Any]) -> str:
    """``host api.example.com path /auth*`` from a rule's conditions."""
    parts = []
    for condition in properties.get("Conditions", []):
        config = condition.get("HostHeaderConfig") or condition.get("PathPatternConfig") or {}
        word = {"host-header": "host", "path-pattern": "path"}.get(condition.get("Field", ""), condition.get("Field"))
        parts.append(f"{word} {','.join(config.get('Values', [])) or '?'}")
    return " ".join(parts) or "(any request)"


def _properties(template: dict[str, Any], named: NamedResource) -> dict[str, Any]:
    return (template.get("Resources") or {}).get(named.logical_id, {}).get("Properties") or {}


LOCATORS: dict[str, Callable[[Clients, NamedResource, dict[str, Any]], Located | None]] = {
    imports.LOG_GROUP: log_group,
    imports.CLUSTER: cluster,
    imports.SERVICE: service,
    imports.TARGET_GROUP: target_group,
    imports.LISTENER_RULE: listener_rule,
    imports.SCALABLE_TARGET: scalable_target,
}
