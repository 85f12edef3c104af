"""Scheduled tasks: an EventBridge rule that starts the task on a cron or rate expression.

There is no ECS service: each run is a RunTask in the environment's cluster,
in the private subnets, with the task's own security group, on the same
capacity split a service would use.  The rule's role may start only this
task family and pass only this task's two roles (``iam.add_schedule_role``).
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Split, Template, ecs, events

from templates.naming import ExportKey, import_value
from templates.params.environment import Environment
from templates.params.service import Service
from templates.stacks.common import tags
from templates.stacks.iam import TaskRoles, add_schedule_role
from templates.stacks.service import capacity


def _run_settings(svc: Service, security_groups: list[object]) -> dict[str, object]:
    """Fargate's platform version, awsvpc's network (bridge tasks use the instance's), ECS Exec."""
    settings: dict[str, object] = {} if svc.on_ec2 else {"PlatformVersion": "LATEST"}
    if svc.network_mode == "awsvpc":
        settings["NetworkConfiguration"] = events.NetworkConfiguration(
            AwsVpcConfiguration=events.AwsVpcConfiguration(
                AssignPublicIp="DISABLED",
                Subnets=Split(",", import_value(ExportKey.PRIVATE_SUBNETS)),
                SecurityGroups=security_groups,
            )
        )
    if svc.ecs_exec:
        settings["EnableExecuteCommand"] = True
    return settings


def add_schedule(
    t: Template,
    env: Environment,
    svc: Service,
    task_definition: ecs.TaskDefinition,
    security_groups: list[object],
    roles: TaskRoles,
) -> events.Rule:
    schedule = svc.schedule
    if schedule is None:  # params guarantee a schedule for kind: scheduled
        raise ValueError(f"service {svc.name} has no schedule")
    role = add_schedule_role(t, env, svc, roles)
    return t.add_resource(
        events.Rule(
            "ScheduleRule",
            Description=f"Runs {env.project}-{env.environment} {svc.name}: {schedule.expression}",
            ScheduleExpression=schedule.expression,
            State="ENABLED" if schedule.enabled else "DISABLED",
            Tags=tags(env, svc.name),
            Targets=[
                events.Target(
                    Id="task",
                    Arn=import_value(ExportKey.CLUSTER_ARN),
                    RoleArn=GetAtt(role, "Arn"),
                    EcsParameters=events.EcsParameters(
                        TaskDefinitionArn=Ref(task_definition),
                        TaskCount=schedule.task_count,
                        CapacityProviderStrategy=capacity.strategy(svc, events.CapacityProviderStrategyItem),
                        EnableECSManagedTags=True,
                        PropagateTags="TASK_DEFINITION",
                        **_run_settings(svc, security_groups),
                    ),
                )
            ],
        )
    )
