"""Every IAM call: one function per API action, named after it; no decisions.

Two readers.  The review names the account the way people know it ("shop-prod")
beside its id; an account has at most one alias
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccountAliases.html).
Adoption takes a task role as it is: its inline policies become the service's
``task_role.statements``, its attached policies ``managed_policy_arns``.
"""

from __future__ import annotations

from typing import Any


def list_account_aliases(iam: Any) -> list[str]:
    """ListAccountAliases, every page: the account's alias, or [] when it has none."""
    pages = iam.get_paginator("list_account_aliases").paginate()
    return [alias for page in pages for alias in page.get("AccountAliases", [])]


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
