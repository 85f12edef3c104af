"""What a task definition must have before it can be read field by field: names, and dependencies that exist.

ECS refuses a container without a name, an environment entry or secret
without a name, and a ``dependsOn`` naming no container of the task
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html).  Such a file
cannot be converted; each problem is one line naming the JSON field and its value, instead of a
traceback further on.
"""

from __future__ import annotations

from typing import Any


def _named(where: str, entries: Any, name_key: str, what: str) -> list[str]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [f"{where}: {entries!r} is not a list of {what}"]
    problems = []
    for j, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get(name_key):
            problems.append(
                f"{where}[{j}].{name_key} is missing (found {entry!r}): ECS needs a {name_key} for each {what}"
            )
    return problems


def _dependencies(where: str, container: dict[str, Any], names: set[str]) -> list[str]:
    problems = []
    for j, dependency in enumerate(container.get("dependsOn") or []):
        at = f"{where}.dependsOn[{j}]"
        if not isinstance(dependency, dict):
            problems.append(f"{at}: {dependency!r} is not a {{containerName, condition}} object")
            continue
        target = dependency.get("containerName")
        if not target:
            problems.append(f"{at}.containerName is missing (found {dependency!r})")
        elif target not in names:
            problems.append(
                f"{at}.containerName {target!r} names no container of this task definition "
                f"(containers: {', '.join(sorted(names)) or 'none'})"
            )
        if not dependency.get("condition"):
            problems.append(f"{at}.condition is missing (found {dependency!r}): START, COMPLETE, SUCCESS or HEALTHY")
    return problems


def structure_problems(task: dict[str, Any]) -> list[str]:
    """Every reason the container definitions cannot be read, one line each (JSON field and value)."""
    containers = task.get("containerDefinitions")
    if not isinstance(containers, list) or not containers:
        return [f"containerDefinitions: {containers!r} is not a non-empty list of container definitions"]
    problems: list[str] = []
    names = {c["name"] for c in containers if isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"]}
    for i, container in enumerate(containers):
        where = f"containerDefinitions[{i}]"
        if not isinstance(container, dict):
            problems.append(f"{where}: {container!r} is not a container definition")
            continue
        if not isinstance(container.get("name"), str) or not container["name"]:
            problems.append(
                f"{where}.name is missing (image {container.get('image')!r}): ECS needs a name for each container"
            )
        problems += _named(f"{where}.environment", container.get("environment"), "name", "environment variable")
        problems += _named(f"{where}.secrets", container.get("secrets"), "name", "secret")
        problems += _dependencies(where, container, names)
    return problems
