"""Every Amazon ECS call: one function per API action, named after it; no decisions.

The deployer only reads ECS, to show a service stack's rollout while
CloudFormation waits for it and to name what failed (the stacks change the
services).

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html (up to 10 services a call)
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html (up to 100 tasks a call)
"""

from __future__ import annotations

from typing import Any

SERVICES_PER_CALL = 10
TASKS_PER_CALL = 100


def describe_services(ecs: Any, cluster: str, services: list[str]) -> list[dict[str, Any]]:
    """DescribeServices: up to ten services of one cluster (deployments, events, load balancers, alarms)."""
    return ecs.describe_services(cluster=cluster, services=services[:SERVICES_PER_CALL]).get("services", [])


def list_tasks(ecs: Any, cluster: str, service: str, desired_status: str = "STOPPED") -> list[str]:
    """ListTasks of one service, one page: its newest tasks in ``desired_status`` (stopped ones are kept an hour)."""
    answer = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus=desired_status)
    return answer.get("taskArns", [])


def describe_tasks(ecs: Any, cluster: str, tasks: list[str]) -> list[dict[str, Any]]:
    """DescribeTasks: up to a hundred tasks (why each stopped, each container's reason and exit code)."""
    if not tasks:
        return []
    return ecs.describe_tasks(cluster=cluster, tasks=tasks[:TASKS_PER_CALL]).get("tasks", [])
