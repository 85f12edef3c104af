"""AWS size limits measured on the written templates (L1xx): exit 1, output unchanged.

Params cannot tell these sizes in advance: they are the JSON the templates
send.  Each is measured the way the service counts it, on compact JSON
(IAM ignores whitespace in policies), with intrinsic functions as written;
the resolved values (ARNs of this stack's own resources) are about as long.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from templates.checks.findings import NON_TEMPLATE_FILES, Finding

TASK_DEFINITION_BYTES = 64 * 1024
ROLE_INLINE_POLICY_CHARACTERS = 10_240


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _resources(template: Mapping[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (logical_id, resource.get("Properties") or {})
        for logical_id, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == kind
    ]


def task_definition_findings(file: str, template: Mapping[str, Any]) -> list[Finding]:
    """L101: a task definition over ECS's 64 KiB (environment values, commands and secrets add up).

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
    """
    findings = []
    for logical_id, props in _resources(template, "AWS::ECS::TaskDefinition"):
        size = len(_compact(props).encode())
        if size > TASK_DEFINITION_BYTES:
            biggest = max(props.get("ContainerDefinitions") or [{}], key=lambda c: len(_compact(c)), default={}).get(
                "Name", "?"
            )
            findings.append(
                Finding(
                    "L101",
                    file,
                    f"{logical_id} is {size:,} bytes of JSON; ECS registers task definitions of at most "
                    f"{TASK_DEFINITION_BYTES:,} bytes (64 KiB). Largest container: {biggest}; move big environment "
                    "values into secrets/parameters or the image",
                )
            )
    return findings


def role_policy_findings(file: str, template: Mapping[str, Any]) -> list[Finding]:
    """L102: a role's inline policies together over IAM's 10,240 characters (whitespace not counted).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    findings = []
    for logical_id, props in _resources(template, "AWS::IAM::Role"):
        policies = props.get("Policies") or []
        size = sum(len(_compact(p.get("PolicyDocument"))) for p in policies if isinstance(p, dict))
        if size > ROLE_INLINE_POLICY_CHARACTERS:
            names = ", ".join(str(p.get("PolicyName")) for p in policies if isinstance(p, dict))
            findings.append(
                Finding(
                    "L102",
                    file,
                    f"{logical_id}'s inline policies ({names}) are {size:,} characters; IAM allows "
                    f"{ROLE_INLINE_POLICY_CHARACTERS:,} per role: use wildcards in resources, fewer statements or "
                    "managed_policy_arns",
                )
            )
    return findings


def template_findings(file: str, template: Mapping[str, Any]) -> list[Finding]:
    return task_definition_findings(file, template) + role_policy_findings(file, template)


def folder_findings(folder: Path) -> list[Finding]:
    """Size limits of every template in a written (staging) folder."""
    findings: list[Finding] = []
    for path in sorted(folder.glob("*.json")):
        if path.name not in NON_TEMPLATE_FILES:
            findings += template_findings(path.name, json.loads(path.read_text()))
    return findings
