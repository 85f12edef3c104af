"""An ECS service's rollout as plain data, and what actually failed when CloudFormation says only "circuit breaker".

While CloudFormation updates a service stack it waits for ECS to reach a
steady state, and its events say nothing in between; when ECS gives up, the
stack's reason is "ECS Deployment Circuit Breaker was triggered".  What the
operator needs is underneath: the deployments (task definition revision,
rollout state, desired / running / pending / failed tasks) and the failures
(why tasks stopped, why targets are unhealthy, the service's own events, the
deployment alarm that fired), as Copilot shows them.  These functions turn
the answers of DescribeServices, DescribeTasks, DescribeTargetHealth and
DescribeAlarms into that, and pick the root cause.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (stopCode, stoppedReason, containers' reason)
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html
https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html (reason codes)
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# A task ECS stopped because it failed, not because a deployment scaled it in.
FAILED_STOP_CODES = ("TaskFailedToStart", "EssentialContainerExited")
HEALTH_CHECKS = "health check"  # "Task failed ELB health checks in (target-group ...)", "... container health checks"
# Service events worth showing as failures (the others say tasks started, steady state reached, ...).
FAILURE_WORDS = ("fail", "unhealthy", "unable", "error", "rolling back", "rolled back", "alarm", "circuit breaker")
TASK_STOPPED, TARGET, SERVICE_EVENT, ALARM = "task stopped", "target unhealthy", "service event", "alarm"
SHOWN = 5  # latest failure events under a stack's line, as Copilot shows them


@dataclass(frozen=True)
class EcsDeployment:
    """One deployment of a service: the revision it runs and how far its tasks are."""

    id: str
    status: str  # PRIMARY (the newest), ACTIVE (being replaced), INACTIVE
    revision: str  # the task definition as family:revision
    rollout_state: str  # IN_PROGRESS, COMPLETED, FAILED
    rollout_reason: str
    desired: int
    running: int
    pending: int
    failed: int


@dataclass(frozen=True)
class FailureEvent:
    """Something that went wrong during the rollout, shown once (``key`` says which it is)."""

    key: str
    kind: str  # TASK_STOPPED, TARGET, SERVICE_EVENT, ALARM
    text: str
    at: datetime | None = None


@dataclass
class Rollout:
    """A service's rollout as last read, and every failure seen during this operation (oldest first)."""

    service: str
    deployments: list[EcsDeployment] = field(default_factory=list)
    failures: list[FailureEvent] = field(default_factory=list)

    def add(self, events: list[FailureEvent]) -> list[FailureEvent]:
        """Keep the events not seen before (oldest first); returns them: each is shown once."""
        seen = {event.key for event in self.failures}
        fresh = [event for event in sorted(events, key=_when) if event.key not in seen and not seen.add(event.key)]
        self.failures += fresh
        return fresh

    def latest(self, count: int = SHOWN) -> list[FailureEvent]:
        return self.failures[-count:]


def revision(task_definition_arn: str) -> str:
    """``family:revision`` of a task definition ARN (``arn:...:task-definition/shop-dev-auth:7``)."""
    return task_definition_arn.rsplit("/", 1)[-1]


def deployments_of(service: dict[str, Any]) -> list[EcsDeployment]:
    """A DescribeServices service's deployments, the newest (PRIMARY) first."""
    return [
        EcsDeployment(
            d.get("id", "?"),
            d.get("status", "?"),
            revision(d.get("taskDefinition", "?")),
            d.get("rolloutState", "-"),
            d.get("rolloutStateReason", ""),
            d.get("desiredCount", 0),
            d.get("runningCount", 0),
            d.get("pendingCount", 0),
            d.get("failedTasks", 0),
        )
        for d in sorted(service.get("deployments", []), key=lambda d: d.get("status") != "PRIMARY")
    ]


