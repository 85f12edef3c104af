"""Every Elastic Load Balancing (v2) call: one function per API action, named after it; no decisions.

The deployer only reads load balancers (the routing table after a deploy,
foreign rules and certificates on a shared listener, deletion protection
before a teardown, target groups and rules to adopt or import, target health
while a service rolls out); the stacks change them.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


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


def describe_listeners(
    elbv2: Any, arns: list[str] | None = None, *, load_balancer_arn: str | None = None
) -> list[dict[str, Any]]:
    """DescribeListeners of these listener ARNs or of one load balancer, every page (protocol, port, certificate)."""
    request = {"ListenerArns": arns} if arns is not None else {"LoadBalancerArn": load_balancer_arn}
    pages = elbv2.get_paginator("describe_listeners").paginate(**request)
    return [listener for page in pages for listener in page.get("Listeners", [])]


def describe_listener_certificates(elbv2: Any, listener_arn: str) -> list[dict[str, Any]]:
    """DescribeListenerCertificates, every page: the default certificate and every one added for SNI."""
    pages = elbv2.get_paginator("describe_listener_certificates").paginate(ListenerArn=listener_arn)
    return [certificate for page in pages for certificate in page.get("Certificates", [])]


def describe_target_groups(
    elbv2: Any, *, names: list[str] | None = None, arns: list[str] | None = None
) -> list[dict[str, Any]]:
    """DescribeTargetGroups by name or ARN, every page; ``[]`` when none of them exists (TargetGroupNotFound)."""
    request = {"Names": names} if names is not None else {"TargetGroupArns": arns}
    try:
        pages = elbv2.get_paginator("describe_target_groups").paginate(**request)
        return [group for page in pages for group in page.get("TargetGroups", [])]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "TargetGroupNotFound":
            return []
        raise


def describe_target_group_attributes(elbv2: Any, arn: str) -> dict[str, str]:
    """DescribeTargetGroupAttributes: the target group's attributes, key -> value."""
    answer = elbv2.describe_target_group_attributes(TargetGroupArn=arn)
    return {attribute["Key"]: attribute["Value"] for attribute in answer.get("Attributes", [])}


def describe_tags(elbv2: Any, arns: list[str]) -> dict[str, dict[str, str]]:
    """DescribeTags of load balancers, target groups, listeners or rules (20 per call): ARN -> key -> value."""
    tags: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), 20):
        for described in elbv2.describe_tags(ResourceArns=arns[start : start + 20]).get("TagDescriptions", []):
            tags[described["ResourceArn"]] = {tag["Key"]: tag["Value"] for tag in described.get("Tags", [])}
    return tags


def describe_target_health(elbv2: Any, target_group_arn: str) -> list[dict[str, Any]]:
    """DescribeTargetHealth: each registered target of a target group, its state and why (reason, description)."""
    return elbv2.describe_target_health(TargetGroupArn=target_group_arn).get("TargetHealthDescriptions", [])
