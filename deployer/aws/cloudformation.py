"""Every CloudFormation call: one function per API action, named after it; no decisions, no printing.

Each function is one conversation with the API (the call, and its botocore
paginator or waiter) and returns plain data.  An answer that only means
"none" (no such stack, an export nobody imports) comes back as None or [];
every other error is raised for the caller to judge.  Throttling is retried
by the client's retry mode, and paced run-wide (``deployer.aws.clients``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, Literal, overload

from botocore.exceptions import ClientError, WaiterError
from botocore.waiter import WaiterModel, create_waiter_with_client

from deployer.aws.clients import Timing, stack_missing
from deployer.aws.waiting import acceptor_state, interruptible_wait

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

# botocore has no drift waiter; this one asks the same question its waiters would, one poll at a time.
_DETECTED = WaiterModel(
    {
        "version": 2,
        "waiters": {
            "StackDriftDetected": {
                "operation": "DescribeStackDriftDetectionStatus",
                "delay": 5,
                "maxAttempts": 1,
                "acceptors": [
                    {"matcher": "path", "argument": "DetectionStatus", "expected": "DETECTION_COMPLETE",
                     "state": "success"},
                    {"matcher": "path", "argument": "DetectionStatus", "expected": "DETECTION_FAILED",
                     "state": "failure"},
                ],
            }
        },
    }
)  # fmt: skip


@overload
def describe_stack(cfn: Any, name: str) -> dict[str, Any] | None: ...
@overload
def describe_stack(cfn: Any, name: str, *, missing_ok: Literal[False]) -> dict[str, Any]: ...


def describe_stack(cfn: Any, name: str, *, missing_ok: bool = True) -> dict[str, Any] | None:
    """DescribeStacks for one stack: the stack, or None when there is no such stack.

    ``missing_ok=False``: CloudFormation's ValidationError is raised instead,
    for a caller that reports its message (a stack gone mid-operation).
    """
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if missing_ok and stack_missing(exc):
            return None
        raise


def describe_stacks(cfn: Any) -> list[dict[str, Any]]:
    """DescribeStacks without a name, every page: every stack of the account and region."""
    pages = cfn.get_paginator("describe_stacks").paginate()
    return [stack for page in pages for stack in page.get("Stacks", [])]


def list_stacks(cfn: Any) -> tuple[list[dict[str, Any]], int]:
    """ListStacks of every live stack, every page: their summaries (id, name, status, reason), and the page count.

    Filtered to every status but DELETE_COMPLETE (from botocore's model of
    StackStatus): ListStacks keeps deleted stacks for 90 days.  One read of
    every stack of the run at once, however many are in flight; the page
    count tells the caller what that read costs in this account.
    """
    statuses = [s for s in cfn.meta.service_model.shape_for("StackStatus").enum if s != "DELETE_COMPLETE"]
    summaries: list[dict[str, Any]] = []
    pages = 0
    for page in cfn.get_paginator("list_stacks").paginate(StackStatusFilter=statuses):
        summaries += page.get("StackSummaries", [])
        pages += 1
    return summaries, max(1, pages)


def describe_stack_events(cfn: Any, stack_id: str) -> Iterator[dict[str, Any]]:
    """DescribeStackEvents, newest first, a page at a time as the caller reads on.

    Lazy on purpose: a caller following an operation stops at the first event
    it has seen, so the older pages are never asked for.
    """
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack_id):
        yield from page.get("StackEvents", [])


def list_exports(cfn: Any) -> dict[str, dict[str, Any]]:
    """ListExports: every export of the account and region, by name."""
    pages = cfn.get_paginator("list_exports").paginate()
    return {export["Name"]: export for page in pages for export in page.get("Exports", [])}


def list_imports(cfn: Any, export_name: str) -> list[str]:
    """ListImports: names of the stacks importing ``export_name`` (CloudFormation answers an error when none do)."""
    try:
        pages = cfn.get_paginator("list_imports").paginate(ExportName=export_name)
        return sorted({name for page in pages for name in page.get("Imports", [])})
    except ClientError as exc:
        if "is not imported by any stack" in exc.response.get("Error", {}).get("Message", ""):
            return []
        raise


def list_stack_resources(cfn: Any, stack: str) -> list[dict[str, Any]]:
    """ListStackResources, every page: each resource's logical and physical id, type and status."""
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName=stack)
    return [resource for page in pages for resource in page.get("StackResourceSummaries", [])]


def get_template(cfn: Any, stack_id: str | None = None, *, change_set_id: str | None = None) -> dict[str, Any] | None:
    """GetTemplate of a stack, or of a change set: the template as submitted; None if it is not JSON.

    botocore decodes JSON bodies; a YAML one stays text.
    """
    where = {"ChangeSetName": change_set_id} if change_set_id is not None else {"StackName": stack_id}
    body = cfn.get_template(**where, TemplateStage="Original")["TemplateBody"]
    return body if isinstance(body, dict) else None


def create_change_set(cfn: Any, request: dict[str, Any]) -> dict[str, str]:
    """CreateChangeSet: ``{"Id", "StackId"}`` of the new change set.

    CloudFormation may refuse with "didn't contain changes"; whether that is
    an error is the caller's to say.
    """
    return cfn.create_change_set(**request)


def describe_change_set_page(cfn: Any, change_set_id: str) -> dict[str, Any]:
    """DescribeChangeSet, the first page, with each changed property's values (``IncludePropertyValues``).

    What a change-set wait polls: the answer that says the change set is
    ready is also the first page of reading it, so no second call is made.
    """
    return cfn.describe_change_set(ChangeSetName=change_set_id, IncludePropertyValues=True)


