"""Every CloudWatch Logs call: one function per API action, named after it; no decisions.

Read to adopt what already runs and to find log groups a stack about to be
created names (a teardown retains them).
"""

from __future__ import annotations

from typing import Any


def describe_log_groups(logs: Any, name: str) -> list[dict[str, Any]]:
    """DescribeLogGroups by name prefix, every page; the caller picks the exact name out of the answer."""
    pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    return [group for page in pages for group in page.get("logGroups", [])]


def list_tags_for_resource(logs: Any, arn: str) -> dict[str, str]:
    """ListTagsForResource of a log group (its ARN without the trailing ``:*``): key -> value."""
    return logs.list_tags_for_resource(resourceArn=arn.removesuffix(":*")).get("tags", {})
