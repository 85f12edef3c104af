"""Three ways an ECS rollout fails under a service stack, scripted with botocore's Stubber.

Neither moto nor the fault proxy can make ECS fail a deployment, so the
rollout view and the root-cause line are driven by AWS's answers written out
here: a failing image pull (the circuit breaker), a failing ELB health check
(the circuit breaker), and a deployment alarm that rolls the service back.
The deployer's own code runs unchanged (``execute_stack``, the run's poller,
``run.rollout``); only the answers are scripted.  Used by the tests and by
``make demo`` (``python -m tests.rollout_scenarios``), which replays them
through the real terminal view.

Answers follow the API references' shapes; the reasons are ones ECS, ELB and
CloudWatch document (stopped-task errors, target health reason codes, alarm
state reasons).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
from botocore.stub import Stubber
from rich.console import Console
from rich.text import Text

from deployer.aws.clients import Clients, Timing
from deployer.review.stack_review import Result, StackReview
from deployer.run.change_set_names import request_token
from deployer.run.context import Context
from deployer.run.execute_stack import Gate, execute_stack
from deployer.run.inputs import load_deployment
from deployer.view import terminal
from deployer.view.progress import Progress
from tests.changeset_fixtures import ACCOUNT, RUN, T0, change_set_id, stack, stack_id

NAME = "shop-dev-svc-auth"
CLUSTER = "shop-dev-cluster"
SERVICE = "shop-dev-auth"
SERVICE_ARN = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/{CLUSTER}/{SERVICE}"
TARGET_GROUP = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/shop-d-Targe-1A2B3C4D/6d0ecf831eec9f09"
OLD, NEW = "ecs-svc/1111111111111111111", "ecs-svc/2222222222222222222"
TASK = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task/{CLUSTER}/0f1e2d3c4b5a69788796a5b4c3d2e1f0"
HANDLER = "Resource handler returned message: \"Error occurred during operation '{}'.\""
BREAKER = HANDLER.format("ECS Deployment Circuit Breaker was triggered")
IMAGE = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/shop/auth:9.9.9"
PULL = (
    f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref {IMAGE}: "
    f"{IMAGE}: not found"
)
HEALTH = f"Task failed ELB health checks in (target-group {TARGET_GROUP})"
ALARM_NAME = "shop-dev-auth-deploy-target-5xx"
ALARMS = [ALARM_NAME, "shop-dev-auth-deploy-unhealthy-hosts"]  # the service's deployment alarms
ALARM_REASON = (
    "Threshold Crossed: 3 out of the last 3 datapoints [25.0 (01/01/26 12:03:00), 19.0 (01/01/26 12:02:00), "
    "14.0 (01/01/26 12:01:00)] were greater than or equal to the threshold (10.0)."
)
FAST = Timing(change_set_delay=0, busy_delay=0, busy_timeout=3, delete_delay=0, poll_min=0, poll_max=0)


@dataclass(frozen=True)
class Scenario:
    """One failing rollout: what ECS, ELB and CloudWatch answer, and what the result line must then name."""

    name: str
    deployment_reason: str  # the failed deployment's rolloutStateReason
    service_events: list[str]
    tasks: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    alarms: list[dict[str, Any]]
    stack_reason: str  # the Service resource's UPDATE_FAILED reason in the stack events
    names: str  # what the root cause line must contain


def task_definition(revision: int) -> str:
    return f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{SERVICE}:{revision}"


def _task(code: str, reason: str, containers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "taskArn": TASK,
        "taskDefinitionArn": task_definition(8),
        "startedBy": NEW,
        "lastStatus": "STOPPED",
        "stopCode": code,
        "stoppedReason": reason,
        "stoppedAt": T0 + timedelta(minutes=2),
        "containers": containers,
    }


SCENARIOS = {
    "image pull": Scenario(
        "image pull",
        "ECS deployment circuit breaker: tasks failed to start.",
        [f"(service {SERVICE}) deployment {NEW} deployment failed: tasks failed to start."],
        [_task("TaskFailedToStart", PULL, [{"name": "app", "lastStatus": "STOPPED", "reason": PULL}])],
        [],
        [],
        BREAKER,
        "CannotPullContainerError",
    ),
    "health check": Scenario(
        "health check",
        "ECS deployment circuit breaker: tasks failed ELB health checks.",
        [f"(service {SERVICE}) (task 0f1e2d3c4b5a) failed ELB health checks in (target-group {TARGET_GROUP})."],
        [_task("ServiceSchedulerInitiated", HEALTH, [{"name": "app", "lastStatus": "STOPPED", "exitCode": 137}])],
        [
            {
                "Target": {"Id": "10.10.3.27", "Port": 8080},
                "HealthCheckPort": "8080",
                "TargetHealth": {
                    "State": "unhealthy",
                    "Reason": "Target.ResponseCodeMismatch",
                    "Description": "Health checks failed with these codes: [500]",
                },
            }
        ],
        [],
        BREAKER,
        "Target.ResponseCodeMismatch: Health checks failed with these codes: [500]",
    ),
    "alarm": Scenario(
        "alarm",
        f"ECS deployment {NEW} rolled back: deployment alarm in ALARM state.",
        [f"(service {SERVICE}) rolling back to deployment {OLD}."],
        [
            _task(
                "ServiceSchedulerInitiated",
                f"Scaling activity initiated by (deployment {NEW})",
                [{"name": "app", "lastStatus": "STOPPED", "exitCode": 0}],
            )
        ],
        [],
        [
            {
                "AlarmName": ALARM_NAME,
                "StateValue": "ALARM",
                "StateReason": ALARM_REASON,
                "StateUpdatedTimestamp": T0 + timedelta(minutes=3),
            },
            {
                "AlarmName": "shop-dev-auth-deploy-unhealthy-hosts",
                "StateValue": "OK",
                "StateReason": "Threshold Crossed: no datapoints were received",
                "StateUpdatedTimestamp": T0,
            },
        ],
        HANDLER.format("ECS Deployment Alarms were triggered"),
        f"alarm {ALARM_NAME} fired: Threshold Crossed",
    ),
}


def service(scenario: Scenario, failed: bool) -> dict[str, Any]:
    """DescribeServices' answer: the new deployment failing (or failed), the old one still serving."""
    new = {
        "id": NEW, "status": "PRIMARY", "taskDefinition": task_definition(8),
        "desiredCount": 2, "pendingCount": 0, "runningCount": 0, "failedTasks": 3 if failed else 1,
        "rolloutState": "FAILED" if failed else "IN_PROGRESS",
        "rolloutStateReason": scenario.deployment_reason if failed else f"ECS deployment {NEW} in progress.",
        "createdAt": T0 + timedelta(seconds=5),
    }  # fmt: skip
    old = {
        "id": OLD, "status": "ACTIVE", "taskDefinition": task_definition(7),
        "desiredCount": 2, "pendingCount": 0, "runningCount": 2, "failedTasks": 0, "rolloutState": "COMPLETED",
        "rolloutStateReason": f"ECS deployment {OLD} completed.", "createdAt": T0 - timedelta(days=1),
    }  # fmt: skip
    messages = [f"(service {SERVICE}) has started 2 tasks: (task 0f1e2d3c4b5a).", *scenario.service_events]
    events = [
        {"id": f"e{i}", "createdAt": T0 + timedelta(minutes=1, seconds=i), "message": message}
        for i, message in enumerate(messages)
    ]
    return {
        "serviceArn": SERVICE_ARN,
        "serviceName": SERVICE,
        "clusterArn": f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/{CLUSTER}",
        "deployments": [new, old],
        "events": list(reversed(events)),  # newest first, as ECS lists them
        "loadBalancers": [{"targetGroupArn": TARGET_GROUP, "containerName": "app", "containerPort": 8080}],
        "deploymentConfiguration": {"alarms": {"alarmNames": ALARMS, "enable": True, "rollback": True}},
    }


