"""Task definition: the containers, their order, checks and limits.

One task definition serves every kind (web, worker, scheduled), on Fargate or
on EC2 capacity groups (network mode awsvpc or bridge, GPUs); the image tag
is a parameter so CI ships a new image as a parameter-only change set.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Ref, Template, ecs
from troposphere import logs as cwlogs

from templates.naming import name_value
from templates.params.environment import Environment
from templates.params.formats import secret_value_from
from templates.params.service import Container, Service
from templates.stacks.common import tags
from templates.stacks.iam import TaskRoles
from templates.stacks.service.discovery import port_mapping_name
from templates.stacks.service.logs import awslogs

IMAGE_TAG_PARAM = "ImageTag"
# A parameter-only change set rolls every task (e.g. after a secret rotation): the
# nonce lands in each container's environment, so a new value is a new task definition.
REDEPLOY_NONCE_PARAM = "RedeployNonce"
REDEPLOY_NONCE_VARIABLE = "REDEPLOY_NONCE"


def uses_image_tag(svc: Service) -> bool:
    return any(not c.has_fixed_tag for c in svc.containers)


def _image(container: Container) -> object:
    if container.has_fixed_tag:
        return container.image
    return Join(":", [container.image, Ref(IMAGE_TAG_PARAM)])


def _port_mappings(svc: Service, container: Container) -> list[ecs.PortMapping]:
    """awsvpc: the container port is the task's own.  bridge: host port 0, so Docker picks a free port in the
    instance's ephemeral range and many copies of the task fit one instance (the ALB learns each port)."""
    mappings = []
    for port in container.ports:
        name = port_mapping_name(svc, container, port)
        optional: dict[str, object] = {"Name": name} if name is not None else {}
        if svc.network_mode == "bridge":
            optional["HostPort"] = 0
        mappings.append(ecs.PortMapping(ContainerPort=port, Protocol="tcp", **optional))
    return mappings


def _health_check(container: Container) -> dict[str, ecs.HealthCheck]:
    check = container.health_check
    if check is None:
        return {}
    return {
        "HealthCheck": ecs.HealthCheck(
            Command=list(check.command),
            Interval=check.interval,
            Timeout=check.timeout,
            Retries=check.retries,
            StartPeriod=check.start_period,
        )
    }


def _environment(svc: Service, container: Container) -> list[ecs.Environment]:
    variables = [ecs.Environment(Name=k, Value=v) for k, v in sorted(container.environment.items())]
    if svc.has_service:
        variables.append(ecs.Environment(Name=REDEPLOY_NONCE_VARIABLE, Value=Ref(REDEPLOY_NONCE_PARAM)))
    return variables


def container_definition(svc: Service, container: Container, log_group: cwlogs.LogGroup) -> ecs.ContainerDefinition:
    optional: dict[str, object] = _health_check(container)
    if container.command is not None:
        optional["Command"] = list(container.command)
    if container.entrypoint is not None:
        optional["EntryPoint"] = list(container.entrypoint)
    if container.depends_on:
        optional["DependsOn"] = [
            ecs.ContainerDependency(ContainerName=name, Condition=condition)
            for name, condition in container.depends_on.items()
        ]
    if svc.is_readonly(container):
        optional["ReadonlyRootFilesystem"] = True
    if svc.stop_timeout is not None:
        optional["StopTimeout"] = svc.stop_timeout
    if container.gpu is not None:  # EC2 only (K016): the GPU-optimized AMI exposes the instance's GPUs
        optional["ResourceRequirements"] = [ecs.ResourceRequirement(Type="GPU", Value=str(container.gpu))]
    return ecs.ContainerDefinition(
        Name=container.name,
        Image=_image(container),
        Essential=container.essential,
        PortMappings=_port_mappings(svc, container),
        Environment=_environment(svc, container),
        Secrets=[ecs.Secret(Name=k, ValueFrom=secret_value_from(v)) for k, v in sorted(container.secrets.items())],
        LogConfiguration=awslogs(log_group, container.name, svc.logs),
        **optional,
    )


def add_task_definition(
    t: Template, env: Environment, svc: Service, log_group: cwlogs.LogGroup, roles: TaskRoles
) -> ecs.TaskDefinition:
    optional: dict[str, object] = {}
    if roles.task is not None:
        optional["TaskRoleArn"] = GetAtt(roles.task, "Arn")
    if svc.ephemeral_storage is not None:
        optional["EphemeralStorage"] = ecs.EphemeralStorage(SizeInGiB=svc.ephemeral_storage)
    return t.add_resource(
        ecs.TaskDefinition(
            "TaskDefinition",
            Family=name_value(svc.family_text),
            Cpu=str(svc.cpu),
            Memory=str(svc.memory),
            NetworkMode=svc.network_mode,
            RequiresCompatibilities=["EC2" if svc.on_ec2 else "FARGATE"],
            RuntimePlatform=ecs.RuntimePlatform(
                OperatingSystemFamily="LINUX", CpuArchitecture=svc.architecture.upper()
            ),
            ExecutionRoleArn=GetAtt(roles.execution, "Arn"),
            ContainerDefinitions=[container_definition(svc, c, log_group) for c in svc.containers],
            Tags=tags(env, svc.name),
            **optional,
        )
    )
