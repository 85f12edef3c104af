"""Resource import, as far as a rendered template goes: which resources a name identifies, and the import's template.

A stack about to be created may name a resource that already exists: a log
group a teardown retained, or a service, target group, listener rule or
cluster adopted from the console.  CloudFormation can import it instead of
failing to create it.  Its import change set needs a template that "describes
the entire stack" and "each resource to import must have a DeletionPolicy"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html), and may only add the
resources being imported (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-import.html).  So the import
template is the generated one cut down to those resources, each described as it lives (the import changes
nothing); the generated template then follows as an ordinary update, whose differences are real changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from templates.contract.values import Known, Unknown, resolve

LOG_GROUP = "AWS::Logs::LogGroup"
CLUSTER = "AWS::ECS::Cluster"
SERVICE = "AWS::ECS::Service"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER_RULE = "AWS::ElasticLoadBalancingV2::ListenerRule"
SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"

# The properties that find a resource of each type in the account: its name (with the cluster, for a
# service), or for a listener rule, which has none, its listener and priority (two rules never share both);
# a service's scalable target by the service it scales.
IDENTIFYING = {
    LOG_GROUP: ("LogGroupName",),
    CLUSTER: ("ClusterName",),
    SERVICE: ("ServiceName", "Cluster"),
    TARGET_GROUP: ("Name",),
    LISTENER_RULE: ("ListenerArn", "Priority"),
    SCALABLE_TARGET: ("ResourceId", "ScalableDimension", "ServiceNamespace"),  # its service's name is in ResourceId
}
RETAIN = "Retain"


@dataclass(frozen=True)
class NamedResource:
    """A resource of a template that names what it creates, with those names resolved."""

    logical_id: str
    resource_type: str
    names: dict[str, str]  # identifying property -> resolved value

    def describe(self) -> str:
        """How a person would call it: ``LogGroup /ecs/shop-dev-auth``."""
        return f"{self.logical_id} {', '.join(str(value) for value in self.names.values())}"


def named_resources(template: Mapping[str, Any], known: Known) -> list[NamedResource]:
    """The template's resources of an importable type whose identifying properties resolve to text.

    A resource without them (no ``ServiceName``: CloudFormation makes up a
    unique one) can never collide with a live resource, so it is left out.
    """
    found = []
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        keys = IDENTIFYING.get(resource.get("Type", ""))
        if keys is None:
            continue
        properties = resource.get("Properties") or {}
        values = {key: resolve(properties.get(key), known) for key in keys}
        if all(isinstance(value, str | int) and not isinstance(value, Unknown) for value in values.values()):
            found.append(NamedResource(logical_id, resource["Type"], {k: str(v) for k, v in values.items()}))
    return found


def physical_id(resource_type: str, identifier: Mapping[str, str]) -> str:
    """What CloudFormation records as an imported resource's PhysicalResourceId (what Ref answers): a scalable
    target's ``ResourceId|ScalableDimension|ServiceNamespace``, the other types' first identifier value."""
    if resource_type == SCALABLE_TARGET:
        return "|".join(identifier.get(key, "") for key in IDENTIFYING[SCALABLE_TARGET])
    return next(iter(identifier.values()), "")


def deletion_policy(template: Mapping[str, Any], logical_id: str) -> str:
    """The resource's own DeletionPolicy, or Retain: the import needs one, and a live resource must outlive a
    failed import."""
    return str(((template.get("Resources") or {}).get(logical_id) or {}).get("DeletionPolicy") or RETAIN)


def import_template(template: Mapping[str, Any], live: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The import change set's template: ``template`` cut down to the resources in ``live``, as they live.

    Parameters stay (the stack keeps its parameter values from the start);
    outputs, conditions and dependencies go (an import may not add outputs, and
    the resources it leaves out do not exist yet).
    """
    resources = {
        logical_id: {
            "Type": template["Resources"][logical_id]["Type"],
            "DeletionPolicy": deletion_policy(template, logical_id),
            "UpdateReplacePolicy": deletion_policy(template, logical_id),
            "Properties": dict(properties),
        }
        for logical_id, properties in sorted(live.items())
    }
    imported: dict[str, Any] = {"AWSTemplateFormatVersion": template.get("AWSTemplateFormatVersion", "2010-09-09")}
    if template.get("Description"):
        imported["Description"] = template["Description"]
    if template.get("Parameters"):
        imported["Parameters"] = template["Parameters"]
    imported["Resources"] = resources
    return imported
