"""An ECS task definition (register input or describe output) -> a params service entry.

Teams keep a ``task-definition.json`` beside each app, or read one back with
``aws ecs describe-task-definition``.  Converting it beats retyping: the
result is a ``services:`` entry that generates the equivalent Fargate task.
What has no equivalent here is never dropped silently: each such field is one
line in ``losses``, and the command exits 2 unless the user accepts the loss.
Sizes that Fargate cannot run are refused outright, with the Fargate table.

Field names follow the ECS ``RegisterTaskDefinition`` API:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
Fargate task sizes: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from importer.container_definitions import ContainerResult, container_name, convert_container
from importer.structure import structure_problems
from templates.aws import fargate

# describe-task-definition output that says nothing about the task itself.
_READ_ONLY = {
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
    "registeredBy", "deregisteredAt",
}  # fmt: skip
_HANDLED = {
    "family", "containerDefinitions", "cpu", "memory", "networkMode", "requiresCompatibilities",
    "runtimePlatform", "executionRoleArn", "ephemeralStorage",
}  # fmt: skip
DEFAULT_IMAGE_TAG = "latest"


class ImportRefused(Exception):
    """Input that cannot become a Fargate service at all (not a task definition, no Fargate size)."""


@dataclass
class Conversion:
    name: str
    service: dict[str, Any]
    losses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    family: str = ""
    log_group: str | None = None


def unwrap(document: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(task definition, tags) from register input or describe output (``{"taskDefinition": ..., "tags": ...}``)."""
    if isinstance(document, dict) and isinstance(document.get("taskDefinition"), dict):
        return document["taskDefinition"], list(document.get("tags") or [])
    if isinstance(document, dict) and isinstance(document.get("containerDefinitions"), list):
        return document, list(document.get("tags") or [])
    raise ImportRefused("not an ECS task definition: expected containerDefinitions (or taskDefinition.*) at the top")


def service_name(family: str) -> str:
    """A params service name from a family: lowercase words and hyphens, at most 24 characters."""
    name = container_name(family)[:24].rstrip("-")
    return name or "imported"


def parse_size(value: Any, unit: str) -> int | None:
    """ECS accepts "512", 512, "0.5 vCPU" and "2 GB"; returns CPU units or MiB."""
    if value is None:
        return None
    text = str(value).strip()
    match = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*{unit}", text, re.IGNORECASE)
    if match:
        return int(float(match[1]) * 1024)
    if text.isdigit():
        return int(text)
    raise ImportRefused(f"{value!r} is not a size: write it as a number, or like '1 vCPU' / '2 GB'")


def task_size(task: dict[str, Any]) -> tuple[int, int]:
    cpu, memory = parse_size(task.get("cpu"), "vCPU"), parse_size(task.get("memory"), "GB")
    if cpu is None or memory is None:
        raise ImportRefused(
            "cpu and memory at task level are required on Fargate (container-level sizes are EC2 style); "
            "add a Fargate size: " + _table()
        )
    if not fargate.is_valid_size(cpu, memory):
        raise ImportRefused(f"cpu {cpu} / memory {memory} is not a Fargate size. " + _table())
    return cpu, memory


def _table() -> str:
    return "Fargate sizes: " + "; ".join(fargate.describe_allowed(cpu) for cpu in fargate.FARGATE_SIZES)


def convert(document: Any, name: str | None = None) -> Conversion:
    task, tags = unwrap(document)
    problems = structure_problems(task)
    if problems:
        raise ImportRefused("the task definition is not one ECS accepts:\n  " + "\n  ".join(problems))
    family = str(task.get("family") or "imported")
    cpu, memory = task_size(task)
    conversion = Conversion(name or service_name(family), {"cpu": cpu, "memory": memory}, family=family)
    if task.get("family"):  # pipelines name the family (describe-task-definition, update-service): keep it
        conversion.service["names"] = {"task_family": family}
    _task_fields(task, tags, conversion)
    names = {c["name"]: container_name(c["name"]) for c in task["containerDefinitions"]}
    results = [
        convert_container(f"containerDefinitions[{i}]", c, names) for i, c in enumerate(task["containerDefinitions"])
    ]
    _containers(results, conversion)
    return conversion


