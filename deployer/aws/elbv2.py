"""Every Elastic Load Balancing (v2) call: one function per API action, named after it; no decisions.

The deployer only reads load balancers (the routing table after a deploy,
foreign rules on a shared listener, deletion protection before a teardown,
target health while a service rolls out); the stacks change them.
"""

from __future__ import annotations

from typing import Any


def describe_load_balancers(elbv2: Any, arns: list[str]) -> list[dict[str, Any]]:
    """DescribeLoadBalancers for these ARNs, in one call (ARN, DNS name, ...)."""
    return elbv2.describe_load_balancers(LoadBalancerArns=arns)["LoadBalancers"]


def describe_rules(
    elbv2: Any, *, rule_arns: list[str] | None = None, listener_arn: str | None = None
) -> list[dict[str, Any]]:
    """DescribeRules, every page: the rules with these ARNs, or every rule of one listener."""
    request = {"RuleArns": rule_arns} if rule_arns is not None else {"ListenerArn": listener_arn}
    pages = elbv2.get_paginator("describe_rules").paginate(**request)
    return [rule for page in pages for rule in page.get("Rules", [])]


def describe_load_balancer_attributes(elbv2: Any, arn: str) -> dict[str, str]:
    """DescribeLoadBalancerAttributes: the load balancer's attributes, key -> value."""
    answer = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)
    return {attribute["Key"]: attribute["Value"] for attribute in answer.get("Attributes", [])}


def describe_target_health(elbv2: Any, target_group_arn: str) -> list[dict[str, Any]]:
    """DescribeTargetHealth: each registered target of a target group, its state and why (reason, description)."""
    return elbv2.describe_target_health(TargetGroupArn=target_group_arn).get("TargetHealthDescriptions", [])
