"""Service stack: one Fargate workload (web, worker or scheduled) with its task, logs, roles and wiring.

Composed of small ``add_*`` partials, one concern each, like Copilot's
template partials: logs, IAM, task definition, security group, load
balancing, discovery, ECS service, auto scaling, DNS, schedule.  The image
tag is a parameter so CI can ship a new image as a parameter-only change set.
"""

from __future__ import annotations

from troposphere import GetAtt, Output, Ref, Split, Template, ec2, ecs
from troposphere import elasticloadbalancingv2 as elb
from troposphere import logs as cwlogs

from templates import naming
from templates.naming import ExportKey, import_value
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import EnvironmentPlan
from templates.stacks import iam
from templates.stacks.common import new_template, tags
from templates.stacks.metadata import guard_suppressions
from templates.stacks.service import capacity
from templates.stacks.service.alarms import add_deployment_alarms, needs_fixed_service_name, service_name
from templates.stacks.service.blue_green import BlueGreenParts, add_blue_green, advanced_configuration
from templates.stacks.service.discovery import add_discovery, endpoint, published_port
from templates.stacks.service.dns import add_alias_records
from templates.stacks.service.load_balancing import add_load_balancing
from templates.stacks.service.logs import add_log_group
from templates.stacks.service.outputs import add_route_outputs
from templates.stacks.service.parameters import DESIRED_COUNT_PARAM, add_parameters
from templates.stacks.service.scaling import add_autoscaling
from templates.stacks.service.scheduled import add_schedule
from templates.stacks.service.task import add_task_definition

_DESCRIPTIONS = {
    "web": "Fargate service {name}",
    "worker": "Fargate worker service {name} (no load balancer)",
    "scheduled": "Fargate scheduled task {name}",
}
_EC2_DESCRIPTIONS = {
    "web": "ECS service {name} on EC2 capacity groups ({mode})",
    "worker": "ECS worker service {name} on EC2 capacity groups ({mode}, no load balancer)",
    "scheduled": "ECS scheduled task {name} on EC2 capacity groups ({mode})",
}


def _description(svc: Service) -> str:
    if not svc.on_ec2:
        return _DESCRIPTIONS[svc.kind].format(name=svc.name)
    if svc.capacity.daemon:
        return f"ECS daemon {svc.name}: one task on every instance of {', '.join(svc.capacity.groups)}"
    return _EC2_DESCRIPTIONS[svc.kind].format(name=svc.name, mode=svc.network_mode)


def build_service(env: Environment, svc: Service, plan: EnvironmentPlan) -> Template:
    """The service's stack, its listener rules (and blue/green test rule) where the plan put them."""
    rules, green_rules = plan.routes_of(svc.name), plan.test_routes_of(svc.name)
    t = new_template(env, _description(svc))
    add_parameters(t, svc)
    log_group = add_log_group(t, env, svc)
    roles = iam.add_task_roles(t, env, svc, log_group)
    task_definition = add_task_definition(t, env, svc, log_group, roles)
    alb = plan.alb_of(svc.name)
    # Bridge-mode tasks have no network interface of their own: the instance's security group admits the ALB.
    security_group = add_task_security_group(t, env, svc, alb) if svc.network_mode == "awsvpc" else None
    security_groups = [import_value(ExportKey.SERVICE_CLIENTS_SECURITY_GROUP)]
    if security_group is not None:
        security_groups.insert(0, Ref(security_group))
    t.add_output(Output("TaskDefinitionArn", Description="Task definition revision", Value=Ref(task_definition)))
    t.add_output(Output("LogGroupName", Description="CloudWatch log group", Value=Ref(log_group)))
    if not svc.has_service:
        rule = add_schedule(t, env, svc, task_definition, security_groups, roles)
        t.add_output(
            Output("ScheduleRuleArn", Description="EventBridge rule starting the task", Value=GetAtt(rule, "Arn"))
        )
        return t
    target_group, listener_rules = add_load_balancing(t, env, svc, rules, alb)
    blue_green = None
    if svc.blue_green is not None and target_group is not None and green_rules:
        blue_green = add_blue_green(t, env, svc, target_group, listener_rules[0], green_rules[0])
    groups = [g for g in (target_group, blue_green.alternate if blue_green else None) if g is not None]
    alarms = add_deployment_alarms(t, env, svc, groups, alb)
    service = add_ecs_service(
        t,
        env,
        svc,
        task_definition,
        security_groups,
        target_group,
        listener_rules,
        log_group=log_group,
        deployment=_deployment_configuration(svc, alarms, blue_green),
        blue_green=blue_green,
    )
    add_route_outputs(t, env, svc, rules, green_rules or [])
    add_autoscaling(t, env, svc, service, target_group, listener_rules, alb)
    add_alias_records(t, svc, alb)
    t.add_output(Output("ServiceName", Description="ECS service name", Value=GetAtt(service, "Name")))
    if target_group is not None:
        t.add_output(Output("TargetGroupArn", Description="ALB target group", Value=Ref(target_group)))
    published = endpoint(env, svc)
    if published is not None:
        t.add_output(Output("DiscoveryEndpoint", Description="host:port other services call", Value=published))
    return t


