"""Service stack: one Fargate workload (web, worker or scheduled) with its task, logs, roles and wiring.

Composed of small ``add_*`` partials, one concern each, like Copilot's
template partials: logs, IAM, task definition, security group, load
balancing, discovery, ECS service, auto scaling, DNS, schedule.  The image
tag is a parameter so CI can ship a new image as a parameter-only change set.
"""

from __future__ import annotations

from troposphere import GetAtt, Output, Parameter, Ref, Split, Template, ec2, ecs
from troposphere import elasticloadbalancingv2 as elb
from troposphere import logs as cwlogs

from templates import naming
from templates.naming import EXPORT_PREFIX_PARAM, ExportKey, import_value
from templates.params.environment import Environment
from templates.params.formats import IMAGE_TAG
from templates.params.service import Service
from templates.routing import RulePlan
from templates.stacks import iam
from templates.stacks.alb_shards import service_alb
from templates.stacks.common import add_parameter_groups, new_template, tags
from templates.stacks.service import capacity
from templates.stacks.service.discovery import add_discovery, endpoint, published_port
from templates.stacks.service.dns import add_alias_records
from templates.stacks.service.load_balancing import add_load_balancing
from templates.stacks.service.logs import add_log_group
from templates.stacks.service.scaling import add_autoscaling
from templates.stacks.service.scheduled import add_schedule
from templates.stacks.service.task import IMAGE_TAG_PARAM, add_task_definition, uses_image_tag

DESIRED_COUNT_PARAM = "DesiredCount"
_DESCRIPTIONS = {
    "web": "Fargate service {name}",
    "worker": "Fargate worker service {name} (no load balancer)",
    "scheduled": "Fargate scheduled task {name}",
}


def build_service(env: Environment, svc: Service, rules: list[RulePlan]) -> Template:
    """``rules`` are this service's planned listener rules (from ``routing.plan_rules``)."""
    t = new_template(env, _DESCRIPTIONS[svc.kind].format(name=svc.name))
    _add_parameters(t, svc)
    log_group = add_log_group(t, env, svc)
    roles = iam.add_task_roles(t, env, svc, log_group)
    task_definition = add_task_definition(t, env, svc, log_group, roles)
    alb = service_alb(rules)
    security_group = add_task_security_group(t, env, svc, alb)
    security_groups = [Ref(security_group), import_value(ExportKey.SERVICE_CLIENTS_SECURITY_GROUP)]
    t.add_output(Output("TaskDefinitionArn", Description="Task definition revision", Value=Ref(task_definition)))
    t.add_output(Output("LogGroupName", Description="CloudWatch log group", Value=Ref(log_group)))
    if not svc.has_service:
        rule = add_schedule(t, env, svc, task_definition, security_groups, roles)
        t.add_output(
            Output("ScheduleRuleArn", Description="EventBridge rule starting the task", Value=GetAtt(rule, "Arn"))
        )
        return t
    target_group, listener_rules = add_load_balancing(t, env, svc, rules)
    service = add_ecs_service(
        t, env, svc, task_definition, security_groups, target_group, listener_rules, log_group=log_group
    )
    add_autoscaling(t, env, svc, service, target_group, listener_rules, alb)
    add_alias_records(t, svc, alb)
    t.add_output(Output("ServiceName", Description="ECS service name", Value=GetAtt(service, "Name")))
    if target_group is not None:
        t.add_output(Output("TargetGroupArn", Description="ALB target group", Value=Ref(target_group)))
    published = endpoint(env, svc)
    if published is not None:
        t.add_output(Output("DiscoveryEndpoint", Description="host:port other services call", Value=published))
    return t


def _add_parameters(t: Template, svc: Service) -> None:
    deploy_params = []
    if uses_image_tag(svc):
        t.add_parameter(
            Parameter(
                IMAGE_TAG_PARAM,
                Type="String",
                Default=svc.image_tag,
                AllowedPattern=f"^{IMAGE_TAG}$",
                Description="Image tag for containers whose image has no fixed tag (CI sets this).",
            )
        )
        deploy_params.append(IMAGE_TAG_PARAM)
    if svc.has_service and svc.scaling is None:
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
    labels = {
        IMAGE_TAG_PARAM: "Image tag",
        DESIRED_COUNT_PARAM: "Task count",
        EXPORT_PREFIX_PARAM: "Export prefix of the environment",
    }
    add_parameter_groups(
        t,
        {"Deployment": deploy_params, "Wiring": [EXPORT_PREFIX_PARAM]}
        if deploy_params
        else {"Wiring": [EXPORT_PREFIX_PARAM]},
        {name: text for name, text in labels.items() if name in t.parameters},
    )


