"""IAM roles, written with awacs, each scoped to the one service or stack it serves.

The execution role (used by ECS to start the task) may write only this
service's log group, pull only the ECR repositories its images name, and read
only the secrets its containers reference.  The task role (the application's
identity) holds what params grant plus what ECS Exec needs.  A scheduled task
gets a third role for EventBridge: run this family, pass these two roles.
The VPC flow-log role may write only the flow-log group.  No statement the
generator writes uses Resource "*" unless AWS offers no resource-level
permission for its action (``security`` H001 fails generation otherwise).
Task-role statements from params are the user's own decision; an Allow on
"*" among them needs a ``reason``, recorded in the role's Metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awacs import ecr, ecs, kms, logs, secretsmanager, ssm, ssmmessages, sts
from awacs import iam as awacs_iam
from awacs.aws import (
    Action,
    Allow,
    ArnEquals,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import GetAtt, Ref, Sub, Template, iam
from troposphere import logs as cwlogs

from templates.aws.partitions import partition
from templates.naming import ExportKey, import_value
from templates.params.capabilities import PolicyStatement
from templates.params.environment import Environment
from templates.params.formats import ECR_IMAGE
from templates.params.service import Service
from templates.stacks.common import tags
from templates.stacks.metadata import guard_suppressions, metadata_kwargs, statement_reasons


def ecr_repository_arns(svc: Service) -> list[str]:
    """ARNs of the ECR repositories the service's images come from, in the registry's own partition.

    A registry in a China region (``*.amazonaws.com.cn``) is in aws-cn, a
    GovCloud one in aws-us-gov; a hard-coded ``arn:aws:`` would match no
    repository there and the pull would be denied.
    """
    arns = set()
    for container in svc.containers:
        match = ECR_IMAGE.match(container.image)
        if match:
            arns.add(
                f"arn:{partition(match['region'])}:ecr:{match['region']}:{match['account']}:repository/{match['repo']}"
            )
    return sorted(arns)


def secret_resource(value_from: str) -> str:
    """The IAM resource of a ``secrets`` value: the secret's ARN as params give it, never a guess.

    A Secrets Manager reference may end in ``:json-key:version-stage:version-id``
    to pick part of a secret; IAM only knows the secret's own ARN (7 fields).
    Params give the complete ARN (with the ``-AbCdEf`` suffix Secrets Manager
    appends) or a partial one explicitly marked ``<name>-??????``, which is
    IAM's documented pattern for it (``?`` is exactly one character): the
    resource is what the user wrote (check L015 refuses anything else).
    """
    if ":secretsmanager:" not in value_from:
        return value_from
    return ":".join(value_from.split(":")[:7])


def _assumed_by(service: str) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", [service]),
                Action=[sts.AssumeRole],
                Condition=Condition(StringEquals({"aws:SourceAccount": Ref("AWS::AccountId")})),
            )
        ],
    )


def _assume_by_ecs_tasks() -> PolicyDocument:
    return _assumed_by("ecs-tasks.amazonaws.com")


# Guard registry rules the generated roles break on purpose (docs/security.md lists each with its reason).
INLINE_POLICY_REASON = (
    "The role's policies are inline on purpose: created, scoped and deleted with the one role they serve, in "
    "place before anything can assume it (a managed policy attaches after the role exists, counts against the "
    "10 managed policies per role that task_role.managed_policy_arns uses, and holds 6,144 characters, not 10,240)."
)
WILDCARD_REASON = (
    "Resource '*' only where AWS accepts nothing else (ecr:GetAuthorizationToken, ECS Exec's ssmmessages "
    "channels) or where the params file gave a reason (StatementReasons in this Metadata); guardrail H001 "
    "fails generation on any other '*' in the roles the generator writes."
)


def _guard_metadata(statements: list[Statement], *extra: dict[str, Any]) -> dict[str, Any]:
    """The role's Metadata: its inline-policy suppression, the wildcard one when a statement needs '*'."""
    suppressions = [("IAM_NO_INLINE_POLICY_CHECK", INLINE_POLICY_REASON)]
    if any("*" in (statement.properties.get("Resource") or []) for statement in statements):
        suppressions.append(("IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE", WILDCARD_REASON))
    return metadata_kwargs(guard_suppressions(*suppressions), *extra)


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
    secret_arns = sorted({secret_resource(a) for a in svc.secret_arns if ":secretsmanager:" in a})
    parameter_arns = [a for a in svc.secret_arns if ":ssm:" in a]
    if secret_arns:
        statements.append(
            Statement(Sid="ReadOwnSecrets", Effect=Allow, Action=[secretsmanager.GetSecretValue], Resource=secret_arns)
        )
    if parameter_arns:
        statements.append(
            Statement(Sid="ReadOwnParameters", Effect=Allow, Action=[ssm.GetParameters], Resource=parameter_arns)
        )
    statements += _decrypt_secrets(env, svc, via_secrets_manager=bool(secret_arns), via_ssm=bool(parameter_arns))
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
            **_guard_metadata(statements),
        )
    )