def _deployment_configuration(
    svc: Service, alarms: ecs.DeploymentAlarms | None, blue_green: BlueGreenParts | None
) -> ecs.DeploymentConfiguration:
    """Circuit breaker always; deployment alarms unless turned off; blue/green strategy and bake time when set."""
    optional: dict[str, object] = {}
    if alarms is not None:
        optional["Alarms"] = alarms
    if blue_green is not None and svc.blue_green is not None:
        optional["Strategy"] = "BLUE_GREEN"
        optional["BakeTimeInMinutes"] = svc.blue_green.bake_time_minutes
    return ecs.DeploymentConfiguration(
        DeploymentCircuitBreaker=ecs.DeploymentCircuitBreaker(Enable=True, Rollback=True),
        **_deployment_bounds(svc),
        **optional,
    )


def _deployment_bounds(svc: Service) -> dict[str, int]:
    """A daemon replaces its task on each instance in place: at most 100 %, and (unless set) none kept running."""
    deployment = svc.deployment
    if not svc.capacity.daemon:
        return {"MaximumPercent": deployment.max_percent, "MinimumHealthyPercent": deployment.min_healthy_percent}
    kept = deployment.min_healthy_percent if "min_healthy_percent" in deployment.model_fields_set else 0
    return {"MaximumPercent": 100, "MinimumHealthyPercent": kept}


def _tcp_from(port: int, source: ExportKey, description: str, alb: str | None = None) -> ec2.SecurityGroupRule:
    """Ingress on one TCP port from another stack's security group (of ALB ``alb`` when given)."""
    return ec2.SecurityGroupRule(
        IpProtocol="tcp",
        FromPort=port,
        ToPort=port,
        SourceSecurityGroupId=import_value(source) if alb is None else naming.alb_import_value(alb, source),
        Description=description,
    )


# Why tasks keep open egress, written where Guard reads it (docs/security.md lists it too).
TASK_EGRESS_REASON = (
    "Tasks must reach AWS APIs (ECR, CloudWatch Logs, Secrets Manager, SSM: through NAT or VPC endpoints) and "
    "their own dependencies (databases, queues, third-party APIs), which the generator cannot know; the rule "
    "is explicit so the choice is visible. Ingress stays closed but for the ALB and service clients."
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
            **({"SecurityGroupIngress": ingress} if ingress else {}),
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="-1",
                    CidrIp="0.0.0.0/0",
                    Description="open egress, declared: AWS APIs (ECR, logs, secrets) and the app's own dependencies",
                )
            ],
            Metadata=guard_suppressions(
                ("EC2_SECURITY_GROUP_EGRESS_OPEN_TO_WORLD_RULE", TASK_EGRESS_REASON),
                ("SECURITY_GROUP_EGRESS_ALL_PROTOCOLS_RULE", TASK_EGRESS_REASON),
            ),
            Tags=tags(env, svc.name),
        )
    )


def _load_balancer_settings(
    svc: Service,
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
    blue_green: BlueGreenParts | None,
) -> dict[str, object]:
    """The service's side of the target group: which container and port, the grace period, the order."""
    if target_group is None or svc.target is None:
        return {}
    settings: dict[str, object] = {
        "LoadBalancers": [
            ecs.LoadBalancer(
                ContainerName=svc.target.name,
                ContainerPort=svc.traffic_port,
                TargetGroupArn=Ref(target_group),
                **({"AdvancedConfiguration": advanced_configuration(blue_green)} if blue_green else {}),
            )
        ],
        "HealthCheckGracePeriodSeconds": svc.health_check.grace_period,
    }
    # The target group must be attached to the listener before ECS registers targets
    # (blue/green refers to its rules already, which orders them the same way).
    if blue_green is None:
        settings["DependsOn"] = [r.title for r in listener_rules]
    return settings


def add_ecs_service(
    t: Template,
    env: Environment,
    svc: Service,
    task_definition: ecs.TaskDefinition,
    security_groups: list[object],
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
    log_group: cwlogs.LogGroup,
    deployment: ecs.DeploymentConfiguration | None = None,
    blue_green: BlueGreenParts | None = None,
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
    if needs_fixed_service_name(svc):
        optional["ServiceName"] = service_name(svc)
    if svc.scaling is None and not svc.capacity.daemon:
        optional["DesiredCount"] = Ref(DESIRED_COUNT_PARAM)
    if svc.network_mode == "awsvpc":
        optional["NetworkConfiguration"] = ecs.NetworkConfiguration(
            AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                AssignPublicIp="DISABLED",
                Subnets=Split(",", import_value(ExportKey.PRIVATE_SUBNETS)),
                SecurityGroups=security_groups,
            )
        )
    optional.update(_load_balancer_settings(svc, target_group, listener_rules, blue_green))
    if svc.ecs_exec:
        optional["EnableExecuteCommand"] = True
    if svc.names is not None and svc.names.service is not None:
        optional["ServiceName"] = svc.names.service
    return t.add_resource(
        ecs.Service(
            "Service",
            Cluster=import_value(ExportKey.CLUSTER_NAME),
            TaskDefinition=Ref(task_definition),
            **capacity.service_placement(svc),
            DeploymentConfiguration=deployment or _deployment_configuration(svc, None, None),
            PropagateTags="SERVICE",
            EnableECSManagedTags=True,
            Tags=tags(env, svc.name),
            **optional,
        )
    )
