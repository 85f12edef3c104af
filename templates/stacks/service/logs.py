"""The service's CloudWatch log group and the awslogs settings that write to it.

Containers and the Service Connect proxy share one group, told apart by
stream prefix, so one retention setting covers everything the task prints.
"""

from __future__ import annotations

from troposphere import Ref, Template, ecs
from troposphere import logs as cwlogs

from templates.naming import name_value
from templates.params.environment import Environment
from templates.params.service import Service
from templates.stacks.common import tags


def add_log_group(t: Template, env: Environment, svc: Service) -> cwlogs.LogGroup:
    return t.add_resource(
        cwlogs.LogGroup(
            "LogGroup",
            LogGroupName=name_value(svc.log_group_text),
            RetentionInDays=svc.log_retention_days,
            Tags=tags(env, svc.name),
            **({"KmsKeyId": svc.log_kms_key_arn} if svc.log_kms_key_arn else {}),
        )
    )


def awslogs(log_group: cwlogs.LogGroup, stream_prefix: str) -> ecs.LogConfiguration:
    return ecs.LogConfiguration(
        LogDriver="awslogs",
        Options={
            "awslogs-group": Ref(log_group),
            "awslogs-region": Ref("AWS::Region"),
            "awslogs-stream-prefix": stream_prefix,
        },
    )
