"""AWS quotas checked at generate time, so a deploy does not fail half-way.

Two layers, each check with a stable id and a message naming the limit and
the count:

* **Params quotas** (Q0xx) need only the validated params: listener rules,
  condition values, target groups, security-group rules.  They are params
  errors (``ParamsError``, exit 2, nothing written) because the fix is in the
  params file, at the key path they name.
* **Template quotas** (Q1xx) need the rendered templates: resources,
  parameters and outputs per template, template size, explicit name lengths,
  export names.  They are check findings (exit 1, output unchanged), like
  cfn-lint's, except the size warning: a template above 51,200 bytes is still
  deployable, only not as an inline body (the deployer uploads it to S3).

Limits are AWS's default quotas; the ones AWS can raise say so in the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from templates.checks.findings import NON_TEMPLATE_FILES, Finding
from templates.errors import ParamsError, Problem
from templates.params.environment import Environment
from templates.stack_graph import exports_of

# Application Load Balancer (per listener / rule / load balancer).
RULES_PER_LISTENER = 100
CONDITION_VALUES_PER_RULE = 5
TARGET_GROUPS_PER_ALB = 100
# VPC: inbound and outbound rules per security group, each direction.
RULES_PER_SECURITY_GROUP = 60
# CloudFormation, per template.
RESOURCES_PER_TEMPLATE = 500
PARAMETERS_PER_TEMPLATE = 200
OUTPUTS_PER_TEMPLATE = 200
INLINE_TEMPLATE_BYTES = 51_200
S3_TEMPLATE_BYTES = 1_000_000
EXPORT_NAME_LENGTH = 255

# Names AWS limits that a template might set explicitly.  We let CloudFormation
# generate target-group and load-balancer names today (it keeps them within
# 32), so these only bite if a literal name is ever emitted.
NAME_LIMITS: dict[tuple[str, str], int] = {
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"): 32,
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"): 32,
    ("AWS::ECS::TaskDefinition", "Family"): 255,
    ("AWS::ECS::Service", "ServiceName"): 255,
    ("AWS::ECS::Cluster", "ClusterName"): 255,
    ("AWS::Logs::LogGroup", "LogGroupName"): 512,
    ("AWS::IAM::Role", "RoleName"): 64,
    ("AWS::EC2::SecurityGroup", "GroupDescription"): 255,
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", "Name"): 253,
}


def check_environments_distinct(loaded: list[tuple[Path, Environment]]) -> None:
    """Q005: two params files for one project+environment+region would export the same names."""
    seen: dict[tuple[str, str, str], Path] = {}
    for file, env in loaded:
        key = (env.project, env.environment, env.region)
        if key in seen:
            raise ParamsError(
                file,
                [
                    Problem(
                        "environment",
                        f"project {env.project} / environment {env.environment} in {env.region} is also "
                        f"generated from {seen[key]}; export names ({env.project}-{env.environment}-...) must be "
                        "unique per account and region: rename the environment",
                        "Q005",
                    )
                ],
            )
        seen[key] = file


# --------------------------------------------------------------------------- templates


def _count(file: str, section: str, template: Mapping[str, Any], limit: int, check_id: str) -> list[Finding]:
    count = len(template.get(section) or {})
    if count <= limit:
        return []
    return [
        Finding(
            check_id,
            file,
            f"{count} {section.lower()}; a CloudFormation template allows at most {limit}: split the stack",
        )
    ]


def _name_findings(file: str, template: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        for (kind, prop), limit in NAME_LIMITS.items():
            value = props.get(prop)
            if resource.get("Type") == kind and isinstance(value, str) and len(value) > limit:
                findings.append(
                    Finding(
                        "Q106",
                        file,
                        f"{logical_id}.{prop} {value!r} is {len(value)} characters; {kind} allows {limit}",
                    )
                )
    return findings


def _export_name_findings(file: str, template: Mapping[str, Any]) -> list[Finding]:
    return [
        Finding("Q107", file, f"export name {name!r} is {len(name)} characters; AWS allows {EXPORT_NAME_LENGTH}")
        for name in exports_of(template)
        if len(name) > EXPORT_NAME_LENGTH
    ]


def template_findings(file: str, text: str) -> list[Finding]:
    """Quotas of one rendered template (``text`` as it will be sent to CloudFormation)."""
    template = json.loads(text)
    findings = (
        _count(file, "Resources", template, RESOURCES_PER_TEMPLATE, "Q101")
        + _count(file, "Parameters", template, PARAMETERS_PER_TEMPLATE, "Q102")
        + _count(file, "Outputs", template, OUTPUTS_PER_TEMPLATE, "Q103")
        + _name_findings(file, template)
        + _export_name_findings(file, template)
    )
    size = len(text.encode())
    if size > S3_TEMPLATE_BYTES:
        findings.append(
            Finding("Q105", file, f"{size:,} bytes; CloudFormation accepts at most {S3_TEMPLATE_BYTES:,} even from S3")
        )
    elif size > INLINE_TEMPLATE_BYTES:
        findings.append(
            Finding(
                "Q104",
                file,
                f"{size:,} bytes, above the {INLINE_TEMPLATE_BYTES:,}-byte inline TemplateBody limit: "
                "the deployer must upload it to an S3 bucket and pass TemplateURL",
                severity="warning",
            )
        )
    return findings


def folder_findings(folder: Path) -> list[Finding]:
    """Template quotas over every template in a written (staging) folder."""
    findings: list[Finding] = []
    for path in sorted(folder.glob("*.json")):
        if path.name not in NON_TEMPLATE_FILES:
            findings += template_findings(path.name, path.read_text())
    return findings
