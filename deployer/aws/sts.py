"""Every STS call: one function per API action, named after it; no decisions.

The review says which account it is about to change; STS answers who the
credentials are.  GetCallerIdentity needs no permission: "No permissions are
required to perform this operation"
(https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
"""

from __future__ import annotations

from typing import Any


def get_caller_identity(sts: Any) -> dict[str, str]:
    """GetCallerIdentity: the account id, the ARN of the user or assumed role, and the user id."""
    answer = sts.get_caller_identity()
    return {"Account": answer["Account"], "Arn": answer["Arn"], "UserId": answer.get("UserId", "")}
