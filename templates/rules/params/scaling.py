"""Capacity, auto scaling and rolling-deployment settings that ECS, Application Auto Scaling and CloudWatch accept.

CloudFormation creates scaling policies, alarms and scheduled actions as
written; a bad expression, an alarm CloudWatch never evaluates or two
policies fighting over one metric show up only after the deploy, if at all.
"""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from collections.abc import Iterator

from templates.aws.cloudwatch import WINDOW_LIMIT, alarm_window_problem
from templates.params.capabilities import StepAlarm
from templates.params.service import Service
from templates.rules.params.schedule_expressions import problem as schedule_problem
from templates.rules.registry import At, service_rule

PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
ECS_METRICS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html"
CAPACITY_PROVIDERS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html"
PUT_SCHEDULED_ACTION = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html"
SCHEDULE_EXPRESSIONS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html"
# ECS publishes service CPU and memory once a minute.
ECS_METRIC_PERIOD = 60


def _step_alarms(svc: Service) -> Iterator[tuple[str, StepAlarm]]:
    step = svc.scaling.step if svc.scaling else None
    if step is not None:
        yield "scaling.step.scale_out", step.scale_out
        yield "scaling.step.scale_in", step.scale_in


@service_rule("S001", "Fargate Spot with ARM64", CAPACITY_PROVIDERS)
def spot_with_arm64(svc: Service) -> Iterator[At]:
    if svc.capacity.uses_spot and svc.architecture == "arm64":
        yield At(
            "capacity.spot_weight", "Fargate Spot does not run ARM64 tasks; set spot_weight: 0 or architecture: x86_64"
        )


@service_rule("S028", "capacity weights both 0", CAPACITY_PROVIDERS)
def some_capacity_weight(svc: Service) -> Iterator[At]:
    if svc.capacity.on_demand_weight == 0 and svc.capacity.spot_weight == 0:
        yield At("capacity.spot_weight", "on_demand_weight and spot_weight are both 0: ECS needs one weight above 0")


@service_rule("S020", "deployment max_percent not above min_healthy_percent")
def room_to_move(svc: Service) -> Iterator[At]:
    deployment = svc.deployment
    if deployment.max_percent <= deployment.min_healthy_percent:
        yield At(
            "deployment.max_percent",
            f"max_percent ({deployment.max_percent}) must be above min_healthy_percent "
            f"({deployment.min_healthy_percent}), or no task can be replaced",
        )


@service_rule(
    "S005", "a cron, rate or at expression EventBridge or Application Auto Scaling refuses", SCHEDULE_EXPRESSIONS
)
def schedule_expressions(svc: Service) -> Iterator[At]:
    if svc.schedule is not None and (issue := schedule_problem(svc.schedule.expression, allow_at=False)):
        yield At("schedule.expression", issue)
    for i, action in enumerate(svc.scaling.schedules if svc.scaling else []):
        if issue := schedule_problem(action.schedule, allow_at=True):
            yield At(f"scaling.schedules[{i}].schedule", issue)


@service_rule("S006", "min_count above max_count")
def min_not_above_max(svc: Service) -> Iterator[At]:
    scaling = svc.scaling
    if scaling is None:
        return
    if scaling.min_count > scaling.max_count:
        yield At("scaling.max_count", f"min_count ({scaling.min_count}) is above max_count ({scaling.max_count})")
    for i, action in enumerate(scaling.schedules):
        if action.min_count is not None and action.max_count is not None and action.min_count > action.max_count:
            yield At(
                f"scaling.schedules[{i}].min_count",
                f"min_count ({action.min_count}) is above max_count ({action.max_count})",
            )


@service_rule("S007", "scaling, or target tracking, with nothing to drive it")
def scaling_has_a_driver(svc: Service) -> Iterator[At]:
    scaling = svc.scaling
    if scaling is None:
        return
    tracking = scaling.target_tracking
    if (
        tracking is not None
        and tracking.cpu is None
        and tracking.memory is None
        and tracking.requests_per_target is None
    ):
        yield At("scaling.target_tracking", "target_tracking needs at least one of cpu, memory, requests_per_target")
    if scaling.target_tracking is None and scaling.step is None and not scaling.schedules:
        yield At("scaling", "scaling needs target_tracking, step or schedules; without them the count never changes")


