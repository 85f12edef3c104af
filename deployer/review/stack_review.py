"""The review: what each stack's change set would do, in a shape both people and CI gates read.

One ``StackReview`` per stack; ``view.terminal`` prints it with rich and
``view.review_files`` writes it as Markdown and JSON.  Risks are computed here, once, so the
console, the files and the exit code can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from deployer.review.lifecycle import Lifecycle
from deployer.review.property_values import PropertyValue


class Result(StrEnum):
    """Where a stack stands in the run; each result says whether it fails the run or holds back dependents."""

    CHANGES = "changes"  # a change set is ready to execute
    NO_CHANGES = "no changes"
    PREVIEW = "preview"  # a new stack whose imports do not exist yet: read from its template
    DEFERRED = "deferred"  # an existing stack whose imports do not exist yet: reviewed when they do
    BLOCKED = "blocked"  # the stack's state forbids a deploy; the message says how to fix it
    ERROR = "error"
    EXECUTED = "executed"
    FAILED = "failed"
    GATED = "gated"  # risky changes seen only mid-run (a deferred stack's change set), no --allow-replacement
    NOT_CONFIRMED = "not confirmed"  # a change set shown mid-run that the operator declined
    SKIPPED = "skipped"  # a stack it depends on did not deploy; that stack's result gives the exit code
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM: not planned, or its change set not executed
    RUNNING = "still running"  # executed, then the run was stopped: CloudFormation goes on with the operation
    UNKNOWN = "outcome unknown"  # executed, then its status could not be read (e.g. access denied): see its events

    @property
    def is_failure(self) -> bool:
        """Exit code 1.  GATED is exit code 3; SKIPPED follows from another stack's result."""
        return self in (
            Result.BLOCKED,
            Result.ERROR,
            Result.FAILED,
            Result.NOT_CONFIRMED,
            Result.INTERRUPTED,
            Result.RUNNING,
            Result.UNKNOWN,
        )

    @property
    def holds_back_dependents(self) -> bool:
        """After execution: the stack is not deployed as planned, so stacks importing from it must not go on."""
        return self not in (Result.EXECUTED, Result.NO_CHANGES)


RESOURCE_COLUMNS = ("Action", "Logical id", "Type", "Replacement", "Scope", "Changed properties", "Causing entity")
REPLACEMENT = RESOURCE_COLUMNS.index("Replacement")


@dataclass
class ResourceChange:
    """One resource row of a change set, with the risk it carries and its property values."""

    action: str  # Add | Modify | Remove | Import | Dynamic
    logical_id: str
    resource_type: str
    replacement: str = ""  # True | False | Conditional; "" when CloudFormation did not say
    scope: list[str] = field(default_factory=list)  # Properties, Tags, Metadata, ...
    properties: list[str] = field(default_factory=list)  # changed property names, with what they force
    causes: list[str] = field(default_factory=list)  # causing entities: parameters, resources, the template
    risk: str | None = None
    values: list[PropertyValue] = field(default_factory=list)  # before -> after, when the endpoint gives them

    def cells(self) -> list[str]:
        """The row under ``RESOURCE_COLUMNS`` as text: the terminal and Markdown only style it."""
        replacement = self.replacement or ("" if self.action == "Add" else "-")  # "-": CloudFormation did not say
        scope, properties, causes = (", ".join(items) for items in (self.scope, self.properties, self.causes))
        return [self.action, self.logical_id, self.resource_type, replacement, scope, properties, causes]


@dataclass
class ParameterChange:
    """A parameter whose value changes, and where the new value comes from (--set or the template)."""

    name: str
    deployed: str | None
    new: str | None
    source: str  # "--set" or "template default"


@dataclass
class ExportChange:
    """An export the change set adds, removes or may change; removing or changing one in use is a risk."""

    name: str
    change: str  # added | removed | may change
    reason: str = ""
    importers: list[str] = field(default_factory=list)

    @property
    def risk(self) -> str | None:
        if self.change == "added" or not self.importers:
            return None
        verb = "removes" if self.change == "removed" else "may change the value of"
        return (
            f"{verb} export {self.name}, imported by {', '.join(self.importers)}: CloudFormation refuses to "
            "change an export in use; move those stacks off it first"
        )


