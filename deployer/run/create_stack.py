"""A new stack previewed from its template, created directly: one call instead of a change set's three.

A stack that does not exist yet is reviewed from its template (every
resource an Add; a new stack only adds), and its change set could only be
made once the stacks it imports from are deployed.  Making that change set
then (CreateChangeSet, DescribeChangeSet until ready, ExecuteChangeSet)
shows nobody anything new, and costs three calls or more per stack at the
moment a first deploy starts all its service stacks together, against an
account-wide request rate: CreateStack does the same in one call, as
``cdk deploy --method=direct`` does.  The stack's events carry the call's
ClientRequestToken; its resources, tags, parameters and capabilities are
those the change set would have had, and a failure rolls the new stack back
exactly as an executed change set does (OnFailure ROLLBACK, the default).
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html

Not used where a change set is the contract: ``--apply-plan`` (each change
set made now must match the reviewed preview), a stack that exists in any
state (a REVIEW_IN_PROGRESS shell from an earlier review: CreateStack
answers AlreadyExistsException, and the change set path takes over), an
import, ``--recreate-failed``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.run.change_set_names import request_token
from deployer.run.context import Context
from deployer.run.inputs import StackInput
from deployer.run.plan_stack import change_set_request
from deployer.run.stack_state import CREATE

CHANGE_SET_ONLY = ("ChangeSetName", "ClientToken", "ChangeSetType", "Description")  # no CreateStack parameter


def create_request(ctx: Context, stack_in: StackInput, token: str) -> dict[str, Any]:
    """CreateStack's request: the CREATE change set's, less what only a change set takes, and ``token``."""
    request = change_set_request(ctx, stack_in, CREATE, parameter_only=False)
    return {**{k: v for k, v in request.items() if k not in CHANGE_SET_ONLY}, "ClientRequestToken": token}


def create_directly(ctx: Context, key: str) -> tuple[str, str] | None:
    """CreateStack for ``key``: ``(stack id, request token)``, or None when a stack of that name exists."""
    stack_in = ctx.deployment.stacks[key]
    token = request_token(ctx.change_set_name, stack_in.stack_name, "execute")
    try:
        stack_id = cloudformation.create_stack(ctx.clients.cloudformation, create_request(ctx, stack_in, token))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "AlreadyExistsException":
            return None
        raise
    return stack_id, token
