"""Security guardrails (H001-H003): posture checks on the written templates, beside checkov.

checkov is the reviewer of record for the generated templates (``make test``
runs it).  The few findings that are deliberate are suppressed *in the
resource's Metadata* (written by ``stacks.metadata``), each with the reason a reviewer
would accept, so the exception travels with the resource it excuses.

These rules guard invariants checkov does not cover for our resources (it has
no rule for public IPs on ECS services, for instance), so a future template
change cannot quietly undo them.  They run at generate time on the written
templates, like the other rendered rules.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from templates.contract.rendered import RenderedFolder
from templates.naming import STATEMENT_REASONS
from templates.rules.registry import Found, rendered_rule

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


def _resources(folder: RenderedFolder) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for template in folder.templates.values():
        for logical_id, resource in (template.doc.get("Resources") or {}).items():
            yield template.file, logical_id, resource


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


@rendered_rule(
    "H001",
    'an Allow on Resource "*" in a role the generator writes, for actions AWS can scope',
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
)
def wildcard_resources(folder: RenderedFolder) -> Iterator[Found]:
    """In the roles the generator writes, an Allow on Resource "*" is only for actions AWS cannot scope.

    Statements a params file wrote into a task role are the user's decision:
    params accept "*" there only with a reason (S029), which the role's
    Metadata records, and such an explained statement is not this check's
    business.  Everything else (execution, schedule and flow-log roles, the
    ECS Exec channels) is policed.
    """
    for file, logical_id, resource in _resources(folder):
        for document, explained in _policy_documents(resource):
            for statement in _as_list(document.get("Statement") or []):
                if statement.get("Effect") != "Allow" or "*" not in _as_list(statement.get("Resource")):
                    continue
                if statement.get("Sid") in explained:
                    continue
                loose = sorted(set(map(str, _as_list(statement.get("Action")))) - STAR_ONLY_ACTIONS)
                if loose or "NotAction" in statement:
                    yield Found(
                        file,
                        f"{logical_id} statement {statement.get('Sid', '(no Sid)')} allows "
                        f"{', '.join(loose) or 'NotAction'} on Resource '*'; scope it to ARNs "
                        f"(only {', '.join(sorted(STAR_ONLY_ACTIONS))} may use '*')",
                    )


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


@rendered_rule(
    "H002",
    "a security group open to the internet other than the ALB's on 80/443",
    "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
)
def world_ingress(folder: RenderedFolder) -> Iterator[Found]:
    """Only the ALB security group is open to the internet, and only on 80/443."""
    for file, logical_id, resource in _resources(folder):
        allowed = PUBLIC_INGRESS.get(logical_id, frozenset())
        for rule in _ingress_rules(resource):
            if not (_is_world(rule.get("CidrIp")) or _is_world(rule.get("CidrIpv6"))):
                continue
            ports = (rule.get("FromPort"), rule.get("ToPort"))
            if not (ports[0] == ports[1] and ports[0] in allowed):
                yield Found(
                    file,
                    f"{logical_id} admits the whole internet on ports {ports[0]}-{ports[1]}; only the ALB "
                    "may be public (80/443); tasks admit the ALB security group only",
                )


@rendered_rule(
    "H003",
    "an ECS service giving its tasks public IP addresses",
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
)
def private_tasks(folder: RenderedFolder) -> Iterator[Found]:
    """Fargate tasks run in private subnets without public IP addresses."""
    for file, logical_id, resource in _resources(folder):
        if resource.get("Type") != "AWS::ECS::Service":
            continue
        network = (resource.get("Properties") or {}).get("NetworkConfiguration") or {}
        assign = (network.get("AwsvpcConfiguration") or {}).get("AssignPublicIp", "DISABLED")
        if assign != "DISABLED":
            yield Found(file, f"{logical_id} gives tasks a public IP ({assign}); tasks must stay private")