def _decrypt_secrets(env: Environment, svc: Service, via_secrets_manager: bool, via_ssm: bool) -> list[Statement]:
    """kms:Decrypt on the customer-managed keys of the service's secrets, only when Secrets Manager or SSM asks.

    A secret or SecureString under a customer-managed key is unreadable without
    it, and the task never starts.  Scoped to the listed keys and, through
    ``kms:ViaService``, to decryptions the two services make on the role's behalf.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """
    services = (["secretsmanager"] if via_secrets_manager else []) + (["ssm"] if via_ssm else [])
    if not svc.secrets_kms_key_arns or not services:
        return []
    return [
        Statement(
            Sid="DecryptOwnSecrets",
            Effect=Allow,
            Action=[kms.Decrypt],
            Resource=list(svc.secrets_kms_key_arns),
            Condition=Condition(
                StringEquals({"kms:ViaService": [f"{name}.{env.region}.amazonaws.com" for name in services]})
            ),
        )
    ]


PARAMS_POLICY = "app"


def _params_statement(sid: str, statement: PolicyStatement) -> Statement:
    actions = [Action(*action.split(":", 1)) for action in statement.actions]
    return Statement(
        Sid=sid,
        Effect=Allow if statement.effect == "Allow" else Deny,
        Action=actions,
        Resource=list(statement.resources),
    )


def _exec_statement() -> Statement:
    # ECS Exec opens an SSM Session Manager channel from inside the task. The
    # ssmmessages channel actions have no resource-level permissions: AWS
    # requires "*" here, so this is as narrow as the statement can be.
    return Statement(
        Sid="EcsExecChannels",
        Effect=Allow,
        Action=[
            ssmmessages.CreateControlChannel,
            ssmmessages.CreateDataChannel,
            ssmmessages.OpenControlChannel,
            ssmmessages.OpenDataChannel,
        ],
        Resource=["*"],
    )


def add_task_role(t: Template, env: Environment, svc: Service) -> iam.Role:
    """The application's own identity: exactly what params grant, plus ECS Exec's channels when on.

    The reasons params give for statements (required for an Allow on ``*``)
    go into the role's Metadata beside the policy they explain, where a
    reviewer of the template sees them and guardrail H001 finds them.
    """
    params = svc.task_role
    policies = []
    optional: dict[str, object] = {}
    written: list[Statement] = []
    reasons: dict[str, str] = {}
    if params is not None and params.statements:
        sids = params.statement_ids
        statements = [_params_statement(sid, s) for sid, s in zip(sids, params.statements, strict=True)]
        written += statements
        policies.append(
            iam.Policy(
                PolicyName=PARAMS_POLICY, PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements)
            )
        )
        reasons = {sid: s.reason for sid, s in zip(sids, params.statements, strict=True) if s.reason is not None}
    if svc.ecs_exec:
        written.append(_exec_statement())
        policies.append(
            iam.Policy(
                PolicyName="ecs-exec",
                PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[_exec_statement()]),
            )
        )
    if policies:
        optional["Policies"] = policies
        optional.update(_guard_metadata(written, statement_reasons(PARAMS_POLICY, reasons) if reasons else {}))
    if params is not None and params.managed_policy_arns:
        optional["ManagedPolicyArns"] = list(params.managed_policy_arns)
    return t.add_resource(
        iam.Role(
            "TaskRole",
            Description=Sub(f"Identity of the {svc.name} application (${{AWS::StackName}})"),
            AssumeRolePolicyDocument=_assume_by_ecs_tasks(),
            Tags=tags(env, svc.name),
            **optional,
        )
    )


