"""Resource Metadata our stacks write for reviewers and for our own checks.

checkov and Guard suppressions carry their reason on the resource they
excuse (docs/security.md lists each, rule by rule); a role
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


def guard_suppressions(*suppressions: tuple[str, str]) -> dict[str, Any]:
    """Resource Metadata telling Guard (cfn-guard, CloudFormation Hooks) that these (rule, reason) are deliberate.

    Guard's registry rules skip a resource whose ``Metadata.guard.SuppressedRules``
    names them; Guard has no place for a reason, so ``Reasons`` (rule -> why)
    sits beside the list, where a reviewer of the template reads it.
    https://github.com/aws-cloudformation/aws-guard-rules-registry/blob/main/docs/Using-Guard-Rules-Registry.md
    """
    return {
        "guard": {
            "SuppressedRules": [rule for rule, _reason in suppressions],
            "Reasons": dict(suppressions),
        }
    }


def merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """One resource's Metadata from several writers (a checkov skip, Guard suppressions, statement reasons)."""
    out: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "guard" and key in out:
                out[key] = {
                    "SuppressedRules": out[key]["SuppressedRules"] + value["SuppressedRules"],
                    "Reasons": {**out[key]["Reasons"], **value["Reasons"]},
                }
            else:
                out[key] = value
    return out


def metadata_kwargs(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """``{"Metadata": ...}`` for a troposphere resource, or ``{}`` when no writer has anything to say."""
    data = merged(*parts)
    return {"Metadata": data} if data else {}


def statement_reasons(policy_name: str, reasons: Mapping[str, str]) -> dict[str, Any]:
    """Role Metadata: why the user wrote these statements (Sid -> reason) of the inline policy ``policy_name``.

    IAM policies cannot carry comments, so the reason a params file gives for
    a statement travels in the role's Metadata instead.
    """
    return {STATEMENT_REASONS: {"PolicyName": policy_name, "Reasons": dict(reasons)}}
