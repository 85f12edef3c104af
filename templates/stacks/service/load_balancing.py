"""The service's side of the shared ALB: its target group and listener rules.

Priorities come from ``routing.plan_rules`` (computed, stable); this module
only turns each planned rule into a ``ListenerRule`` on the listener that
carries the rules (``alb.rules_listener``: HTTPS with a certificate, else HTTP),
named by ``naming.listener_rule_logical_id`` after what it matches.
"""

from __future__ import annotations

from troposphere import Ref, Template
from troposphere import elasticloadbalancingv2 as elb

from templates import naming
from templates.naming import (
    ExportKey,
    alb_import_value,
    import_value,
    listener_rule_logical_id,
    target_group_logical_id,
)
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.routes import RulePlan
from templates.stacks.alb import rules_listener
from templates.stacks.common import tags


def _attributes(svc: Service) -> list[elb.TargetGroupAttribute]:
    settings = svc.target_group
    attributes = [
        elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value=str(settings.deregistration_delay))
    ]
    if settings.stickiness is not None:
        attributes += [
            elb.TargetGroupAttribute(Key="stickiness.enabled", Value="true"),
            elb.TargetGroupAttribute(Key="stickiness.type", Value="lb_cookie"),
            elb.TargetGroupAttribute(Key="stickiness.lb_cookie.duration_seconds", Value=str(settings.stickiness)),
        ]
    return attributes


def add_target_group(
    t: Template, env: Environment, svc: Service, port: int, title: str = "TargetGroup", alternate: bool = False
) -> elb.TargetGroup:
    """``title`` names the group after its ALB; ``alternate``: blue/green's second group, with the very same
    settings and no name (``names.target_group`` names the primary group, on whichever ALB: names are unique)."""
    hc = svc.health_check
    named = svc.names.target_group if svc.names is not None and not alternate else None
    return t.add_resource(
        elb.TargetGroup(
            title,
            **({"Name": named} if named else {}),
            TargetType="instance" if svc.network_mode == "bridge" else "ip",  # bridge: instance + dynamic port
            Protocol="HTTP",
            Port=svc.target_group.port or port,
            VpcId=import_value(ExportKey.VPC_ID),
            HealthCheckProtocol="HTTP",
            **({"HealthCheckPort": "traffic-port"} if svc.network_mode == "bridge" else {}),  # each target's own port
            HealthCheckPath=hc.path,
            Matcher=elb.Matcher(HttpCode=hc.matcher),
            HealthCheckIntervalSeconds=hc.interval,
            HealthCheckTimeoutSeconds=hc.timeout,
            HealthyThresholdCount=hc.healthy_threshold,
            UnhealthyThresholdCount=hc.unhealthy_threshold,
            TargetGroupAttributes=_attributes(svc),
            Tags=tags(env, svc.name),
        )
    )


def conditions(rule: RulePlan) -> list[elb.Condition]:
    conditions = []
    if rule.hosts:
        conditions.append(
            elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=list(rule.hosts)))
        )
    if rule.paths:
        conditions.append(
            elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=list(rule.paths)))
        )
    return conditions


def add_load_balancing(
    t: Template, env: Environment, svc: Service, rules: list[RulePlan], alb: str = naming.ALB
) -> tuple[elb.TargetGroup | None, list[elb.ListenerRule]]:
    """Target group and listener rules of a web service on ALB ``alb``; (None, []) for anything without routes.

    The target group's logical id names its ALB (``naming.target_group_logical_id``),
    so a service whose host moves to another ALB gets a new target group with the move.
    """
    port = svc.alb_port
    if port is None:
        return None, []
    target_group = add_target_group(t, env, svc, port, target_group_logical_id(alb))
    listener_rules = [
        t.add_resource(
            elb.ListenerRule(
                listener_rule_logical_id(rule.hosts, rule.paths),
                ListenerArn=alb_import_value(rule.alb, rules_listener(env)),
                Priority=rule.priority,
                Conditions=conditions(rule),
                Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(target_group))],
                Tags=tags(env, svc.name),
            )
        )
        for rule in rules
    ]
    return target_group, listener_rules
