"""Drift: what was changed outside CloudFormation on the stacks about to be updated.

A console hotfix (a bigger task size, an extra security-group rule) lives
until the next update of that resource quietly puts the template's value
back.  Each existing stack of the run gets a drift detection; the review then
lists drifted resources and properties (template value -> actual value) and
says which of them this run's change sets overwrite.

Alongside planning, never before it: drift is advisory, so it must not hold
back the first change set.  Planning reads each stack's state anyway; a stack
it finds deployed (never one the run is creating) is handed to the
``DriftCheck``, whose one thread starts its detection (they run inside
CloudFormation) and polls every detection until
``--drift-timeout`` after the run started.  The review waits for what is left
of that deadline; a stack still being checked then is reported as unknown.

Advisory: drift never fails a deploy.  An endpoint without the drift API, or
credentials without the permission, give one note for the whole run, from the
first answer: no further stack is asked (and an unreadable answer is not
retried, ``deployer.aws.clients.OPTIONAL_ACTIONS``).

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS
from deployer.review.lifecycle import PropertyDrift, ResourceDrift, StackDrift
from deployer.review.stack_review import Review
from deployer.run.context import Context
from deployer.run.pacing import growing_delay

DELAY = 5  # seconds between DescribeStackDriftDetectionStatus polls, at most
DEFAULT_TIMEOUT = 90
DRIFTED = ("MODIFIED", "DELETED")


@dataclass
class _Detection:
    key: str
    name: str
    detection_id: str
    polls: int = 0
    due: float = 0.0


class DriftCheck:
    """Drift detection of the run's deployed stacks, started as planning finds them; ``result`` collects it."""

    def __init__(self, ctx: Context, timeout: int = DEFAULT_TIMEOUT, delay: float = DELAY) -> None:
        self.ctx = ctx
        self.deadline = time.monotonic() + timeout
        self.delay = delay
        self.lock = threading.Condition()
        self.queue: list[str] = []
        self.closed = False
        self.note = ""  # set at the first answer that says drift cannot be checked here: no stack is asked again
        self.found: list[StackDrift] = []
        self.running: list[_Detection] = []
        self.thread = threading.Thread(target=self._run, name="drift", daemon=True)

    def start(self) -> DriftCheck:
        self.thread.start()
        return self

    def add(self, key: str) -> None:
        """A deployed stack of the run (planning found it): detect its drift."""
        with self.lock:
            if not self.closed:
                self.queue.append(key)
                self.lock.notify_all()

    def result(self) -> tuple[list[StackDrift], str]:
        """Every detection's result (sorted like the run), and a note when drift could not be checked at all."""
        with self.lock:
            self.closed = True
            self.lock.notify_all()
        self.thread.join()
        order = list(self.ctx.deployment.order())
        return sorted(self.found, key=lambda d: order.index(d.key)), self.note

    def _run(self) -> None:
        while True:
            with self.lock:
                soonest = min((d.due for d in self.running), default=time.monotonic() + 0.25)
                pause = min(0.25, max(0.0, soonest - time.monotonic()))
                self.lock.wait_for(lambda: bool(self.queue) or (self.closed and not self.running), timeout=pause)
                keys, self.queue = self.queue, []
                if self.closed and not keys and not self.running:
                    return
            for key in keys:
                self._start(key)
            self._poll_due()
            if self.ctx.stop.is_set():
                self.found += [_unknown(d, "interrupted while waiting for drift detection") for d in self.running]
                self.running = []

    def _start(self, key: str) -> None:
        name = self.ctx.deployment.stacks[key].stack_name
        if self.note or self.ctx.stop.is_set():
            return
        try:
            detection = cloudformation.detect_stack_drift(self.ctx.clients.cloudformation, name)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") != "ValidationError":  # no such API, no permission: the same for every stack
                self.note = _not_checked(name, exc)
            elif "does not exist" not in error.get("Message", ""):  # e.g. a state drift detection refuses
                self.found.append(StackDrift(key, name, "NOT_CHECKED", note=error.get("Message", "")))
            return
        except (BotoCoreError, ResponseParserError) as exc:
            self.note = _not_checked(name, exc)
            return
        self.running.append(_Detection(key, name, detection, due=time.monotonic() + growing_delay(0, 1, self.delay)))

    def _poll_due(self) -> None:
        """Each detection due: one status poll, judged by the waiter's acceptors; the decided ones are read."""
        for detection in list(self.running):
            if detection.polls and time.monotonic() >= self.deadline:
                self.running.remove(detection)
                self.found.append(_unknown(detection, "still being checked at the drift deadline; not waited for"))
                continue
            if detection.due > time.monotonic() or self.ctx.stop.is_set():
                continue
            cfn = self.ctx.clients.cloudformation
            answer = cloudformation.describe_stack_drift_detection_status(cfn, detection.detection_id)
            detection.polls += 1
            detection.due = time.monotonic() + growing_delay(detection.polls, 1, self.delay)
            state = cloudformation.drift_detection_state(cfn, answer)
            if state is not None:
                self.running.remove(detection)
                self.found.append(self._decided(detection, answer))

    def _decided(self, detection: _Detection, answer: dict[str, Any]) -> StackDrift:
        key, name = detection.key, detection.name
        if "Error" in answer:
            return StackDrift(key, name, "NOT_CHECKED", note=answer["Error"].get("Message", "detection failed"))
        note = ""
        if answer.get("DetectionStatus") == "DETECTION_FAILED":
            note = f"detection incomplete: {answer.get('DetectionStatusReason', 'no reason given')}"
        try:
            resources = drifted_resources(self.ctx.clients.cloudformation, name)
        except AWS_ERRORS as exc:
            return StackDrift(key, name, "NOT_CHECKED", note=f"drift detected but not readable: {exc}")
        return StackDrift(key, name, "DRIFTED" if resources else "IN_SYNC", resources, note)


