"""What runs in a cluster, read for ``adopt.py``: every service and what it rests on, as plain data.

Read only, and only through ``deployer/aws``: the cluster; each service; its
task definition; the target groups it registers with, their attributes and
the listener rules forwarding to them (conditions, priority, listener); the
load balancer and listener those rules sit on; the awslogs log groups; the
security groups; the task role's policies; the scalable target and scaling
policies; the VPC, subnets and route tables the tasks run in.  The answer is
a JSON-ready snapshot in the shapes the APIs answer, so ``importer.live_*``
converts it without AWS (and a snapshot saved with ``adopt.py --snapshot``
converts the same way offline).
"""

from __future__ import annotations

from typing import Any

from deployer.aws import application_autoscaling, ec2, ecs, elbv2, iam, logs
from deployer.aws.clients import Clients
from deployer.errors import UsageError

Snapshot = dict[str, Any]


def discover(clients: Clients, region: str, cluster: str, names: list[str] | None = None) -> Snapshot:
    """The snapshot of ``cluster`` and its services (all ACTIVE ones, or those named)."""
    found = ecs.describe_clusters(clients.of("ecs"), [cluster])
    if not found or found[0].get("status") != "ACTIVE":
        raise UsageError(f"--cluster {cluster}: no active ECS cluster of that name in {region}")
    arns = names if names else ecs.list_services(clients.of("ecs"), cluster)
    described = ecs.describe_services(clients.of("ecs"), cluster, list(arns), tags=True) if arns else []
    active = [s for s in described if s.get("status") == "ACTIVE"]
    missing = sorted(set(names or []) - {s["serviceName"] for s in active} - {s["serviceArn"] for s in active})
    if missing:
        raise UsageError(f"--services: no active service {', '.join(missing)} in cluster {cluster}")
    services = [_service(clients, service) for service in sorted(active, key=lambda s: s["serviceName"])]
    return {
        "region": region,
        "cluster": found[0],
        "services": services,
        "load_balancers": _load_balancers(clients, services),
        "network": _network(clients, services),
    }


def _service(clients: Clients, service: dict[str, Any]) -> dict[str, Any]:
    task = ecs.describe_task_definition(clients.of("ecs"), service["taskDefinition"])
    groups = [lb["targetGroupArn"] for lb in service.get("loadBalancers", []) if lb.get("targetGroupArn")]
    target_groups = elbv2.describe_target_groups(clients.elbv2, arns=groups) if groups else []
    tags = elbv2.describe_tags(clients.elbv2, groups) if groups else {}
    for group in target_groups:
        group["Attributes"] = elbv2.describe_target_group_attributes(clients.elbv2, group["TargetGroupArn"])
        group["Tags"] = tags.get(group["TargetGroupArn"], {})
    resource_id = f"service/{service['clusterArn'].rsplit('/', 1)[-1]}/{service['serviceName']}"
    autoscaling = clients.of("application-autoscaling")
    network = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    return {
        "service": service,
        "task_definition": task,
        "target_groups": target_groups,
        "rules": _rules(clients, target_groups),
        "log_groups": _log_groups(clients, task["taskDefinition"]),
        "security_groups": ec2.describe_security_groups(clients.of("ec2"), network["securityGroups"])
        if network.get("securityGroups")
        else [],
        "scaling": {
            "targets": application_autoscaling.describe_scalable_targets(autoscaling, resource_id),
            "policies": application_autoscaling.describe_scaling_policies(autoscaling, resource_id),
        },
        "task_role": _task_role(clients, task["taskDefinition"].get("taskRoleArn")),
    }


def _rules(clients: Clients, target_groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every listener rule forwarding to one of the target groups, with its listener."""
    ours = {group["TargetGroupArn"] for group in target_groups}
    listeners: set[str] = set()
    for group in target_groups:
        for lb in group.get("LoadBalancerArns", []):
            listeners |= {
                listener["ListenerArn"] for listener in elbv2.describe_listeners(clients.elbv2, load_balancer_arn=lb)
            }
    found = []
    for listener in sorted(listeners):
        for rule in elbv2.describe_rules(clients.elbv2, listener_arn=listener):
            forwards = {a.get("TargetGroupArn") for a in rule.get("Actions", [])}
            forwards |= {g["TargetGroupArn"] for a in rule.get("Actions", []) for g in
                         (a.get("ForwardConfig") or {}).get("TargetGroups", [])}  # fmt: skip
            if not rule.get("IsDefault") and forwards & ours:
                found.append({**rule, "ListenerArn": listener})
    tags = elbv2.describe_tags(clients.elbv2, [r["RuleArn"] for r in found]) if found else {}
    return [{**rule, "Tags": tags.get(rule["RuleArn"], {})} for rule in found]


def _log_groups(clients: Clients, task: dict[str, Any]) -> list[dict[str, Any]]:
    names = {
        (c.get("logConfiguration") or {}).get("options", {}).get("awslogs-group")
        for c in task.get("containerDefinitions", [])
    }
    found = []
    for name in sorted(n for n in names if n):
        for group in logs.describe_log_groups(clients.of("logs"), name):
            if group["logGroupName"] == name:
                found.append({**group, "tags": logs.list_tags_for_resource(clients.of("logs"), group["arn"])})
    return found


def _task_role(clients: Clients, arn: str | None) -> dict[str, Any] | None:
    """The task role's inline policy documents and attached policy ARNs (a role by path: its last name)."""
    if not arn:
        return None
    name = arn.rsplit("/", 1)[-1]
    client = clients.of("iam")
    inline = {policy: iam.get_role_policy(client, name, policy) for policy in iam.list_role_policies(client, name)}
    return {"arn": arn, "inline": inline, "managed": iam.list_attached_role_policies(client, name)}


def _load_balancers(clients: Clients, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The load balancers behind the services' rules, with their listeners."""
    arns = sorted({lb for s in services for g in s["target_groups"] for lb in g.get("LoadBalancerArns", [])})
    if not arns:
        return []
    described = elbv2.describe_load_balancers(clients.elbv2, arns)
    return [
        {**lb, "Listeners": elbv2.describe_listeners(clients.elbv2, load_balancer_arn=lb["LoadBalancerArn"])}
        for lb in described
    ]


def _network(clients: Clients, services: list[dict[str, Any]]) -> dict[str, Any]:
    """The VPC, the tasks' subnets and every route table of the VPC (a subnet without one uses the main table)."""
    subnet_ids = sorted({subnet for s in services for subnet in
                         ((s["service"].get("networkConfiguration") or {}).get("awsvpcConfiguration") or {})
                         .get("subnets", [])})  # fmt: skip
    if not subnet_ids:
        return {}
    client = clients.of("ec2")
    subnets = ec2.describe_subnets(client, subnet_ids)
    vpc_id = subnets[0]["VpcId"] if subnets else ""
    return {
        "vpc": (ec2.describe_vpcs(client, vpc_id) or [{}])[0],
        "subnets": subnets,
        "route_tables": ec2.describe_route_tables(client, vpc_id),
    }
