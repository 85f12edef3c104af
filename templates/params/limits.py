"""AWS limits on a service's task and roles that CloudFormation accepts and ECS or IAM refuses.

Each check returns every ``Problem`` it finds (not only the first), with a
stable id, the key path, the limit and the value found; the pipeline runs
them after the models validate (``pipeline.load_environment``), so a params
file that loads also registers, starts and pulls in AWS.  docs/limits.md lists
the ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from templates.errors import Problem
from templates.params.aws_names import dns_name_problem
from templates.params.environment import Environment
from templates.params.formats import ECR_IMAGE, PARTIAL_SECRET_MARKER, arn_region
from templates.params.service import Container, Service

CONTAINERS_PER_TASK = 10
IMAGE_REFERENCE_LENGTH = 255
MANAGED_POLICIES_PER_ROLE = 10
# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_AWS_REGISTRY = re.compile(r"(^|\.)(dkr\.ecr|amazonaws\.com)")


def _containers(name: str, svc: Service) -> list[tuple[str, Container]]:
    return [(f"services.{name}.containers[{i}]", c) for i, c in enumerate(svc.containers)]


def env_secret_clash(name: str, svc: Service) -> list[Problem]:
    """L001: a name in both ``environment`` and ``secrets`` of one container; ECS refuses the task definition.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """
    return [
        Problem(
            f"{where}.secrets.{var}",
            f"{var} is also set in this container's environment; ECS refuses a name that is both an environment "
            "variable and a secret: keep one",
            "L001",
        )
        for where, c in _containers(name, svc)
        for var in sorted(set(c.environment) & set(c.secrets))
    ]


def ports_shared_across_containers(name: str, svc: Service) -> list[Problem]:
    """L002: two containers of a task on one port; in awsvpc they share one network namespace.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html
    """
    owner: dict[int, str] = {}
    problems = []
    for where, c in _containers(name, svc):
        keys = (["port"] if c.port is not None else []) + [f"extra_ports[{j}]" for j in range(len(c.extra_ports))]
        for key, port in zip(keys, c.ports, strict=True):
            if port in owner and owner[port] != c.name:
                problems.append(
                    Problem(
                        f"{where}.{key}",
                        f"port {port} is already used by container {owner[port]!r}; the containers of a Fargate task "
                        "share one network namespace (awsvpc), so each port can be bound once per task",
                        "L002",
                    )
                )
            owner.setdefault(port, c.name)
    return problems


def containers_per_task(name: str, svc: Service) -> list[Problem]:
    """L003: at most 10 container definitions per task definition.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
    """
    if len(svc.containers) <= CONTAINERS_PER_TASK:
        return []
    message = f"{len(svc.containers)} containers; an ECS task definition holds at most {CONTAINERS_PER_TASK}"
    return [Problem(f"services.{name}.containers", message, "L003")]


def image_reference_length(name: str, svc: Service) -> list[Problem]:
    """L004: the image ECS receives (``image`` or ``image:<image_tag>``) holds at most 255 characters.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    problems = []
    for where, c in _containers(name, svc):
        reference = c.image if c.has_fixed_tag else f"{c.image}:{svc.image_tag}"
        if len(reference) > IMAGE_REFERENCE_LENGTH:
            problems.append(
                Problem(
                    f"{where}.image",
                    f"image reference {'with image_tag ' if not c.has_fixed_tag else ''}is {len(reference)} "
                    f"characters; ECS accepts at most {IMAGE_REFERENCE_LENGTH}",
                    "L004",
                )
            )
    return problems


def ecr_registry(name: str, svc: Service) -> list[Problem]:
    """L005: an image from an AWS registry whose address does not parse as ``<12-digit account>.dkr.ecr.<region>``.

    Such an image gets no pull permission (the execution role can only name
    repositories it can parse), so the task would fail with AccessDenied.
    https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
    """
    problems = []
    for where, c in _containers(name, svc):
        registry = c.image.split("/", 1)[0] if "/" in c.image else ""
        if _AWS_REGISTRY.search(registry) and not ECR_IMAGE.match(c.image):
            problems.append(
                Problem(
                    f"{where}.image",
                    f"registry {registry!r} looks like Amazon ECR but is not <12-digit account id>.dkr.ecr.<region>"
                    ".amazonaws.com; the execution role could not be granted the pull",
                    "L005",
                )
            )
    return problems


