"""What the update after an import changes on the live resources, property by property, before anything runs.

An import leaves the live resources as they are; the generated template then
arrives as an ordinary update.  Its effect on a running service is read here
from the two templates (the import's, written from the live resources, and
the generated one, resolved with what is known), so it can be reviewed
before the import is even made.  A difference in a create-only property
(``createOnlyProperties`` of the type's registry schema) means CloudFormation
would replace the live resource, interrupting what it serves: that is not a
risk to accept but a refusal, naming the property and both values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deployer.review.property_values import PropertyValue
from deployer.review.stack_review import ResourceChange
from templates.contract.resource_schemas import create_only_names
from templates.contract.values import Known, Unknown, resolve

ABSENT = "(not set)"
# What to change when a live resource would be replaced: the params (or AWS) setting behind each property.
_FIX = {
    ("AWS::ECS::Service", "ServiceName"): "set the service's names.service to the live name",
    ("AWS::ECS::Service", "Cluster"): "set cluster.name to the live cluster",
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"): "set the service's names.target_group to the live name",
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Port"): "set the service's target_group.port to the live port",
    ("AWS::Logs::LogGroup", "LogGroupName"): "set the service's names.log_group to the live name",
    ("AWS::ECS::Cluster", "ClusterName"): "set cluster.name to the live name",
}


@dataclass(frozen=True)
class Difference:
    """One top-level property whose live value is not the template's."""

    name: str
    live: Any
    template: Any
    replaces: bool


def normal(value: Any) -> Any:
    """A value in a form two descriptions of one resource compare equal in: text scalars, sorted lists, tags."""
    if value is None or isinstance(value, Unknown):
        return None if value is None else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        items = [normal(item) for item in value]
        if all(isinstance(item, str) for item in items):
            return sorted(items)
        if all(isinstance(item, dict) and set(item) == {"Key", "Value"} for item in items):
            return sorted(items, key=lambda item: item["Key"])
        return items
    if isinstance(value, dict):
        return {key: normal(item) for key, item in sorted(value.items())}
    return str(value)


def differences(resource_type: str, live: Mapping[str, Any], template: Mapping[str, Any]) -> list[Difference]:
    """Every top-level property that differs, and whether the difference replaces the resource."""
    forced = create_only_names(resource_type)
    found = []
    for name in sorted(set(live) | set(template)):
        before, after = normal(live.get(name)), normal(template.get(name))
        if before != after:
            found.append(Difference(name, live.get(name), template.get(name), name in forced))
    return found


def shown(value: Any) -> str:
    """A property value as the review prints it: text as is, structures as compact JSON."""
    if value is None:
        return ABSENT
    if isinstance(value, str | Unknown):
        return str(value)
    return json.dumps(value, separators=(",", ":"), default=str)


def leaves(name: str, live: Any, template: Any) -> list[tuple[str, Any, Any]]:
    """Where two values of one property differ: down through mappings to the keys that differ
    (``NetworkConfiguration.AwsvpcConfiguration.SecurityGroups``); lists are compared whole."""
    if isinstance(live, dict) and isinstance(template, dict):
        found = []
        for key in sorted(set(live) | set(template)):
            if normal(live.get(key)) != normal(template.get(key)):
                found += leaves(f"{name}.{key}", live.get(key), template.get(key))
        return found
    return [(name, live, template)]


def converge(
    template: Mapping[str, Any], live: Mapping[str, Mapping[str, Any]], known: Known, where: str
) -> tuple[list[ResourceChange], list[str]]:
    """The update's rows after importing ``live`` (logical id -> its properties), and the replacements refused.

    ``where`` names the stack in the refusals.
    """
    rows, refusals = [], []
    for logical_id, resource in sorted((template.get("Resources") or {}).items()):
        kind = resource.get("Type", "")
        if logical_id not in live:
            rows.append(ResourceChange("Add", logical_id, kind))
            continue
        written = resource.get("Properties") or {}
        found = differences(kind, live[logical_id], resolve(written, known))
        if not found:
            if written != live[logical_id]:  # same values written otherwise (Fn::Sub of the prefix): listed
                rows.append(ResourceChange("Modify", logical_id, kind, replacement="False", scope=["Properties"]))
            continue
        row = ResourceChange(
            "Modify",
            logical_id,
            kind,
            replacement="True" if any(d.replaces for d in found) else "False",
            scope=["Properties"],
            properties=[f"{d.name} (replaces)" if d.replaces else d.name for d in found],
        )
        row.values = [
            PropertyValue(path, shown(before), shown(after), _change(Difference(path, before, after, False)), path)
            for d in found
            for path, before, after in leaves(d.name, d.live, d.template)
        ]
        rows.append(row)
        refusals += [_refusal(where, logical_id, kind, d) for d in found if d.replaces]
    return rows, refusals


def _change(difference: Difference) -> str:
    if difference.live is None:
        return "Add"
    return "Remove" if difference.template is None else "Modify"


def _refusal(where: str, logical_id: str, kind: str, difference: Difference) -> str:
    fix = _FIX.get((kind, difference.name), "make the params describe the live value")
    return (
        f"{where} {logical_id} ({kind}): {difference.name} is {shown(difference.live)} on the live resource and "
        f"{shown(difference.template)} in the template. {difference.name} cannot change without CloudFormation "
        f"replacing the resource, which would interrupt it; {fix} (adopt.py writes it), regenerate and deploy again"
    )
