"""Guardrails on the EC2 container instances the templates launch: checkov checks part, these keep all of it.

checkov looks at IMDSv2 and public IPs of a launch template (CKV_AWS_79,
CKV_AWS_88) but not at its block devices; these rules hold the three
invariants of a capacity group together, so a later template change cannot
quietly give instances IMDSv1, a public address or an unencrypted volume.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from templates.contract.rendered import RenderedFolder
from templates.rules.registry import Found, rendered_rule

IMDS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html"
EBS_ENCRYPTION = "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"


def _launch_data(folder: RenderedFolder) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for template in folder.templates.values():
        for logical_id, resource in (template.doc.get("Resources") or {}).items():
            if resource.get("Type") == "AWS::EC2::LaunchTemplate":
                data = (resource.get("Properties") or {}).get("LaunchTemplateData") or {}
                yield template.file, logical_id, data


def instance_problems(data: Mapping[str, Any]) -> list[str]:
    """What a launch template's data lacks of the guardrails, in words (empty: it keeps them all)."""
    problems = []
    if (data.get("MetadataOptions") or {}).get("HttpTokens") != "required":
        problems.append("IMDSv2 is not required (MetadataOptions.HttpTokens: required)")
    interfaces = data.get("NetworkInterfaces") or []
    if not interfaces or any(i.get("AssociatePublicIpAddress") is not False for i in interfaces):
        problems.append("a network interface may get a public IP (AssociatePublicIpAddress: false on each)")
    volumes = [m.get("Ebs") or {} for m in data.get("BlockDeviceMappings") or []]
    if not volumes or any(v.get("Encrypted") is not True for v in volumes):
        problems.append("a volume is not encrypted (Ebs.Encrypted: true on every block device)")
    return problems


@rendered_rule(
    "K024",
    "a launch template without IMDSv2, with a public IP, or with an unencrypted volume",
    (IMDS, EBS_ENCRYPTION),
)
def instance_guardrails(folder: RenderedFolder) -> Iterator[Found]:
    for file, logical_id, data in _launch_data(folder):
        for problem in instance_problems(data):
            yield Found(file, f"{logical_id}: {problem}; container instances keep all three")