def detect(
    ctx: Context, keys: list[str] | None = None, timeout: int = DEFAULT_TIMEOUT, delay: float = DELAY
) -> tuple[list[StackDrift], str]:
    """Drift of ``keys`` (default: every stack of the run, in order), all handed over at once."""
    check = DriftCheck(ctx, timeout, delay)
    for key in ctx.deployment.order() if keys is None else keys:
        check.add(key)
    return check.start().result()


def _unknown(detection: _Detection, note: str) -> StackDrift:
    return StackDrift(detection.key, detection.name, "UNKNOWN", note=note)


def _not_checked(name: str, exc: Exception) -> str:
    """One line for the whole run: the first stack's answer stands for all of them."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        message = " ".join(str(error.get("Message", "")).split())[:80]
        answer = f"DetectStackDrift on {name} answered {error.get('Code', 'an error')}: {message}"
    elif isinstance(exc, ResponseParserError):
        answer = f"the endpoint's answer to DetectStackDrift on {name} was not an AWS API response"
    else:
        answer = f"DetectStackDrift on {name} failed: {' '.join(str(exc).split())[:80]}"
    return f"not checked: {answer}; --no-drift skips the check"


def drifted_resources(cfn: Any, name: str) -> list[ResourceDrift]:
    """Resources changed or deleted outside CloudFormation, with each property's template and actual value."""
    out = []
    for drift in cloudformation.describe_stack_resource_drifts(cfn, name, list(DRIFTED)):
        properties = [
            PropertyDrift(p["PropertyPath"], p.get("ExpectedValue"), p.get("ActualValue"), p["DifferenceType"])
            for p in drift.get("PropertyDifferences", [])
        ]
        out.append(
            ResourceDrift(
                drift["LogicalResourceId"], drift["ResourceType"], drift["StackResourceDriftStatus"], properties
            )
        )
    return sorted(out, key=lambda r: r.logical_id)


def mark_overwritten(review: Review) -> None:
    """A drifted resource this run's change set modifies or removes gets the template's values back."""
    for stack_drift in review.lifecycle.drift:
        stack = review.stacks.get(stack_drift.key)
        changed = {r.logical_id for r in stack.resources if r.action in ("Modify", "Remove")} if stack else set()
        for resource in stack_drift.resources:
            resource.overwritten = resource.logical_id in changed