def change_set_wait_state(cfn: Any, answer: dict[str, Any]) -> str | None:
    """DescribeChangeSet: an answer judged by botocore's ``change_set_create_complete`` waiter, not by us.

    "success", "failure" or None (not decided yet); ``answer`` may be an error
    response (``ClientError.response``), as the waiter itself would see it.
    """
    return acceptor_state(cfn.get_waiter("change_set_create_complete"), answer)


def describe_change_set(
    cfn: Any, change_set_id: str, *, with_changes: bool = True, first_page: dict[str, Any] | None = None
) -> dict[str, Any]:
    """DescribeChangeSet: the change set with the changes of every page and each changed property's values.

    ``first_page``: the answer a wait already has (``describe_change_set_page``):
    only the pages after it are asked for.  ``with_changes=False``: one call,
    for what the change set is (status, stack, parameters) rather than what it
    changes.
    """
    if not with_changes:
        return cfn.describe_change_set(ChangeSetName=change_set_id)
    if first_page is not None and not first_page.get("NextToken"):
        return first_page
    described: dict[str, Any] = first_page or {}
    changes: list[dict[str, Any]] = list((first_page or {}).get("Changes", []))
    config = {"StartingToken": first_page["NextToken"]} if first_page else {}
    pages = cfn.get_paginator("describe_change_set").paginate(
        ChangeSetName=change_set_id, IncludePropertyValues=True, PaginationConfig=config
    )
    for page in pages:
        described = described or page
        changes += page.get("Changes", [])
    return {**described, "Changes": changes, "NextToken": None}


def create_stack(cfn: Any, request: dict[str, Any]) -> str:
    """CreateStack: the new stack's id (its events carry the request's ClientRequestToken)."""
    return cfn.create_stack(**request)["StackId"]


def execute_change_set(cfn: Any, change_set_id: str, token: str) -> None:
    """ExecuteChangeSet; the operation's stack events carry ``token`` as their ClientRequestToken."""
    cfn.execute_change_set(ChangeSetName=change_set_id, ClientRequestToken=token)


def delete_change_set(cfn: Any, change_set_id: str) -> None:
    """DeleteChangeSet."""
    cfn.delete_change_set(ChangeSetName=change_set_id)


def list_change_sets(cfn: Any, stack: str) -> list[dict[str, Any]]:
    """ListChangeSets of a stack (name or id): every change set's name, id, status, creation time, description."""
    pages = cfn.get_paginator("list_change_sets").paginate(StackName=stack)
    return [summary for page in pages for summary in page.get("Summaries", [])]


def delete_stack(cfn: Any, stack: str, timing: Timing, stop: threading.Event) -> None:
    """DeleteStack (by name or id), then botocore's ``stack_delete_complete`` waiter until it is gone."""
    cfn.delete_stack(StackName=stack)
    attempts = max(1, timing.operation_timeout // max(1, timing.delete_delay))
    interruptible_wait(cfn.get_waiter("stack_delete_complete"), stop, timing.delete_delay, attempts, StackName=stack)


def wait_until_settled(
    cfn: Any, stack_name: str, timing: Timing, stop: threading.Event, tick: Callable[[], None] | None = None
) -> bool:
    """DescribeStacks through the StackSettled waiter: False if it is still busy after ``busy_timeout``."""
    if timing.busy_timeout <= 0:
        return False
    waiter = create_waiter_with_client("StackSettled", _SETTLED, cfn)
    attempts = max(1, timing.busy_timeout // max(1, timing.busy_delay))
    try:
        interruptible_wait(waiter, stop, timing.busy_delay, attempts, tick, StackName=stack_name)
    except WaiterError:
        return False
    return True


def detect_stack_drift(cfn: Any, stack_name: str) -> str:
    """DetectStackDrift: the id of the detection CloudFormation starts (it runs inside CloudFormation)."""
    return cfn.detect_stack_drift(StackName=stack_name)["StackDriftDetectionId"]


def describe_stack_drift_detection_status(cfn: Any, detection_id: str) -> dict[str, Any]:
    """DescribeStackDriftDetectionStatus: one detection's answer, or the error's answer (as a waiter sees it).

    Judged with ``drift_detection_state``; an error's answer comes back
    instead of being raised so the same acceptors judge it.
    """
    try:
        return cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
    except ClientError as exc:
        return exc.response


def drift_detection_state(cfn: Any, answer: dict[str, Any]) -> str | None:
    """DescribeStackDriftDetectionStatus: an answer judged by the StackDriftDetected waiter's acceptors."""
    return acceptor_state(create_waiter_with_client("StackDriftDetected", _DETECTED, cfn), answer)


def describe_stack_resource_drifts(cfn: Any, stack_name: str, statuses: list[str]) -> list[dict[str, Any]]:
    """DescribeStackResourceDrifts, every page: the stack's resource drifts with one of ``statuses``.

    Paged by hand on NextToken: botocore has no paginator for this action.
    """
    request: dict[str, Any] = {"StackName": stack_name, "StackResourceDriftStatusFilters": statuses}
    drifts: list[dict[str, Any]] = []
    while True:
        page = cfn.describe_stack_resource_drifts(**request)
        drifts += page.get("StackResourceDrifts", [])
        if not page.get("NextToken"):
            return drifts
        request["NextToken"] = page["NextToken"]


def describe_stack_resources(cfn: Any, physical_id: str) -> list[dict[str, Any]]:
    """DescribeStackResources by PhysicalResourceId: the stack resource holding it; [] when no stack does.

    CloudFormation answers a resource's stack from its physical id alone:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
    """
    try:
        return cfn.describe_stack_resources(PhysicalResourceId=physical_id).get("StackResources", [])
    except ClientError as exc:
        if stack_missing(exc):
            return []
        raise