def shared_image_tag(name: str, svc: Service) -> list[Problem]:
    """L006: untagged images of different repositories would all follow the service's one ImageTag.

    Design: a service has one ``ImageTag`` parameter (``image_tag``; CI's
    ``--set <service>.ImageTag=...``).  Containers of the same repository may
    share it (an app and its migration step); a container of another
    repository (a sidecar) must pin its own tag or digest, or CI would ship
    the app's tag to it.
    """
    untagged = [(where, c) for where, c in _containers(name, svc) if not c.has_fixed_tag]
    if not untagged:
        return []
    first = untagged[0][1]
    return [
        Problem(
            f"{where}.image",
            f"{c.image} has no tag, like {first.image} (container {first.name!r}); both would follow the one "
            f"ImageTag parameter (image_tag, and CI's --set {name}.ImageTag=...), shipping one repository's tag to "
            "another: write this image as repository:tag or repository@sha256:<digest>",
            "L006",
        )
        for where, c in untagged[1:]
        if c.image != first.image
    ]


def managed_policies(name: str, svc: Service) -> list[Problem]:
    """L007: IAM attaches at most 10 managed policies to a role (default quota, raisable to 20).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
    """
    arns = svc.task_role.managed_policy_arns if svc.task_role is not None else []
    if len(arns) <= MANAGED_POLICIES_PER_ROLE:
        return []
    return [
        Problem(
            f"services.{name}.task_role.managed_policy_arns",
            f"{len(arns)} managed policies; IAM attaches at most {MANAGED_POLICIES_PER_ROLE} to a role "
            "(default quota): merge some into one policy or into statements",
            "L007",
        )
    ]


def partial_secret_arns(name: str, svc: Service) -> list[Problem]:
    """L015: a Secrets Manager reference is the complete ARN, or a partial one marked ``-??????``.

    The execution role must name the secret's real ARN (``<name>-<6 random
    characters>``); guessing whether a value already ends in that suffix
    grants a non-existent ARN when the name itself ends like one.  So the rule
    is explicit: a value without the marker is the complete ARN and must end
    in the suffix; ``<name>-??????`` marks a partial ARN (IAM's own wildcard
    for it; ECS is given the name without the marker).
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
    """
    problems = []
    for where, c in _containers(name, svc):
        for var, value in sorted(c.secrets.items()):
            if ":secretsmanager:" not in value:
                continue
            arn = ":".join(value.split(":")[:7])
            if arn.endswith(PARTIAL_SECRET_MARKER) or SECRET_SUFFIX.search(arn):
                continue
            problems.append(
                Problem(
                    f"{where}.secrets.{var}",
                    f"{arn} is not a complete secret ARN (it ends in -<6 characters> Secrets Manager appends to the "
                    "name); copy the full ARN, or mark a partial one by appending -?????? to the name "
                    f"({arn}{PARTIAL_SECRET_MARKER})",
                    "L015",
                )
            )
    return problems


def secrets_kms_keys(env: Environment, name: str, svc: Service) -> list[Problem]:
    """L016: ``secrets_kms_key_arns`` in another region, or with no secrets to decrypt.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """
    problems = []
    for i, arn in enumerate(svc.secrets_kms_key_arns):
        where = f"services.{name}.secrets_kms_key_arns[{i}]"
        if arn_region(arn) != env.region:
            message = f"key is in region {arn_region(arn)}, but the secrets are read in {env.region}; they must match"
            problems.append(Problem(where, message, "L016"))
    if svc.secrets_kms_key_arns and not svc.secret_arns:
        message = "no container has secrets, so no key is needed: remove secrets_kms_key_arns or add the secrets"
        problems.append(Problem(f"services.{name}.secrets_kms_key_arns", message, "L016"))
    return problems


def dns_problems(env: Environment) -> list[Problem]:
    """L012: the Cloud Map namespace and every name published in it, as DNS names.

    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
    https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html
    """
    problems = []
    found = dns_name_problem(env.namespace, "namespace")
    if found is not None:
        problems.append(Problem("cluster.namespace", found[1], found[0]))
        return problems
    for name, svc in sorted(env.services.items()):
        published = svc.discovery_name
        if published is None or svc.discovery is None:
            continue
        found = dns_name_problem(f"{published}.{env.namespace}", f"published name {published}.<namespace>")
        if found is not None:
            key = "discovery.name" if svc.discovery.name else "discovery"
            problems.append(Problem(f"services.{name}.{key}", found[1], found[0]))
    return problems


SERVICE_CHECKS: tuple[Callable[[str, Service], list[Problem]], ...] = (
    env_secret_clash,
    ports_shared_across_containers,
    containers_per_task,
    image_reference_length,
    ecr_registry,
    shared_image_tag,
    managed_policies,
    partial_secret_arns,
)


def service_limit_problems(env: Environment) -> list[Problem]:
    """Every task and role limit broken by any service of ``env``."""
    problems: list[Problem] = []
    for name, svc in sorted(env.services.items()):
        for check in SERVICE_CHECKS:
            problems += check(name, svc)
        problems += secrets_kms_keys(env, name, svc)
    return problems + dns_problems(env)
