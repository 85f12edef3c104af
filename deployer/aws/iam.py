"""Every IAM call: one function per API action, named after it; no decisions.

Only the account's alias is read, so the review can name the account the way
people know it ("shop-prod") beside its id.  An account has at most one alias
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAccountAliases.html).
"""

from __future__ import annotations

from typing import Any


def list_account_aliases(iam: Any) -> list[str]:
    """ListAccountAliases, every page: the account's alias, or [] when it has none."""
    pages = iam.get_paginator("list_account_aliases").paginate()
    return [alias for page in pages for alias in page.get("AccountAliases", [])]
