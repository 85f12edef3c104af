"""Security guardrails: checkov suppressions and posture checks on built templates.

checkov is the reviewer of record for the generated templates (``make test``
runs it).  The few findings that are deliberate are suppressed *in the
resource's Metadata* (``stacks.metadata``), each with the reason a reviewer
would accept, so the exception travels with the resource it excuses.

The ``*_findings`` functions guard invariants checkov does not cover for our
resources (it has no rule for public IPs on ECS services, for instance), so a
future template change cannot quietly undo them.  They run at generate time
on the rendered template dicts, like the cross-stack checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from templates.checks.findings import Finding
from templates.stacks.metadata import STATEMENT_REASONS

# Actions that have no resource-level permissions: AWS only accepts "*" for them.
STAR_ONLY_ACTIONS = frozenset(
    {
        "ecr:GetAuthorizationToken",  # registry login, account-wide
        # ECS Exec: the Session Manager channel actions cannot be scoped to a resource.
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }
)

WORLD = frozenset({"0.0.0.0/0", "::/0"})
# The only resource that may be reached from anywhere, and only on these ports.
PUBLIC_INGRESS = {"AlbSecurityGroup": frozenset({80, 443})}


def _explained(resource: Mapping[str, Any], policy_name: str) -> frozenset[str]:
    """Sids of ``policy_name`` whose reason the user gave in params (``statement_reasons``)."""
    recorded = (resource.get("Metadata") or {}).get(STATEMENT_REASONS) or {}
    if recorded.get("PolicyName") != policy_name:
        return frozenset()
    return frozenset(sid for sid, reason in (recorded.get("Reasons") or {}).items() if str(reason).strip())


def _resources(templates: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for key, template in sorted(templates.items()):
        for logical_id, resource in (template.get("Resources") or {}).items():
            yield f"{key}.json", logical_id, resource


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_documents(resource: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], frozenset[str]]]:
    """Each policy document of an IAM resource, with the Sids in it that params explained."""
    props = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::IAM::Role":
        for policy in props.get("Policies") or []:
            yield policy.get("PolicyDocument") or {}, _explained(resource, str(policy.get("PolicyName")))
    elif resource.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
        yield props.get("PolicyDocument") or {}, frozenset()


def wildcard_resource_findings(templates: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """H001: in the roles the generator writes, an Allow on Resource "*" is only for actions AWS cannot scope.

    Statements a params file wrote into a task role are the user's decision:
    params accept "*" there only with a reason (S029), which the role's
    Metadata records, and such an explained statement is not this check's
    business.  Everything else (execution, schedule and flow-log roles, the
    ECS Exec channels) is policed.
    """
    findings = []
    for file, logical_id, resource in _resources(templates):
        for document, explained in _policy_documents(resource):
            for statement in _as_list(document.get("Statement") or []):
                if statement.get("Effect") != "Allow" or "*" not in _as_list(statement.get("Resource")):
                    continue
                if statement.get("Sid") in explained:
                    continue
                loose = sorted(set(map(str, _as_list(statement.get("Action")))) - STAR_ONLY_ACTIONS)
                if loose or "NotAction" in statement:
                    findings.append(
                        Finding(
                            "H001",
                            file,
                            f"{logical_id} statement {statement.get('Sid', '(no Sid)')} allows "
                            f"{', '.join(loose) or 'NotAction'} on Resource '*'; scope it to ARNs "
                            f"(only {', '.join(sorted(STAR_ONLY_ACTIONS))} may use '*')",
                        )
                    )
    return findings


def _ingress_rules(resource: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    props = resource.get("Properties") or {}
    if resource.get("Type") == "AWS::EC2::SecurityGroup":
        return list(props.get("SecurityGroupIngress") or [])
    if resource.get("Type") == "AWS::EC2::SecurityGroupIngress":
        return [props]
    return []


def _is_world(cidr: Any) -> bool:
    """A CIDR that admits every address; an intrinsic (e.g. an imported VPC CIDR) is never one we wrote as such."""
    return isinstance(cidr, str) and cidr in WORLD


def world_ingress_findings(templates: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """H002: only the ALB security group is open to the internet, and only on 80/443."""
    findings = []
    for file, logical_id, resource in _resources(templates):
        allowed = PUBLIC_INGRESS.get(logical_id, frozenset())
        for rule in _ingress_rules(resource):
            if not (_is_world(rule.get("CidrIp")) or _is_world(rule.get("CidrIpv6"))):
                continue
            ports = (rule.get("FromPort"), rule.get("ToPort"))
            if not (ports[0] == ports[1] and ports[0] in allowed):
                findings.append(
                    Finding(
                        "H002",
                        file,
                        f"{logical_id} admits the whole internet on ports {ports[0]}-{ports[1]}; only the ALB "
                        "may be public (80/443); tasks admit the ALB security group only",
                    )
                )
    return findings


def public_task_findings(templates: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    """H003: Fargate tasks run in private subnets without public IP addresses."""
    findings = []
    for file, logical_id, resource in _resources(templates):
        if resource.get("Type") != "AWS::ECS::Service":
            continue
        network = (resource.get("Properties") or {}).get("NetworkConfiguration") or {}
        assign = (network.get("AwsvpcConfiguration") or {}).get("AssignPublicIp", "DISABLED")
        if assign != "DISABLED":
            findings.append(
                Finding("H003", file, f"{logical_id} gives tasks a public IP ({assign}); tasks must stay private")
            )
    return findings


def security_findings(templates: Mapping[str, Mapping[str, Any]]) -> list[Finding]:
    return wildcard_resource_findings(templates) + world_ingress_findings(templates) + public_task_findings(templates)
