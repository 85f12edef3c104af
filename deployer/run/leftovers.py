"""Which change sets on a stack a run may delete, and which ones its own would silently discard.

A run deletes only change sets it can prove are abandoned: made by this tool
(the ``fargate-stacks-<UTC time>-<run>`` name) and either made by this very
run, or finished (AVAILABLE or FAILED) and older than ``ABANDONED_AFTER``.
Anything younger may be a review someone is about to apply
(``--apply-plan``) or a run going on right now; the environment lock
(``deployer/run/environment_lock.py``) makes sure no run of this tool is going on, and this
rule that no reviewed plan is pulled from under its approver.

Every other change set still AVAILABLE is deleted by CloudFormation when
ours executes: one of ours is an earlier, superseded review (a note); one
made by someone else (console, another tool) is a risk in the review.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from deployer.review.stack_review import PendingChangeSet
from deployer.run.change_set_names import CHANGE_SET_PREFIX

ABANDONED_AFTER = timedelta(hours=24)  # a reviewed plan can be applied within this time
_COMPUTING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")


def sort_out(
    summaries: Iterable[dict[str, Any]], run: str, now: datetime | None = None
) -> tuple[list[str], list[PendingChangeSet]]:
    """(ids of change sets to delete, change sets left in place that executing ours would discard)."""
    now = now or datetime.now(UTC)
    delete: list[str] = []
    pending: list[PendingChangeSet] = []
    for summary in summaries:
        name = summary.get("ChangeSetName", "")
        ours = name.startswith(CHANGE_SET_PREFIX)
        created = summary.get("CreationTime") or _made_at(name)
        finished = summary.get("Status") == "FAILED" or summary.get("ExecutionStatus") == "AVAILABLE"
        old = created is not None and now - created > ABANDONED_AFTER
        if ours and finished and (name == run or old):
            delete.append(summary["ChangeSetId"])
        elif summary.get("ExecutionStatus") == "AVAILABLE" or summary.get("Status") in _COMPUTING:
            pending.append(PendingChangeSet(name, created, summary.get("Description") or "", ours))
    return delete, pending


def _made_at(name: str) -> datetime | None:
    """The UTC time in one of our names (``fargate-stacks-20250101-120000-abc123``), when the listing has none."""
    stamp = name.removeprefix(CHANGE_SET_PREFIX)[:15]
    try:
        return datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def superseded_notes(pending: Iterable[PendingChangeSet]) -> list[str]:
    """A note per earlier review of ours that executing this change set makes CloudFormation delete."""
    return [
        f"supersedes change set {p.name} of an earlier review: CloudFormation deletes it when this one executes, "
        "so that review can no longer be applied"
        for p in pending
        if p.ours
    ]
