"""Every Application Auto Scaling call: one function per API action, named after it; no decisions.

Read to adopt a service's scaling as it is (``adopt.py``).
"""

from __future__ import annotations

from typing import Any

ECS = "ecs"


def describe_scalable_targets(autoscaling: Any, resource_id: str) -> list[dict[str, Any]]:
    """DescribeScalableTargets of one ECS resource (``service/<cluster>/<service>``), every page."""
    pages = autoscaling.get_paginator("describe_scalable_targets").paginate(
        ServiceNamespace=ECS, ResourceIds=[resource_id]
    )
    return [target for page in pages for target in page.get("ScalableTargets", [])]


def describe_scaling_policies(autoscaling: Any, resource_id: str) -> list[dict[str, Any]]:
    """DescribeScalingPolicies of one ECS resource, every page."""
    pages = autoscaling.get_paginator("describe_scaling_policies").paginate(
        ServiceNamespace=ECS, ResourceId=resource_id
    )
    return [policy for page in pages for policy in page.get("ScalingPolicies", [])]