def service_failures(service: dict[str, Any], since: datetime | None = None) -> list[FailureEvent]:
    """The service's own events that speak of a failure (not older than ``since``, the operation's start)."""
    return [
        FailureEvent(f"event/{e.get('id')}", SERVICE_EVENT, e.get("message", ""), e.get("createdAt"))
        for e in service.get("events", [])
        if any(word in e.get("message", "").lower() for word in FAILURE_WORDS)
        and (since is None or e.get("createdAt") is None or e["createdAt"] >= since)
    ]


def task_failures(tasks: list[dict[str, Any]], deployments: list[str] | None = None) -> list[FailureEvent]:
    """Tasks that stopped because they failed (never because a deployment scaled them in), with each reason.

    ``deployments``: only tasks started by these (a service's tasks carry the
    deployment id in ``startedBy``), so an older failure is not blamed.
    """
    found = []
    for task in tasks:
        reason = task.get("stoppedReason") or ""
        if task.get("stopCode") not in FAILED_STOP_CODES and HEALTH_CHECKS not in reason.lower():
            continue
        if deployments is not None and task.get("startedBy") not in deployments:
            continue
        task_id = task.get("taskArn", "?").rsplit("/", 1)[-1]
        why = [reason] + [
            f"{c.get('name', '?')}: {c['reason']}"
            if c.get("reason")
            else f"{c.get('name', '?')} exited {c['exitCode']}"
            for c in task.get("containers", [])
            if (c.get("reason") or c.get("exitCode") not in (None, 0)) and c.get("reason") != reason
        ]
        runs = revision(task.get("taskDefinitionArn", "?"))
        text = f"task {task_id[:12]} ({runs}) stopped: {'; '.join(w for w in why if w)}"
        found.append(FailureEvent(f"task/{task_id}", TASK_STOPPED, text, task.get("stoppedAt")))
    return found


def target_failures(target_group_arn: str, health: list[dict[str, Any]]) -> list[FailureEvent]:
    """Unhealthy targets of a target group, each with ELB's reason code and description."""
    group = target_group_arn.rsplit(":", 1)[-1].removeprefix("targetgroup/").split("/")[0]
    found = []
    for description in health:
        state = description.get("TargetHealth", {})
        if state.get("State") != "unhealthy":
            continue
        target = description.get("Target", {})
        where = f"{target.get('Id', '?')}:{target.get('Port', '?')}"
        why = ": ".join(part for part in (state.get("Reason"), state.get("Description")) if part)
        key = f"target/{target_group_arn}/{where}/{state.get('Reason')}"
        found.append(FailureEvent(key, TARGET, f"target {where} in {group} unhealthy: {why}"))
    return found


def alarm_failures(alarms: list[dict[str, Any]]) -> list[FailureEvent]:
    """Deployment alarms in the ALARM state, each with CloudWatch's reason."""
    return [
        FailureEvent(
            f"alarm/{a.get('AlarmName')}/{a.get('StateUpdatedTimestamp')}",
            ALARM,
            f"alarm {a.get('AlarmName')} fired: {a.get('StateReason', '')}",
            a.get("StateUpdatedTimestamp"),
        )
        for a in alarms
        if a.get("StateValue") == "ALARM"
    ]


def root_cause(rollout: Rollout) -> str | None:
    """What actually failed: the alarm that fired, else the first task that failed, else an unhealthy target.

    A task stopped for failing ELB health checks, or a deployment alarm, is
    followed by the target's own reason when one was seen (it says *why* the
    checks failed).  None when the rollout shows no failure at all.
    """
    by_kind = {kind: [e for e in rollout.failures if e.kind == kind] for kind in (ALARM, TASK_STOPPED, TARGET)}
    first = (by_kind[ALARM] or by_kind[TASK_STOPPED] or by_kind[TARGET])[:1]
    if not first:
        events = [e for e in rollout.failures if e.kind == SERVICE_EVENT]
        return events[-1].text if events else None
    cause = first[0]
    parts = [cause.text]
    if cause.kind == ALARM or HEALTH_CHECKS in cause.text.lower():
        parts += [e.text for e in by_kind[TARGET][:1]]
    return " | ".join(parts)


def _when(event: FailureEvent) -> float:
    return event.at.timestamp() if event.at is not None else float("inf")
