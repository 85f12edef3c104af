"""Wait for CloudFormation to compute a change set: asked when it is likely ready, then less often, and read once.

botocore's ``change_set_create_complete`` waiter asks every 5 s, as the AWS
CLI does, so a change set computed in two seconds is seen three seconds
late, and a first deploy has three of them on its critical path (network,
then ALB and cluster, then the services).  Here the first question comes
``Timing.change_set_first`` seconds after the change set was made, or, once
the run has seen one ready, after the shortest time any took so far (change
sets of one run take about as long as each other); then twice at half a
second, then each pause 1.5 times the one before, up to
``Timing.change_set_delay``.  The verdict stays botocore's: each answer is
judged by that waiter's own acceptors.  And the poll asks for the change set
with its property values, so the answer that says "ready" is already the
first page of reading it.

The run's very first change set is asked about at once: if it was ready
already, this endpoint computes change sets at once (a local one), and every
change set of the run is asked about at once; otherwise none is.  One call per
run, against three seconds lost per deploy on such an endpoint.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.aws.clients import Timing
from deployer.errors import Interrupted
from deployer.run.context import Context
from deployer.run.pacing import growing_delay


def pauses(first: float, timing: Timing) -> Iterator[float]:
    """The pauses between a change set's creation and each question: ``first``, 0.5 s twice, then growing."""
    yield first
    yield from (min(0.5, timing.change_set_delay),) * 2
    attempt = 0
    while True:
        yield growing_delay(attempt, timing.change_set_first, timing.change_set_delay)
        attempt += 1


def wait_for_change_set(ctx: Context, change_set_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(first page, None)`` once the change set is ready, or ``(None, why it failed)``."""
    cfn = ctx.clients.cloudformation
    timing = ctx.timing
    attempts = max(1, timing.change_set_attempts)
    probing = ctx.instant_change_sets is None and ctx.probe()
    if probing or ctx.instant_change_sets:  # the run's first change set, or an endpoint that answers at once
        schedule = itertools.chain([0.0], pauses(timing.change_set_first, timing))
    else:
        jitter = random.uniform(1.0, 1.1)  # noqa: S311 - change sets made together are not all asked together
        schedule = pauses((ctx.change_set_seconds or timing.change_set_first) * jitter, timing)
    made = time.monotonic()
    for attempt, pause in zip(range(attempts), schedule, strict=False):
        if ctx.stop.wait(pause):
            raise Interrupted("stopped waiting for the change set")
        try:
            answer = cloudformation.describe_change_set_page(cfn, change_set_id)
        except ClientError as exc:
            answer = exc.response
        state = cloudformation.change_set_wait_state(cfn, answer)
        if probing and attempt == 0:
            ctx.instant_change_sets = state == "success"
        if state == "success":
            ctx.learn_change_set(time.monotonic() - made)
            return answer, None
        if state == "failure":
            return None, answer.get("StatusReason") or answer.get("Error", {}).get("Message") or "change set failed"
    return None, f"still not computed after {attempts} polls"
