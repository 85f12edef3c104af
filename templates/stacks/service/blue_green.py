"""ECS native blue/green for one web service: alternate target group, test rule, traffic-shift role.

With ``blue_green`` set, ECS (not CodeDeploy) runs the deployment: green
tasks start in the alternate target group, the test listener rule (the
route plus ``blue_green.test_header``) reaches them, production traffic
shifts at once, and blue stays for the bake time so a rollback is instant.
Both rules forward to both target groups, weights 100/0: ECS moves the weights.

ECS changes those weights outside CloudFormation, so after a deployment the
template's weights no longer match the live rule (drift, expected).
"""

from __future__ import annotations

from dataclasses import dataclass

from awacs import sts
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Ref, Template, ecs, iam
from troposphere import elasticloadbalancingv2 as elb

from templates.aws.partitions import partition
from templates.naming import alb_import_value, green_listener_rule_logical_id, target_group_logical_id
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.routes import RulePlan
from templates.stacks.alb import rules_listener
from templates.stacks.common import tags
from templates.stacks.service.load_balancing import add_target_group, conditions


@dataclass(frozen=True)
class BlueGreenParts:
    alternate: elb.TargetGroup
    production_rule: elb.ListenerRule
    test_rule: elb.ListenerRule
    role: object


def _weighted(primary: elb.TargetGroup, alternate: elb.TargetGroup) -> list[elb.ListenerRuleAction]:
    return [
        elb.ListenerRuleAction(
            Type="forward",
            ForwardConfig=elb.ForwardConfig(
                TargetGroups=[
                    elb.TargetGroupTuple(TargetGroupArn=Ref(primary), Weight=100),
                    elb.TargetGroupTuple(TargetGroupArn=Ref(alternate), Weight=0),
                ]
            ),
        )
    ]


def add_blue_green(
    t: Template,
    env: Environment,
    svc: Service,
    target_group: elb.TargetGroup,
    production_rule: elb.ListenerRule,
    green_rule: RulePlan,
) -> BlueGreenParts:
    """Alternate target group, weighted production rule, header-matched test rule and the ECS role."""
    settings = svc.blue_green
    assert settings is not None and svc.alb_port is not None  # caller checks svc.blue_green
    alternate = add_target_group(
        t, env, svc, svc.alb_port, target_group_logical_id(green_rule.alb, alternate=True), alternate=True
    )
    production_rule.Actions = _weighted(target_group, alternate)
    header = elb.Condition(
        Field="http-header",
        HttpHeaderConfig=elb.HttpHeaderConfig(
            HttpHeaderName=settings.test_header.name, Values=[settings.test_header.value]
        ),
    )
    test_rule = t.add_resource(
        elb.ListenerRule(
            green_listener_rule_logical_id(green_rule.hosts, green_rule.paths),
            ListenerArn=alb_import_value(green_rule.alb, rules_listener(env)),  # its production rule's ALB
            Priority=green_rule.priority,
            Conditions=[*conditions(green_rule), header],
            Actions=_weighted(target_group, alternate),
            Tags=tags(env, svc.name),
        )
    )
    return BlueGreenParts(alternate, production_rule, test_rule, add_blue_green_role(t, env, svc))


def advanced_configuration(parts: BlueGreenParts) -> ecs.AdvancedConfiguration:
    return ecs.AdvancedConfiguration(
        AlternateTargetGroupArn=Ref(parts.alternate),
        ProductionListenerRule=Ref(parts.production_rule),
        TestListenerRule=Ref(parts.test_rule),
        RoleArn=GetAtt(parts.role, "Arn"),
    )


# AWS managed policy holding exactly the ELB calls ECS makes to shift blue/green traffic.
ECS_LOAD_BALANCERS_POLICY = "AmazonECSInfrastructureRolePolicyForLoadBalancers"


def infrastructure_role_trust() -> PolicyDocument:
    """The trust policy AWS documents for the ECS infrastructure role for load balancers, exactly.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
    No ``aws:SourceAccount`` condition: the documented policy has none, and a
    condition the ECS service principal does not satisfy would fail the
    blue/green deployment when ECS assumes the role.
    """
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="AllowAccessToECSForInfrastructureManagement",
                Effect=Allow,
                Principal=Principal("Service", "ecs.amazonaws.com"),
                Action=[sts.AssumeRole],
            )
        ],
    )


def add_blue_green_role(t: Template, env: Environment, svc: Service) -> iam.Role:
    """The role ECS assumes to move listener rules between target groups during a blue/green deployment.

    ECS blue/green needs it (``LoadBalancer.AdvancedConfiguration.RoleArn``,
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html);
    the AWS managed policy is scoped to the ELB actions of traffic shifting.
    """
    return t.add_resource(
        iam.Role(
            "BlueGreenRole",
            Description=f"{env.project}-{env.environment} {svc.name}: ECS shifts ALB traffic for blue/green",
            AssumeRolePolicyDocument=infrastructure_role_trust(),
            ManagedPolicyArns=[f"arn:{partition(env.region)}:iam::aws:policy/{ECS_LOAD_BALANCERS_POLICY}"],
            Tags=tags(env, svc.name),
        )
    )
