"""Names people depend on: optional overrides for a service's task family, log group, ECS service and target group.

Pipelines (``aws ecs describe-task-definition --task-definition api``),
dashboards and runbooks name these things; a team moving onto fargate-stacks
keeps them.  Without an override the name derives from the environment's
export prefix (``naming``), so a second copy of the environment under another
prefix never collides.  Overrides are literal: two copies sharing an override
would share the name.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from pydantic import Field, StringConstraints

from templates.params.strict import Strict

# Families, services and clusters: up to 255 letters, digits, hyphens and underscores.
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html (family)
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (serviceName)
# https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (clusterName)
EcsName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,255}$")]
# Log groups: 1-512 of letters, digits, _ - / . #
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
LogGroupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-/.#]{1,512}$")]
# Target groups: 1-32 letters, digits and hyphens, not beginning or ending with a hyphen.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html (Name)
TargetGroupName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")]


class ServiceNames(Strict):
    """Overrides of the names a service gets; each defaults to one derived from the export prefix."""

    task_family: EcsName | None = Field(
        None, description="Task definition family (default <prefix>-<service>); letters, digits, - and _, 1-255."
    )
    log_group: LogGroupName | None = Field(
        None,
        description="CloudWatch log group (default /ecs/<prefix>-<service>); 1-512 of letters, digits, _ - / . #. "
        "If it exists already (retained by a teardown, or made in the console), deploy.py imports it.",
    )
    service: EcsName | None = Field(
        None,
        description="ECS service name (default: CloudFormation picks a unique one); letters, digits, - and _, "
        "1-255. Setting or changing it replaces the ECS service.",
    )
    target_group: TargetGroupName | None = Field(
        None,
        description="ALB target group name (default: CloudFormation picks a unique one); 1-32 letters, digits and "
        "hyphens. Setting or changing it replaces the target group. adopt.py sets it to keep a live one.",
    )


class _Named(Protocol):
    names: ServiceNames | None
