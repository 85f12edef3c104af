"""Wait for CloudFormation to compute a change set: asked quickly at first, then less often, and read once.

botocore's ``change_set_create_complete`` waiter asks every 5 s, as the AWS
CLI does, so a change set computed in two seconds is seen three seconds
late, and a first deploy has three of them on its critical path (network,
then ALB and cluster, then the services).  Here the first poll comes after
``Timing.change_set_first`` and each pause is 1.5 times the one before, up to
``Timing.change_set_delay``.  The verdict
stays botocore's: each answer is judged by that waiter's own acceptors.  And
the poll asks for the change set with its property values, so the answer that
says "ready" is already the first page of reading it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.errors import Interrupted
from deployer.run.context import Context
from deployer.run.pacing import growing_delay


def wait_for_change_set(ctx: Context, change_set_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(first page, None)`` once the change set is ready, or ``(None, why it failed)``."""
    cfn = ctx.clients.cloudformation
    timing = ctx.timing
    attempts = max(1, timing.change_set_attempts)
    for attempt in range(attempts):
        pause = growing_delay(attempt, timing.change_set_first, timing.change_set_delay)
        if ctx.stop.wait(pause):
            raise Interrupted("stopped waiting for the change set")
        try:
            answer = cloudformation.describe_change_set_page(cfn, change_set_id)
        except ClientError as exc:
            answer = exc.response
        state = cloudformation.change_set_wait_state(cfn, answer)
        if state == "success":
            return answer, None
        if state == "failure":
            return None, answer.get("StatusReason") or answer.get("Error", {}).get("Message") or "change set failed"
    return None, f"still not computed after {attempts} polls"
