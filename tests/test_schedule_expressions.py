"""cron/rate/at expressions as EventBridge and Application Auto Scaling accept them."""

from __future__ import annotations

import pytest

from templates.rules.params.schedule_expressions import problem

VALID = [
    "rate(1 minute)",
    "rate(5 minutes)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(7 days)",
    "cron(0 3 * * ? *)",
    "cron(0/15 8-18 ? * MON-FRI *)",
    "cron(30 6 ? * 2#1 *)",
    "cron(0 0 L * ? *)",
    "cron(0 9 15W * ? 2030)",
    "cron(0 12 ? JAN,JUL 6L *)",
    "cron(5,35 * * 1-6 ? 2025-2030)",
]

INVALID = {
    "rate(0 minutes)": "at least 1",
    "rate(1 hours)": "rate(1 hour)",
    "rate(5 minute)": "rate(5 minutes)",
    "rate(5 weeks)": "bad rate expression",
    "cron(0 3 * * ?)": "6 fields (got 5)",
    "cron(60 3 * * ? *)": "minutes field '60'",
    "cron(0 3 32 * ? *)": "day-of-month field '32'",
    "cron(0 3 ? 13 MON *)": "month field '13'",
    "cron(0 3 ? * FUN *)": "day-of-week field 'FUN'",
    "cron(0 3 * * * *)": "? in exactly one",
    "cron(0 3 ? * ? *)": "? in exactly one",
    "cron(? 3 * * ? *)": "only allowed in day-of-month or day-of-week",
    "cron(0 10-2 * * ? *)": "runs backwards",
    "cron(0/0 3 * * ? *)": "step '0'",
    "cron(0 3 * * ? 1900)": "year field '1900'",
    "0 3 * * *": "not a schedule expression",
}


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions_pass(expression: str) -> None:
    assert problem(expression) is None


@pytest.mark.parametrize("expression", sorted(INVALID))
def test_invalid_expressions_say_what_is_wrong(expression: str) -> None:
    message = problem(expression)
    assert message is not None and INVALID[expression] in message


def test_at_only_where_allowed() -> None:
    assert problem("at(2030-06-01T08:00:00)", allow_at=True) is None
    assert "not a schedule expression" in (problem("at(2030-06-01T08:00:00)") or "")
    assert "not a date and time" in (problem("at(2030-13-01T08:00:00)", allow_at=True) or "")
