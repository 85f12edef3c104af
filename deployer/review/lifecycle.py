"""What the review says beyond each stack's change set: stacks to remove (prune) and drift; a teardown.

Plain data, like ``stack_review``: ``prune`` and ``drift`` fill it,
``view.lifecycle_tables`` prints it, ``view.review_files`` writes it, and the risks and
failures it adds to the run's exit code are computed here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

RETAINED = ("Retain", "RetainExceptOnCreate")  # DeletionPolicy values that keep a resource when its stack goes
LISTED = "listed"  # no --prune: shown, kept
TO_DELETE = "to delete"
DELETED = "deleted"
FAILED = "failed"
SKIPPED = "skipped"  # a stack importing from it was not deleted
INTERRUPTED = "interrupted"


@dataclass
class Removal:
    """A stack of the environment that the manifest no longer names."""

    key: str
    stack_name: str
    stack_id: str
    status: str
    found_by: str  # "tags" or "description"
    exports: list[str] = field(default_factory=list)
    importers: dict[str, list[str]] = field(default_factory=dict)  # export -> stacks importing it now
    routes: list[str] = field(default_factory=list)  # what its listener rules still route: "host path (priority)"
    blockers: list[str] = field(default_factory=list)  # why it cannot be deleted now, and how to fix it
    left_behind: list[str] = field(default_factory=list)  # what its deletion keeps (DeletionPolicy Retain)
    resources: int | None = None  # how many resources its deployed template has (the summary's Remove)
    prune: bool = False  # --prune given: delete it in this run
    result: str = LISTED
    message: str = ""

    @property
    def risk(self) -> str | None:
        """Deleting a stack is risky: exit code 3 unless the deletion is approved with --allow-delete."""
        if not self.prune or self.blockers:
            return None
        risk = "deletes the stack, which the manifest no longer names (--prune)"
        if self.routes:
            risk += f"; its listener rules stop routing {'; '.join(self.routes)}"
        return risk

    @property
    def failed(self) -> bool:
        return self.prune and (bool(self.blockers) or self.result in (FAILED, INTERRUPTED))


def left_behind(template: Mapping[str, Any] | None, stack_name: str, resources: list[Mapping[str, Any]]) -> list[str]:
    """Resources a deployed template keeps when its stack is deleted, each with how to remove it.

    ``resources``: ListStackResources' rows (their physical ids name what is kept).
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
    """
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources}
    out = []
    for logical_id, spec in sorted(((template or {}).get("Resources") or {}).items()):
        policy = spec.get("DeletionPolicy")
        if policy not in RETAINED:
            continue
        name = physical.get(logical_id) or logical_id
        line = f"{spec.get('Type')} {name} ({logical_id} in {stack_name}, DeletionPolicy {policy}) is kept"
        if spec.get("Type") == "AWS::Logs::LogGroup":
            line += (
                f": a re-deploy imports it into the new stack (logs kept); to start afresh, delete it first "
                f"(aws logs delete-log-group --log-group-name {name})"
            )
        out.append(line)
    return out


@dataclass
class PropertyDrift:
    """One property changed outside CloudFormation: the template's value and what AWS has now."""

    path: str  # "/ContainerDefinitions/0/Environment/0/Value"
    expected: str | None  # what the template says
    actual: str | None  # what AWS has now
    difference: str  # ADD | REMOVE | NOT_EQUAL


@dataclass
class ResourceDrift:
    """A resource changed or deleted outside CloudFormation, and whether this run's change set puts it back."""

    logical_id: str
    resource_type: str
    status: str  # MODIFIED | DELETED
    properties: list[PropertyDrift] = field(default_factory=list)
    overwritten: bool = False  # this run's change set modifies, replaces or removes it


@dataclass
class StackDrift:
    """One stack's drift result; a note says why it is incomplete or missing (drift never fails a deploy)."""

    key: str
    stack_name: str
    status: str  # DRIFTED | IN_SYNC | UNKNOWN | NOT_CHECKED
    resources: list[ResourceDrift] = field(default_factory=list)
    note: str = ""  # why the result is incomplete or missing


@dataclass
class Lifecycle:
    """The review's part beyond change sets: stacks to remove and drift, with the risks and failures they add."""

    removals: list[Removal] = field(default_factory=list)
    prune: bool = False  # --prune given
    prune_note: str = ""  # one line when the environment's stacks could not be listed
    drift: list[StackDrift] = field(default_factory=list)
    drift_note: str = ""  # one line when drift was not checked at all (flag, or no drift API)

    @property
    def risks(self) -> list[str]:
        return [f"{r.stack_name}: {r.risk}" for r in self.removals if r.risk]

    @property
    def failed(self) -> list[str]:
        """Exit code 1: a removal --prune could not do, or --prune given and the stacks not listable."""
        unlisted = [f"--prune: {self.prune_note}"] if self.prune and self.prune_note else []
        return [r.stack_name for r in self.removals if r.failed] + unlisted

    @property
    def to_delete(self) -> list[Removal]:
        return [r for r in self.removals if r.result == TO_DELETE]

    def interrupted(self) -> None:
        for removal in self.to_delete:
            removal.result, removal.message = INTERRUPTED, "not deleted: the run was interrupted"

    def as_json(self) -> dict[str, Any]:
        removals = [{**asdict(r), "risk": r.risk} for r in self.removals]
        return {
            "removals": removals,
            "prune_note": self.prune_note,
            "drift": [asdict(d) for d in self.drift],
            "drift_note": self.drift_note,
        }


@dataclass
class Teardown:
    """A teardown's review: every live stack of the environment, in deletion order, and what outlives it."""

    project: str
    environment: str
    region: str
    stacks: list[Removal] = field(default_factory=list)  # in deletion order
    left_behind: list[str] = field(default_factory=list)  # resources kept on deletion, and how to remove them
    lock_stack: dict[str, str] = field(default_factory=dict)  # stack_name, result: deleted last, after the others
    where: str = ""  # account, region, caller (review.identity), for the header and the question

    @property
    def blocked(self) -> bool:
        return any(s.blockers for s in self.stacks)

    @property
    def failed(self) -> list[Removal]:
        return [s for s in self.stacks if s.result in (FAILED, SKIPPED, INTERRUPTED)]

    @property
    def complete(self) -> bool:
        return not self.failed and self.lock_stack.get("result") == DELETED
