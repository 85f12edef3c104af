"""Every Amazon CloudWatch call: one function per API action, named after it; no decisions.

Read only: a service stack whose deployment was rolled back by a deployment
alarm names the alarm that fired and why.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html (up to 100 names a call)
"""

from __future__ import annotations

from typing import Any

NAMES_PER_CALL = 100


def describe_alarms(cloudwatch: Any, names: list[str]) -> list[dict[str, Any]]:
    """DescribeAlarms by name: each metric alarm's state, the reason for it and when it changed."""
    if not names:
        return []
    return cloudwatch.describe_alarms(AlarmNames=names[:NAMES_PER_CALL]).get("MetricAlarms", [])
