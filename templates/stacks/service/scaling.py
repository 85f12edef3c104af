"""Service auto scaling (Application Auto Scaling): target tracking, step scaling, schedules.

With scaling on, the scalable target owns the task count: the ECS service is
written without ``DesiredCount`` (see ``service.add_ecs_service``), so a
deploy keeps whatever count the scaler reached.  Application Auto Scaling
uses its ECS service-linked role, so no role is created here.
"""

from __future__ import annotations

from troposphere import GetAtt, Join, Ref, Template, cloudwatch, ecs
from troposphere import applicationautoscaling as aas
from troposphere import elasticloadbalancingv2 as elb

from templates import naming
from templates.naming import ExportKey, import_value, scaling_policy_name
from templates.params.capabilities import ScheduledScaling, StepAlarm, StepScaling, TargetTracking
from templates.params.environment import Environment
from templates.params.service import Service
from templates.stacks.common import tags

SCALABLE_DIMENSION = "ecs:service:DesiredCount"
_PREDEFINED = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests_per_target": "ALBRequestCountPerTarget",
}
_ECS_METRIC = {"cpu": "CPUUtilization", "memory": "MemoryUtilization"}


def add_autoscaling(
    t: Template,
    env: Environment,
    svc: Service,
    service: ecs.Service,
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
    alb: str = naming.ALB,
) -> aas.ScalableTarget | None:
    """``alb`` is the stack key of the service's ALB (request-count tracking names it)."""
    scaling = svc.scaling
    if scaling is None:
        return None
    optional: dict[str, object] = {}
    if scaling.schedules:
        optional["ScheduledActions"] = [_scheduled_action(svc, s) for s in scaling.schedules]
    target = t.add_resource(
        aas.ScalableTarget(
            "ScalableTarget",
            ServiceNamespace="ecs",
            ScalableDimension=SCALABLE_DIMENSION,
            ResourceId=Join("/", ["service", import_value(ExportKey.CLUSTER_NAME), GetAtt(service, "Name")]),
            MinCapacity=scaling.min_count,
            MaxCapacity=scaling.max_count,
            Tags=tags(env, svc.name),
            **optional,
        )
    )
    if scaling.target_tracking is not None:
        _add_target_tracking(t, svc, target, scaling.target_tracking, target_group, listener_rules, alb)
    if scaling.step is not None:
        _add_step_scaling(t, env, svc, service, target, scaling.step)
    return target


def _scheduled_action(svc: Service, schedule: ScheduledScaling) -> aas.ScheduledAction:
    bounds: dict[str, int] = {}
    if schedule.min_count is not None:
        bounds["MinCapacity"] = schedule.min_count
    if schedule.max_count is not None:
        bounds["MaxCapacity"] = schedule.max_count
    optional: dict[str, object] = {"Timezone": schedule.timezone} if schedule.timezone else {}
    return aas.ScheduledAction(
        ScheduledActionName=scaling_policy_name(svc.name, schedule.name),
        Schedule=schedule.schedule,
        ScalableTargetAction=aas.ScalableTargetAction(**bounds),
        **optional,
    )


def _add_target_tracking(
    t: Template,
    svc: Service,
    target: aas.ScalableTarget,
    tracking: TargetTracking,
    target_group: elb.TargetGroup | None,
    listener_rules: list[elb.ListenerRule],
    alb: str = naming.ALB,
) -> None:
    for metric, title in (("cpu", "Cpu"), ("memory", "Memory"), ("requests_per_target", "RequestCount")):
        value = getattr(tracking, metric)
        if value is None:
            continue
        spec: dict[str, object] = {"PredefinedMetricType": _PREDEFINED[metric]}
        optional: dict[str, object] = {}
        if metric == "requests_per_target" and target_group is not None:
            # The label names the ALB and this target group: app/<alb>/<id>/targetgroup/<tg>/<id>.
            spec["ResourceLabel"] = Join(
                "/",
                [naming.alb_import_value(alb, ExportKey.ALB_FULL_NAME), GetAtt(target_group, "TargetGroupFullName")],
            )
            # The target group must be attached to the ALB before it has request metrics.
            optional["DependsOn"] = [r.title for r in listener_rules]
        t.add_resource(
            aas.ScalingPolicy(
                f"{title}TargetTracking",
                PolicyName=scaling_policy_name(svc.name, f"{metric.replace('_', '-')}-tracking"),
                PolicyType="TargetTrackingScaling",
                ScalingTargetId=Ref(target),
                TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                    PredefinedMetricSpecification=aas.PredefinedMetricSpecification(**spec),
                    TargetValue=float(value),
                    ScaleInCooldown=tracking.scale_in_cooldown,
                    ScaleOutCooldown=tracking.scale_out_cooldown,
                ),
                **optional,
            )
        )


def _add_step_scaling(
    t: Template, env: Environment, svc: Service, service: ecs.Service, target: aas.ScalableTarget, step: StepScaling
) -> None:
    """Two policies, each fired by its own alarm: at/above scale_out adds, at/below scale_in removes."""
    for direction, alarm, sign in (("Out", step.scale_out, 1), ("In", step.scale_in, -1)):
        # Bounds are relative to the alarm threshold: "anything above" (out) or "anything below" (in).
        bound = {"MetricIntervalLowerBound": 0} if sign > 0 else {"MetricIntervalUpperBound": 0}
        policy = t.add_resource(
            aas.ScalingPolicy(
                f"StepScale{direction}Policy",
                PolicyName=scaling_policy_name(svc.name, f"{step.metric}-step-{direction.lower()}"),
                PolicyType="StepScaling",
                ScalingTargetId=Ref(target),
                StepScalingPolicyConfiguration=aas.StepScalingPolicyConfiguration(
                    AdjustmentType="ChangeInCapacity",
                    Cooldown=step.cooldown,
                    MetricAggregationType="Average",
                    StepAdjustments=[aas.StepAdjustment(ScalingAdjustment=sign * alarm.change, **bound)],
                ),
            )
        )
        t.add_resource(_alarm(f"StepScale{direction}Alarm", env, svc, service, step.metric, alarm, sign, policy))


def _alarm(
    title: str,
    env: Environment,
    svc: Service,
    service: ecs.Service,
    metric: str,
    alarm: StepAlarm,
    sign: int,
    policy: aas.ScalingPolicy,
) -> cloudwatch.Alarm:
    operator = "GreaterThanOrEqualToThreshold" if sign > 0 else "LessThanOrEqualToThreshold"
    action = f"{'+' if sign > 0 else '-'}{alarm.change} task(s)"
    return cloudwatch.Alarm(
        title,
        AlarmDescription=(
            f"{svc.name}: average {metric} {'>=' if sign > 0 else '<='} {alarm.threshold:g}% "
            f"for {alarm.evaluation_periods}x{alarm.period}s -> {action}"
        ),
        Namespace="AWS/ECS",
        MetricName=_ECS_METRIC[metric],
        Dimensions=[
            cloudwatch.MetricDimension(Name="ClusterName", Value=import_value(ExportKey.CLUSTER_NAME)),
            cloudwatch.MetricDimension(Name="ServiceName", Value=GetAtt(service, "Name")),
        ],
        Statistic="Average",
        Period=alarm.period,
        EvaluationPeriods=alarm.evaluation_periods,
        Threshold=alarm.threshold,
        ComparisonOperator=operator,
        AlarmActions=[Ref(policy)],
        Tags=tags(env, svc.name),
    )
