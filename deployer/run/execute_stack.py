"""Execute one stack's change set and follow it to the end.

Stacks that were previewed or deferred during planning get their change set
here, once the stacks they import from are deployed; a deferred update is
shown and held to the same risk gate and confirmation as the main review.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS
from deployer.errors import Interrupted, StackFailure
from deployer.review.stack_review import Result, StackReview
from deployer.run.change_set_names import request_token
from deployer.run.context import Context
from deployer.run.create_stack import create_directly
from deployer.run.follow_operation import SUCCEEDED, EventStream, OnEvents, Outcome
from deployer.run.plan_stack import change_set_review, settled_stack
from deployer.run.rollout import service_logical_id
from deployer.run.stack_state import CREATE, RECREATABLE, RECREATE


@dataclass
class Gate:
    """The human (or --yes) and the risk policy, shared by every stack of the run."""

    yes: bool
    allow_replacement: bool
    ask: Callable[[str], bool]
    show: Callable[[StackReview], None]
    on_events: Callable[[str], OnEvents]
    stop: threading.Event = field(default_factory=threading.Event)  # the run's Ctrl-C flag
    lock: threading.Lock = field(default_factory=threading.Lock)
    exact: bool = False  # --apply-plan: a change set made now must be exactly the reviewed preview, or not run

    def admit(self, review: StackReview) -> StackReview:
        """Gate a change set that was not part of the confirmed review."""
        with self.lock:  # one question on the terminal at a time
            if self.stop.is_set():
                raise Interrupted("not admitted")
            self.show(review)
            if review.risks and not self.allow_replacement:
                return _fail(review, Result.GATED, "risky changes and no --allow-replacement; not executed")
            if not self.yes and not _answer(self.ask, f"Execute the change set for {review.stack_name}?", self.stop):
                return _fail(review, Result.NOT_CONFIRMED, "not confirmed; not executed")
        return review


def _answer(ask: Callable[[str], bool], question: str, stop: threading.Event) -> bool:
    """``ask(question)`` in a daemon thread, given up on Ctrl-C.

    Ctrl-C reaches the main thread, not this worker; a worker blocked reading
    the terminal would keep the process alive after "interrupted" until
    someone pressed Enter.  A daemon thread does not hold the exit.
    """
    answers: queue.Queue[bool] = queue.Queue(maxsize=1)

    def read() -> None:
        try:
            answers.put(ask(question))
        except Exception:  # an unreadable terminal is a "no"
            answers.put(False)

    threading.Thread(target=read, name="question", daemon=True).start()
    while True:
        try:
            return answers.get(timeout=0.2)
        except queue.Empty:
            if stop.is_set():
                raise Interrupted("question abandoned") from None


def _fail(review: StackReview, result: Result, message: str) -> StackReview:
    review.result, review.message = result, message
    return review


def execute_stack(ctx: Context, review: StackReview, gate: Gate) -> StackReview:
    """Deploy one stack; failures come back in the review (result and message), not as exceptions."""
    try:
        if review.result is Result.PREVIEW and review.action == CREATE and not gate.exact:
            _check(ctx)
            ctx.report(review.key, "creating the stack (CreateStack, as previewed)")
            created = create_directly(ctx, review.key)
            if created is not None:
                review.change_set_name = None
                return _follow(ctx, review, *created, None, gate.on_events(review.stack_name))
        if review.result in (Result.PREVIEW, Result.DEFERRED):
            review = _late_change_set(ctx, review, gate)
        if review.result is not Result.CHANGES:
            return review
        return _run(ctx, review, gate.on_events(review.stack_name))
    except Interrupted:
        return _fail(review, Result.INTERRUPTED, "interrupted: its change set was not executed")
    except StackFailure as exc:
        return _fail(review, Result.BLOCKED, str(exc))
    except AWS_ERRORS as exc:
        return _fail(review, Result.FAILED, str(exc))


def _late_change_set(ctx: Context, review: StackReview, gate: Gate) -> StackReview:
    """The change set of a previewed or deferred stack, made now that the stacks it imports from are deployed.

    A previewed CREATE is not read again: planning found no stack (or only a
    REVIEW_IN_PROGRESS shell), a CREATE change set is made on either, and
    CloudFormation refuses it (AlreadyExists) if someone deployed the stack
    since.  One call less per new stack, at the moment a first deploy makes
    all its service stacks at once.
    """
    stack_in = ctx.deployment.stacks[review.key]
    cfn = ctx.clients.cloudformation
    stack = None if review.action == CREATE else settled_stack(ctx, review.key)
    if review.action == RECREATE and stack is not None:
        if stack["StackStatus"] not in RECREATABLE:  # someone fixed or replaced it since the review
            raise StackFailure(f"is {stack['StackStatus']} now, not failed as reviewed; deploy again to review it")
        _check(ctx)
        ctx.report(review.key, "deleting the failed stack (--recreate-failed)")
        cloudformation.delete_stack(cfn, stack["StackId"], ctx.timing, ctx.stop)
        stack = None
    fresh = change_set_review(ctx, stack_in, review.action, stack)
    fresh.notes[:0] = review.notes  # what the review said about the stack; its pending notes are answered now
    if gate.exact and fresh.result is Result.CHANGES and not _as_previewed(review, fresh):
        cloudformation.delete_change_set(cfn, fresh.change_set_id or "")
        raise StackFailure("its change set now differs from the reviewed preview; review the plan again")
    if fresh.result is Result.CHANGES and (review.result is Result.DEFERRED or not _as_previewed(review, fresh)):
        return gate.admit(fresh)
    if fresh.result is Result.CHANGES:
        ctx.report(review.key, f"change set ready, {len(fresh.resources)} resources to add as previewed")
    return fresh


def _check(ctx: Context) -> None:
    """Called right before each call that changes something: after Ctrl-C, nothing new starts."""
    if ctx.stop.is_set():
        raise Interrupted("not started")


def _as_previewed(preview: StackReview, fresh: StackReview) -> bool:
    def rows(review: StackReview) -> set[tuple[str, str, str]]:
        return {(r.action, r.logical_id, r.resource_type) for r in review.resources}

    return rows(preview) == rows(fresh)


def _run(ctx: Context, review: StackReview, on_events: OnEvents) -> StackReview:
    cfn = ctx.clients.cloudformation
    if not (review.change_set_id and review.stack_id and review.created_at):  # CHANGES always comes with them
        raise StackFailure("has no change set to execute; deploy again to review it")
    _check(ctx)
    ctx.report(review.key, f"executing change set {review.change_set_name}")
    token = request_token(ctx.change_set_name, review.stack_name, "execute")
    cloudformation.execute_change_set(cfn, review.change_set_id, token)
    return _follow(ctx, review, review.stack_id, token, review.created_at, on_events)


def _follow(
    ctx: Context, review: StackReview, stack_id: str, token: str, since: datetime | None, on_events: OnEvents
) -> StackReview:
    """Follow the operation ``token`` started on ``stack_id`` to its verdict (``since``: None for a new stack,
    all of whose events are this operation's)."""
    cfn = ctx.clients.cloudformation
    review.stack_id = stack_id
    stream = EventStream(cfn, stack_id, since or datetime.min.replace(tzinfo=UTC), token)
    service = service_logical_id(ctx.deployment.stacks[review.key].template)
    watch = ctx.watch_rollout(review.key, since or datetime.now(UTC), service) if service else None
    at_once = ctx.instant_change_sets is True  # a local endpoint: its operations are over at once too
    outcome = ctx.poller().follow(stream, on_events, lambda m: ctx.report(review.key, m), watch, at_once)
    if outcome.status == "INTERRUPTED":
        outcome = _last_look(cfn, stack_id) or outcome
    if outcome.succeeded:
        review.result = Result.EXECUTED
        return review
    if outcome.status == "INTERRUPTED":
        return _fail(review, Result.RUNNING, f"executed; {outcome.reason}: see the stack's events")
    if outcome.status == "UNKNOWN":
        return _fail(review, Result.UNKNOWN, f"executed; {outcome.reason}; see the stack's events")
    cause = stream.root_cause()
    if cause:
        message = (
            f"root cause: {cause['LogicalResourceId']} ({cause['ResourceType']}) {cause['ResourceStatus']}: "
            f"{cause.get('ResourceStatusReason', '')}"
        )
    else:
        message = outcome.reason or "no failed resource reported"
    if watch is not None and watch.cause:  # what ECS says actually failed, under CloudFormation's summary of it
        review.rollout_cause = watch.cause
        message += f" | ECS: {watch.cause}"
    if outcome.status != "TIMEOUT":
        message += f" | stack is now {outcome.status}"
    return _fail(review, Result.FAILED, message)


def _last_look(cfn: object, stack_id: str) -> Outcome | None:
    """After Ctrl-C or SIGTERM, one read of an executed stack: the review records its true result.

    The operation may well be over already (a parameter-only update takes
    seconds); then it is EXECUTED or FAILED, not "interrupted".  None when it
    is still running or cannot be read: the run does not wait for it.
    """
    try:
        stack = cloudformation.describe_stack(cfn, stack_id)
    except AWS_ERRORS:
        return None
    if stack is None or stack["StackStatus"].endswith("_IN_PROGRESS"):
        return None
    status = stack["StackStatus"]
    return Outcome(status in SUCCEEDED, status, stack.get("StackStatusReason", ""))
