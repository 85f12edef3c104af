"""The ECS rollout under a service stack, and the root cause of its failure, with Stubber's answers.

Neither moto nor the fault proxy can fail an ECS deployment: ``tests/rollout_scenarios.py``
scripts what ECS, ELB and CloudWatch answer for a failing image pull, a failing health
check and an alarm rollback; the deployer's code runs unchanged.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from rich.console import Console

from deployer.aws.clients import Clients, Timing
from deployer.review.rollout import (
    Rollout,
    alarm_failures,
    deployments_of,
    root_cause,
    target_failures,
    task_failures,
)
from deployer.review.stack_review import Result, Review
from deployer.run.rollout import Rollouts
from deployer.view.progress import Progress, _Table
from deployer.view.review_files import as_json
from tests.rollout_scenarios import BREAKER, NAME, SCENARIOS, SERVICE, TARGET_GROUP, run, service


@pytest.mark.parametrize("scenario", list(SCENARIOS), ids=lambda name: name.replace(" ", "-"))
def test_the_result_line_and_review_json_name_what_actually_failed(dev: Path, scenario: str) -> None:
    expected = SCENARIOS[scenario]
    out = io.StringIO()

    done = run(dev, expected, Console(file=out, width=400, force_terminal=False))

    assert done.result is Result.FAILED
    assert done.message.startswith("root cause: Service (AWS::ECS::Service) UPDATE_FAILED: ")
    assert expected.stack_reason in done.message  # CloudFormation's summary stays ...
    assert f"| ECS: {done.rollout_cause} | stack is now UPDATE_ROLLBACK_COMPLETE" in done.message  # ... then ECS's
    assert done.rollout_cause is not None and expected.names in done.rollout_cause
    review = Review("shop", "dev", "eu-west-1", {"svc-auth": done})
    (stack,) = as_json(review, 1)["stacks"]
    assert stack["rollout_cause"] == done.rollout_cause


def test_an_image_that_cannot_be_pulled_is_named_with_the_task_that_stopped(dev: Path) -> None:
    done = run(dev, SCENARIOS["image pull"], Console(file=io.StringIO(), width=400))
    assert done.rollout_cause is not None
    assert done.rollout_cause.startswith("task 0f1e2d3c4b5a (shop-dev-auth:8) stopped: CannotPullContainerError: ")
    assert done.rollout_cause.count("CannotPullContainerError") == 1  # the container's own reason is the same


def test_a_failing_health_check_names_the_target_and_elb_s_reason(dev: Path) -> None:
    done = run(dev, SCENARIOS["health check"], Console(file=io.StringIO(), width=400))
    task, target = (done.rollout_cause or "").split(" | ")
    assert task.startswith("task 0f1e2d3c4b5a (shop-dev-auth:8) stopped: Task failed ELB health checks")
    assert "app exited 137" in task
    assert target == (
        "target 10.10.3.27:8080 in shop-d-Targe-1A2B3C4D unhealthy: Target.ResponseCodeMismatch: "
        "Health checks failed with these codes: [500]"
    )


def test_an_alarm_rollback_names_the_alarm_not_the_tasks_it_scaled_in(dev: Path) -> None:
    done = run(dev, SCENARIOS["alarm"], Console(file=io.StringIO(), width=400))
    assert done.rollout_cause is not None
    assert done.rollout_cause.startswith("alarm shop-dev-auth-deploy-target-5xx fired: Threshold Crossed: 3 out of")
    assert "Scaling activity" not in done.rollout_cause and "unhealthy-hosts" not in done.rollout_cause


def test_in_ci_each_deployment_change_and_each_failure_is_one_timestamped_line(dev: Path) -> None:
    """Read twice (while updating, then at the failure): every line once, the deployment's change once more."""
    out = io.StringIO()

    run(dev, SCENARIOS["image pull"], Console(file=out, width=400, force_terminal=False))

    lines = [line for line in out.getvalue().splitlines() if " ECS " in line]
    assert all(line[:9].endswith("Z") and line[2] == ":" for line in lines), lines  # 12:00:00Z ...
    stopped = [line for line in lines if "ECS task stopped: task 0f1e2d3c4b5a" in line]
    assert len(stopped) == 1, lines  # seen in both reads, shown once
    new = [line for line in lines if "ECS primary ecs-svc/2222222222222222222 shop-dev-auth:8" in line]
    assert [line.split(":8 ", 1)[1] for line in new] == [
        "IN_PROGRESS: desired 2, running 0, pending 0, failed 1",
        "FAILED: desired 2, running 0, pending 0, failed 3",
    ]
    old = [line for line in lines if "ECS active ecs-svc/1111111111111111111 shop-dev-auth:7 COMPLETED" in line]
    assert len(old) == 1  # unchanged: printed once
    assert any(f"{NAME}: ECS service event: (service {SERVICE}) deployment" in line for line in lines)


