"""AWS size limits measured on the written templates (L101, L102): exit 1, output unchanged.

Params cannot tell these sizes in advance: they are the JSON the templates
send.  Each is measured the way the service counts it, on compact JSON
(IAM ignores whitespace in policies), with intrinsic functions as written;
the resolved values (ARNs of this stack's own resources) are about as long.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from templates.contract.rendered import RenderedFolder
from templates.rules.registry import Found, rendered_rule

TASK_DEFINITION_BYTES = 64 * 1024
ROLE_INLINE_POLICY_CHARACTERS = 10_240
ECS_QUOTAS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _resources(template: Mapping[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (logical_id, resource.get("Properties") or {})
        for logical_id, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == kind
    ]


@rendered_rule(
    "L101",
    "a task definition over 64 KiB of JSON (large environment values, commands)",
    ECS_QUOTAS,
    limit=f"{TASK_DEFINITION_BYTES:,} bytes",
)
def task_definition_size(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        for logical_id, props in _resources(template.doc, "AWS::ECS::TaskDefinition"):
            size = len(_compact(props).encode())
            if size > TASK_DEFINITION_BYTES:
                containers = props.get("ContainerDefinitions") or [{}]
                biggest = max(containers, key=lambda c: len(_compact(c)), default={}).get("Name", "?")
                yield Found(
                    template.file,
                    f"{logical_id} is {size:,} bytes of JSON; ECS registers task definitions of at most "
                    f"{TASK_DEFINITION_BYTES:,} bytes (64 KiB). Largest container: {biggest}; move big environment "
                    "values into secrets/parameters or the image",
                )


@rendered_rule(
    "L102",
    "a role's inline policies together over 10,240 characters (whitespace not counted)",
    IAM_QUOTAS,
    limit=f"{ROLE_INLINE_POLICY_CHARACTERS:,}",
)
def role_policy_size(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        for logical_id, props in _resources(template.doc, "AWS::IAM::Role"):
            policies = props.get("Policies") or []
            size = sum(len(_compact(p.get("PolicyDocument"))) for p in policies if isinstance(p, dict))
            if size > ROLE_INLINE_POLICY_CHARACTERS:
                names = ", ".join(str(p.get("PolicyName")) for p in policies if isinstance(p, dict))
                yield Found(
                    template.file,
                    f"{logical_id}'s inline policies ({names}) are {size:,} characters; IAM allows "
                    f"{ROLE_INLINE_POLICY_CHARACTERS:,} per role: use wildcards in resources, fewer statements or "
                    "managed_policy_arns",
                )
