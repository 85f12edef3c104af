"""A cluster built the way a console tutorial builds it, with boto3 on the local endpoint.

Two services, ``auth`` and ``users``, behind one ALB: each with its own task
definition (family = service, logs in ``/ecs/<family>``), security group,
IP target group and a rule on the shared HTTPS listener matching host
``api.example.com`` and a path (``/auth*``, ``/users*``), running 2 tasks on
Fargate in the private subnets of a VPC another team made
(``tests/brownfield_world``); ``users`` scales on CPU between 2 and 4 tasks.
``adopt.py`` discovers it; the tests adopt it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from tests.brownfield_world import World, make_alb, make_vpc

ACCOUNT = "123456789012"
CLUSTER = "demo"
HOST = "api.example.com"
SERVICES = {"auth": ("/auth*", 10), "users": ("/users*", 20)}  # path pattern, rule priority
PORT = 8080
TASKS = 2
SCALED = "users"  # its task count belongs to Application Auto Scaling (2-4 tasks)


@dataclass
class Console:
    """What the tutorial made, by service: the ids a test checks before and after adoption."""

    world: World
    rules: dict[str, str] = field(default_factory=dict)
    target_groups: dict[str, str] = field(default_factory=dict)
    services: dict[str, str] = field(default_factory=dict)


def build(region: str, role: str | None = None) -> Console:
    """The console world in ``region``; ``role`` gives the auth service a (legacy) service role."""
    world = make_vpc(region, nat=True)
    make_alb(world)
    console = Console(world)
    boto3.client("ecs", region_name=region).create_cluster(clusterName=CLUSTER)
    for name, (path, priority) in SERVICES.items():
        _service(console, name, path, priority, role if name == "auth" else None)
    return console


def _service(console: Console, name: str, path: str, priority: int, role: str | None) -> None:
    world, region = console.world, console.world.region
    ecs, elbv2 = boto3.client("ecs", region_name=region), boto3.client("elbv2", region_name=region)
    logs = boto3.client("logs", region_name=region)
    logs.create_log_group(logGroupName=f"/ecs/{name}")
    logs.put_retention_policy(logGroupName=f"/ecs/{name}", retentionInDays=30)
    ecs.register_task_definition(**_task_definition(name, region))
    group = boto3.client("ec2", region_name=region).create_security_group(
        GroupName=f"{name}-sg", Description=f"{name} tasks", VpcId=world.vpc_id
    )["GroupId"]
    target = elbv2.create_target_group(
        Name=f"{name}-tg", Protocol="HTTP", Port=PORT, VpcId=world.vpc_id, TargetType="ip", HealthCheckPath="/health"
    )["TargetGroups"][0]["TargetGroupArn"]
    conditions = [
        {"Field": "host-header", "HostHeaderConfig": {"Values": [HOST]}},
        {"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}},
    ]
    rule = elbv2.create_rule(
        ListenerArn=world.alb["https_listener_arn"],
        Priority=priority,
        Conditions=conditions,
        Actions=[{"Type": "forward", "TargetGroupArn": target}],
    )["Rules"][0]["RuleArn"]
    network = {"subnets": world.private_subnets, "securityGroups": [group], "assignPublicIp": "DISABLED"}
    extra: dict[str, Any] = {"role": role} if role else {}
    service = ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=name,
        desiredCount=TASKS,
        launchType="FARGATE",
        platformVersion="LATEST",
        networkConfiguration={"awsvpcConfiguration": network},
        loadBalancers=[{"targetGroupArn": target, "containerName": name, "containerPort": PORT}],
        healthCheckGracePeriodSeconds=60,
        **extra,
    )["service"]["serviceArn"]
    console.rules[name], console.target_groups[name], console.services[name] = rule, target, service
    if name == SCALED:
        _scaling(region, name)


def _scaling(region: str, name: str) -> None:
    """The console's "service auto scaling": 2-4 tasks, target tracking on average CPU at 60%."""
    autoscaling = boto3.client("application-autoscaling", region_name=region)
    target = {"ServiceNamespace": "ecs", "ResourceId": f"service/{CLUSTER}/{name}",
              "ScalableDimension": "ecs:service:DesiredCount"}  # fmt: skip
    autoscaling.register_scalable_target(**target, MinCapacity=TASKS, MaxCapacity=4)
    metric = {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    autoscaling.put_scaling_policy(
        **target,
        PolicyName=f"{name}-cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 60.0, "PredefinedMetricSpecification": metric},
    )


def _task_definition(name: str, region: str) -> dict[str, Any]:
    """The tutorial's task definition: 0.5 vCPU / 1 GB, one container on 8080, logs to /ecs/<family>."""
    logs = {"awslogs-group": f"/ecs/{name}", "awslogs-region": region, "awslogs-stream-prefix": "ecs"}
    return {
        "family": name,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "512",
        "memory": "1024",
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole",
        "containerDefinitions": [
            {
                "name": name,
                "image": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}:1.4.2",
                "essential": True,
                "portMappings": [{"containerPort": PORT, "hostPort": PORT, "protocol": "tcp"}],
                "environment": [{"name": "NODE_ENV", "value": "production"}, {"name": "PORT", "value": str(PORT)}],
                "logConfiguration": {"logDriver": "awslogs", "options": logs},
            }
        ],
    }


def _counted(service: dict[str, Any]) -> tuple[str, int, int, str]:
    return service["serviceArn"], service["desiredCount"], service["runningCount"], service["status"]


def live(region: str) -> dict[str, Any]:
    """What must not move through adoption: each service's ARN and task counts, each rule's ARN and priority."""
    ecs, elbv2 = boto3.client("ecs", region_name=region), boto3.client("elbv2", region_name=region)
    services = ecs.describe_services(cluster=CLUSTER, services=list(SERVICES))["services"]
    listener = elbv2.describe_listeners(LoadBalancerArn=elbv2.describe_load_balancers()["LoadBalancers"][0][
        "LoadBalancerArn"])["Listeners"]  # fmt: skip
    rules = [r for ln in listener for r in elbv2.describe_rules(ListenerArn=ln["ListenerArn"])["Rules"]]
    return {
        "services": {s["serviceName"]: _counted(s) for s in services},
        "rules": sorted((r["RuleArn"], r["Priority"]) for r in rules if not r["IsDefault"]),
    }