def _task_fields(task: dict[str, Any], tags: list[dict[str, Any]], out: Conversion) -> None:
    svc, losses = out.service, out.losses
    mode = task.get("networkMode")
    compatibilities = task.get("requiresCompatibilities") or []
    if mode not in ("awsvpc", None) or (mode is None and "FARGATE" not in compatibilities):
        losses.append(f"networkMode: {mode or 'bridge (the EC2 default)'} (Fargate runs awsvpc only)")
    if compatibilities and "FARGATE" not in compatibilities:
        losses.append(f"requiresCompatibilities: {compatibilities} (this runs on Fargate)")
    platform = task.get("runtimePlatform") or {}
    if platform.get("operatingSystemFamily", "LINUX") != "LINUX":
        losses.append(f"runtimePlatform.operatingSystemFamily: {platform['operatingSystemFamily']} (Linux only)")
    if platform.get("cpuArchitecture") == "ARM64":
        svc["architecture"] = "arm64"
    size = (task.get("ephemeralStorage") or {}).get("sizeInGiB")
    if size:
        svc["ephemeral_storage"] = size
    if task.get("executionRoleArn"):
        out.notes.append(
            f"executionRoleArn {task['executionRoleArn']} is replaced by a generated execution role "
            "(ECR pull, logs, and exactly the secrets listed)"
        )
    for key in sorted(set(task) - _HANDLED - _READ_ONLY):
        if task[key] not in (None, [], {}, ""):
            losses.append(f"{key}: {task[key]!r} (not supported by fargate-stacks)")
    if tags:
        losses.append(f"tags: {len(tags)} tag(s) (stacks tag project, environment and service)")


def _containers(results: list[ContainerResult], out: Conversion) -> None:
    """Task-wide settings the containers carry one by one: image tag, stop timeout, log group.

    Fargate caps stopTimeout at 120 seconds:
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    out.service["containers"] = [r.container for r in results]
    placeholders = sorted({r.placeholder for r in results if r.placeholder})
    if any(not r.placeholder and ":" not in r.container["image"].rsplit("/", 1)[-1] for r in results) or placeholders:
        out.service["image_tag"] = DEFAULT_IMAGE_TAG
    if placeholders:
        out.notes.append(
            f"image tag {', '.join(placeholders)} is the ImageTag parameter now: deploy with "
            f"--set {out.name}.ImageTag=<tag> (default {DEFAULT_IMAGE_TAG!r})"
        )
    if len(placeholders) > 1:
        out.losses.append(f"image tags {', '.join(placeholders)}: one ImageTag parameter serves every container")
    timeouts = sorted({r.stop_timeout for r in results if r.stop_timeout is not None})
    if timeouts:
        out.service["stop_timeout"] = min(max(timeouts), 120)
        if len(timeouts) > 1 or timeouts[-1] > 120:
            out.losses.append(f"stopTimeout {timeouts}: one stop_timeout per service, at most 120 s on Fargate")
    _log_settings(results, out)
    groups = sorted({r.log_options["awslogs-group"] for r in results if r.log_options.get("awslogs-group")})
    out.log_group = groups[0] if groups else None
    if len(groups) > 1:
        out.losses.append(f"awslogs-group {groups}: every container of a service logs to one group")
    if out.log_group:
        out.notes.append(
            f"logs go to a new group /ecs/<prefix>-{out.name}; to keep {out.log_group}, set names.log_group: "
            f"{out.log_group} (the deploy imports the existing group into the stack)"
        )
    for r in results:
        out.losses += r.losses
        out.notes += r.notes


# awslogs options that are params keys now (logs.mode, logs.max_buffer_size), and the values params take.
LOG_MODES = ("non-blocking", "blocking")
BUFFER_SIZE = re.compile(r"^[1-9][0-9]{0,5}[kmg]?$")


def _log_settings(results: list[ContainerResult], out: Conversion) -> None:
    """awslogs ``mode`` and ``max-buffer-size`` become the service's ``logs`` block (one per service)."""
    for option, key, valid in (
        ("mode", "mode", lambda v: v in LOG_MODES),
        ("max-buffer-size", "max_buffer_size", lambda v: BUFFER_SIZE.match(v) is not None),
    ):
        values = {r.where: r.log_options[option] for r in results if option in r.log_options}
        chosen = sorted(set(values.values()))
        bad = {where: v for where, v in values.items() if not valid(v)}
        for where, value in bad.items():
            out.losses.append(f"{where}.logConfiguration.options.{option}: {value!r} (not a value logs.{key} takes)")
        good = [v for v in chosen if valid(v)]
        if good:
            out.service.setdefault("logs", {})[key] = good[0]
        if len(good) > 1:
            out.losses.append(
                f"logConfiguration.options.{option} {good}: one logs.{key} per service ({good[0]!r} kept)"
            )
