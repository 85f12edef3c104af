"""A live resource, as AWS describes it, written as the CloudFormation properties that describe it.

The import change set declares each imported resource as it lives, so
CloudFormation's record of it is the truth and the update that follows shows
every real difference.  Only properties our templates manage are written,
plus create-only ones whose live value is not the default: leaving out a
property the live resource has at its default says the same thing, and
writing one our templates never write would read as a removal that replaces.

Field names: the ECS, ELB and CloudWatch Logs describe APIs on one side, the
CloudFormation resource reference on the other
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html,
...-elasticloadbalancingv2-targetgroup.html, ...-elasticloadbalancingv2-listenerrule.html,
...-ecs-cluster.html, ...-logs-loggroup.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Properties = dict[str, Any]


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """key -> value as CloudFormation's ``Tags``: ``[{"Key", "Value"}]`` sorted by key."""
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def ecs_tags(tags: list[Mapping[str, str]] | None) -> dict[str, str]:
    """ECS answers ``[{"key", "value"}]``."""
    return {tag["key"]: tag.get("value", "") for tag in tags or []}


def _with_tags(properties: Properties, tags: Mapping[str, str]) -> Properties:
    if tags:
        properties["Tags"] = tag_list(tags)
    return properties


def log_group(group: Mapping[str, Any], tags: Mapping[str, str]) -> Properties:
    """DescribeLogGroups' entry -> AWS::Logs::LogGroup."""
    properties: Properties = {"LogGroupName": group["logGroupName"]}
    if group.get("retentionInDays") is not None:
        properties["RetentionInDays"] = group["retentionInDays"]
    if group.get("kmsKeyId"):
        properties["KmsKeyId"] = group["kmsKeyId"]
    return _with_tags(properties, tags)


def cluster(described: Mapping[str, Any]) -> Properties:
    """DescribeClusters' entry -> AWS::ECS::Cluster."""
    properties: Properties = {"ClusterName": described["clusterName"]}
    if described.get("settings"):
        properties["ClusterSettings"] = [{"Name": s["name"], "Value": s["value"]} for s in described["settings"]]
    if described.get("capacityProviders"):
        properties["CapacityProviders"] = list(described["capacityProviders"])
    strategy = described.get("defaultCapacityProviderStrategy") or []
    if strategy:
        properties["DefaultCapacityProviderStrategy"] = [_strategy_item(item) for item in strategy]
    return _with_tags(properties, ecs_tags(described.get("tags")))


def _strategy_item(item: Mapping[str, Any]) -> dict[str, Any]:
    out = {"CapacityProvider": item["capacityProvider"], "Weight": item.get("weight", 0)}
    if item.get("base"):
        out["Base"] = item["base"]
    return out


_HEALTH = (
    ("HealthCheckProtocol", "HealthCheckProtocol"),
    ("HealthCheckPath", "HealthCheckPath"),
    ("HealthCheckIntervalSeconds", "HealthCheckIntervalSeconds"),
    ("HealthCheckTimeoutSeconds", "HealthCheckTimeoutSeconds"),
    ("HealthyThresholdCount", "HealthyThresholdCount"),
    ("UnhealthyThresholdCount", "UnhealthyThresholdCount"),
)


def target_group(group: Mapping[str, Any], attributes: Mapping[str, str], tags: Mapping[str, str]) -> Properties:
    """DescribeTargetGroups' entry (+ the attributes our template sets) -> AWS::ElasticLoadBalancingV2::TargetGroup."""
    properties: Properties = {
        "Name": group["TargetGroupName"],
        "Port": group.get("Port"),
        "Protocol": group.get("Protocol"),
        "TargetType": group.get("TargetType"),
        "VpcId": group.get("VpcId"),
    }
    properties.update({ours: group[theirs] for ours, theirs in _HEALTH if group.get(theirs) is not None})
    if group.get("HealthCheckPort") not in (None, "traffic-port"):
        properties["HealthCheckPort"] = group["HealthCheckPort"]
    if group.get("HealthCheckEnabled") is False:
        properties["HealthCheckEnabled"] = False
    if (group.get("Matcher") or {}).get("HttpCode"):
        properties["Matcher"] = {"HttpCode": group["Matcher"]["HttpCode"]}
    if group.get("ProtocolVersion") not in (None, "HTTP1"):
        properties["ProtocolVersion"] = group["ProtocolVersion"]
    if group.get("IpAddressType") not in (None, "ipv4"):
        properties["IpAddressType"] = group["IpAddressType"]
    if attributes:
        properties["TargetGroupAttributes"] = [{"Key": k, "Value": v} for k, v in sorted(attributes.items())]
    return _with_tags({k: v for k, v in properties.items() if v is not None}, tags)


