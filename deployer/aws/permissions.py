"""The IAM actions the deployer's own calls need, read off this room's code: the home of a deploy role's rights.

Every AWS call lives in this room's service modules (``cloudformation``,
``elbv2``, ``ec2``, ``s3``).  ``called_operations`` reads their code, not a
list kept by hand: each method called on a client that is an API operation
of the service, each paginator (``get_paginator("describe_stacks")``) and
each waiter (botocore's own, ``get_waiter(...)``, and ours, built from a
``WaiterModel`` with ``create_waiter_with_client``), resolved to the
operation it calls.  ``SCOPES`` then says, per operation, which resources its
IAM action may be limited to (the Service Authorization Reference's
"Resource types" column); an operation missing there stops the policy from
being built, so a new call cannot slip into the deployer unscoped.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOM = Path(__file__).resolve().parent
# deployer/aws/<module>.py -> (botocore service name, IAM service prefix)
SERVICES: Mapping[str, tuple[str, str]] = {
    "cloudformation": ("cloudformation", "cloudformation"),
    "elbv2": ("elbv2", "elasticloadbalancing"),
    "ec2": ("ec2", "ec2"),
    "s3": ("s3", "s3"),
    "acm": ("acm", "acm"),
    "ecs": ("ecs", "ecs"),
    "logs": ("logs", "logs"),
    "iam": ("iam", "iam"),
    "application_autoscaling": ("application-autoscaling", "application-autoscaling"),
    "sts": ("sts", "sts"),
    "cloudwatch": ("cloudwatch", "cloudwatch"),
}
SAR = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"

# What each operation's IAM action may be scoped to (Service Authorization Reference, "Resource types"):
#   stack   the environment's stacks (and their change sets, which IAM authorises on the stack)
#   object  the template objects in the --bucket
#   any     no resource-level permissions (or, for DescribeStacks, called without a name): "*"
SCOPES: Mapping[str, str] = {
    "cloudformation:CreateChangeSet": "stack",
    "cloudformation:CreateStack": "stack",  # a new stack previewed from its template (run.create_stack)
    "cloudformation:DeleteChangeSet": "stack",
    "cloudformation:DeleteStack": "stack",
    "cloudformation:DescribeChangeSet": "stack",
    "cloudformation:DescribeStackEvents": "stack",
    "cloudformation:DescribeStackResourceDrifts": "stack",
    "cloudformation:DescribeStacks": "any",  # also called without a name: every stack (prune's inventory)
    "cloudformation:DetectStackDrift": "stack",
    "cloudformation:DescribeStackDriftDetectionStatus": "any",
    "cloudformation:ExecuteChangeSet": "stack",
    "cloudformation:GetTemplate": "stack",
    "cloudformation:ListChangeSets": "stack",
    "cloudformation:ListExports": "any",
    "cloudformation:ListImports": "any",
    "cloudformation:ListStackResources": "stack",
    "cloudformation:ListStacks": "any",  # one read of every stack in flight (the run's poller); no resource types
    # Adoption (deploy.py --adopt, adopt.py) and the survey of names a new stack takes: reads of what already runs,
    # by physical id or of any cluster, role or log group the operator names, so not scoped to our stacks.
    "cloudformation:DescribeStackResources": "any",
    "ecs:DescribeClusters": "any",
    "ecs:ListServices": "any",
    "ecs:DescribeServices": "any",
    "ecs:DescribeTaskDefinition": "any",  # no resource-level permissions
    # A service stack's rollout, read while CloudFormation waits for it, and what failed when it fails: reads of
    # tasks, targets and alarms whose ARNs are known only from the live service, so granted on "*".
    "ecs:ListTasks": "any",
    "ecs:DescribeTasks": "any",
    "elasticloadbalancing:DescribeTargetHealth": "any",  # ELB Describe*: no resource-level permissions
    "cloudwatch:DescribeAlarms": "any",
    "logs:DescribeLogGroups": "any",
    "logs:ListTagsForResource": "any",
    "iam:ListRolePolicies": "any",
    "iam:GetRolePolicy": "any",
    "iam:ListAttachedRolePolicies": "any",
    "application-autoscaling:DescribeScalableTargets": "any",  # Describe*: no resource-level permissions
    "application-autoscaling:DescribeScalingPolicies": "any",
    "ec2:DescribeSecurityGroups": "any",
    "elasticloadbalancing:DescribeTags": "any",
    "elasticloadbalancing:DescribeTargetGroups": "any",
    "elasticloadbalancing:DescribeTargetGroupAttributes": "any",
    "elasticloadbalancing:DescribeLoadBalancerAttributes": "any",  # ELB Describe*: no resource-level permissions
    "elasticloadbalancing:DescribeLoadBalancers": "any",
    "elasticloadbalancing:DescribeRules": "any",
    "elasticloadbalancing:DescribeListeners": "any",
    "elasticloadbalancing:DescribeListenerCertificates": "any",
    "acm:DescribeCertificate": "any",  # the certificates on a shared listener: ARNs known only from the listener
    "ec2:DescribeRouteTables": "any",  # EC2 Describe*: no resource-level permissions
    "ec2:DescribeSubnets": "any",
    "ec2:DescribeVpcAttribute": "any",
    "ec2:DescribeVpcs": "any",
    "ec2:DescribeVpcEndpoints": "any",
    # Who the run acts as (the review's header, --expect-account).  GetCallerIdentity needs no permission and no
    # policy can deny it (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html); granted
    # all the same, so the policy lists every call.  ListAccountAliases has no resource types.
    "sts:GetCallerIdentity": "any",
    "iam:ListAccountAliases": "any",
    "s3:PutObject": "object",
}
# Actions an operation needs besides its own: CreateChangeSet with a TemplateURL makes CloudFormation read the
# template with the caller's permissions (s3:GetObject on the object).
IMPLIED: Mapping[str, tuple[tuple[str, str], ...]] = {
    "cloudformation:CreateChangeSet": (("s3:GetObject", "object"),),
    "cloudformation:CreateStack": (("s3:GetObject", "object"),),
}
# What only a run that changes the environment calls; a review-only job (no --execute) never does.
CHANGES_RESOURCES = frozenset(
    {"cloudformation:ExecuteChangeSet", "cloudformation:CreateStack", "cloudformation:DeleteStack"}
)


class Unscoped(LookupError):
    """An operation the deployer calls whose IAM scope nobody decided (add it to ``SCOPES``)."""


@cache
def _operations(service: str) -> dict[str, str]:
    """botocore's method names of a service -> the API operation (``describe_stacks`` -> ``DescribeStacks``)."""
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


