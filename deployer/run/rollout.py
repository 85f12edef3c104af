"""Follow a service stack's ECS rollout while CloudFormation waits for it, and name what failed.

CloudFormation's events go quiet while ECS rolls a service out, and when ECS
gives up they say only "ECS Deployment Circuit Breaker was triggered".  A
service stack's operation gets a ``ServiceWatch`` beside the run's poller
(``run.follow_operation``): it picks the ECS service out of the operation's
own events (the ``AWS::ECS::Service`` resource's physical id is the service
ARN, which names its cluster), or, when they have not named it yet, from
ListStackResources; then it reads the service whenever the run's
pacer has a call to spare: DescribeServices (one call for up to ten due services of a
cluster), and only when that shows something failing, the stopped tasks
(ListTasks, DescribeTasks) and the target groups' health
(DescribeTargetHealth).  Each new failure is shown once.  When the operation
fails, one more read (not a decorative one) adds the deployment alarms
(DescribeAlarms) and names the root cause, which the result line and
review.json carry (``deployer.review.rollout.root_cause``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from deployer.aws import cloudformation, cloudwatch, ecs, elbv2
from deployer.aws.clients import AWS_ERRORS, Clients, Timing, is_transient
from deployer.review.rollout import (
    FailureEvent,
    Rollout,
    alarm_failures,
    deployments_of,
    root_cause,
    service_failures,
    target_failures,
    task_failures,
)
from deployer.run.follow_operation import Outcome, cadence

SERVICE = "AWS::ECS::Service"
ShowRollout = Callable[[Rollout | None, list[FailureEvent]], None]  # None: the operation is over


def service_logical_id(template: dict[str, Any]) -> str | None:
    """The logical id of the template's ECS service (a service stack has one), or None."""
    return next((lid for lid, r in (template.get("Resources") or {}).items() if r.get("Type") == SERVICE), None)


