"""Follow every stack operation of the run with one poller: its events only, and the first failure as the root cause.

Why not botocore's ``stack_*_complete`` waiters here, as everywhere else we
wait (busy stacks, deletes): a waiter sleeps a fixed delay and shows nothing
meanwhile, follows one stack per thread, and we want the operation's events
as they come.  So one poller thread follows every operation of the run and
applies one small explicit rule: an operation is over when its stack's status
no longer ends in ``_IN_PROGRESS``; it succeeded when that status is
CREATE_COMPLETE, UPDATE_COMPLETE or IMPORT_COMPLETE.

Batched: with one stack in flight it asks DescribeStacks about that stack;
with more, one ListStacks of the live stacks answers for all of them (once
that costs fewer calls than asking each: it takes a page per hundred or so
stacks of the account).  A stack is checked about every sixteenth of its
operation's age (``Timing.poll_min`` to ``poll_max``): half a second while it
is young, ten seconds once it has run for minutes.  Its events come with
each check while it is the only one, else on a slower beat, and once more at
its end (after a success only when a poll is to spare).
Every call is paced run-wide (``run.pacing``); events and the ECS rollout
(``run.rollout``) are read only when the pacer has a call to spare.  Each call is
still retried by botocore when throttled.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS, Timing, is_transient, stack_missing
from deployer.run.pacing import Pacer

SUCCEEDED = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
FAILED_STATUSES = ("CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "IMPORT_FAILED")
CONSEQUENCES = ("cancelled", "canceled")  # resources stopped because another one failed
SUMMARY = "The following resource(s) failed"  # the stack's own line when resources failed: never the cause

OnEvents = Callable[[list[dict[str, Any]]], None]
DECORATIVE = 2.0  # reads a second, at most, that only show progress (events of many stacks, ECS rollouts)


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


@dataclass(frozen=True)
class Outcome:
    """How a followed operation ended: the stack's own status decides, never an event."""

    succeeded: bool
    status: str  # the stack's final status, GONE, UNKNOWN (unreadable), TIMEOUT or INTERRUPTED
    reason: str = ""


class Watch(Protocol):
    """What else follows a stack's operation (the ECS rollout of a service stack, ``run.rollout``)."""

    next: float  # when its next read is due (monotonic)

    def see(self, events: list[dict[str, Any]]) -> None: ...  # the operation's new events, oldest first
    def due(self, now: float) -> bool: ...  # worth a decorative read now
    def poll(self) -> None: ...  # that read (paced by the caller)
    def conclude(self, outcome: Outcome) -> Outcome: ...  # at the end (a failure: find out what failed)


def cadence(age: float, timing: Timing) -> float:
    """The pause before checking an operation again: a sixteenth of its age, within ``poll_min`` and ``poll_max``.

    So an operation is seen over at most about 6 % of its duration late.
    """
    return min(timing.poll_max, max(timing.poll_min, age / 16))


@dataclass
class _Followed:
    """One operation being followed, and where its worker waits for the verdict."""

    stream: EventStream
    on_events: OnEvents
    say: Callable[[str], None]
    watch: Watch | None
    started: float
    status_due: float = 0.0
    events_due: float = 0.0
    outcome: Outcome | None = None
    done: threading.Event = field(default_factory=threading.Event)
    rollout_turn: bool = True  # the next decorative read of this stack is its rollout's (else its events')


