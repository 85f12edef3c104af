"""Service stack: one Fargate service with its task, logs, roles and routing.

Composed of small ``add_*`` partials, one concern each, like Copilot's
template partials.  The image tag is a parameter so CI can ship a new image
as a parameter-only change set.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Output, Parameter, Ref, Split, Template, ec2, ecs
from troposphere import elasticloadbalancingv2 as elb
from troposphere import logs as cwlogs

from templates import iam as service_iam
from templates.common import add_parameter_groups, new_template, tags
from templates.naming import EXPORT_PREFIX_PARAM, ExportKey, import_value, log_group_name, task_family
from templates.params import Container, Environment, Service
from templates.routing import RulePlan

IMAGE_TAG_PARAM = "ImageTag"
DESIRED_COUNT_PARAM = "DesiredCount"


def build_service(env: Environment, svc: Service, rules: list[RulePlan]) -> Template:
    """``rules`` are this service's planned listener rules (from ``routing.plan_rules``)."""
    t = new_template(env, f"Fargate service {svc.name}")
    _add_parameters(t, svc)
    log_group = t.add_resource(
        cwlogs.LogGroup(
            "LogGroup",
            LogGroupName=log_group_name(env.project, env.environment, svc.name),
            RetentionInDays=svc.log_retention_days,
            Tags=tags(env, svc.name),
        )
    )
    task_definition = add_task_definition(t, env, svc, log_group)
    security_group = add_task_security_group(t, env, svc)
    target_group, listener_rules = add_load_balancing(t, env, svc, rules)
    service = add_ecs_service(t, env, svc, task_definition, security_group, target_group, listener_rules)
    t.add_output(Output("ServiceName", Description="ECS service name", Value=GetAtt(service, "Name")))
    t.add_output(Output("TaskDefinitionArn", Description="Task definition revision", Value=Ref(task_definition)))
    t.add_output(Output("LogGroupName", Description="CloudWatch log group", Value=Ref(log_group)))
    if target_group is not None:
        t.add_output(Output("TargetGroupArn", Description="ALB target group", Value=Ref(target_group)))
    return t


def _uses_image_tag(svc: Service) -> bool:
    return any(not c.has_fixed_tag for c in svc.containers)


def _add_parameters(t: Template, svc: Service) -> None:
    deploy_params = []
    if _uses_image_tag(svc):
        t.add_parameter(
            Parameter(
                IMAGE_TAG_PARAM,
                Type="String",
                Default=svc.image_tag,
                AllowedPattern="^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
                Description="Image tag for containers whose image has no fixed tag (CI sets this).",
            )
        )
        deploy_params.append(IMAGE_TAG_PARAM)
    t.add_parameter(
        Parameter(
            DESIRED_COUNT_PARAM,
            Type="Number",
            Default=svc.desired_count,
            MinValue=0,
            Description="Number of tasks to run.",
        )
    )
    deploy_params.append(DESIRED_COUNT_PARAM)
    add_parameter_groups(
        t,
        {"Deployment": deploy_params, "Wiring": [EXPORT_PREFIX_PARAM]},
        {
            IMAGE_TAG_PARAM: "Image tag",
            DESIRED_COUNT_PARAM: "Task count",
            EXPORT_PREFIX_PARAM: "Export prefix of the environment",
        },
    )


def _image(container: Container) -> object:
    if container.has_fixed_tag:
        return container.image
    return Join(":", [container.image, Ref(IMAGE_TAG_PARAM)])


def _container_definition(container: Container, log_group: cwlogs.LogGroup) -> ecs.ContainerDefinition:
    return ecs.ContainerDefinition(
        Name=container.name,
        Image=_image(container),
        Essential=container.essential,
        PortMappings=(
            [ecs.PortMapping(ContainerPort=container.port, Protocol="tcp")] if container.port is not None else []
        ),
        Environment=[ecs.Environment(Name=k, Value=v) for k, v in sorted(container.environment.items())],
        Secrets=[ecs.Secret(Name=k, ValueFrom=v) for k, v in sorted(container.secrets.items())],
        LogConfiguration=ecs.LogConfiguration(
            LogDriver="awslogs",
            Options={
                "awslogs-group": Ref(log_group),
                "awslogs-region": Ref("AWS::Region"),
                "awslogs-stream-prefix": container.name,
            },
        ),
    )


