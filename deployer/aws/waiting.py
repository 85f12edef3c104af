"""Waiting on botocore's waiters one poll at a time, so that Ctrl-C ends a wait at once.

botocore's waiter and its acceptors still decide success and failure; we
only ask it for one poll at a time and pause on the run's ``stop`` event in
between.  Without this an interrupted run would sit out up to ``delay`` x
``attempts`` seconds inside ``waiter.wait``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.exceptions import WaiterError

from deployer.aws.clients import transient_reason
from deployer.errors import Interrupted


def interruptible_wait(
    waiter: Any, stop: threading.Event, delay: int, attempts: int, tick: Callable[[], None] | None = None, **kwargs: Any
) -> None:
    """``waiter.wait(**kwargs)``, but Ctrl-C (``stop``) ends it between two polls.

    Raises ``WaiterError`` as ``wait`` would (failure, error, or attempts used
    up), or ``Interrupted``.
    """
    attempt = 0
    while True:
        attempt += 1
        if stop.is_set():
            raise Interrupted(f"stopped waiting for {waiter.name}")
        try:
            waiter.wait(**kwargs, WaiterConfig={"Delay": delay, "MaxAttempts": 1})
            return
        except WaiterError as exc:  # "Max attempts exceeded": this poll matched no final state yet
            if attempt >= attempts or not _undecided(exc):
                raise
        if tick is not None:
            tick()
        stop.wait(delay)


def _undecided(exc: WaiterError) -> bool:
    """This poll decided nothing: no acceptor matched yet, or the call itself failed in a passing way.

    A waiter stops on an error no acceptor expects ("Waiter encountered an
    unexpected error"); when that error is throttling or a 5xx that outlived
    botocore's retries, it says nothing about the resource waited for.
    """
    if str(exc.kwargs.get("reason", "")).startswith("Max attempts exceeded"):
        return True
    response = exc.last_response or {}
    return "Error" in response and bool(transient_reason(response, None))


def acceptor_state(waiter: Any, answer: dict[str, Any]) -> str | None:
    """The state botocore's waiter gives ``answer`` ("success", "failure", "retry"), or None when none matches.

    For a caller that makes the call itself (to keep the answer, or to pace
    it run-wide) but leaves the verdict to the waiter's own acceptors, as
    ``Waiter.wait`` applies them: the first matching acceptor decides; an
    error answer no acceptor expects is a failure, unless it is one that says
    nothing about the resource (throttling, a 5xx that outlived botocore's
    retries): then nothing is decided yet.
    """
    for acceptor in waiter.config.acceptors:
        if acceptor.matcher_func(answer):
            return str(acceptor.state)
    if "Error" in answer:
        return None if transient_reason(answer, None) else "failure"
    return None