def service_location(arn: str) -> tuple[str, str] | None:
    """(cluster, service name) of a service ARN in the long format (``...:service/<cluster>/<name>``), else None.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
    """
    parts = arn.split(":", 5)[-1].split("/")
    return (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "service" else None


class Rollouts:
    """The run's ECS reads, shared by every watch: due services of one cluster are described together."""

    def __init__(self, clients: Clients, timing: Timing) -> None:
        self.clients, self.timing = clients, timing
        self.lock = threading.Lock()
        self.watches: list[ServiceWatch] = []

    def watch(self, key: str, stack: tuple[str, str], since: datetime | None, show: ShowRollout) -> ServiceWatch:
        """``stack``: (stack name, the ECS service's logical id)."""
        watch = ServiceWatch(self, key, stack, since, show)
        with self.lock:
            self.watches = [w for w in self.watches if not w.ended] + [watch]
        return watch

    def refresh(self, watch: ServiceWatch) -> None:
        """DescribeServices for ``watch`` and up to nine other due watches of its cluster; each takes its answer."""
        assert watch.location is not None
        cluster = watch.location[0]
        now = time.monotonic()
        with self.lock:
            others = [w for w in self.watches if w is not watch and w.location and w.due(now)]
        batch = [watch, *[w for w in others if w.location and w.location[0] == cluster][: ecs.SERVICES_PER_CALL - 1]]
        by_name = {w.location[1]: w for w in batch if w.location}
        for service in ecs.describe_services(self.clients.ecs, cluster, list(by_name)):
            target = by_name.get(service.get("serviceName", ""))
            if target is not None:
                target.take(service)


class ServiceWatch:
    """One service stack's operation: its ECS service's rollout, read while the poller follows the stack."""

    def __init__(
        self, rollouts: Rollouts, key: str, stack: tuple[str, str], since: datetime | None, show: ShowRollout
    ) -> None:
        self.rollouts, self.key, self.stack, self.since, self.show = rollouts, key, stack, since, show
        self.location: tuple[str, str] | None = None  # (cluster, service name), once the events name it
        self.rollout = Rollout("")
        self.started = time.monotonic()
        self.next = 0.0  # when a read is due next (the poller's decorative turn)
        self.failed_tasks = 0
        self.ended = False
        self.broken = False  # a read was refused (no ecs:DescribeServices, say): no more reads this operation
        self.cause: str | None = None

    def see(self, events: list[dict[str, Any]]) -> None:
        """The operation's new stack events: the service's ARN once CloudFormation has made or touched it."""
        for event in events:
            if event.get("ResourceType") == SERVICE:
                self._locate(event.get("PhysicalResourceId") or "")

    def _locate(self, arn: str) -> None:
        if self.location is None and arn.startswith("arn:"):
            self.location = service_location(arn)
            if self.location:
                self.rollout.service = self.location[1]

    def due(self, now: float) -> bool:
        return not self.broken and not self.ended and now >= self.next

    def poll(self) -> None:
        """A decorative read: nothing fails the run when it does (a refusal stops the reads of this operation)."""
        self.next = time.monotonic() + 2 * cadence(time.monotonic() - self.started, self.rollouts.timing)
        try:
            if self.location is None:  # the events have not named it (yet): ask for the stack's resources
                name, logical_id = self.stack
                for resource in cloudformation.list_stack_resources(self.rollouts.clients.cloudformation, name):
                    if resource.get("LogicalResourceId") == logical_id:
                        self._locate(resource.get("PhysicalResourceId") or "")
            if self.location is not None:
                self.rollouts.refresh(self)
        except AWS_ERRORS as exc:
            self.broken = not is_transient(exc)

    def take(self, service: dict[str, Any], details: bool = False) -> None:
        """One DescribeServices answer: deployments, failing service events, and their details when they changed."""
        self.next = time.monotonic() + 2 * cadence(time.monotonic() - self.started, self.rollouts.timing)
        self.rollout.deployments = deployments_of(service)
        failed = sum(d.failed for d in self.rollout.deployments)
        events = service_failures(service, self.since)
        known = {e.key for e in self.rollout.failures}
        if details or failed > self.failed_tasks or any(e.key not in known for e in events):
            events += self._details(service)
        self.failed_tasks = failed
        self.show(self.rollout, self.rollout.add(events))

    def _details(self, service: dict[str, Any]) -> list[FailureEvent]:
        """Why tasks stopped and targets are unhealthy (a few calls: only when something is failing)."""
        assert self.location is not None
        clients, (cluster, name) = self.rollouts.clients, self.location
        ours = [d["id"] for d in service.get("deployments", []) if self._ours(d)]
        stopped = ecs.describe_tasks(clients.ecs, cluster, ecs.list_tasks(clients.ecs, cluster, name))
        found = task_failures(stopped, ours)
        for balancer in service.get("loadBalancers", []):
            if arn := balancer.get("targetGroupArn"):
                found += target_failures(arn, elbv2.describe_target_health(clients.elbv2, arn))
        return found

    def _ours(self, deployment: dict[str, Any]) -> bool:
        created = deployment.get("createdAt")
        return self.since is None or created is None or created >= self.since

    def conclude(self, outcome: Outcome) -> Outcome:
        """The operation ended; if it failed, read everything once more, the deployment alarms too, and name why.

        Not after a success, nor after Ctrl-C (nothing new is asked then).
        """
        self.ended = True
        if self.location is None or outcome.succeeded or outcome.status in ("INTERRUPTED", "UNKNOWN"):
            self.show(None, [])
            return outcome
        cluster, name = self.location
        clients = self.rollouts.clients
        try:
            for service in ecs.describe_services(clients.ecs, cluster, [name]):
                self.take(service, details=True)
                alarms = ((service.get("deploymentConfiguration") or {}).get("alarms") or {}).get("alarmNames", [])
                found = alarm_failures(cloudwatch.describe_alarms(clients.cloudwatch, alarms))
                self.show(self.rollout, self.rollout.add(found))
        except AWS_ERRORS:
            pass  # what was seen during the operation still names a cause
        self.cause = root_cause(self.rollout)
        self.show(None, [])
        return outcome