def add_task_definition(t: Template, env: Environment, svc: Service, log_group: cwlogs.LogGroup) -> ecs.TaskDefinition:
    execution_role = service_iam.add_execution_role(t, env, svc, log_group)
    optional = {}
    if svc.task_role:
        optional["TaskRoleArn"] = GetAtt(service_iam.add_task_role(t, env, svc), "Arn")
    return t.add_resource(
        ecs.TaskDefinition(
            "TaskDefinition",
            Family=task_family(env.project, env.environment, svc.name),
            Cpu=str(svc.cpu),
            Memory=str(svc.memory),
            NetworkMode="awsvpc",
            RequiresCompatibilities=["FARGATE"],
            RuntimePlatform=ecs.RuntimePlatform(
                OperatingSystemFamily="LINUX", CpuArchitecture=svc.architecture.upper()
            ),
            ExecutionRoleArn=GetAtt(execution_role, "Arn"),
            ContainerDefinitions=[_container_definition(c, log_group) for c in svc.containers],
            Tags=tags(env, svc.name),
            **optional,
        )
    )


def add_task_security_group(t: Template, env: Environment, svc: Service) -> ec2.SecurityGroup:
    """Tasks accept traffic only from the ALB security group, on the target port."""
    ingress = []
    target = svc.target
    if svc.routes and target is not None:
        ingress.append(
            ec2.SecurityGroupRule(
                IpProtocol="tcp",
                FromPort=target.port,
                ToPort=target.port,
                SourceSecurityGroupId=import_value(ExportKey.ALB_SECURITY_GROUP),
                Description=f"{target.name}:{target.port} from the ALB only",
            )
        )
    return t.add_resource(
        ec2.SecurityGroup(
            "TaskSecurityGroup",
            GroupDescription=f"{env.project}-{env.environment} {svc.name} tasks",
            VpcId=import_value(ExportKey.VPC_ID),
            SecurityGroupIngress=ingress,
            Tags=tags(env, svc.name),
        )
    )


def add_load_balancing(
    t: Template, env: Environment, svc: Service, rules: list[RulePlan]
) -> tuple[elb.TargetGroup | None, list[elb.ListenerRule]]:
    target = svc.target
    if not rules or target is None:
        return None, []
    hc = svc.health_check
    target_group = t.add_resource(
        elb.TargetGroup(
            "TargetGroup",
            TargetType="ip",
            Protocol="HTTP",
            Port=target.port,
            VpcId=import_value(ExportKey.VPC_ID),
            HealthCheckProtocol="HTTP",
            HealthCheckPath=hc.path,
            Matcher=elb.Matcher(HttpCode=hc.matcher),
            HealthCheckIntervalSeconds=hc.interval,
            HealthCheckTimeoutSeconds=hc.timeout,
            HealthyThresholdCount=hc.healthy_threshold,
            UnhealthyThresholdCount=hc.unhealthy_threshold,
            TargetGroupAttributes=[
                elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="60"),
            ],
            Tags=tags(env, svc.name),
        )
    )
    listener_rules = []
    for rule in rules:
        conditions = []
        if rule.hosts:
            conditions.append(
                elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=list(rule.hosts)))
            )
        if rule.paths:
            conditions.append(
                elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=list(rule.paths)))
            )
        listener_rules.append(
            t.add_resource(
                elb.ListenerRule(
                    f"ListenerRule{rule.index + 1}",
                    ListenerArn=import_value(ExportKey.ROUTING_LISTENER_ARN),
                    Priority=rule.priority,
                    Conditions=conditions,
                    Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(target_group))],
                )
            )
        )
    return target_group, listener_rules


def add_ecs_service(
    t: Template,
    env: Environment,
    svc: Service,
    task_definition: ecs.TaskDefinition,
    security_group: ec2.SecurityGroup,
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
) -> ecs.Service:
    optional: dict[str, object] = {}
    if target_group is not None and svc.target is not None:
        optional["LoadBalancers"] = [
            ecs.LoadBalancer(
                ContainerName=svc.target.name, ContainerPort=svc.target.port, TargetGroupArn=Ref(target_group)
            )
        ]
        optional["HealthCheckGracePeriodSeconds"] = svc.health_check.grace_period
        # The target group must be attached to the listener before ECS registers targets.
        optional["DependsOn"] = [r.title for r in listener_rules]
    return t.add_resource(
        ecs.Service(
            "Service",
            Cluster=import_value(ExportKey.CLUSTER_NAME),
            TaskDefinition=Ref(task_definition),
            DesiredCount=Ref(DESIRED_COUNT_PARAM),
            CapacityProviderStrategy=[ecs.CapacityProviderStrategyItem(CapacityProvider="FARGATE", Weight=1)],
            PlatformVersion="LATEST",
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    AssignPublicIp="DISABLED",
                    Subnets=Split(",", import_value(ExportKey.PRIVATE_SUBNETS)),
                    SecurityGroups=[Ref(security_group)],
                )
            ),
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
                MaximumPercent=200,
                MinimumHealthyPercent=100,
            ),
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            Tags=tags(env, svc.name),
            **optional,
        )
    )
