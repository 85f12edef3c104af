"""Drift: what was changed outside CloudFormation on the stacks about to be updated.

A console hotfix (a bigger task size, an extra security-group rule) lives
until the next update of that resource quietly puts the template's value
back.  Before planning, each existing stack of the run gets a drift
detection; the review then lists drifted resources and properties
(template value -> actual value) and says which of them this run's change
sets overwrite.

Bounded: all detections are started first (they run in parallel inside
CloudFormation), then waited for from a thread pool, each wait given only
what is left of one deadline (``--drift-timeout``).  A stack still being
checked at the deadline is reported as unknown, never waited for longer.

Advisory: drift never fails a deploy.  An endpoint without the drift API,
or credentials without the permission, give one note for the whole run.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DetectStackDrift.html
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, WaiterError
from botocore.parsers import ResponseParserError

from deployer.aws import cloudformation
from deployer.errors import Interrupted
from deployer.review.lifecycle import PropertyDrift, ResourceDrift, StackDrift
from deployer.review.stack_review import Review
from deployer.run.context import Context

DELAY = 5  # seconds between DescribeStackDriftDetectionStatus polls
DEFAULT_TIMEOUT = 90
DRIFTED = ("MODIFIED", "DELETED")
_ERRORS = (ClientError, BotoCoreError, ResponseParserError)  # an endpoint without the API may not even answer XML


def detect(
    ctx: Context, workers: int, timeout: int = DEFAULT_TIMEOUT, delay: int = DELAY
) -> tuple[list[StackDrift], str]:
    """Drift of every existing stack of the run, and a note when drift could not be checked at all."""
    deadline = time.monotonic() + timeout
    cfn = ctx.clients.cloudformation
    started: dict[str, tuple[str, str]] = {}  # key -> (stack name, detection id)
    found: list[StackDrift] = []
    for key in ctx.deployment.order():
        name = ctx.deployment.stacks[key].stack_name
        try:
            started[key] = (name, cloudformation.detect_stack_drift(cfn, name))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") != "ValidationError":  # no such API, no permission: the same for every stack
                return [], _not_checked(name, exc)
            if "does not exist" not in error.get("Message", ""):  # e.g. a state drift detection refuses
                found.append(StackDrift(key, name, "NOT_CHECKED", note=error.get("Message", "")))
        except (BotoCoreError, ResponseParserError) as exc:
            return [], _not_checked(name, exc)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="drift") as pool:
        futures = [
            pool.submit(_result, ctx, key, name, detection, deadline, delay)
            for key, (name, detection) in started.items()
        ]
        found += [future.result() for future in futures]
    order = list(ctx.deployment.order())
    return sorted(found, key=lambda d: order.index(d.key)), ""


def _not_checked(name: str, exc: Exception) -> str:
    """One line for the whole run: the first stack's answer stands for all of them."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        message = " ".join(str(error.get("Message", "")).split())[:80]
        answer = f"DetectStackDrift on {name} answered {error.get('Code', 'an error')}: {message}"
    elif isinstance(exc, ResponseParserError):
        answer = f"the endpoint's answer to DetectStackDrift on {name} was not an AWS API response"
    else:
        answer = f"DetectStackDrift on {name} failed: {' '.join(str(exc).split())[:80]}"
    return f"not checked: {answer}; --no-drift skips the check"


def _result(ctx: Context, key: str, name: str, detection: str, deadline: float, delay: int) -> StackDrift:
    cfn = ctx.clients.cloudformation
    attempts = max(1, int((deadline - time.monotonic()) // max(1, delay)))
    note = ""
    try:
        cloudformation.wait_drift_detection(cfn, detection, ctx.stop, delay, attempts)
    except WaiterError as exc:
        response = exc.last_response or {}
        if "Error" in response:
            return StackDrift(key, name, "NOT_CHECKED", note=response["Error"].get("Message", str(exc)))
        if response.get("DetectionStatus") != "DETECTION_FAILED":
            return StackDrift(key, name, "UNKNOWN", note="still being checked at the drift deadline; not waited for")
        note = f"detection incomplete: {response.get('DetectionStatusReason', 'no reason given')}"
    except _ERRORS as exc:
        return StackDrift(key, name, "NOT_CHECKED", note=str(exc))
    except Interrupted:
        return StackDrift(key, name, "NOT_CHECKED", note="interrupted while waiting for drift detection")
    try:
        resources = drifted_resources(cfn, name)
    except _ERRORS as exc:
        return StackDrift(key, name, "NOT_CHECKED", note=f"drift detected but not readable: {exc}")
    return StackDrift(key, name, "DRIFTED" if resources else "IN_SYNC", resources, note)


def drifted_resources(cfn: Any, name: str) -> list[ResourceDrift]:
    """Resources changed or deleted outside CloudFormation, with each property's template and actual value."""
    out = []
    for drift in cloudformation.describe_stack_resource_drifts(cfn, name, list(DRIFTED)):
        properties = [
            PropertyDrift(p["PropertyPath"], p.get("ExpectedValue"), p.get("ActualValue"), p["DifferenceType"])
            for p in drift.get("PropertyDifferences", [])
        ]
        out.append(
            ResourceDrift(
                drift["LogicalResourceId"], drift["ResourceType"], drift["StackResourceDriftStatus"], properties
            )
        )
    return sorted(out, key=lambda r: r.logical_id)


def mark_overwritten(review: Review) -> None:
    """A drifted resource this run's change set modifies or removes gets the template's values back."""
    for stack_drift in review.lifecycle.drift:
        stack = review.stacks.get(stack_drift.key)
        changed = {r.logical_id for r in stack.resources if r.action in ("Modify", "Remove")} if stack else set()
        for resource in stack_drift.resources:
            resource.overwritten = resource.logical_id in changed
