"""Deployment alarms: CloudWatch alarms ECS watches while a deployment runs, and rolls back on.

The circuit breaker only sees tasks that fail to start or stay unhealthy; a
release that starts fine and then answers 500s, or a worker that spins its
CPU, passes it.  These alarms close that gap (``DeploymentConfiguration.Alarms``).

* web: target 5xx responses (sum) and unhealthy hosts (maximum) of the
  service's target group(s).  With blue/green the alarm watches both target
  groups through metric math, since ECS swaps which one serves production on
  every deployment.  The ``LoadBalancer`` dimension is the ALB the service's
  rules are on (``plan.alb_of``): ELB publishes a target group's metrics only
  under the load balancer it belongs to
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html),
  so an alarm naming another ALB never sees a datapoint and never fires.
* worker: average CPU and memory utilisation of the ECS service (no target
  group).  Those metrics are keyed by service name, so a worker's ECS service
  gets a fixed name (``names.service``, else ``naming.prefixed_service_name``).

Missing data is "not breaching": a quiet service must not block its own deploy.
"""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Ref, Template, cloudwatch, ecs
from troposphere import elasticloadbalancingv2 as elb

from templates import naming
from templates.naming import ExportKey, import_value, name_value, prefixed_deployment_alarm, prefixed_service_name
from templates.params.environment import Environment
from templates.params.releases import AlarmSettings
from templates.params.service import Service
from templates.stacks.common import tags
from templates.stacks.metadata import guard_suppressions


@dataclass(frozen=True)
class _Metric:
    purpose: str
    namespace: str
    name: str
    statistic: str
    description: str


_TARGET_5XX = _Metric("target-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "5xx from the targets")
_UNHEALTHY = _Metric("unhealthy-hosts", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", "unhealthy targets")
_CPU = _Metric("cpu-high", "AWS/ECS", "CPUUtilization", "Average", "average CPU (%)")
_MEMORY = _Metric("memory-high", "AWS/ECS", "MemoryUtilization", "Average", "average memory (%)")


# Why a deployment alarm has no action (docs/security.md lists it with the other Guard suppressions).
DEPLOYMENT_ALARM_REASON = (
    "A deployment alarm acts through ECS, not through an alarm action: the service's DeploymentAlarms name it, "
    "ECS watches its state during a deployment and rolls the deployment back when it fires."
)


def _common(env: Environment, svc: Service, metric: _Metric, settings: AlarmSettings) -> dict[str, object]:
    return {
        "AlarmName": name_value(prefixed_deployment_alarm(svc.name, metric.purpose)),
        "AlarmDescription": f"Stops and rolls back a deployment of {svc.name}: {metric.description} "
        f">= {settings.threshold:g} for {settings.evaluation_periods}x{settings.period} s",
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "Threshold": settings.threshold,
        "EvaluationPeriods": settings.evaluation_periods,
        "DatapointsToAlarm": settings.evaluation_periods,
        "TreatMissingData": "notBreaching",
        "Tags": tags(env, svc.name),
        "Metadata": guard_suppressions(("CLOUDWATCH_ALARM_ACTION_CHECK", DEPLOYMENT_ALARM_REASON)),
    }


def _target_group_alarm(
    t: Template,
    env: Environment,
    svc: Service,
    metric: _Metric,
    settings: AlarmSettings,
    target_groups: list[elb.TargetGroup],
    alb: str,
) -> cloudwatch.Alarm:
    def stat(i: int, group: elb.TargetGroup) -> cloudwatch.MetricDataQuery:
        return cloudwatch.MetricDataQuery(
            Id=f"m{i}",
            ReturnData=len(target_groups) == 1,
            MetricStat=cloudwatch.MetricStat(
                Metric=cloudwatch.Metric(
                    Namespace=metric.namespace,
                    MetricName=metric.name,
                    Dimensions=[
                        cloudwatch.MetricDimension(
                            Name="LoadBalancer", Value=naming.alb_import_value(alb, ExportKey.ALB_FULL_NAME)
                        ),
                        cloudwatch.MetricDimension(Name="TargetGroup", Value=GetAtt(group, "TargetGroupFullName")),
                    ],
                ),
                Period=settings.period,
                Stat=metric.statistic,
            ),
        )

    queries = [stat(i, group) for i, group in enumerate(target_groups)]
    if len(target_groups) > 1:
        combine = "SUM" if metric.statistic == "Sum" else "MAX"
        terms = ", ".join(f"FILL(m{i}, 0)" for i in range(len(target_groups)))
        queries.append(cloudwatch.MetricDataQuery(Id="total", Expression=f"{combine}([{terms}])", ReturnData=True))
    return t.add_resource(
        cloudwatch.Alarm(
            "DeployAlarm" + metric.purpose.title().replace("-", ""),
            Metrics=queries,
            **_common(env, svc, metric, settings),
        )
    )


def _service_alarm(
    t: Template, env: Environment, svc: Service, metric: _Metric, settings: AlarmSettings
) -> cloudwatch.Alarm:
    return t.add_resource(
        cloudwatch.Alarm(
            "DeployAlarm" + metric.purpose.title().replace("-", ""),
            Namespace=metric.namespace,
            MetricName=metric.name,
            Dimensions=[
                cloudwatch.MetricDimension(Name="ClusterName", Value=import_value(ExportKey.CLUSTER_NAME)),
                cloudwatch.MetricDimension(Name="ServiceName", Value=service_name(svc)),
            ],
            Statistic=metric.statistic,
            Period=settings.period,
            **_common(env, svc, metric, settings),
        )
    )


def service_name(svc: Service) -> object:
    """The worker's ECS service name: the params override (``names.service``), else one from the prefix."""
    if svc.names is not None and svc.names.service is not None:
        return svc.names.service
    return name_value(prefixed_service_name(svc.name))


def needs_fixed_service_name(svc: Service) -> bool:
    """Alarms keyed by ECS service name exist before the service, so they cannot read its generated name."""
    return svc.generator_names_service


def add_deployment_alarms(
    t: Template, env: Environment, svc: Service, target_groups: list[elb.TargetGroup], alb: str = naming.ALB
) -> ecs.DeploymentAlarms | None:
    """The alarms of a web or worker service and the ``DeploymentAlarms`` block naming them (None when off).

    ``alb`` is the stack key of the ALB the target groups belong to (``plan.alb_of``).
    """
    settings = svc.deployment_alarms
    if not settings.enabled or not svc.has_service:
        return None
    if target_groups:
        created = [
            _target_group_alarm(t, env, svc, _TARGET_5XX, settings.target_5xx, target_groups, alb),
            _target_group_alarm(t, env, svc, _UNHEALTHY, settings.unhealthy_hosts, target_groups, alb),
        ]
    elif svc.kind == "worker":
        created = [
            _service_alarm(t, env, svc, _CPU, settings.cpu_high),
            _service_alarm(t, env, svc, _MEMORY, settings.memory_high),
        ]
    else:
        created = []
    names: list[object] = [Ref(alarm) for alarm in created] + list(settings.alarm_names)
    if not names:
        return None
    return ecs.DeploymentAlarms(AlarmNames=names, Enable=True, Rollback=settings.rollback)
