"""The IAM policy a CI role needs to run the deployer on one environment, and its review-only subset.

Three parts, each derived rather than listed by hand:

- the deployer's own calls (``deployer.aws.permissions``: read off the code
  of ``deployer/aws``), scoped to the environment's stacks, the template
  objects in ``--bucket`` or ``*`` where AWS has no resource-level permission;
- what CloudFormation then does with the caller's credentials: the deployer
  passes no service role, so creating, updating, deleting and (drift) reading
  the templates' resources needs the permissions AWS lists for each resource
  type in its resource provider schema (``handlers``; the copy cfn-lint ships),
  IAM's own scoped to the environment's roles;
- ``iam:PassRole`` on the environment's roles only, and only towards the
  services the templates hand them to (``iam:PassedToService``).

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html
https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html#schema-properties-handlers
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from awacs.aws import Action, Allow, Condition, PolicyDocument, Statement, StringEquals

from deployer.aws.permissions import CHANGES_RESOURCES, scoped_actions
from deployer.run.inputs import Deployment
from templates.contract.resource_schemas import handler_permissions

# Handlers CloudFormation runs for a deploy (create, update, delete) and for drift detection (read).
DEPLOY_HANDLERS = ("create", "update", "delete", "read")
REVIEW_HANDLERS = ("read",)


def partition(region: str) -> str:
    """The ARN partition of a region (aws, aws-cn, aws-us-gov)."""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _actions(names: Iterable[str]) -> list[Action]:
    return [Action(*name.split(":", 1)) for name in sorted(set(names))]


def resource_types(deployment: Deployment) -> set[str]:
    """Every resource type the environment's templates declare."""
    return {
        resource["Type"]
        for stack in deployment.stacks.values()
        for resource in (stack.template.get("Resources") or {}).values()
    }


def provisioning_actions(deployment: Deployment, handlers: Iterable[str]) -> set[str]:
    """What CloudFormation calls, as the caller, to run these handlers on the templates' resource types."""
    out: set[str] = set()
    for kind in sorted(resource_types(deployment)):
        for handler in handlers:
            out.update(handler_permissions(kind, handler, deployment.region))
    return out - {"iam:PassRole"}  # granted on its own, scoped and conditioned


def passed_to(deployment: Deployment) -> list[str]:
    """The services the templates' roles are handed to: the principals allowed to assume them."""
    services = set()
    for stack in deployment.stacks.values():
        for resource in (stack.template.get("Resources") or {}).values():
            if resource.get("Type") != "AWS::IAM::Role":
                continue
            document = (resource.get("Properties") or {}).get("AssumeRolePolicyDocument") or {}
            for statement in document.get("Statement") or []:
                principal = (statement.get("Principal") or {}).get("Service") or []
                services.update([principal] if isinstance(principal, str) else principal)
    return sorted(services)


def deploy_policy(deployment: Deployment, bucket: str | None, review_only: bool = False) -> PolicyDocument:
    """The policy document: everything a deploy needs, or (``review_only``) what a review job needs."""
    arn = f"arn:{partition(deployment.region)}"
    prefix = f"{deployment.project}-{deployment.environment}-"
    stacks = [f"{arn}:cloudformation:{deployment.region}:*:stack/{prefix}*/*"]
    objects = [f"{arn}:s3:::{bucket}/fargate-stacks/templates/*"] if bucket else []
    roles = [f"{arn}:iam::*:role/{prefix}*"]
    scopes = {a: s for a, s in scoped_actions().items() if not (review_only and a in CHANGES_RESOURCES)}
    by_scope: dict[str, list[str]] = {}
    for action, scope in scopes.items():
        by_scope.setdefault(scope, []).append(action)
    provisioning = provisioning_actions(deployment, REVIEW_HANDLERS if review_only else DEPLOY_HANDLERS)
    iam_actions = {a for a in provisioning if a.startswith("iam:")}
    statements = [
        Statement(Sid="EnvironmentStacks", Effect=Allow, Action=_actions(by_scope.get("stack", [])), Resource=stacks),
        Statement(Sid="AccountWideReads", Effect=Allow, Action=_actions(by_scope.get("any", [])), Resource=["*"]),
    ]
    if objects and by_scope.get("object"):
        statements.append(
            Statement(Sid="TemplateObjects", Effect=Allow, Action=_actions(by_scope["object"]), Resource=objects)
        )
    statements.append(
        Statement(Sid="ProvisionResources", Effect=Allow, Action=_actions(provisioning - iam_actions), Resource=["*"])
    )
    if iam_actions:
        statements.append(Statement(Sid="EnvironmentRoles", Effect=Allow, Action=_actions(iam_actions), Resource=roles))
    if not review_only and passed_to(deployment):
        statements.append(
            Statement(
                Sid="PassEnvironmentRoles",
                Effect=Allow,
                Action=[Action("iam", "PassRole")],
                Resource=roles,
                Condition=Condition(StringEquals({"iam:PassedToService": passed_to(deployment)})),
            )
        )
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def policy_json(document: PolicyDocument) -> dict[str, Any]:
    """The document as IAM reads it (plain JSON)."""
    return json.loads(document.to_json())