@dataclass(frozen=True)
class TaskRoles:
    """The roles a task definition names: ECS's (execution) and the application's (task, optional)."""

    execution: iam.Role
    task: iam.Role | None

    def arns(self) -> list[GetAtt]:
        return [GetAtt(role, "Arn") for role in (self.execution, self.task) if role is not None]


def add_task_roles(t: Template, env: Environment, svc: Service, log_group: cwlogs.LogGroup) -> TaskRoles:
    """A task role exists when params ask for one or ECS Exec needs one."""
    task = add_task_role(t, env, svc) if svc.task_role is not None or svc.ecs_exec else None
    return TaskRoles(add_execution_role(t, env, svc, log_group), task)


def add_schedule_role(t: Template, env: Environment, svc: Service, roles: TaskRoles) -> iam.Role:
    """The role EventBridge uses to start this scheduled task, and nothing else.

    RunTask is limited to this task family (any revision) in this environment's
    cluster; PassRole to exactly the task's execution and task roles, and only
    towards ECS tasks; TagResource only while creating tasks, because the rule
    propagates tags to what it starts.
    """
    family = svc.family_text  # Fn::Sub text: ${ExportPrefix} resolves inside the ARN below
    in_cluster = Condition(ArnEquals({"ecs:cluster": import_value(ExportKey.CLUSTER_ARN)}))
    statements = [
        Statement(
            Sid="RunOwnTask",
            Effect=Allow,
            Action=[ecs.RunTask],
            Resource=[
                Sub(f"arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/{family}:*")
            ],
            Condition=in_cluster,
        ),
        Statement(
            Sid="PassOwnRoles",
            Effect=Allow,
            Action=[awacs_iam.PassRole],
            Resource=roles.arns(),
            Condition=Condition(StringEquals({"iam:PassedToService": "ecs-tasks.amazonaws.com"})),
        ),
        Statement(
            Sid="TagStartedTasks",
            Effect=Allow,
            Action=[ecs.TagResource],
            Resource=[
                Sub(
                    "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${Cluster}/*",
                    Cluster=import_value(ExportKey.CLUSTER_NAME),
                )
            ],
            Condition=Condition(StringEquals({"ecs:CreateAction": "RunTask"})),
        ),
    ]
    return t.add_resource(
        iam.Role(
            "ScheduleRole",
            Description=Sub(f"EventBridge starts {svc.name} tasks with this role (${{AWS::StackName}})"),
            AssumeRolePolicyDocument=_assumed_by("events.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName="run-task",
                    PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=statements),
                )
            ],
            Tags=tags(env, svc.name),
            **_guard_metadata(statements),
        )
    )


def add_flow_logs_role(t: Template, env: Environment, log_group: cwlogs.LogGroup) -> iam.Role:
    """Lets the VPC flow-logs service write into the one log group made for it."""
    return t.add_resource(
        iam.Role(
            "FlowLogsRole",
            Description=Sub("VPC flow logs deliver to their log group with this role (${AWS::StackName})"),
            AssumeRolePolicyDocument=_assumed_by("vpc-flow-logs.amazonaws.com"),
            Policies=[
                iam.Policy(
                    PolicyName="deliver-flow-logs",
                    PolicyDocument=PolicyDocument(
                        Version="2012-10-17",
                        Statement=[
                            Statement(
                                Sid="WriteFlowLogGroup",
                                Effect=Allow,
                                Action=[logs.CreateLogStream, logs.PutLogEvents, logs.DescribeLogStreams],
                                Resource=[GetAtt(log_group, "Arn")],
                            )
                        ],
                    ),
                )
            ],
            Tags=tags(env),
            **_guard_metadata([]),
        )
    )
