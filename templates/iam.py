"""IAM roles for a service, written with awacs and scoped to that service.

The execution role (used by ECS to start the task) may write only this
service's log group, pull only the ECR repositories its images name, and read
only the secrets its containers reference.
"""

from __future__ import annotations

import re

from awacs import ecr, logs, secretsmanager, ssm, sts
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import GetAtt, Ref, Sub, Template, iam
from troposphere import logs as cwlogs

from templates.common import tags
from templates.params import Environment, Service

_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)"
)


def ecr_repository_arns(svc: Service) -> list[str]:
    arns = set()
    for container in svc.containers:
        match = _ECR_IMAGE.match(container.image)
        if match:
            arns.add(f"arn:aws:ecr:{match['region']}:{match['account']}:repository/{match['repo']}")
    return sorted(arns)


def _assume_by_ecs_tasks() -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", ["ecs-tasks.amazonaws.com"]),
                Action=[sts.AssumeRole],
                Condition=Condition(StringEquals({"aws:SourceAccount": Ref("AWS::AccountId")})),
            )
        ],
    )


def add_execution_role(t: Template, env: Environment, svc: Service, log_group: cwlogs.LogGroup) -> iam.Role:
    statements = [
        Statement(
            Sid="WriteOwnLogGroup",
            Effect=Allow,
            Action=[logs.CreateLogStream, logs.PutLogEvents],
            Resource=[GetAtt(log_group, "Arn")],
        )
    ]
    repositories = ecr_repository_arns(svc)
    if repositories:
        statements += [
            # GetAuthorizationToken has no resource-level permissions: AWS requires "*".
            Statement(Sid="EcrLogin", Effect=Allow, Action=[ecr.GetAuthorizationToken], Resource=["*"]),
            Statement(
                Sid="PullOwnImages",
                Effect=Allow,
                Action=[ecr.BatchCheckLayerAvailability, ecr.GetDownloadUrlForLayer, ecr.BatchGetImage],
                Resource=repositories,
            ),
        ]
    secret_arns = [a for a in svc.secret_arns if ":secretsmanager:" in a]
    parameter_arns = [a for a in svc.secret_arns if ":ssm:" in a]
    if secret_arns:
        statements.append(
            Statement(Sid="ReadOwnSecrets", Effect=Allow, Action=[secretsmanager.GetSecretValue], Resource=secret_arns)
        )
    if parameter_arns:
        statements.append(
            Statement(Sid="ReadOwnParameters", Effect=Allow, Action=[ssm.GetParameters], Resource=parameter_arns)
        )
    return t.add_resource(
        iam.Role(
            "ExecutionRole",
            Description=Sub(f"ECS starts {svc.name} tasks with this role (${{AWS::StackName}})"),
            AssumeRolePolicyDocument=_assume_by_ecs_tasks(),
            Policies=[
                iam.Policy(
                    PolicyName="start-task",
                    PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
                )
            ],
            Tags=tags(env, svc.name),
        )
    )


def add_task_role(t: Template, env: Environment, svc: Service) -> iam.Role:
    """The application's own identity; holds no permissions until the service asks for them."""
    return t.add_resource(
        iam.Role(
            "TaskRole",
            Description=Sub(f"Identity of the {svc.name} application (${{AWS::StackName}})"),
            AssumeRolePolicyDocument=_assume_by_ecs_tasks(),
            Tags=tags(env, svc.name),
        )
    )
