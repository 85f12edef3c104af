"""One CloudFormation conversation per function: no decisions, no printing.

Pagination and waiting use botocore's paginators and waiters; throttling is
retried by the client's adaptive retry mode (see ``deployer.aws.clients``).
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError, WaiterError
from botocore.waiter import WaiterModel, create_waiter_with_client

from deployer.aws.clients import Timing, transient_reason
from deployer.errors import Interrupted

CHANGE_SET_PREFIX = "fargate-stacks-"
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")

# A stack is settled when its status no longer ends in _IN_PROGRESS, or when it is gone.
_SETTLED = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "StackSettled": {
                "operation": "DescribeStacks",
                "delay": 15,
                "maxAttempts": 120,
                "acceptors": [
                    {
                        "matcher": "path",
                        "argument": "ends_with(Stacks[0].StackStatus, '_IN_PROGRESS')",
                        "expected": False,
                        "state": "success",
                    },
                    {"matcher": "error", "expected": "ValidationError", "state": "success"},
                ],
            }
        },
    }
)


def _wait(
    waiter: Any, stop: threading.Event, delay: int, attempts: int, tick: Callable[[], None] | None = None, **kwargs: Any
) -> None:
    """``waiter.wait(**kwargs)``, but Ctrl-C (``stop``) ends it between two polls.

    botocore's waiter and its acceptors still decide success and failure; it is
    asked for one poll at a time and we pause on ``stop`` in between, so an
    interrupted run does not sit out up to ``delay`` x ``attempts`` seconds.
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


def is_no_changes(text: str | None) -> bool:
    return any(marker in (text or "") for marker in NO_CHANGES_MARKERS)


def _missing(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    return error.get("Code") == "ValidationError" and "does not exist" in error.get("Message", "")


def describe_stack(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack, or None when there is no such stack."""
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if _missing(exc):
            return None
        raise


def list_exports(cfn: Any) -> dict[str, dict[str, Any]]:
    """Every export of the account and region, by name."""
    pages = cfn.get_paginator("list_exports").paginate()
    return {export["Name"]: export for page in pages for export in page.get("Exports", [])}


def list_imports(cfn: Any, export_name: str) -> list[str]:
    """Names of the stacks importing ``export_name`` (CloudFormation answers an error when none do)."""
    try:
        pages = cfn.get_paginator("list_imports").paginate(ExportName=export_name)
        return sorted({name for page in pages for name in page.get("Imports", [])})
    except ClientError as exc:
        if "is not imported by any stack" in exc.response.get("Error", {}).get("Message", ""):
            return []
        raise


def get_template(cfn: Any, stack_id: str) -> dict[str, Any] | None:
    """The deployed template as submitted (botocore decodes JSON bodies); None if it is not JSON."""
    body = cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
    return body if isinstance(body, dict) else None


def new_change_set_name(now: datetime | None = None) -> str:
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


def create_change_set(cfn: Any, request: dict[str, Any]) -> dict[str, str] | None:
    """``{"Id", "StackId"}`` of the new change set, or None when CloudFormation says nothing would change."""
    try:
        return cfn.create_change_set(**request)
    except ClientError as exc:
        if is_no_changes(exc.response.get("Error", {}).get("Message")):
            return None
        raise


def wait_change_set(cfn: Any, change_set_id: str, timing: Timing, stop: threading.Event) -> str | None:
    """Wait until the change set is computed; its failure reason, or None when it is ready."""
    waiter = cfn.get_waiter("change_set_create_complete")
    try:
        _wait(waiter, stop, timing.change_set_delay, timing.change_set_attempts, ChangeSetName=change_set_id)
    except WaiterError as exc:
        response = exc.last_response or {}
        return response.get("StatusReason") or response.get("Error", {}).get("Message") or str(exc)
    return None


def describe_change_set(cfn: Any, change_set_id: str) -> dict[str, Any]:
    """The change set with the changes of every page, and the before/after values of each changed property."""
    described: dict[str, Any] = {}
    changes: list[dict[str, Any]] = []
    pages = cfn.get_paginator("describe_change_set").paginate(ChangeSetName=change_set_id, IncludePropertyValues=True)
    for page in pages:
        described = described or page
        changes += page.get("Changes", [])
    return {**described, "Changes": changes}


def execute_change_set(cfn: Any, change_set_id: str, token: str) -> None:
    """Start the change set; the operation's stack events carry ``token`` as their ClientRequestToken."""
    cfn.execute_change_set(ChangeSetName=change_set_id, ClientRequestToken=token)


def delete_change_set(cfn: Any, change_set_id: str) -> None:
    cfn.delete_change_set(ChangeSetName=change_set_id)


def list_change_sets(cfn: Any, stack_id: str) -> list[dict[str, Any]]:
    """Summaries of every change set the stack has (name, id, status, creation time, description)."""
    pages = cfn.get_paginator("list_change_sets").paginate(StackName=stack_id)
    return [summary for page in pages for summary in page.get("Summaries", [])]


def delete_stack(cfn: Any, stack_id: str, timing: Timing, stop: threading.Event) -> None:
    """Delete the stack and wait until it is gone."""
    cfn.delete_stack(StackName=stack_id)
    attempts = max(1, timing.operation_timeout // max(1, timing.delete_delay))
    _wait(cfn.get_waiter("stack_delete_complete"), stop, timing.delete_delay, attempts, StackName=stack_id)


def wait_until_settled(
    cfn: Any, stack_name: str, timing: Timing, stop: threading.Event, tick: Callable[[], None] | None = None
) -> bool:
    """Wait while another operation changes the stack; False if it is still busy after ``busy_timeout``."""
    if timing.busy_timeout <= 0:
        return False
    waiter = create_waiter_with_client("StackSettled", _SETTLED, cfn)
    attempts = max(1, timing.busy_timeout // max(1, timing.busy_delay))
    try:
        _wait(waiter, stop, timing.busy_delay, attempts, tick, StackName=stack_name)
    except WaiterError:
        return False
    return True