def test_in_a_terminal_the_rollout_is_a_table_under_the_stack_s_line(dev: Path) -> None:
    progress = Progress(Console(file=io.StringIO()), {"svc-auth": NAME}, live=True)
    progress.stack("svc-auth", "executing change set")
    rollout = Rollout(SERVICE, deployments_of(service(SCENARIOS["image pull"], failed=False)))
    rollout.add(task_failures(SCENARIOS["image pull"].tasks))
    progress.rollout_shower("svc-auth")(rollout, [])
    screen = Console(file=io.StringIO(), width=200, record=True)

    screen.print(_Table(progress))

    text = screen.export_text()
    stack_line, header, *rows = [line.strip() for line in text.splitlines() if line.strip()][1:5]
    assert stack_line.startswith(NAME) and "executing change set" in stack_line
    assert header.split() == ["Deployment", "Revision", "Rollout", "Desired", "Running", "Pending", "Failed"]
    assert rows[0].split() == ["primary", "shop-dev-auth:8", "IN_PROGRESS", "2", "0", "0", "1"]
    assert "✘ task 0f1e2d3c4b5a (shop-dev-auth:8) stopped: CannotPullContainerError" in text
    progress.rollout_shower("svc-auth")(None, [])  # the operation ended: the table goes
    assert "Deployment" not in _render(progress)


def _render(progress: Progress) -> str:
    screen = Console(file=io.StringIO(), width=200, record=True)
    screen.print(_Table(progress))
    return screen.export_text()


def test_without_any_failure_there_is_no_cause_to_name() -> None:
    assert root_cause(Rollout(SERVICE)) is None
    assert "Circuit Breaker" in BREAKER  # the fixtures' CloudFormation reason is the one AWS gives


def test_due_services_of_one_cluster_are_described_in_one_call(cfn: Any) -> None:
    """DescribeServices takes ten services a call: two service stacks followed together cost one read."""
    ecs = boto3.client("ecs", region_name="eu-west-1", aws_access_key_id="stub", aws_secret_access_key="stub")
    shown: dict[str, Rollout] = {}
    with Stubber(ecs) as stub:
        rollouts = Rollouts(Clients(cfn[0], ecs=ecs), Timing(poll_min=0, poll_max=0))
        watches = {}
        for key, name in (("svc-auth", "shop-dev-auth"), ("svc-web", "shop-dev-web")):
            watches[key] = rollouts.watch(key, ("stack", "Service"), None, lambda r, _f, k=key: shown.update({k: r}))
            arn = f"arn:aws:ecs:eu-west-1:1:service/shop-dev-cluster/{name}"
            watches[key].see([{"ResourceType": "AWS::ECS::Service", "PhysicalResourceId": arn}])
        quiet = {"deployments": [], "events": []}  # nothing failing: no further reads
        answer = [{**service(SCENARIOS["image pull"], failed=False), "serviceName": name, **quiet}
                  for name in ("shop-dev-auth", "shop-dev-web")]  # fmt: skip
        stub.add_response("describe_services", {"services": answer},
                          {"cluster": "shop-dev-cluster", "services": ["shop-dev-auth", "shop-dev-web"]})  # fmt: skip

        watches["svc-auth"].poll()

        stub.assert_no_pending_responses()
    assert set(shown) == {"svc-auth", "svc-web"}  # one answer, both rollouts
    assert shown["svc-web"].service == "shop-dev-web"


def test_an_alarm_that_fired_is_named_before_the_tasks_it_saw_fail() -> None:
    """Both at once (an unhealthy-hosts alarm over tasks failing their health checks): the alarm rolled it back."""
    health = SCENARIOS["health check"]
    rollout = Rollout(SERVICE)
    rollout.add(task_failures(health.tasks) + target_failures(TARGET_GROUP, health.targets))
    rollout.add(alarm_failures(SCENARIOS["alarm"].alarms))

    cause = root_cause(rollout) or ""

    alarm, target = cause.split(" | ")
    assert alarm.startswith("alarm shop-dev-auth-deploy-target-5xx fired: ")
    assert target.startswith("target 10.10.3.27:8080 in shop-d-Targe-1A2B3C4D unhealthy: Target.ResponseCodeMismatch")
