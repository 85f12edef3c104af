"""Params of a safe release: deployment alarms, blue/green, and the log settings ops rely on.

Each model is one block of a service's YAML (``deployment_alarms``,
``blue_green``, ``logs``); the rules over them (D001-D003, D007-D009) live in
``templates/rules/params/releases.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from templates.params.strict import Strict

# The longest period a deployment alarm may have (its window is checked by D001, templates/aws/cloudwatch.py).
ONE_DAY = 86400
# ECS and ELB publish these metrics once a minute; a shorter period only sees gaps.
METRIC_RESOLUTION = 60
ALARM_NAME = r"^[^\x00-\x1f\x7f]{1,255}$"
HTTP_HEADER_NAME = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$"
HEADER_VALUE = r"^[A-Za-z0-9._~-]{1,128}$"


class AlarmSettings(Strict):
    """When one default deployment alarm fires: over ``threshold`` for ``evaluation_periods`` x ``period``.

    Limits (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html):
    a period of 60 s or a multiple of 60 for standard-resolution metrics, and
    period x evaluation periods at most one day (86,400 s) for a period under
    an hour, seven days for an hourly or longer period (``templates/aws/cloudwatch.py``).  ECS and ELB
    metrics are per minute (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html),
    so 10/20/30 s periods are refused here even though CloudWatch accepts them
    for high-resolution metrics.
    """

    threshold: float = Field(ge=0, description="Value at or above which the period counts as breaching.")
    period: int = Field(60, ge=1, le=ONE_DAY, description="Seconds per period: 60 or a multiple of 60.")
    evaluation_periods: int = Field(3, ge=1, le=1440, description="Consecutive breaching periods that fire it.")


class PercentAlarmSettings(AlarmSettings):
    threshold: float = Field(gt=0, le=100, description="Utilisation (%) at or above which the period breaches.")


class DeploymentAlarms(Strict):
    """ECS deployment alarms: while a deployment runs (and bakes), any of them in ALARM stops it and rolls back.

    Web services get alarms on their target group(s): target 5xx responses
    and unhealthy hosts.  Workers have no target group: they get average CPU
    and memory of the service, which catch the usual bad worker release (a
    busy loop, a leak) that the circuit breaker does not see because the task
    keeps running.  Scheduled tasks have no ECS service, so no deployment.
    """

    enabled: bool = Field(True, description="false: no deployment alarms at all (the circuit breaker stays).")
    rollback: bool = Field(True, description="Roll back to the last good deployment when an alarm fires.")
    target_5xx: AlarmSettings = Field(
        default_factory=lambda: AlarmSettings(threshold=10),
        description="web: 5xx responses of the targets per period (sum); default >= 10 for 3x60 s.",
    )
    unhealthy_hosts: AlarmSettings = Field(
        default_factory=lambda: AlarmSettings(threshold=1),
        description="web: unhealthy targets (maximum); default >= 1 for 3x60 s.",
    )
    cpu_high: PercentAlarmSettings = Field(
        default_factory=lambda: PercentAlarmSettings(threshold=90, evaluation_periods=5),
        description="worker: average CPU utilisation (%); default >= 90 for 5x60 s.",
    )
    memory_high: PercentAlarmSettings = Field(
        default_factory=lambda: PercentAlarmSettings(threshold=90, evaluation_periods=5),
        description="worker: average memory utilisation (%); default >= 90 for 5x60 s.",
    )
    alarm_names: list[Annotated[str, StringConstraints(pattern=ALARM_NAME)]] = Field(
        default_factory=list,
        max_length=10,
        description="Further existing CloudWatch alarms (by name, same account and region) that stop a deployment.",
    )


class GreenHeader(Strict):
    """The header that sends a request to the new (green) revision during the bake."""

    name: str = Field("X-Deployment-Test", pattern=HTTP_HEADER_NAME, description="HTTP header name.")
    value: str = Field("green", pattern=HEADER_VALUE, description="Header value the test rule matches.")


class BlueGreen(Strict):
    """ECS native blue/green (strategy BLUE_GREEN): green starts beside blue, the test rule reaches it,
    production traffic shifts at once, blue is kept for ``bake_time_minutes`` so a rollback is instant."""

    bake_time_minutes: int = Field(
        15, ge=0, le=1440, description="Minutes blue is kept after traffic shifted (ECS default 15)."
    )
    test_header: GreenHeader = Field(
        default_factory=GreenHeader, description="Requests with this header reach green before traffic shifts."
    )
    test_priority: int | None = Field(
        None, ge=1, le=50000, description="Pin the test rule's priority (normally computed below the route's)."
    )


class LogSettings(Strict):
    """How tasks write to CloudWatch Logs, and what happens to the log group when its stack goes."""

    mode: Literal["non-blocking", "blocking"] = Field(
        "non-blocking",
        description="non-blocking (AWS's default since 2025-06-25): a slow CloudWatch never stalls the app, "
        "but a full buffer drops lines. blocking: no line lost, but the app waits when logging stalls.",
    )
    max_buffer_size: str = Field(
        "25m",
        pattern=r"^[1-9][0-9]{0,5}[kmg]?$",
        description="non-blocking only: in-memory buffer per container (k, m, g suffix); lines beyond it are dropped.",
    )
    retain: bool = Field(
        True,
        description="Keep the log group when the stack deletes or replaces it (DeletionPolicy and "
        "UpdateReplacePolicy Retain); false deletes it with the stack.",
    )
