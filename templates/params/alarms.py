"""CloudWatch alarm settings that CloudFormation accepts and CloudWatch refuses or never evaluates.

Step scaling watches the service's ``CPUUtilization`` / ``MemoryUtilization``
in the ``AWS/ECS`` namespace.  ECS publishes those once a minute: a 10, 20 or
30 second period is a high-resolution alarm that finds no data in most of its
periods, lapses into INSUFFICIENT_DATA and never scales.
"""

from __future__ import annotations

# CloudWatch PutMetricAlarm: period x evaluation periods.
WINDOW_UNDER_AN_HOUR = 86_400  # 1 day, for periods under 3600 s
WINDOW_LONG_PERIODS = 604_800  # 7 days, for periods of 3600 s or more
ECS_METRIC_PERIOD = 60


def alarm_period_problem(period: int) -> tuple[str, str] | None:
    """L011 (sub-minute period on a 1-minute ECS metric) and S023 (not a multiple of 60).

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
    """
    if period < ECS_METRIC_PERIOD:
        return (
            "L011",
            f"period {period} s is shorter than a minute, but ECS publishes service CPU and memory once a "
            "minute: the alarm would lapse into INSUFFICIENT_DATA and step scaling never fire; use 60 or a "
            "multiple of 60",
        )
    if period % ECS_METRIC_PERIOD:
        return "S023", f"CloudWatch accepts periods of 60 s or a multiple of 60 here, not {period}"
    return None


def alarm_window_problem(period: int, evaluation_periods: int) -> tuple[str, str] | None:
    """L010: period x evaluation_periods over CloudWatch's maximum for that period.

    https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    """
    limit = WINDOW_UNDER_AN_HOUR if period < 3600 else WINDOW_LONG_PERIODS
    window = period * evaluation_periods
    if window <= limit:
        return None
    span = "1 day" if limit == WINDOW_UNDER_AN_HOUR else "7 days"
    return (
        "L010",
        f"period {period} s x evaluation_periods {evaluation_periods} = {window} s; CloudWatch evaluates at most "
        f"{limit} s ({span}) for a period {'under' if limit == WINDOW_UNDER_AN_HOUR else 'of'} an hour"
        f"{'' if limit == WINDOW_UNDER_AN_HOUR else ' or more'}",
    )
