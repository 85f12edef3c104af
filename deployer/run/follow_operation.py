"""Follow one stack operation: its events only, and the first failure as the root cause.

Why not botocore's ``stack_*_complete`` waiters here, as everywhere else we
wait (change sets, busy stacks, deletes): a waiter sleeps a fixed delay and
shows nothing meanwhile, and we want the operation's events as they come.
So this loop polls DescribeStacks itself, paced with capped exponential
backoff and jitter (reset to the minimum while events keep arriving), and
applies one small explicit rule: the operation is over when the stack's
status no longer ends in ``_IN_PROGRESS``; it succeeded when that status is
CREATE_COMPLETE, UPDATE_COMPLETE or IMPORT_COMPLETE.  Each call is still
retried by the client's adaptive retry mode when throttled.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS, Timing, is_transient

SUCCEEDED = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
FAILED_STATUSES = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "IMPORT_FAILED")
CONSEQUENCES = ("cancelled", "canceled")  # resources stopped because another one failed
SUMMARY = "The following resource(s) failed"  # the stack's own line when resources failed: never the cause

OnEvents = Callable[[list[dict[str, Any]]], None]


@dataclass
class EventStream:
    """New events of one stack operation, oldest first.

    An event is this operation's when its ``ClientRequestToken`` is ``token``
    (the one ExecuteChangeSet was given).  An event without a token (older
    operations, some endpoints) counts when it is not older than ``since``,
    the change set's creation.
    """

    cfn: Any
    stack_id: str
    since: datetime
    token: str | None = None
    seen: set[str] = field(default_factory=set)
    history: list[dict[str, Any]] = field(default_factory=list)

    def poll(self) -> list[dict[str, Any]]:
        """Page newest-first and stop at the first event already seen or of an earlier operation."""
        fresh: list[dict[str, Any]] = []
        for event in cloudformation.describe_stack_events(self.cfn, self.stack_id):
            if event["EventId"] in self.seen or not self._ours(event):
                return self._accept(fresh)
            fresh.append(event)
        return self._accept(fresh)

    def _ours(self, event: dict[str, Any]) -> bool:
        token = event.get("ClientRequestToken")
        if token and self.token:
            return token == self.token
        return event["Timestamp"] >= self.since

    def _accept(self, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
        fresh.reverse()
        self.seen.update(event["EventId"] for event in fresh)
        self.history += fresh
        return fresh

    def root_cause(self) -> dict[str, Any] | None:
        """The first resource that failed in this operation, not the rollback that followed.

        Some failures belong to no resource: "Export ... cannot be updated as it
        is in use by ..." is the reason of the stack's own
        UPDATE_ROLLBACK_IN_PROGRESS line.  When no resource failed, the earliest
        stack line of this operation that starts a rollback or failed, and is
        not the generic "The following resource(s) failed" summary, is the cause.
        """
        events = sorted(self.history, key=lambda e: e["Timestamp"])
        for event in events:
            reason = (event.get("ResourceStatusReason") or "").lower()
            if event["ResourceStatus"] not in FAILED_STATUSES or any(c in reason for c in CONSEQUENCES):
                continue
            if not self._own(event):
                return event
        for event in events:
            status, reason = event["ResourceStatus"], event.get("ResourceStatusReason") or ""
            failing = status.endswith("ROLLBACK_IN_PROGRESS") or status.endswith("_FAILED")
            if self._own(event) and failing and reason and not reason.startswith(SUMMARY):
                return event
        return None

    def _own(self, event: dict[str, Any]) -> bool:
        """The stack's own line (its status), not one of its resources'."""
        return event.get("PhysicalResourceId") == self.stack_id


def backoff(low: float, high: float) -> Iterator[float]:
    """Capped exponential delays with equal jitter: never below half the step, never above ``high``."""
    step = low
    while True:
        yield step / 2 + random.uniform(0, step / 2)  # noqa: S311 - jitter, not cryptography
        step = min(high, step * 2)


@dataclass(frozen=True)
class Outcome:
    """How a followed operation ended: the stack's own status decides, never an event."""

    succeeded: bool
    status: str  # the stack's final status, GONE, UNKNOWN (unreadable), TIMEOUT or INTERRUPTED
    reason: str = ""


def follow_operation(
    cfn: Any,
    stream: EventStream,
    timing: Timing,
    on_events: OnEvents,
    stop: threading.Event,
    say: Callable[[str], None] = lambda _message: None,
) -> Outcome:
    """Poll until the stack settles, showing this operation's events as they arrive.

    Only the stack's own status is a verdict.  A poll that fails after
    botocore's retries (a burst of throttling, an endpoint answering 5xx) says
    nothing about the stack: ``say`` tells the user and we ask again after the
    next backoff delay, until the operation's deadline.  An error that will
    not go away by asking again (access denied, expired credentials) ends the
    wait with UNKNOWN, never FAILED.  ``stop`` (set on Ctrl-C or SIGTERM) ends
    the wait early; CloudFormation carries on regardless.
    """
    started = time.monotonic()
    delays = backoff(timing.poll_min, timing.poll_max)
    while True:
        try:
            stack = cloudformation.describe_stack(cfn, stream.stack_id, missing_ok=False)
        except AWS_ERRORS as exc:
            if isinstance(exc, ClientError) and _gone(exc):
                on_events(_events(stream))
                return Outcome(False, "GONE", exc.response["Error"].get("Message", ""))
            if not is_transient(exc):
                return Outcome(False, "UNKNOWN", f"could not read the stack's status: {exc}")
            stack = None
            delay = next(delays)
            say(f"reading its status failed ({_short(exc)}); asking again in {delay:.0f}s")
        else:
            events = _events(stream)
            on_events(events)
            if not stack["StackStatus"].endswith("_IN_PROGRESS"):
                status = stack["StackStatus"]
                return Outcome(status in SUCCEEDED, status, stack.get("StackStatusReason", ""))
            if events:
                delays = backoff(timing.poll_min, timing.poll_max)
            delay = next(delays)
        if time.monotonic() - started > timing.operation_timeout:
            return Outcome(False, "TIMEOUT", f"still running after {timing.operation_timeout}s; it goes on without us")
        if stop.wait(delay):
            return Outcome(False, "INTERRUPTED", "stopped following; CloudFormation goes on with the operation")


def _events(stream: EventStream) -> list[dict[str, Any]]:
    """New events, or none this time when reading them failed: they only decorate, the status decides."""
    try:
        return stream.poll()
    except AWS_ERRORS:
        return []


def _gone(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    return error.get("Code") == "ValidationError" and "does not exist" in error.get("Message", "")


def _short(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}"[:160]
    return f"{type(exc).__name__}: {exc}"[:160]
