"""One running ECS service (a snapshot entry of ``deployer.run.discover``) -> a params service entry.

The task definition goes through ``importer.task_definition`` (as with
``import_task.py``); around it comes what only the running service knows:
the names it lives under (service, family, log group, target group), so
every generated name equals the live one and nothing is replaced; its task
count; its routes with their live priorities, pinned; the target group's
health check and attributes; its capacity, deployment bounds, ECS Exec and
scaling; the log group's retention.  Anything the params cannot say is a
loss, one line each, never dropped silently.

Field names: ECS DescribeServices, ELB DescribeTargetGroups / DescribeRules,
CloudWatch Logs DescribeLogGroups, Application Auto Scaling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args

from importer.container_definitions import container_name
from importer.live_shapes import DESIRED_COUNT, image_tags, route_of, scaling_of, task_role_of
from importer.task_definition import Conversion, convert
from templates.params.formats import LOG_RETENTION_DAYS

# Target group attributes the params set (target_group.deregistration_delay, .stickiness), and their defaults.
MANAGED_ATTRIBUTES = ("deregistration_delay.timeout_seconds", "stickiness.enabled", "stickiness.type",
                      "stickiness.lb_cookie.duration_seconds")  # fmt: skip
RETENTIONS = get_args(LOG_RETENTION_DAYS)
SCALABLE_TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"


@dataclass
class LiveService:
    """A service entry for params, and what goes beside it: lock routes, imports, what stays, what is lost."""

    name: str
    entry: dict[str, Any]
    routes: list[tuple[dict[str, Any], str]] = field(default_factory=list)  # (route, listener ARN)
    imports: list[dict[str, Any]] = field(default_factory=list)  # {type, name, identifier} for the adoption file
    left_alone: list[str] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def convert_service(
    live: dict[str, Any], name: str, cluster: str, alb_groups: frozenset[str] = frozenset()
) -> LiveService:
    """The params entry of one running service; ``ImportRefused`` when it cannot run on Fargate at all.

    ``alb_groups``: the load balancers' security groups, the one source the stack's task security group admits.
    """
    service = live["service"]
    where = f"service {service['serviceName']}"
    conversion = convert(live["task_definition"], name)
    result = LiveService(name, conversion.service)
    result.losses += [f"{where}: {loss}" for loss in conversion.losses if not loss.startswith("taskRoleArn")]
    result.notes += [f"{where}: {note}" for note in conversion.notes if not note.startswith("logs go to a new group")]
    entry = result.entry
    names = entry.setdefault("names", {})
    names["service"] = service["serviceName"]
    _images(entry, result, where)
    _task_count(entry, live, result, where)
    _logs(entry, conversion, live, result, where)
    _placement(entry, service, result, where)
    _web(entry, live, result, where)
    role = live.get("task_role")
    if role:
        entry["task_role"], lost = task_role_of(role)
        result.losses += [f"{where}: {loss}" for loss in lost]
        result.left_alone.append(f"task role {role['arn']}: the stack's own task role takes its policies over")
    _imports_and_leftovers(live, result, cluster)
    result.losses += [f"{where}: {loss}" for loss in _other_sources(live.get("security_groups", []), alb_groups)]
    return result


def _other_sources(groups: list[dict[str, Any]], alb_groups: frozenset[str]) -> list[str]:
    """Ingress the live security groups allow from anything but the load balancer: the stack's does not."""
    losses = []
    for group in groups:
        for permission in group.get("IpPermissions", []):
            sources = [p["GroupId"] for p in permission.get("UserIdGroupPairs", []) if p["GroupId"] not in alb_groups]
            sources += [r["CidrIp"] for r in permission.get("IpRanges", [])]
            sources += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
            sources += [p["PrefixListId"] for p in permission.get("PrefixListIds", [])]
            if sources:
                ports = f"{permission.get('FromPort', 'all')}-{permission.get('ToPort', 'all')}"
                losses.append(
                    f"security group {group['GroupId']} admits {', '.join(sources)} on {permission.get('IpProtocol')} "
                    f"{ports} (the stack's task security group admits the load balancer only)"
                )
    return losses


def _images(entry: dict[str, Any], result: LiveService, where: str) -> None:
    """The live image tag becomes the stack's ImageTag parameter, so CI ships a new one as a parameter change."""
    tag, lost = image_tags(entry["containers"])
    if tag is not None:
        entry["image_tag"] = tag
    result.losses += [f"{where}: {loss}" for loss in lost]


def _task_count(entry: dict[str, Any], live: dict[str, Any], result: LiveService, where: str) -> None:
    scaling, lost, left = scaling_of(live.get("scaling") or {})
    if scaling is not None:
        entry["scaling"] = scaling
        target = next(t for t in live["scaling"]["targets"] if t["ScalableDimension"] == DESIRED_COUNT)
        identifier = {key: target[key] for key in ("ResourceId", "ScalableDimension", "ServiceNamespace")}
        name = f"scalable target of {target['ResourceId']}"
        result.imports.append({"type": SCALABLE_TARGET, "name": name, "identifier": identifier})
    else:
        entry["desired_count"] = int(live["service"].get("desiredCount", 1))
    result.losses += [f"{where}: {loss}" for loss in lost]
    result.left_alone += left


