"""A safe release: deployment alarms CloudWatch evaluates, and blue/green only where ECS can do it."""

from __future__ import annotations

from collections.abc import Iterator

from templates.params.releases import METRIC_RESOLUTION, ONE_DAY, AlarmSettings
from templates.params.service import Service
from templates.rules.registry import At, service_rule

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
BLUE_GREEN_RULES = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html"


def _alarms(svc: Service) -> Iterator[tuple[str, AlarmSettings]]:
    alarms = svc.deployment_alarms
    for key in ("target_5xx", "unhealthy_hosts", "cpu_high", "memory_high"):
        yield f"deployment_alarms.{key}", getattr(alarms, key)


@service_rule("D001", "a deployment alarm's period x evaluation_periods over one day", PUT_METRIC_ALARM)
def alarm_at_most_a_day(svc: Service) -> Iterator[At]:
    for where, alarm in _alarms(svc):
        window = alarm.period * alarm.evaluation_periods
        if window > ONE_DAY:
            yield At(
                f"{where}.evaluation_periods",
                f"period x evaluation_periods = {alarm.period} x {alarm.evaluation_periods} = "
                f"{window} s; CloudWatch allows at most one day (86400 s)",
            )


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
