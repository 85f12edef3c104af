"""A safe release: deployment alarms CloudWatch evaluates, and blue/green only where ECS can do it."""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.cloudwatch import WINDOW_LIMIT, alarm_window_problem
from templates.params.releases import METRIC_RESOLUTION, AlarmSettings
from templates.params.service import Service
from templates.rules.registry import At, service_rule

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
BLUE_GREEN_RULES = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html"
TARGET_TRACKING = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html"
REQUEST_COUNT_UNDER_BLUE_GREEN = "https://github.com/aws/containers-roadmap/issues/1681"
ELB_METRICS = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html"
)
HTTP_HEADER_CONDITION = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HttpHeaderConditionConfig.html"
)


def _alarms(svc: Service) -> Iterator[tuple[str, AlarmSettings]]:
    alarms = svc.deployment_alarms
    for key in ("target_5xx", "unhealthy_hosts", "cpu_high", "memory_high"):
        yield f"deployment_alarms.{key}", getattr(alarms, key)


@service_rule(
    "D001",
    "a deployment alarm's period x evaluation_periods over CloudWatch's window",
    PUT_METRIC_ALARM,
    limit=WINDOW_LIMIT,
)
def alarm_window(svc: Service) -> Iterator[At]:
    """The same window as step-scaling alarms (L010): one day under an hourly period, seven days from it."""
    for where, alarm in _alarms(svc):
        problem = alarm_window_problem(alarm.period, alarm.evaluation_periods)
        if problem is not None:
            yield At(f"{where}.evaluation_periods", problem)


@service_rule(
    "D002",
    "a deployment alarm period not 60 s or a multiple of 60 (ECS and ELB metrics are per minute)",
    ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html", PUT_METRIC_ALARM),
)
def alarm_period_per_minute(svc: Service) -> Iterator[At]:
    for where, alarm in _alarms(svc):
        if alarm.period < METRIC_RESOLUTION or alarm.period % METRIC_RESOLUTION:
            yield At(
                f"{where}.period",
                f"ECS and ELB metrics are per minute: use a period of 60 or a multiple of 60 s, not {alarm.period}",
            )


@service_rule("D003", "blue/green on a service without exactly one ALB route", BLUE_GREEN_RULES)
def blue_green_needs_one_route(svc: Service) -> Iterator[At]:
    """ECS takes one production and one test listener rule per load balancer entry; rules it does not know
    would keep pointing at blue after the shift."""
    if svc.blue_green is None:
        return
    if svc.kind != "web":
        yield At("blue_green", f"blue_green shifts ALB traffic; a {svc.kind} has none (remove blue_green)")
    elif len(svc.routes) != 1:
        yield At(
            "routes",
            f"blue_green needs exactly one route (ECS shifts one production listener rule), found {len(svc.routes)}; "
            "split the service or use rolling deployments",
        )


@service_rule(
    "D007",
    "request-count target tracking (requests_per_target) on a blue/green service",
    (TARGET_TRACKING, REQUEST_COUNT_UNDER_BLUE_GREEN),
)
def no_request_count_scaling_with_blue_green(svc: Service) -> Iterator[At]:
    """ALBRequestCountPerTarget is tracked on one target group (its ResourceLabel); ECS blue/green swaps which
    group serves production on every deployment, so after the first one the policy sees no requests and scales
    in.  AWS documents the metric as unsupported for blue/green; ECS has no way to track both groups."""
    tracking = svc.scaling.target_tracking if svc.scaling is not None else None
    if svc.blue_green is not None and tracking is not None and tracking.requests_per_target is not None:
        yield At(
            "scaling.target_tracking.requests_per_target",
            "request-count tracking follows one target group, but blue/green moves production to the other one "
            "on every deployment: the policy would then see no requests and scale in. Track cpu or memory, "
            "or use rolling deployments (remove blue_green)",
        )


@service_rule(
    "D008",
    "an unhealthy-hosts deployment alarm with threshold 0 (always in ALARM: every deployment rolls back)",
    ELB_METRICS,
)
def unhealthy_hosts_threshold_above_zero(svc: Service) -> Iterator[At]:
    """ELB reports UnHealthyHostCount whenever health checks run, 0 included, and the alarm fires at or above
    its threshold: with 0 it is in ALARM on every datapoint, so every deployment would stop and roll back."""
    alarm = svc.deployment_alarms.unhealthy_hosts
    if svc.kind == "web" and svc.deployment_alarms.enabled and alarm.threshold <= 0:
        yield At(
            "deployment_alarms.unhealthy_hosts.threshold",
            f"threshold {alarm.threshold:g}: UnHealthyHostCount is reported as 0 while all is well and the alarm "
            "fires at or above the threshold, so it would always be in ALARM and roll every deployment back; "
            "use 1 (any unhealthy target) or more",
        )


@service_rule("D009", "a blue/green test header named Host (ALB matches the host with a host-header condition)",
              HTTP_HEADER_CONDITION)  # fmt: skip
def test_header_not_host(svc: Service) -> Iterator[At]:
    """ELB refuses an http-header condition on the host header ("use a host condition instead")."""
    header = svc.blue_green.test_header if svc.blue_green is not None else None
    if header is not None and header.name.lower() == "host":
        yield At(
            "blue_green.test_header.name",
            f"{header.name!r}: an ALB http-header condition cannot match the Host header (ELB refuses it; hosts "
            "are matched by the route's host). Use a header of your own, such as X-Deployment-Test",
        )
