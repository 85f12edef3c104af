"""Release settings AWS would refuse or that could never work: blue/green details and alarm windows."""

from __future__ import annotations

from typing import Any

import pytest

from templates.pipeline import build_all
from tests.conftest import make_env, rule_problems, web


def green(**fields: Any) -> dict[str, Any]:
    return web(**{"blue_green": {}, **fields})


def test_request_count_scaling_is_refused_with_blue_green() -> None:
    """ALBRequestCountPerTarget tracks one target group; blue/green swaps groups (containers-roadmap #1681)."""
    scaling = {"min_count": 1, "max_count": 4, "target_tracking": {"requests_per_target": 500}}
    [problem] = rule_problems(make_env(services={"api": green(scaling=scaling)}), "D007")
    assert problem.path == "services.api.scaling.target_tracking.requests_per_target"
    assert "scale in" in problem.message
    assert rule_problems(make_env(services={"api": web(scaling=scaling)}), "D007") == []
    cpu = {"min_count": 1, "max_count": 4, "target_tracking": {"cpu": 60}}
    assert rule_problems(make_env(services={"api": green(scaling=cpu)}), "D007") == []


def test_the_infrastructure_role_trusts_ecs_exactly_as_aws_documents() -> None:
    doc = build_all(make_env(services={"api": green()}))["svc-api"].to_dict()
    trust = doc["Resources"]["BlueGreenRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowAccessToECSForInfrastructureManagement",
                "Effect": "Allow",
                "Principal": {"Service": "ecs.amazonaws.com"},
                "Action": ["sts:AssumeRole"],
            }
        ],
    }


@pytest.mark.parametrize("name", ["Host", "host", "HOST"])
def test_a_test_header_named_host_is_refused(name: str) -> None:
    env = make_env(services={"api": green(blue_green={"test_header": {"name": name, "value": "green"}})})
    [problem] = rule_problems(env, "D009")
    assert problem.path == "services.api.blue_green.test_header.name" and "host" in problem.message.lower()
    assert rule_problems(make_env(services={"api": green()}), "D009") == []


def test_an_unhealthy_host_threshold_of_zero_is_refused() -> None:
    alarms = {"unhealthy_hosts": {"threshold": 0}}
    [problem] = rule_problems(make_env(services={"api": web(deployment_alarms=alarms)}), "D008")
    assert problem.path == "services.api.deployment_alarms.unhealthy_hosts.threshold"
    assert "always be in ALARM" in problem.message
    assert (
        rule_problems(make_env(services={"api": web(deployment_alarms={"unhealthy_hosts": {"threshold": 1}})}), "D008")
        == []
    )
    off = {"enabled": False, "unhealthy_hosts": {"threshold": 0}}
    assert rule_problems(make_env(services={"api": web(deployment_alarms=off)}), "D008") == []


@pytest.mark.parametrize(
    ("period", "periods", "refused"),
    [(3600, 48, None), (3600, 168, None), (3600, 169, "7 days"), (1800, 48, None), (1800, 49, "1 day")],
)
def test_deployment_alarm_windows_are_cloudwatchs_own(period: int, periods: int, refused: str | None) -> None:
    """One day for periods under an hour, seven days from an hour on: the same logic as step alarms (L010)."""
    alarms = {"target_5xx": {"threshold": 10, "period": period, "evaluation_periods": periods}}
    found = rule_problems(make_env(services={"api": web(deployment_alarms=alarms)}), "D001")
    if refused is None:
        assert found == []
    else:
        [problem] = found
        assert problem.path == "services.api.deployment_alarms.target_5xx.evaluation_periods"
        assert f"({refused})" in problem.message
