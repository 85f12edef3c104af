"""The names and tokens a run gives its change sets: how a run, and a retried call, are recognised.

Not calls to AWS: what we put in them.  A change set's name says it is ours
and when it was made (``leftovers`` reads both back); a request token makes a
call botocore retried after a lost answer recognisable to CloudFormation.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

CHANGE_SET_PREFIX = "fargate-stacks-"


def new_change_set_name(now: datetime | None = None) -> str:
    """The run's id: ``fargate-stacks-<UTC time>-<random>``, also the name of every change set it makes."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"{CHANGE_SET_PREFIX}{stamp}-{uuid.uuid4().hex[:6]}"


def request_token(change_set_name: str, stack_name: str, call: str) -> str:
    """The idempotency token of one run's ``call`` ("create", "execute") for one stack.

    botocore retries a call whose answer was lost; with the same token
    CloudFormation recognises the retry instead of answering AlreadyExists or
    InvalidChangeSetStatus for a change set the first attempt made or ran.
    Stack names may be 128 characters, as long as a token: the name is hashed.
    """
    digest = hashlib.sha256(stack_name.encode()).hexdigest()[:12]
    return f"{change_set_name}-{call}-{digest}"
