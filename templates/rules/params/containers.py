"""What ECS accepts in a task definition: its size, its containers, their images, ports and start order.

CloudFormation passes a task definition through as written; ECS refuses it
at registration, or registers a task that never starts.  Every rule here
reads one service.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter

from templates.aws import fargate
from templates.params.formats import ECR_IMAGE, IMAGE_DIGEST, IMAGE_PATTERN, IMAGE_TAG
from templates.params.service import Container, Service
from templates.rules.registry import At, service_rule

ECS_QUOTAS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
CONTAINER_DEFINITION = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
CONTAINERS_PER_TASK = 10
IMAGE_REFERENCE_LENGTH = 255
_AWS_REGISTRY = re.compile(r"(^|\.)(dkr\.ecr|amazonaws\.com)")


def _containers(svc: Service) -> Iterator[tuple[str, Container]]:
    for i, container in enumerate(svc.containers):
        yield f"containers[{i}]", container


@service_rule(
    "L022",
    "cpu / memory is not a Fargate task size",
    docs="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
    limit="the Fargate size table (256 CPU: 512-2048 MiB ... 16384 CPU: 32-120 GiB)",
)
def fargate_size(svc: Service) -> Iterator[At]:
    """Fargate tasks only: on EC2 a task must fit its instance types instead (K006)."""
    if not svc.on_ec2 and not fargate.is_valid_size(svc.cpu, svc.memory):
        yield At(
            "cpu", f"cpu {svc.cpu} / memory {svc.memory} is not a Fargate size: " + fargate.describe_allowed(svc.cpu)
        )


@service_rule("L003", "more than 10 containers in one task", ECS_QUOTAS, limit="10 container definitions per task")
def containers_per_task(svc: Service) -> Iterator[At]:
    if len(svc.containers) > CONTAINERS_PER_TASK:
        message = f"{len(svc.containers)} containers; an ECS task definition holds at most {CONTAINERS_PER_TASK}"
        yield At("containers", message)


@service_rule("L023", "two containers of one task with the same name", CONTAINER_DEFINITION)
def container_names_unique(svc: Service) -> Iterator[At]:
    seen: list[str] = []
    for where, container in _containers(svc):
        if container.name in seen:
            yield At(f"{where}.name", f"duplicate container names: {container.name}")
        seen.append(container.name)


@service_rule("S015", "no essential container")
def an_essential_container(svc: Service) -> Iterator[At]:
    if not any(c.essential for c in svc.containers):
        yield At("containers", "ECS needs at least one essential container; set essential: true")


def image_problem(image: str) -> str | None:
    """What is wrong with an image reference, in words; None when Docker and ECS accept it."""
    if IMAGE_PATTERN.match(image):
        return None
    rest, _, digest = image.partition("@")
    if digest and not re.fullmatch(IMAGE_DIGEST, digest):
        return f"digest {digest!r} is not sha256: followed by 64 lowercase hex digits"
    head, _, last = rest.rpartition("/")
    repository, _, tag = last.partition(":")
    if tag and not re.fullmatch(IMAGE_TAG, tag):
        return f"tag {tag!r} may use 1-128 letters, digits, _ . - and not start with . or -"
    repository = f"{head}/{repository}" if head else repository
    if repository != repository.lower():
        return f"repository {repository!r} has uppercase letters; Docker and ECR repository names are lowercase"
    return (
        f"{image!r} is not an image reference; write [registry/]repository[:tag][@sha256:<64 hex>], "
        "repository in lowercase letters, digits and . _ - /"
    )


@service_rule("L021", "an image reference Docker and ECS do not accept", CONTAINER_DEFINITION)
def image_reference(svc: Service) -> Iterator[At]:
    for where, container in _containers(svc):
        problem = image_problem(container.image)
        if problem is not None:
            yield At(f"{where}.image", problem)


@service_rule(
    "L004",
    "the image reference ECS receives (image, or image:<image_tag>) is over 255 characters",
    CONTAINER_DEFINITION,
    limit=f"{IMAGE_REFERENCE_LENGTH} characters",
)
def image_reference_length(svc: Service) -> Iterator[At]:
    for where, c in _containers(svc):
        reference = c.image if c.has_fixed_tag else f"{c.image}:{svc.image_tag}"
        if len(reference) > IMAGE_REFERENCE_LENGTH:
            yield At(
                f"{where}.image",
                f"image reference {'with image_tag ' if not c.has_fixed_tag else ''}is {len(reference)} "
                f"characters; ECS accepts at most {IMAGE_REFERENCE_LENGTH}",
            )


@service_rule(
    "L005",
    "an image whose registry looks like ECR but is not <12-digit account>.dkr.ecr.<region>.amazonaws.com[.cn]",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html",
)
def ecr_registry(svc: Service) -> Iterator[At]:
    """Such an image gets no pull permission (the execution role can only name repositories it can parse),
    so the task would fail with AccessDenied."""
    for where, c in _containers(svc):
        registry = c.image.split("/", 1)[0] if "/" in c.image else ""
        if _AWS_REGISTRY.search(registry) and not ECR_IMAGE.match(c.image):
            yield At(
                f"{where}.image",
                f"registry {registry!r} looks like Amazon ECR but is not <12-digit account id>.dkr.ecr.<region>"
                ".amazonaws.com; the execution role could not be granted the pull",
            )


@service_rule("S032", "a container image without a tag and no image_tag to give it one")
def image_tag_given(svc: Service) -> Iterator[At]:
    if svc.image_tag is None and any(not c.has_fixed_tag for c in svc.containers):
        yield At(
            "image_tag",
            "image_tag is required when a container image has no tag (set image_tag, or write image as repository:tag)",
        )


@service_rule("L006", "untagged images of different repositories in one service (one ImageTag per service)")
def shared_image_tag(svc: Service) -> Iterator[At]:
    """A service has one ``ImageTag`` parameter (``image_tag``; CI's ``--set <service>.ImageTag=...``).

    Containers of the same repository may share it (an app and its migration
    step); a container of another repository (a sidecar) must pin its own tag
    or digest, or CI would ship the app's tag to it.
    """
    untagged = [(where, c) for where, c in _containers(svc) if not c.has_fixed_tag]
    if not untagged:
        return
    first = untagged[0][1]
    for where, c in untagged[1:]:
        if c.image != first.image:
            yield At(
                f"{where}.image",
                f"{c.image} has no tag, like {first.image} (container {first.name!r}); both would follow the one "
                f"ImageTag parameter (image_tag, and CI's --set {svc.name}.ImageTag=...), shipping one repository's "
                "tag to another: write this image as repository:tag or repository@sha256:<digest>",
            )


@service_rule(
    "L001",
    "a name in both environment and secrets of one container",
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
)
def env_secret_clash(svc: Service) -> Iterator[At]:
    for where, c in _containers(svc):
        for var in sorted(set(c.environment) & set(c.secrets)):
            yield At(
                f"{where}.secrets.{var}",
                f"{var} is also set in this container's environment; ECS refuses a name that is both an environment "
                "variable and a secret: keep one",
            )


@service_rule("S027", "a container's extra_ports without a main port, or a port listed twice")
def container_ports(svc: Service) -> Iterator[At]:
    for where, c in _containers(svc):
        if c.extra_ports and c.port is None:
            yield At(f"{where}.extra_ports", "extra_ports need a main port; set port first")
        for i, port in enumerate(c.extra_ports):
            if port in c.ports[: i + 1]:
                yield At(f"{where}.extra_ports[{i}]", f"port {port} is listed twice")


@service_rule(
    "L002",
    "two containers of one task on the same port (awsvpc: one network namespace per task)",
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html",
)
def ports_shared_across_containers(svc: Service) -> Iterator[At]:
    owner: dict[int, str] = {}
    for where, c in _containers(svc):
        keys = (["port"] if c.port is not None else []) + [f"extra_ports[{j}]" for j in range(len(c.extra_ports))]
        for key, port in zip(keys, c.ports, strict=True):
            if port in owner and owner[port] != c.name:
                yield At(
                    f"{where}.{key}",
                    f"port {port} is already used by container {owner[port]!r}; the containers of a Fargate task "
                    "share one network namespace (awsvpc), so each port can be bound once per task",
                )
            owner.setdefault(port, c.name)


@service_rule(
    "L026",
    "a container health check whose command does not start with CMD or CMD-SHELL",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html",
)
def container_health_check_command(svc: Service) -> Iterator[At]:
    for where, c in _containers(svc):
        if c.health_check is not None and c.health_check.command[0] not in ("CMD", "CMD-SHELL"):
            first = c.health_check.command[0]
            yield At(f"{where}.health_check.command", f"the first word must be CMD or CMD-SHELL, not {first!r}")


def _depends_on(svc: Service) -> Iterator[tuple[str, Container, str, str]]:
    for where, container in _containers(svc):
        for other, condition in container.depends_on.items():
            yield f"{where}.depends_on.{other}", container, other, condition


@service_rule("S011", "depends_on names an unknown container, or the container itself")
def depends_on_known(svc: Service) -> Iterator[At]:
    names = [c.name for c in svc.containers]
    for where, container, other, _ in _depends_on(svc):
        if other == container.name or other not in names:
            allowed = ", ".join(n for n in names if n != container.name) or "(no other container)"
            yield At(where, f"{other!r} is not another container of this task; allowed: {allowed}")


@service_rule("S012", "depends_on HEALTHY on a container without a health check")
def healthy_needs_a_check(svc: Service) -> Iterator[At]:
    by_name = {c.name: c for c in svc.containers}
    for where, container, other, condition in _depends_on(svc):
        known = other != container.name and other in by_name
        if condition == "HEALTHY" and known and by_name[other].health_check is None:
            yield At(where, f"HEALTHY needs a health_check on container {other!r}")


@service_rule("S013", "depends_on COMPLETE or SUCCESS on an essential container")
def exit_conditions_on_essential(svc: Service) -> Iterator[At]:
    by_name = {c.name: c for c in svc.containers}
    for where, container, other, condition in _depends_on(svc):
        known = other != container.name and other in by_name
        if condition in ("COMPLETE", "SUCCESS") and known and by_name[other].essential:
            yield At(
                where,
                f"{condition} waits for {other!r} to exit, but it is essential (its exit stops the task); "
                "set essential: false on it",
            )


@service_rule("S014", "a depends_on cycle")
def depends_on_cycle(svc: Service) -> Iterator[At]:
    try:
        TopologicalSorter({c.name: set(c.depends_on) - {c.name} for c in svc.containers}).prepare()  # self: S011
    except CycleError as exc:
        yield At("containers", "depends_on cycle: " + " -> ".join(exc.args[1]))


@service_rule("S021", "ECS Exec with a read-only root filesystem")
def exec_needs_a_writable_root(svc: Service) -> Iterator[At]:
    if not svc.ecs_exec:
        return
    readonly = [c.name for c in svc.containers if svc.is_readonly(c)]
    if readonly:
        yield At(
            "ecs_exec",
            "ECS Exec needs a writable root filesystem (its agent writes there); read-only in: "
            + ", ".join(readonly)
            + ". Turn off ecs_exec or readonly_root_filesystem",
        )
