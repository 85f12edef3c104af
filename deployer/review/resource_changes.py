"""Read a described change set into resource rows, and decide which rows are risky.

Risky means: this shared infrastructure is removed, replaced, or may be
replaced (``Replacement: Conditional`` is CloudFormation saying "maybe";
we treat maybe as yes); or a capacity group's EC2 instances are replaced
(a new launch template version, a new ECS-optimized AMI among them, or other
instance types), which the review spells out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deployer.review.stack_review import ResourceChange
from templates.contract.template import AMI_PARAMETER_PREFIX

GUARDED_TYPES = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer",
    "AWS::ElasticLoadBalancingV2::Listener": "listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "target group",
    "AWS::ECS::Service": "ECS service",
    "AWS::ECS::Cluster": "ECS cluster",
    "AWS::EC2::VPC": "VPC",
    "AWS::EC2::Subnet": "subnet",
    "AWS::AutoScaling::AutoScalingGroup": "Auto Scaling group (and every instance in it)",
    "AWS::ECS::CapacityProvider": "capacity provider (services placed on it stop being placed)",
    "AWS::ECS::ClusterCapacityProviderAssociations": "cluster's capacity provider association",
}
# What an instance refresh does (the groups' AutoScalingInstanceRefresh update policy, ECS managed draining).
REFRESH = (
    "instance refresh replaces every instance of the group: a new one starts first, ECS drains each old one "
    "(its tasks start again elsewhere, a service with one task is briefly down), then terminates it; "
    "it runs as part of this deploy and takes minutes per instance"
)
ROLLING_PROPERTIES = ("LaunchTemplate", "MixedInstancesPolicy")

_RECREATION = {"Always": "replaces", "Conditionally": "may replace"}
_SOURCES = {
    "ParameterReference": "parameter",
    "ResourceReference": "resource",
    "ResourceAttribute": "attribute",
    "DirectModification": "template",
    "Automatic": "automatic",
}


def resource_changes(described: Mapping[str, Any]) -> list[ResourceChange]:
    """The change set's resource rows, removals first: what a reviewer must see before anything runs."""
    rows = [_row(change["ResourceChange"]) for change in described.get("Changes", []) if "ResourceChange" in change]
    return sorted(rows, key=lambda r: ({"Remove": 0, "Modify": 1, "Add": 2}.get(r.action, 3), r.logical_id))


def _row(change: Mapping[str, Any]) -> ResourceChange:
    details = change.get("Details", [])
    row = ResourceChange(
        action=change.get("Action", ""),
        logical_id=change.get("LogicalResourceId", ""),
        resource_type=change.get("ResourceType", ""),
        replacement=change.get("Replacement", ""),
        scope=list(change.get("Scope", [])),
        properties=_unique(_target(d.get("Target", {})) for d in details),
        causes=_unique(_cause(d) for d in details),
    )
    row.risk = risk_of(row)
    return row


def _target(target: Mapping[str, Any]) -> str:
    name = target.get("Name") if target.get("Attribute") == "Properties" else target.get("Attribute")
    forced = _RECREATION.get(target.get("RequiresRecreation", ""))
    return f"{name} ({forced})" if forced else str(name or "")


def _cause(detail: Mapping[str, Any]) -> str:
    kind = _SOURCES.get(detail.get("ChangeSource", ""), "")
    entity = detail.get("CausingEntity", "")
    return f"{kind} {entity}".strip() if entity else kind


def _unique(items: Any) -> list[str]:
    return sorted({item for item in items if item})


def host_move_risk(change: ResourceChange) -> str | None:
    """A DNS alias whose target changes: its host moves to another load balancer (routes spread over ALBs).

    Generated aliases change their target only when the host's routes move to
    another ALB (``alb`` -> ``alb-2``): clients resolving the host reach the new
    ALB only as their DNS caches expire, so old and new ALB both serve it a while.
    """
    moved = change.resource_type == "AWS::Route53::RecordSet" and change.action == "Modify"
    if moved and any(p.split(" ")[0] == "AliasTarget" for p in change.properties):
        return (
            "moves the host to another load balancer: its DNS record changes (both ALBs serve it until caches expire)"
        )
    return None


def instance_replacement_risk(change: ResourceChange) -> str | None:
    """A change that replaces a capacity group's EC2 instances, and what will happen to them and their tasks."""
    if change.action != "Modify":
        return None
    names = [p.split(" ")[0] for p in change.properties]
    if change.resource_type == "AWS::EC2::LaunchTemplate":
        ami = any(c.startswith(f"parameter {AMI_PARAMETER_PREFIX}") for c in change.causes)
        why = "a new ECS-optimized AMI (AWS published one since the last deploy)" if ami else "a launch template change"
        return f"{why}: {REFRESH}"
    if change.resource_type == "AWS::AutoScaling::AutoScalingGroup" and any(n in ROLLING_PROPERTIES for n in names):
        return f"its launch template version or instance types change: {REFRESH}"
    if change.resource_type == "AWS::ECS::Cluster" and "CapacityProviders" in names:
        return (
            "the cluster's own list of capacity providers changes (EC2 capacity groups added or all removed move "
            "them to or from the association resource): ECS refuses to detach a provider services still use "
            "(ResourceInUseException), and the stack then rolls back"
        )
    return None


def risk_of(change: ResourceChange) -> str | None:
    """Why a row is risky (shared infrastructure removed or maybe replaced, instances replaced, a host moving)."""
    moved = host_move_risk(change) or instance_replacement_risk(change)
    if moved:
        return moved
    what = GUARDED_TYPES.get(change.resource_type)
    if not what:
        return None
    if change.action == "Remove":
        return f"removes the {what}"
    if change.replacement == "True":
        return f"replaces the {what}"
    if change.replacement == "Conditional":
        return f"may replace the {what} (Replacement: Conditional)"
    return None
