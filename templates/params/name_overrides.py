"""Names people depend on: optional overrides for a service's task family, log group and ECS service name.

Pipelines (``aws ecs describe-task-definition --task-definition api``),
dashboards and runbooks name these things; a team moving onto fargate-stacks
keeps them.  Without an override the name derives from the environment's
export prefix (``naming``), so a second copy of the environment under another
prefix never collides.  Overrides are literal: two copies sharing an override
would share the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Protocol

from pydantic import Field, StringConstraints, field_validator

from templates.errors import rule_violation
from templates.naming import flow_log_group_name, log_group_name, task_family
from templates.params.strict import Strict

# Families, services and clusters: up to 255 letters, digits, hyphens and underscores.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html (family)
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (serviceName)
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (clusterName)
EcsName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,255}$")]
# Log groups: 1-512 of letters, digits, _ - / . #
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
LogGroupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-/.#]{1,512}$")]


class ServiceNames(Strict):
    """Overrides of the names a service gets; each defaults to one derived from the export prefix."""

    task_family: EcsName | None = Field(
        None, description="Task definition family (default <prefix>-<service>); letters, digits, - and _, 1-255."
    )
    log_group: LogGroupName | None = Field(
        None,
        description="CloudWatch log group (default /ecs/<prefix>-<service>); 1-512 of letters, digits, _ - / . #. "
        "It must not exist yet: the stack creates it.",
    )
    service: EcsName | None = Field(
        None,
        description="ECS service name (default: CloudFormation picks a unique one); letters, digits, - and _, "
        "1-255. Setting or changing it replaces the ECS service.",
    )

    @field_validator("log_group")
    @classmethod
    def _not_reserved(cls, value: str | None) -> str | None:
        if value is not None and value.startswith("aws/"):
            raise ValueError(f"{value!r}: log group names starting with aws/ are reserved for AWS services")
        return value


class _Named(Protocol):
    names: ServiceNames | None


def check_unique(project: str, environment: str, services: Mapping[str, _Named]) -> None:
    """N001: no two services share a family, log group or service name (overrides and defaults alike).

    Two services in one family would overwrite each other's revisions; a log
    group or service name can exist once, so the second stack would fail.
    Defaults cannot clash with each other (service names are unique), so the
    error always points at an override.
    """
    seen: dict[tuple[str, str], str] = {("log_group", flow_log_group_name(project, environment)): "the flow logs"}
    for name in sorted(services):
        seen[("task_family", task_family(project, environment, name))] = f"services.{name} (its default)"
        seen[("log_group", log_group_name(project, environment, name))] = f"services.{name} (its default)"
    for name, svc in sorted(services.items()):
        names = svc.names or ServiceNames()
        chosen = {"task_family": names.task_family, "log_group": names.log_group, "service": names.service}
        for kind, value in chosen.items():
            owner = seen.get((kind, value or ""))
            if value is None or owner == f"services.{name} (its default)":
                continue
            if owner is not None:
                raise rule_violation(
                    "N001",
                    f"{kind} {value!r} is also the {kind} of {owner}; each must be unique in the environment",
                    f"services.{name}.names.{kind}",
                )
            seen[(kind, value)] = f"services.{name}"