@cache
def _waiter_operation(service: str, waiter: str) -> str:
    model = botocore.session.get_session().get_waiter_model(service)
    return model.get_waiter("".join(part.title() for part in waiter.split("_"))).operation


def _called(module: str, path: Path) -> set[str]:
    """The API operations one service module's code calls."""
    service = SERVICES[module][0]
    operations = _operations(service)
    loaded = None
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        literal = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
        if name in operations:
            found.add(operations[name])
        elif name == "get_paginator" and literal in operations:
            found.add(operations[literal])
        elif name == "get_waiter" and isinstance(literal, str):
            found.add(_waiter_operation(service, literal))
        elif name == "create_waiter_with_client" and isinstance(literal, str) and isinstance(node.args[1], ast.Name):
            loaded = loaded or importlib.import_module(f"deployer.aws.{module}")
            found.add(getattr(loaded, node.args[1].id).get_waiter(literal).operation)
    return found


def called_operations(room: Path = ROOM) -> dict[str, frozenset[str]]:
    """Every API operation the room's service modules call, by IAM action name (``cloudformation:GetTemplate``)."""
    out: dict[str, frozenset[str]] = {}
    for path in sorted(room.glob("*.py")):
        if path.stem in SERVICES:
            prefix = SERVICES[path.stem][1]
            out[path.stem] = frozenset(f"{prefix}:{operation}" for operation in _called(path.stem, path))
    return out


def unknown_modules(room: Path = ROOM) -> list[str]:
    """Modules of the room that make calls this file has no service for (a new ``ecs.py``, say)."""
    known = {*SERVICES, "__init__", "clients", "waiting", "permissions"}
    return sorted(path.stem for path in room.glob("*.py") if path.stem not in known)


def scoped_actions(room: Path = ROOM) -> dict[str, str]:
    """IAM action -> scope, for every call of the room and what it implies; ``Unscoped`` when one is undecided."""
    if unknown_modules(room):
        raise Unscoped(
            f"deployer/aws/{unknown_modules(room)[0]}.py: add its service to SERVICES and its calls to SCOPES"
        )
    out: dict[str, str] = {}
    for action in sorted(a for actions in called_operations(room).values() for a in actions):
        if action not in SCOPES:
            raise Unscoped(f"{action}: the deployer calls it; say in SCOPES which resources it may act on ({SAR})")
        out[action] = SCOPES[action]
        out.update(IMPLIED.get(action, ()))
    return out