def _logs(entry: dict[str, Any], conversion: Conversion, live: dict[str, Any], result: LiveService, where: str) -> None:
    if conversion.log_group is None:
        return
    entry["names"]["log_group"] = conversion.log_group
    group = next((g for g in live.get("log_groups", []) if g["logGroupName"] == conversion.log_group), None)
    if group is None:
        result.notes.append(f"{where}: log group {conversion.log_group} does not exist yet: the stack creates it")
        return
    retention = group.get("retentionInDays")
    if retention in RETENTIONS:
        entry["log_retention_days"] = retention
        return
    kept = max(RETENTIONS) if retention is None else min(RETENTIONS, key=lambda days: abs(days - retention))
    entry["log_retention_days"] = kept
    said = "never expire" if retention is None else f"{retention} days"
    result.losses.append(
        f"{where}: log group {conversion.log_group} retention {said} (log_retention_days: {kept}, the nearest "
        "CloudWatch Logs retention the params offer)"
    )


def _placement(entry: dict[str, Any], service: dict[str, Any], result: LiveService, where: str) -> None:
    """Capacity, deployment bounds, ECS Exec; and the network settings the stacks fix."""
    strategy = service.get("capacityProviderStrategy") or []
    weights = {item["capacityProvider"]: item for item in strategy}
    if "FARGATE_SPOT" in weights:
        spot, on_demand = weights["FARGATE_SPOT"], weights.get("FARGATE", {})
        entry["capacity"] = {"spot_weight": spot.get("weight", 0), "on_demand_weight": on_demand.get("weight", 0),
                             "on_demand_base": on_demand.get("base", 0)}  # fmt: skip
    elif service.get("launchType") not in (None, "FARGATE") or set(weights) - {"FARGATE"}:
        result.losses.append(f"{where}: capacity {service.get('launchType') or list(weights)} (Fargate only here)")
    config = service.get("deploymentConfiguration") or {}
    if config.get("minimumHealthyPercent") is not None or config.get("maximumPercent") is not None:
        entry["deployment"] = {"min_healthy_percent": config.get("minimumHealthyPercent", 100),
                               "max_percent": config.get("maximumPercent", 200)}  # fmt: skip
    if service.get("enableExecuteCommand"):
        entry["ecs_exec"] = True
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    if network.get("assignPublicIp") == "ENABLED":
        result.losses.append(
            f"{where}: assignPublicIp ENABLED (tasks run without public IPs here, in the private subnets: "
            "they need NAT or VPC endpoints to pull images and write logs)"
        )
    if service.get("serviceRegistries") or service.get("serviceConnectConfiguration"):
        result.losses.append(f"{where}: service discovery registrations (set discovery: yourself)")


def _web(entry: dict[str, Any], live: dict[str, Any], result: LiveService, where: str) -> None:
    """Target group, health check and routes: the service's side of the ALB."""
    balancers = live["service"].get("loadBalancers") or []
    groups = live.get("target_groups") or []
    if not balancers or not groups:
        entry["kind"] = "worker"
        return
    entry["kind"] = "web"
    if len(balancers) > 1:
        result.losses.append(f"{where}: {len(balancers)} target groups (one per service here; the first is kept)")
    balancer, group = balancers[0], next(g for g in groups if g["TargetGroupArn"] == balancers[0]["targetGroupArn"])
    _target(entry, balancer, group, result, where)
    entry["names"]["target_group"] = group["TargetGroupName"]
    entry["health_check"] = _health_check(group, live["service"], result, where)
    entry["target_group"] = {**entry.get("target_group", {}), **_attributes(group, result, where)}
    rules = [r for r in live.get("rules", []) if _forwards_to(r, group["TargetGroupArn"])]
    if not rules:
        result.losses.append(f"{where}: target group {group['TargetGroupName']} has no listener rule (not routed)")
    for rule in sorted(rules, key=lambda r: int(r["Priority"])):
        route, lost = route_of(rule)
        result.losses += [f"{where}: rule {rule['RuleArn']}: {loss}" for loss in lost]
        if route is not None:
            result.routes.append((route, rule["ListenerArn"]))
    entry["routes"] = [route for route, _listener in result.routes]
    if not entry["routes"]:
        entry["kind"], entry["routes"] = "worker", []
        del entry["health_check"], entry["target_group"]
        result.losses.append(
            f"{where}: no rule could become a route, so it is adopted as a worker: the update detaches it from "
            f"target group {group['TargetGroupName']}, and requests to that group's rules find no target"
        )


