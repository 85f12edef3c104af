"""Resource Metadata our stacks write for reviewers and for our own checks.

checkov suppressions carry their reason on the resource they excuse; a role
carries the reasons its params gave for wildcard statements, which
the rule H001 (``rules/rendered/security.py``) reads back (IAM policies cannot hold comments).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from templates.naming import STATEMENT_REASONS


def checkov_skip(*skips: tuple[str, str]) -> dict[str, Any]:
    """Resource Metadata telling checkov that these (check id, reason) findings are deliberate."""
    return {"checkov": {"skip": [{"id": check_id, "comment": reason} for check_id, reason in skips]}}


def statement_reasons(policy_name: str, reasons: Mapping[str, str]) -> dict[str, Any]:
    """Role Metadata: why the user wrote these statements (Sid -> reason) of the inline policy ``policy_name``.

    IAM policies cannot carry comments, so the reason a params file gives for
    a statement travels in the role's Metadata instead.
    """
    return {STATEMENT_REASONS: {"PolicyName": policy_name, "Reasons": dict(reasons)}}
