"""Every ECS call: one function per API action, named after it; no decisions.

The deployer reads ECS only to adopt what already runs (``adopt.py``) and to
find live resources a stack about to be created names (resource import):
clusters, services, task definitions and their tags.  The stacks change them.
"""

from __future__ import annotations

from typing import Any

# DescribeServices takes at most 10 services per call:
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html
SERVICES_PER_CALL = 10


def describe_clusters(ecs: Any, names: list[str]) -> list[dict[str, Any]]:
    """DescribeClusters with settings, configurations and tags: the clusters found (a missing one is not listed)."""
    return ecs.describe_clusters(clusters=names, include=["SETTINGS", "CONFIGURATIONS", "TAGS"])["clusters"]


def list_services(ecs: Any, cluster: str) -> list[str]:
    """ListServices of one cluster, every page: the services' ARNs."""
    pages = ecs.get_paginator("list_services").paginate(cluster=cluster)
    return [arn for page in pages for arn in page.get("serviceArns", [])]


def describe_services(ecs: Any, cluster: str, services: list[str]) -> list[dict[str, Any]]:
    """DescribeServices with tags, ten at a time: the services found, whatever their status."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(services), SERVICES_PER_CALL):
        batch = services[start : start + SERVICES_PER_CALL]
        found += ecs.describe_services(cluster=cluster, services=batch, include=["TAGS"])["services"]
    return found


def describe_task_definition(ecs: Any, task_definition: str) -> dict[str, Any]:
    """DescribeTaskDefinition with tags: ``{"taskDefinition": ..., "tags": [...]}``, as import_task.py reads it."""
    answer = ecs.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
    return {"taskDefinition": answer["taskDefinition"], "tags": answer.get("tags", [])}