def _tcp_from(port: int, source: ExportKey, description: str, alb: str | None = None) -> ec2.SecurityGroupRule:
    """Ingress on one TCP port from another stack's security group (of ALB ``alb`` when given)."""
    return ec2.SecurityGroupRule(
        IpProtocol="tcp",
        FromPort=port,
        ToPort=port,
        SourceSecurityGroupId=import_value(source) if alb is None else naming.alb_import_value(alb, source),
        Description=description,
    )


def add_task_security_group(t: Template, env: Environment, svc: Service, alb: str = naming.ALB) -> ec2.SecurityGroup:
    """Tasks accept traffic from the ALB on the target port and, when published, from service clients."""
    ingress = []
    port = svc.alb_port
    if port is not None and svc.target is not None:
        description = f"{svc.target.name}:{port} from the ALB only"
        ingress.append(_tcp_from(port, ExportKey.ALB_SECURITY_GROUP, description, alb))
    published = published_port(svc)
    if published is not None:
        description = f"{svc.discovery_name}:{published} from services of this environment"
        ingress.append(_tcp_from(published, ExportKey.SERVICE_CLIENTS_SECURITY_GROUP, description))
    return t.add_resource(
        ec2.SecurityGroup(
            "TaskSecurityGroup",
            GroupDescription=f"{env.project}-{env.environment} {svc.name} tasks",
            VpcId=import_value(ExportKey.VPC_ID),
            SecurityGroupIngress=ingress,
            Tags=tags(env, svc.name),
        )
    )


def add_ecs_service(
    t: Template,
    env: Environment,
    svc: Service,
    task_definition: ecs.TaskDefinition,
    security_groups: list[object],
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
    log_group: cwlogs.LogGroup,
) -> ecs.Service:
    """The long-running service of a web or worker.

    With auto scaling, ``DesiredCount`` is left out on purpose.  CloudFormation
    documents that a service created without it starts with 1 task and that an
    update without it keeps the current count, so a deploy never resets what
    the scaler reached.  On create, registering the scalable target moves the
    count into [min_count, max_count] (RegisterScalableTarget does that for an
    active resource).  Copilot reaches the same end with a custom resource that
    reads the running count at deploy time; omission needs no Lambda.
    """
    optional: dict[str, object] = add_discovery(t, env, svc, log_group)
    if svc.scaling is None:
        optional["DesiredCount"] = Ref(DESIRED_COUNT_PARAM)
    if target_group is not None and svc.target is not None:
        optional["LoadBalancers"] = [
            ecs.LoadBalancer(
                ContainerName=svc.target.name, ContainerPort=svc.traffic_port, TargetGroupArn=Ref(target_group)
            )
        ]
        optional["HealthCheckGracePeriodSeconds"] = svc.health_check.grace_period
        # The target group must be attached to the listener before ECS registers targets.
        optional["DependsOn"] = [r.title for r in listener_rules]
    if svc.ecs_exec:
        optional["EnableExecuteCommand"] = True
    if svc.names is not None and svc.names.service is not None:
        optional["ServiceName"] = svc.names.service
    return t.add_resource(
        ecs.Service(
            "Service",
            Cluster=import_value(ExportKey.CLUSTER_NAME),
            TaskDefinition=Ref(task_definition),
            CapacityProviderStrategy=capacity.strategy(svc, ecs.CapacityProviderStrategyItem),
            PlatformVersion="LATEST",
            NetworkConfiguration=ecs.NetworkConfiguration(
                AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                    AssignPublicIp="DISABLED",
                    Subnets=Split(",", import_value(ExportKey.PRIVATE_SUBNETS)),
                    SecurityGroups=security_groups,
                )
            ),
            DeploymentConfiguration=ecs.DeploymentConfiguration(
                DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
                MaximumPercent=svc.deployment.max_percent,
                MinimumHealthyPercent=svc.deployment.min_healthy_percent,
            ),
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            Tags=tags(env, svc.name),
            **optional,
        )
    )
