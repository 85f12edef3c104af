"""What an existing stack's status allows: create, update, recreate, wait, or stop and explain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CREATE, UPDATE, RECREATE = "CREATE", "UPDATE", "RECREATE"
RECREATABLE = ("ROLLBACK_COMPLETE",)  # a first create rolled back: nothing is left to lose


@dataclass(frozen=True)
class Decision:
    """What to do with a stack in its current state, and what the review should say about it."""

    action: str = ""  # CREATE | UPDATE | RECREATE
    busy: bool = False  # another operation is running: wait for it to settle
    blocked: str = ""  # why nothing can be done, and how to fix it
    note: str = ""  # what the review should say about the stack's state


def is_busy(status: str) -> bool:
    """Another operation is changing the stack (REVIEW_IN_PROGRESS is only an unexecuted change set)."""
    return status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS"


def decide(stack: Mapping[str, Any] | None, recreate_failed: bool) -> Decision:
    """Create, update, recreate, wait, or stop with the way out, from the stack's status."""
    if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS":
        return Decision(CREATE)  # REVIEW_IN_PROGRESS: a create change set nobody executed
    status, name = stack["StackStatus"], stack["StackName"]
    if is_busy(status):
        return Decision(busy=True)
    if status in RECREATABLE:
        if recreate_failed:
            return Decision(RECREATE)
        return Decision(blocked=_failed_create(name, status))
    if status in ("CREATE_FAILED", "UPDATE_FAILED"):  # only with rollback disabled: what was made is kept
        return Decision(UPDATE, note=_kept_after_failure(name, status))
    if status == "UPDATE_ROLLBACK_FAILED":
        return Decision(blocked=_continue_rollback(name))
    if status.endswith("_FAILED"):  # ROLLBACK_FAILED, DELETE_FAILED, IMPORT_ROLLBACK_FAILED
        return Decision(
            blocked=f"{name} is {status}: CloudFormation could not clean up after a failure. Look at its events, "
            f"fix or remove what blocks it, delete the stack (aws cloudformation delete-stack --stack-name {name}) "
            "and deploy again."
        )
    return Decision(UPDATE)


def busy_message(name: str, status: str, waited: int) -> str:
    """Why a busy stack is not planned, and when to try again."""
    if waited <= 0:
        return f"{name} is {status}: another operation is changing it. Deploy again when it has finished."
    return f"{name} is still {status} after {waited}s of waiting. Deploy again when it has finished."


def _kept_after_failure(name: str, status: str) -> str:
    operation = "create" if status == "CREATE_FAILED" else "update"
    return (
        f"{name} is {status}: its last {operation} failed with rollback disabled, so the resources it made are "
        "kept and in use; this change set updates the stack from there (it is never deleted, --recreate-failed "
        "or not)."
    )


def _failed_create(name: str, status: str) -> str:
    return (
        f"{name} is {status}: its first create failed and was rolled back, so it holds no resources and cannot "
        "be updated. "
        f"Re-run with --recreate-failed to delete and recreate it, or delete it yourself "
        f"(aws cloudformation delete-stack --stack-name {name})."
    )


def _continue_rollback(name: str) -> str:
    return (
        f"{name} is UPDATE_ROLLBACK_FAILED: a failed update could not be rolled back, and the stack accepts no "
        "update until the rollback finishes. Fix what blocks it (see the stack's events), then run "
        f"aws cloudformation continue-update-rollback --stack-name {name} "
        "(add --resources-to-skip LOGICAL_ID for a resource that cannot return to its old state), "
        "wait for UPDATE_ROLLBACK_COMPLETE and deploy again."
    )