def _event(n: int, logical: str, kind: str, status: str, reason: str = "", physical: str = "") -> dict[str, Any]:
    return {
        "StackId": stack_id(NAME), "StackName": NAME, "EventId": f"ev-{n}", "LogicalResourceId": logical,
        "ResourceType": kind, "ResourceStatus": status, "ResourceStatusReason": reason,
        "PhysicalResourceId": physical, "Timestamp": T0 + timedelta(seconds=n),
        "ClientRequestToken": request_token(RUN, NAME, "execute"),
    }  # fmt: skip


def stub_cloudformation(stub: Stubber, scenario: Scenario) -> None:
    """ExecuteChangeSet, then: in progress (the service being updated), then rolled back (the service failed)."""
    executed = {"ChangeSetName": change_set_id(NAME), "ClientRequestToken": request_token(RUN, NAME, "execute")}
    stub.add_response("execute_change_set", {}, executed)
    stub.add_response("describe_stacks", stack(NAME, "UPDATE_IN_PROGRESS"))
    started = [
        _event(1, NAME, "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated", stack_id(NAME)),
        _event(2, "Service", "AWS::ECS::Service", "UPDATE_IN_PROGRESS", "", SERVICE_ARN),
    ]
    stub.add_response("describe_stack_events", {"StackEvents": list(reversed(started))})
    stub.add_response("describe_stacks", stack(NAME, "UPDATE_ROLLBACK_COMPLETE"))
    ended = [
        _event(3, "Service", "AWS::ECS::Service", "UPDATE_FAILED", scenario.stack_reason, SERVICE_ARN),
        _event(4, NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS",
               "The following resource(s) failed to update: [Service]. ", stack_id(NAME)),
        _event(5, NAME, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", "", stack_id(NAME)),
    ]  # fmt: skip
    stub.add_response("describe_stack_events", {"StackEvents": list(reversed(started + ended))})  # newest first


def stub_rollout(ecs: Stubber, elbv2: Stubber, cloudwatch: Stubber, scenario: Scenario) -> None:
    """One read while the service is updating (failures appear), one more when the stack has failed."""
    for failed in (False, True):
        ecs.add_response("describe_services", {"services": [service(scenario, failed)]},
                         {"cluster": CLUSTER, "services": [SERVICE]})  # fmt: skip
        ecs.add_response("list_tasks", {"taskArns": [TASK]},
                         {"cluster": CLUSTER, "serviceName": SERVICE, "desiredStatus": "STOPPED"})  # fmt: skip
        ecs.add_response("describe_tasks", {"tasks": scenario.tasks}, {"cluster": CLUSTER, "tasks": [TASK]})
        elbv2.add_response("describe_target_health", {"TargetHealthDescriptions": scenario.targets},
                           {"TargetGroupArn": TARGET_GROUP})  # fmt: skip
    cloudwatch.add_response("describe_alarms", {"MetricAlarms": scenario.alarms}, {"AlarmNames": ALARMS})


@contextmanager
def stubbed(folder: Path, scenario: Scenario, progress: Progress | None = None) -> Iterator[Context]:
    """A run's context whose clients answer ``scenario``; every scripted answer must have been asked for."""
    made = {
        name: boto3.client(name, region_name="eu-west-1", aws_access_key_id="stub", aws_secret_access_key="stub")
        for name in ("cloudformation", "ecs", "elbv2", "cloudwatch")
    }
    with ExitStack() as stack_of:
        stubs = {name: stack_of.enter_context(Stubber(client)) for name, client in made.items()}
        stub_cloudformation(stubs["cloudformation"], scenario)
        stub_rollout(stubs["ecs"], stubs["elbv2"], stubs["cloudwatch"], scenario)
        clients = Clients(made["cloudformation"], elbv2=made["elbv2"], ecs=made["ecs"], cloudwatch=made["cloudwatch"])
        ctx = Context(clients, load_deployment(folder), FAST, RUN, say=print, progress=progress)
        yield ctx
        for stub in stubs.values():
            stub.assert_no_pending_responses()


def run(folder: Path, scenario: Scenario, console: Console, live: bool = False) -> StackReview:
    """Execute svc-auth's change set against ``scenario``, shown on ``console`` as a deploy shows it."""
    progress = Progress(console, load_deployment(folder).stack_names, live=live)
    with stubbed(folder, scenario, progress) as ctx, progress.shown():
        gate = Gate(True, False, lambda _q: True, lambda _s: None, terminal.event_printer(console), stop=ctx.stop)
        review = StackReview("svc-auth", NAME, "UPDATE", Result.CHANGES, change_set_name=RUN,
                             change_set_id=change_set_id(NAME), stack_id=stack_id(NAME), created_at=T0)  # fmt: skip
        return execute_stack(ctx, review, gate)


def main(argv: list[str]) -> int:
    """``make demo``'s last part: each scenario replayed through the real view, then its result line."""
    folder = Path(argv[0]) if argv else Path("output/dev")
    console = Console()
    for scenario in SCENARIOS.values():
        console.rule(f"Replayed with Stubber: a rollout that fails on its {scenario.name}")
        done = run(folder, scenario, console)
        console.print(Text(f"{done.stack_name}: {done.result}: {done.message}", "bold red"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