@service_rule("S010", "step scaling and target tracking on one metric")
def one_policy_per_metric(svc: Service) -> Iterator[At]:
    scaling = svc.scaling
    step = scaling.step if scaling else None
    tracked = scaling.target_tracking if scaling else None
    if step is not None and tracked is not None and getattr(tracked, step.metric) is not None:
        yield At(
            "scaling.step.metric",
            f"step scaling and target tracking both act on {step.metric}; they would fight "
            "over the task count: keep one",
        )


@service_rule("S022", "step scale_in threshold not below scale_out threshold")
def thresholds_apart(svc: Service) -> Iterator[At]:
    step = svc.scaling.step if svc.scaling else None
    if step is not None and step.scale_in.threshold >= step.scale_out.threshold:
        yield At(
            "scaling.step.scale_in.threshold",
            f"scale_in threshold ({step.scale_in.threshold:g}) must be below scale_out threshold "
            f"({step.scale_out.threshold:g}), or the two alarms fight",
        )


@service_rule("S024", "a scheduled scaling action with neither min_count nor max_count, or a name used twice")
def scheduled_actions(svc: Service) -> Iterator[At]:
    actions = svc.scaling.schedules if svc.scaling else []
    for i, action in enumerate(actions):
        if action.min_count is None and action.max_count is None:
            yield At(f"scaling.schedules[{i}]", "a scheduled action needs min_count, max_count or both")
    names = [a.name for a in actions]
    for i, name in enumerate(names):
        if name in names[:i]:
            yield At(f"scaling.schedules[{i}].name", f"scheduled action name {name!r} is used twice")


@service_rule(
    "L011",
    "a step-scaling alarm period under 60 s (ECS publishes service CPU and memory once a minute)",
    (ECS_METRICS, PUT_METRIC_ALARM),
    limit="60 s or a multiple of 60",
)
def sub_minute_period(svc: Service) -> Iterator[At]:
    for where, alarm in _step_alarms(svc):
        if alarm.period < ECS_METRIC_PERIOD:
            yield At(
                f"{where}.period",
                f"period {alarm.period} s is shorter than a minute, but ECS publishes service CPU and memory once a "
                "minute: the alarm would lapse into INSUFFICIENT_DATA and step scaling never fire; use 60 or a "
                "multiple of 60",
            )


@service_rule("S023", "a step-scaling alarm period not a multiple of 60 s", PUT_METRIC_ALARM)
def period_in_minutes(svc: Service) -> Iterator[At]:
    for where, alarm in _step_alarms(svc):
        if alarm.period >= ECS_METRIC_PERIOD and alarm.period % ECS_METRIC_PERIOD:
            yield At(
                f"{where}.period", f"CloudWatch accepts periods of 60 s or a multiple of 60 here, not {alarm.period}"
            )


@service_rule(
    "L010",
    "a step-scaling alarm's period x evaluation_periods over CloudWatch's window",
    PUT_METRIC_ALARM,
    limit=WINDOW_LIMIT,
)
def alarm_window(svc: Service) -> Iterator[At]:
    for where, alarm in _step_alarms(svc):
        problem = alarm_window_problem(alarm.period, alarm.evaluation_periods)
        if problem is not None:
            yield At(f"{where}.evaluation_periods", problem)


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: str) -> str | None:
    """Why ``name`` is no IANA time zone (with close matches); None when it is one."""
    if name in _time_zones():
        return None
    close = difflib.get_close_matches(name, sorted(_time_zones()), n=3)
    suggestion = f"; did you mean {', '.join(close)}?" if close else " such as Europe/Berlin or America/New_York"
    return f"{name!r} is not a time zone of the IANA database{suggestion}"


@service_rule(
    "L017",
    "a scheduled-scaling timezone that is not in the IANA database (close matches suggested)",
    PUT_SCHEDULED_ACTION,
    limit="IANA names",
)
def scheduled_time_zone(svc: Service) -> Iterator[At]:
    for i, action in enumerate(svc.scaling.schedules if svc.scaling else []):
        problem = None if action.timezone is None else time_zone_problem(action.timezone)
        if problem is not None:
            yield At(f"scaling.schedules[{i}].timezone", problem)