class Poller:
    """One thread following every stack operation of the run; ``follow`` blocks its caller until the verdict."""

    def __init__(self, cfn: Any, timing: Timing, pacer: Pacer, stop: threading.Event) -> None:
        self.cfn, self.timing, self.pacer, self.stop = cfn, timing, pacer, stop
        self.followed: dict[str, _Followed] = {}
        self.wake = threading.Condition()
        self.thread: threading.Thread | None = None
        self.batched = True  # ListStacks; off for the run once it is refused (a role without the permission)
        self.pages = 1  # how many pages the last ListStacks took: batching pays when more stacks are followed
        self.decorate_at = 0.0  # no read that only decorates before this

    def follow(
        self,
        stream: EventStream,
        on_events: OnEvents,
        say: Callable[[str], None],
        watch: Watch | None = None,
        at_once: bool = False,
    ) -> Outcome:
        """Until ``stream``'s stack settles (or the deadline, or ``stop``), its events shown as they arrive.

        Only the stack's own status is a verdict.  A read that fails after
        botocore's retries (throttling, a 5xx) says nothing about the stack:
        ``say`` tells the user and it is asked again later.  An error that will
        not go away by asking again (access denied) ends the wait with
        UNKNOWN, never FAILED.  ``stop`` ends it with INTERRUPTED;
        CloudFormation carries on regardless.

        First asked after ``poll_min``: nothing is over the instant it started,
        and stacks started together are then asked about together.  ``at_once``:
        on an endpoint that computes change sets at once (a local one), at once.
        """
        now = time.monotonic()
        first = now if at_once else now + cadence(0, self.timing)
        followed = _Followed(stream, on_events, say, watch, now, first, first + cadence(0, self.timing))
        with self.wake:
            self.followed[stream.stack_id] = followed
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="poller", daemon=True)
                self.thread.start()
            self.wake.notify_all()
        followed.done.wait()
        assert followed.outcome is not None
        return followed.outcome

    def _run(self) -> None:
        """The poller's thread.  Should anything escape it, every operation it follows ends UNKNOWN: no caller
        may wait forever for a verdict nobody will give."""
        try:
            self._loop()
        except BaseException as exc:
            with self.wake:
                followed, self.thread = list(self.followed.values()), None
            for one in followed:
                self._end(one, Outcome(False, "UNKNOWN", f"following it failed: {type(exc).__name__}: {exc}"))
            raise

    def _loop(self) -> None:
        while True:
            with self.wake:
                if not self.followed:
                    self.thread = None
                    return
                followed = list(self.followed.values())
            if self.stop.is_set():
                for one in followed:
                    self._end(one, Outcome(False, "INTERRUPTED", "stopped following; CloudFormation goes on"))
                continue
            now = time.monotonic()
            for one in followed:
                if now - one.started > self.timing.operation_timeout:
                    limit = self.timing.operation_timeout
                    self._end(one, Outcome(False, "TIMEOUT", f"still running after {limit}s; it goes on without us"))
            self._round([one for one in followed if one.outcome is None], now)

    def _round(self, followed: list[_Followed], now: float) -> None:
        """One pass: verdicts first, then what only decorates, then sleep until something is due."""
        if any(one.status_due <= now for one in followed):
            if len(followed) <= self.pages or not self.batched:
                for one in (f for f in followed if f.status_due <= now):
                    self._check(one, events=len(followed) == 1)
            else:
                self._check_all(followed)
        self._decorate(followed)
        pending = [one for one in followed if one.outcome is None]
        soonest = min((one.status_due for one in pending), default=time.monotonic())
        with self.wake:
            self.wake.wait(min(0.25, max(0.0, soonest - time.monotonic())))

    def _decorate(self, followed: list[_Followed]) -> None:
        """Events (when several stacks are followed) and rollouts: ``DECORATIVE`` reads a second, spared by the pacer.

        The oldest-due first, so forty stacks in flight each get their turn
        instead of forty reads a second crowding out the calls that deploy.
        """
        for one in sorted(followed, key=lambda f: min(f.events_due, f.watch.next if f.watch else f.events_due)):
            now = time.monotonic()
            if one.outcome is not None or now < self.decorate_at or not self.pacer.spare():
                continue
            events = len(followed) > 1 and one.events_due <= now
            rollout = one.watch is not None and one.watch.due(now)
            if rollout and (one.rollout_turn or not events):  # events and rollout take turns
                self.decorate_at, one.rollout_turn = now + 1 / DECORATIVE, False
                self._poll_rollout(one)
            elif events:
                one.events_due, one.rollout_turn = now + 2 * cadence(now - one.started, self.timing), True
                self.decorate_at = now + 1 / DECORATIVE
                self._show_events(one)

    def _poll_rollout(self, one: _Followed) -> None:
        assert one.watch is not None
        try:
            one.watch.poll()
        except Exception:  # a display that breaks is dropped; the deploy and its verdict go on
            one.watch = None

    def _check_all(self, followed: list[_Followed]) -> None:
        """One ListStacks (every live stack, a page per hundred or so) for every followed stack's status."""
        try:
            summaries, self.pages = cloudformation.list_stacks(self.cfn)
        except AWS_ERRORS as exc:
            if not is_transient(exc):
                self.batched = False  # e.g. no cloudformation:ListStacks: one DescribeStacks per stack from now on
            for one in followed:
                self._unreadable(one, exc, fatal=False)
            return
        by_id = {summary["StackId"]: summary for summary in summaries}
        for one in followed:
            summary = by_id.get(one.stream.stack_id)
            if summary is None:  # deleted meanwhile: DescribeStacks by id says so, with CloudFormation's words
                self._check(one, events=False)
            elif summary["StackStatus"].endswith("_IN_PROGRESS"):
                one.status_due = time.monotonic() + cadence(time.monotonic() - one.started, self.timing)
            else:  # ListStacks carries no events: a failure's root cause is read now
                self._settled(one, summary, events=True)

    def _check(self, one: _Followed, events: bool = True) -> None:
        """DescribeStacks on one stack: its verdict when it has settled; with ``events``, its new events too."""
        try:
            stack = cloudformation.describe_stack(self.cfn, one.stream.stack_id, missing_ok=False)
        except AWS_ERRORS as exc:
            if isinstance(exc, ClientError) and stack_missing(exc):
                self._show_events(one)
                self._end(one, Outcome(False, "GONE", exc.response["Error"].get("Message", "")))
                return
            self._unreadable(one, exc, fatal=not is_transient(exc))
            return
        if events:
            self._show_events(one)
        self._settled(one, stack, events=not events)

    def _settled(self, one: _Followed, stack: dict[str, Any], events: bool) -> None:
        """The verdict when the stack's status says the operation is over, else the next check's time.

        The last events are read for a failure (its root cause is among them);
        after a success only when the pacer has a poll to spare: they decorate.
        """
        status = stack["StackStatus"]
        if status.endswith("_IN_PROGRESS"):
            one.status_due = time.monotonic() + cadence(time.monotonic() - one.started, self.timing)
            return
        if events and (status not in SUCCEEDED or self.pacer.spare()):
            self._show_events(one)
        self._end(one, Outcome(status in SUCCEEDED, status, stack.get("StackStatusReason", "")))

    def _unreadable(self, one: _Followed, exc: BaseException, fatal: bool) -> None:
        if fatal:
            self._end(one, Outcome(False, "UNKNOWN", f"could not read the stack's status: {exc}"))
            return
        delay = cadence(time.monotonic() - one.started, self.timing)
        one.say(f"reading its status failed ({_short(exc)}); asking again in {delay:.0f}s")
        one.status_due = time.monotonic() + delay

    def _show_events(self, one: _Followed) -> None:
        """New events, or none this time when reading them failed: they only decorate, the status decides."""
        try:
            fresh = one.stream.poll()
        except AWS_ERRORS:
            return
        if one.watch is not None:
            one.watch.see(fresh)
        one.on_events(fresh)

    def _end(self, one: _Followed, outcome: Outcome) -> None:
        if one.watch is not None:
            with contextlib.suppress(Exception):  # what the rollout's reads do, the verdict stands
                outcome = one.watch.conclude(outcome)
        one.outcome = outcome
        with self.wake:
            self.followed.pop(one.stream.stack_id, None)
        one.done.set()


def _short(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}"[:160]
    return f"{type(exc).__name__}: {exc}"[:160]
