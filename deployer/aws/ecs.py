"""Every Amazon ECS call: one function per API action, named after it; no decisions.

The deployer only reads ECS; the stacks change it.  It reads clusters,
services, task definitions and their tags to adopt what already runs
(``adopt.py``) and to find live resources a stack about to be created names
(resource import); services and their tasks to show a service stack's
rollout while CloudFormation waits for it, and to name what failed.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html (up to 10 services a call)
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html (up to 100 tasks a call)
"""

from __future__ import annotations

from typing import Any

SERVICES_PER_CALL = 10
TASKS_PER_CALL = 100


def describe_clusters(ecs: Any, names: list[str]) -> list[dict[str, Any]]:
    """DescribeClusters with settings, configurations and tags: the clusters found (a missing one is not listed)."""
    return ecs.describe_clusters(clusters=names, include=["SETTINGS", "CONFIGURATIONS", "TAGS"])["clusters"]


def list_services(ecs: Any, cluster: str) -> list[str]:
    """ListServices of one cluster, every page: the services' ARNs."""
    pages = ecs.get_paginator("list_services").paginate(cluster=cluster)
    return [arn for page in pages for arn in page.get("serviceArns", [])]


def describe_services(ecs: Any, cluster: str, services: list[str], tags: bool = False) -> list[dict[str, Any]]:
    """DescribeServices ten at a time (with their tags when asked): deployments, events, load balancers, alarms."""
    found: list[dict[str, Any]] = []
    extra = {"include": ["TAGS"]} if tags else {}
    for start in range(0, len(services), SERVICES_PER_CALL):
        batch = services[start : start + SERVICES_PER_CALL]
        found += ecs.describe_services(cluster=cluster, services=batch, **extra).get("services", [])
    return found


def describe_task_definition(ecs: Any, task_definition: str) -> dict[str, Any]:
    """DescribeTaskDefinition with tags: ``{"taskDefinition": ..., "tags": [...]}``, as import_task.py reads it."""
    answer = ecs.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    return {"taskDefinition": answer["taskDefinition"], "tags": answer.get("tags", [])}


def list_tasks(ecs: Any, cluster: str, service: str, desired_status: str = "STOPPED") -> list[str]:
    """ListTasks of one service, one page: its newest tasks in ``desired_status`` (stopped ones are kept an hour)."""
    answer = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus=desired_status)
    return answer.get("taskArns", [])


def describe_tasks(ecs: Any, cluster: str, tasks: list[str]) -> list[dict[str, Any]]:
    """DescribeTasks: up to a hundred tasks (why each stopped, each container's reason and exit code)."""
    if not tasks:
        return []
    return ecs.describe_tasks(cluster=cluster, tasks=tasks[:TASKS_PER_CALL]).get("tasks", [])