def _target(entry: dict[str, Any], balancer: dict[str, Any], group: dict[str, Any], result: LiveService,
            where: str) -> None:  # fmt: skip
    """Which container and port the ALB reaches, and the target group's own port when it is another."""
    containers = entry["containers"]
    name, port = balancer.get("containerName"), balancer.get("containerPort")
    target = next((c for c in containers if c["name"] == container_name(str(name))), None)
    first_with_port = next((c for c in containers if c.get("port") is not None), None)
    if target is None:
        result.losses.append(f"{where}: load balancer container {name} is not in the task definition")
        return
    if target is not first_with_port:
        entry["target_container"] = target["name"]
    if port != target.get("port"):
        entry["target_port"] = port
    if group.get("Port") not in (None, port):
        entry.setdefault("target_group", {})["port"] = group["Port"]
    if group.get("Protocol") != "HTTP" or group.get("TargetType") != "ip":
        result.losses.append(
            f"{where}: target group {group['TargetGroupName']} is {group.get('Protocol')}/{group.get('TargetType')}"
            " (HTTP to IP targets here: the target group would be replaced)"
        )


def _health_check(group: dict[str, Any], service: dict[str, Any], result: LiveService, where: str) -> dict[str, Any]:
    check = {
        "path": group.get("HealthCheckPath") or "/",
        "matcher": (group.get("Matcher") or {}).get("HttpCode", "200"),
        "interval": group.get("HealthCheckIntervalSeconds", 30),
        "timeout": group.get("HealthCheckTimeoutSeconds", 5),
        "healthy_threshold": group.get("HealthyThresholdCount", 3),
        "unhealthy_threshold": group.get("UnhealthyThresholdCount", 2),
    }
    if service.get("healthCheckGracePeriodSeconds") is not None:
        check["grace_period"] = service["healthCheckGracePeriodSeconds"]
    protocol, port = group.get("HealthCheckProtocol", "HTTP"), group.get("HealthCheckPort", "traffic-port")
    if protocol != "HTTP" or port != "traffic-port":
        result.losses.append(
            f"{where}: health check {group.get('HealthCheckProtocol')} on port {group.get('HealthCheckPort')} "
            "(HTTP on the traffic port here)"
        )
    return check


def _attributes(group: dict[str, Any], result: LiveService, where: str) -> dict[str, Any]:
    attributes = group.get("Attributes") or {}
    settings: dict[str, Any] = {}
    if "deregistration_delay.timeout_seconds" in attributes:
        settings["deregistration_delay"] = int(attributes["deregistration_delay.timeout_seconds"])
    if attributes.get("stickiness.enabled") == "true":
        if attributes.get("stickiness.type") == "lb_cookie":
            settings["stickiness"] = int(attributes.get("stickiness.lb_cookie.duration_seconds", 86400))
        else:
            result.losses.append(f"{where}: stickiness {attributes.get('stickiness.type')} (lb_cookie only here)")
    return settings


def _forwards_to(rule: dict[str, Any], arn: str) -> bool:
    actions = rule.get("Actions", [])
    targets = {a.get("TargetGroupArn") for a in actions}
    targets |= {g["TargetGroupArn"] for a in actions for g in (a.get("ForwardConfig") or {}).get("TargetGroups", [])}
    return arn in targets


def _imports_and_leftovers(live: dict[str, Any], result: LiveService, cluster: str) -> None:
    """What the stack imports (for the adoption file) and what stays outside it, with what to do."""
    service, task = live["service"], live["task_definition"]["taskDefinition"]
    result.imports.append({"type": "AWS::ECS::Service", "name": f"service {service['serviceName']}",
                           "identifier": {"ServiceArn": service["serviceArn"], "Cluster": cluster}})  # fmt: skip
    for group in live.get("log_groups", []):
        result.imports.append({"type": "AWS::Logs::LogGroup", "name": group["logGroupName"],
                               "identifier": {"LogGroupName": group["logGroupName"]}})  # fmt: skip
    for group in live.get("target_groups", [])[:1] if result.routes else []:  # no route: no target group here
        result.imports.append({"type": "AWS::ElasticLoadBalancingV2::TargetGroup", "name": group["TargetGroupName"],
                               "identifier": {"TargetGroupArn": group["TargetGroupArn"]}})  # fmt: skip
    for rule in live.get("rules", []):
        if result.routes and _forwards_to(rule, live["target_groups"][0]["TargetGroupArn"]):
            result.imports.append({"type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                                   "name": f"rule at priority {rule['Priority']}",
                                   "identifier": {"RuleArn": rule["RuleArn"]}})  # fmt: skip
    result.left_alone.append(
        f"task definition {task['taskDefinitionArn']}: stays registered; the stack registers the next revision of "
        f"family {task['family']} and the service moves to it (a rolling deployment)"
    )
    if task.get("executionRoleArn"):
        result.left_alone.append(
            f"execution role {task['executionRoleArn']}: the stack's own execution role replaces it on the new "
            "revision; delete it once nothing else uses it"
        )
    for group in live.get("security_groups", []):
        result.left_alone.append(
            f"security group {group['GroupId']} ({group.get('GroupName', '')}): the service moves to the stack's own "
            "task security group (from the ALB on the target port only); delete it once nothing uses it"
        )
