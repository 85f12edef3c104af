"""CloudWatch alarm limits: how long a window an alarm may evaluate.

PutMetricAlarm: "the product of the period and the evaluation periods" may be
at most one day (86,400 s) for a period under an hour, and at most seven
days (604,800 s) for a period of an hour or more.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html

Read by the step-scaling alarms' rule (L010) and the deployment alarms' rule
(D001), so both accept and refuse the same windows.
"""

from __future__ import annotations

PUT_METRIC_ALARM_URL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
ONE_HOUR = 3_600
WINDOW_UNDER_AN_HOUR = 86_400  # 1 day, for periods under 3600 s
WINDOW_LONG_PERIODS = 604_800  # 7 days, for periods of 3600 s or more
WINDOW_LIMIT = "86,400 s (1 day) for periods under an hour; 604,800 s (7 days) otherwise"


def max_window(period: int) -> int:
    """The longest period x evaluation_periods CloudWatch evaluates for ``period``."""
    return WINDOW_UNDER_AN_HOUR if period < ONE_HOUR else WINDOW_LONG_PERIODS


def alarm_window_problem(period: int, evaluation_periods: int) -> str | None:
    """Why period x evaluation_periods is over CloudWatch's maximum for that period; None when it is not."""
    limit = max_window(period)
    window = period * evaluation_periods
    if window <= limit:
        return None
    short = limit == WINDOW_UNDER_AN_HOUR
    return (
        f"period {period} s x evaluation_periods {evaluation_periods} = {window} s; CloudWatch evaluates at most "
        f"{limit} s ({'1 day' if short else '7 days'}) for a period {'under' if short else 'of'} an hour"
        f"{'' if short else ' or more'}"
    )
