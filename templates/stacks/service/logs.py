"""The service's CloudWatch log group and the awslogs settings that write to it.

Containers and the Service Connect proxy share one group, told apart by
stream prefix, so one retention setting covers everything the task prints.

The group outlives its stack by default (``logs.retain``): removing or
replacing a service must not erase the evidence of why it was removed.  A
retained group keeps its fixed name, so re-creating the same service later
needs the old group deleted (or imported) first.  The awslogs mode is
written explicitly (``logs.mode``), so AWS changing its default (non-blocking
since 2025-06-25) never changes a running service silently.
"""

from __future__ import annotations

from troposphere import Ref, Template, ecs
from troposphere import logs as cwlogs

from templates.naming import name_value
from templates.params.environment import Environment
from templates.params.releases import LogSettings
from templates.params.service import Service
from templates.stacks.common import removal_policy, tags


def add_log_group(t: Template, env: Environment, svc: Service) -> cwlogs.LogGroup:
    return t.add_resource(
        cwlogs.LogGroup(
            "LogGroup",
            LogGroupName=name_value(svc.log_group_text),
            RetentionInDays=svc.log_retention_days,
            Tags=tags(env, svc.name),
            **({"KmsKeyId": svc.log_kms_key_arn} if svc.log_kms_key_arn else {}),
            **removal_policy(svc.logs.retain),
        )
    )


def awslogs(
    log_group: cwlogs.LogGroup, stream_prefix: str, settings: LogSettings | None = None
) -> ecs.LogConfiguration:
    """awslogs options; with ``settings`` the delivery mode (and buffer) is written out, not left to AWS."""
    options: dict[str, object] = {
        "awslogs-group": Ref(log_group),
        "awslogs-region": Ref("AWS::Region"),
        "awslogs-stream-prefix": stream_prefix,
    }
    if settings is not None:
        options["mode"] = settings.mode
        if settings.mode == "non-blocking":
            options["max-buffer-size"] = settings.max_buffer_size
    return ecs.LogConfiguration(LogDriver="awslogs", Options=options)