def rule_conditions(rule: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A described rule's conditions as a template writes them: the typed config, without the legacy Values."""
    conditions = []
    for condition in rule.get("Conditions", []):
        written = {key: value for key, value in condition.items() if key != "Values"}
        if "HostHeaderConfig" not in written and condition.get("Field") == "host-header":
            written["HostHeaderConfig"] = {"Values": list(condition.get("Values", []))}
        if "PathPatternConfig" not in written and condition.get("Field") == "path-pattern":
            written["PathPatternConfig"] = {"Values": list(condition.get("Values", []))}
        conditions.append(written)
    return conditions


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    """One forward to one target group reads as ``{"Type": "forward", "TargetGroupArn": ...}``."""
    groups = ((action.get("ForwardConfig") or {}).get("TargetGroups")) or []
    if action.get("Type") == "forward" and (action.get("TargetGroupArn") or len(groups) == 1):
        return {"Type": "forward", "TargetGroupArn": action.get("TargetGroupArn") or groups[0]["TargetGroupArn"]}
    return {key: value for key, value in action.items() if key != "Order"}


def listener_rule(rule: Mapping[str, Any], listener_arn: str, tags: Mapping[str, str]) -> Properties:
    """DescribeRules' entry -> AWS::ElasticLoadBalancingV2::ListenerRule."""
    properties: Properties = {
        "ListenerArn": listener_arn,
        "Priority": int(rule["Priority"]),
        "Conditions": rule_conditions(rule),
        "Actions": [_action(action) for action in rule.get("Actions", [])],
    }
    return _with_tags(properties, tags)


def scalable_target(target: Mapping[str, Any]) -> Properties:
    """DescribeScalableTargets' entry -> AWS::ApplicationAutoScaling::ScalableTarget (the service-linked role
    it uses by default is left out, as our templates leave it out)."""
    properties: Properties = {
        "MaxCapacity": target["MaxCapacity"],
        "MinCapacity": target["MinCapacity"],
        "ResourceId": target["ResourceId"],
        "ScalableDimension": target["ScalableDimension"],
        "ServiceNamespace": target["ServiceNamespace"],
    }
    if target.get("RoleARN") and "aws-service-role" not in target["RoleARN"]:
        properties["RoleARN"] = target["RoleARN"]
    suspended = target.get("SuspendedState") or {}
    if any(suspended.values()):
        properties["SuspendedState"] = {key: bool(value) for key, value in suspended.items()}
    return properties


def service(described: Mapping[str, Any], cluster_name: str) -> Properties:
    """DescribeServices' entry -> AWS::ECS::Service (the cluster by name, as our templates import it)."""
    properties: Properties = {
        "ServiceName": described["serviceName"],
        "Cluster": cluster_name,
        "TaskDefinition": described.get("taskDefinition"),
        "DesiredCount": described.get("desiredCount"),
    }
    if described.get("launchType"):
        properties["LaunchType"] = described["launchType"]
    if described.get("capacityProviderStrategy"):
        properties["CapacityProviderStrategy"] = [_strategy_item(i) for i in described["capacityProviderStrategy"]]
    if described.get("platformVersion"):
        properties["PlatformVersion"] = described["platformVersion"]
    network = (described.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if network:
        properties["NetworkConfiguration"] = {"AwsvpcConfiguration": _awsvpc(network)}
    if described.get("loadBalancers"):
        properties["LoadBalancers"] = [_load_balancer(lb) for lb in described["loadBalancers"]]
    if described.get("healthCheckGracePeriodSeconds") is not None and described.get("loadBalancers"):
        properties["HealthCheckGracePeriodSeconds"] = described["healthCheckGracePeriodSeconds"]
    if described.get("deploymentConfiguration"):
        properties["DeploymentConfiguration"] = _deployment(described["deploymentConfiguration"])
    properties.update(_service_flags(described))
    return _with_tags({k: v for k, v in properties.items() if v is not None}, ecs_tags(described.get("tags")))


def _service_flags(described: Mapping[str, Any]) -> Properties:
    """Settings written only when not at their default (create-only ones among them)."""
    flags: Properties = {}
    if described.get("propagateTags") not in (None, "NONE"):
        flags["PropagateTags"] = described["propagateTags"]
    if described.get("enableECSManagedTags"):
        flags["EnableECSManagedTags"] = True
    if described.get("enableExecuteCommand"):
        flags["EnableExecuteCommand"] = True
    if described.get("schedulingStrategy") not in (None, "REPLICA"):
        flags["SchedulingStrategy"] = described["schedulingStrategy"]
    if described.get("roleArn") and "aws-service-role" not in described["roleArn"]:
        flags["Role"] = described["roleArn"]
    return flags


def _awsvpc(network: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "AssignPublicIp": network.get("assignPublicIp", "DISABLED"),
        "SecurityGroups": list(network.get("securityGroups", [])),
        "Subnets": list(network.get("subnets", [])),
    }


_LOAD_BALANCER = (("ContainerName", "containerName"), ("ContainerPort", "containerPort"),
                  ("TargetGroupArn", "targetGroupArn"))  # fmt: skip


def _load_balancer(lb: Mapping[str, Any]) -> dict[str, Any]:
    return {ours: lb[theirs] for ours, theirs in _LOAD_BALANCER if lb.get(theirs) is not None}


def _deployment(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ours, theirs in (("MaximumPercent", "maximumPercent"), ("MinimumHealthyPercent", "minimumHealthyPercent")):
        if config.get(theirs) is not None:
            out[ours] = config[theirs]
    breaker = config.get("deploymentCircuitBreaker")
    if breaker:
        out["DeploymentCircuitBreaker"] = {
            "Enable": bool(breaker.get("enable")),
            "Rollback": bool(breaker.get("rollback")),
        }
    alarms = config.get("alarms")
    if alarms and alarms.get("enable"):
        out["Alarms"] = {"AlarmNames": list(alarms.get("alarmNames", [])), "Enable": True,
                         "Rollback": bool(alarms.get("rollback"))}  # fmt: skip
    return out
