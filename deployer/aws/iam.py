"""Every IAM call: one function per API action, named after it; no decisions.

Read to adopt a task role as it is: its inline policies become the service's
``task_role.statements``, its attached policies ``managed_policy_arns``.
"""

from __future__ import annotations

from typing import Any


def list_role_policies(iam: Any, role: str) -> list[str]:
    """ListRolePolicies, every page: the names of the role's inline policies."""
    pages = iam.get_paginator("list_role_policies").paginate(RoleName=role)
    return [name for page in pages for name in page.get("PolicyNames", [])]


def get_role_policy(iam: Any, role: str, policy: str) -> dict[str, Any]:
    """GetRolePolicy: one inline policy's document (botocore decodes it)."""
    return iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]


def list_attached_role_policies(iam: Any, role: str) -> list[str]:
    """ListAttachedRolePolicies, every page: the ARNs of the managed policies attached to the role."""
    pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
    return [policy["PolicyArn"] for page in pages for policy in page.get("AttachedPolicies", [])]