@dataclass
class PendingChangeSet:
    """A change set on the stack, not made by this run, that executing ours makes CloudFormation delete.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets-execute.html
    ("After you execute a change set, CloudFormation removes all change sets that are associated with the stack").
    """

    name: str
    created: datetime | None
    description: str
    ours: bool  # made by this tool: an earlier review, superseded by this one

    @property
    def risk(self) -> str | None:
        if self.ours:
            return None
        made = f", made {self.created:%Y-%m-%d %H:%M:%S%z}" if self.created else ""
        said = f' ("{self.description}")' if self.description else ""
        return (
            f"pending change set {self.name}{made}{said} was made by someone else (console, another tool): "
            "CloudFormation deletes it when this change set executes; check with its owner first"
        )


@dataclass
class StackReview:
    """One stack's review: its result, its rows, its notes; what review.json records and apply-plan checks."""

    key: str
    stack_name: str
    action: str  # CREATE | UPDATE | RECREATE, or "" when nothing can be done
    result: Result
    message: str = ""
    change_set_name: str | None = None
    change_set_id: str | None = None
    stack_id: str | None = None
    created_at: datetime | None = None
    template_changed: bool | None = None  # False: a parameter-only change set
    template_sha256: str | None = None  # of the template the change set (or preview) was made from
    parameter_values: dict[str, str] = field(default_factory=dict)  # ... and of its parameter values
    resources: list[ResourceChange] = field(default_factory=list)
    parameters: list[ParameterChange] = field(default_factory=list)
    exports: list[ExportChange] = field(default_factory=list)
    pending: list[PendingChangeSet] = field(default_factory=list)  # other change sets ours would discard
    notes: list[str] = field(default_factory=list)
    pending_notes: list[str] = field(default_factory=list)  # about a change set not made yet: dropped when it is
    rollout_cause: str | None = None  # executed and failed: what ECS says failed (review.rollout.root_cause)

    @property
    def all_notes(self) -> list[str]:
        return self.pending_notes + self.notes

    @property
    def risks(self) -> list[str]:
        found = [f"{r.logical_id}: {r.risk}" for r in self.resources if r.risk]
        found += [e.risk for e in self.exports if e.risk]
        return found + [p.risk for p in self.pending if p.risk]

    def counts(self) -> dict[str, int]:
        counts = {"Add": 0, "Modify": 0, "Remove": 0}
        for change in self.resources:
            counts[change.action] = counts.get(change.action, 0) + 1
        return counts


@dataclass
class Review:
    """The whole run's review: every stack, stacks to remove and drift, the cost delta, and its verdict."""

    project: str
    environment: str
    region: str
    stacks: dict[str, StackReview]
    allow_replacement: bool = False
    run: str = ""  # the run's id, also the name of every change set it made
    lifecycle: Lifecycle = field(default_factory=Lifecycle)  # stacks to remove (prune) and drift
    cost: dict[str, Any] = field(default_factory=dict)  # the monthly cost delta (review.change_set_cost), JSON-ready

    @property
    def risky(self) -> list[str]:
        return [f"{s.stack_name}: {risk}" for s in self.stacks.values() for risk in s.risks] + self.lifecycle.risks

    @property
    def gated(self) -> bool:
        """Risky changes present and not allowed: exit code 3 (unless a failure makes it 1)."""
        return bool(self.risky) and not self.allow_replacement

    @property
    def failed(self) -> list[StackReview]:
        return [s for s in self.stacks.values() if s.result.is_failure]

    @property
    def not_deployed(self) -> list[StackReview]:
        """After execution: every stack that is not as planned, whatever the reason."""
        return [s for s in self.stacks.values() if s.result.holds_back_dependents]
