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

from deployer.review.identity import Identity
from deployer.review.lifecycle import Lifecycle
from deployer.review.property_values import PropertyValue
from deployer.review.route_impact import RouteChange


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


PREDICTED_COLUMNS = ("Resource", "Type", "Predicted", "Why", "Change set says")


@dataclass
class PredictedChange:
    """One resource the templates say changes, and what the change set says about it."""

    logical_id: str
    resource_type: str
    effect: str  # remove | update in place | replace | may replace
    why: list[str] = field(default_factory=list)
    change_set: str = ""  # True | False | Conditional | "-" (not given) | "not listed" | "" (no change set yet)
    disagreement: str = ""
    risk: str | None = None

    def cells(self) -> list[str]:
        said = self.change_set or "(no change set yet)"
        return [self.logical_id, self.resource_type, self.effect, "; ".join(self.why), said]


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
    change: str  # added | removed | changes | may change
    reason: str = ""
    importers: list[str] = field(default_factory=list)
    advice: str = ""  # what to do instead, when the export changes because a resource is replaced

    @property
    def risk(self) -> str | None:
        if self.change == "added" or not self.importers:
            return None
        verb = {"removed": "removes", "changes": "changes the value of"}.get(self.change, "may change the value of")
        if not self.advice:
            return (
                f"{verb} export {self.name}, imported by {', '.join(self.importers)}: CloudFormation refuses to "
                "change an export in use; move those stacks off it first"
            )
        return (
            f"{verb} export {self.name} ({self.reason}), imported by {', '.join(self.importers)}: CloudFormation "
            f"refuses to change an export in use, so the update would fail; instead: {self.advice}"
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
class ImportedResource:
    """A live resource an import change set brings into the stack, as CloudFormation identifies it."""

    logical_id: str
    resource_type: str
    identifier: dict[str, str]  # ResourceIdentifier: the type's identifier properties and their live values
    name: str  # how people call it: a log group's name, a rule's host, path and priority


@dataclass
class ImportStep:
    """A stack created from live resources: an IMPORT change set first, then the update to its template.

    CloudFormation's import only imports; the update that follows is reviewed
    with it (``StackReview.resources`` holds both: the Import rows, then the
    update's rows previewed from the templates), and made once the import ran.
    """

    imported: list[ImportedResource] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # live resources not imported, and what to do about them
    import_change_set_id: str | None = None
    update_rows: list[tuple[str, str, str]] = field(default_factory=list)  # (action, logical id, type) previewed


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
    predicted: list[PredictedChange] = field(default_factory=list)  # from the templates (review.predicted_changes)
    guard_risks: list[str] = field(default_factory=list)  # e.g. a blue/green rule whose live weights are unknown
    notes: list[str] = field(default_factory=list)
    pending_notes: list[str] = field(default_factory=list)  # about a change set not made yet: dropped when it is
    imports: ImportStep | None = None  # created by importing live resources first (deployer/run/import_step)
    rollout_cause: str | None = None  # executed and failed: what ECS says failed (review.rollout.root_cause)

    @property
    def all_notes(self) -> list[str]:
        return self.pending_notes + self.notes

    @property
    def risks(self) -> list[str]:
        found = [f"{r.logical_id}: {r.risk}" for r in self.resources if r.risk]
        found += [f"{p.logical_id}: {p.risk}" for p in self.predicted if p.risk]
        found += [e.risk for e in self.exports if e.risk]
        return found + [p.risk for p in self.pending if p.risk] + self.guard_risks

    def counts(self) -> dict[str, int]:
        counts = {"Add": 0, "Modify": 0, "Remove": 0}
        for change in self.resources:
            if change.action in counts:  # Import rows are counted apart (imports.imported)
                counts[change.action] += 1
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
    cost: dict[str, Any] = field(default_factory=dict)  # the monthly cost delta (review.cost_delta), JSON-ready
    allow_delete: bool = False  # --allow-delete: the deletions --prune plans are approved
    identity: Identity | None = None  # who and where (review.identity); None before it was asked
    routes: list[RouteChange] = field(default_factory=list)  # URLs the run changes (review.route_impact)

    @property
    def risky(self) -> list[str]:
        return [f"{s.stack_name}: {risk}" for s in self.stacks.values() for risk in s.risks] + self.lifecycle.risks

    @property
    def needs(self) -> list[str]:
        """The flags that would allow this review's risks: --allow-replacement, --allow-delete, or none."""
        changes = any(s.risks for s in self.stacks.values()) and not self.allow_replacement
        deletions = bool(self.lifecycle.risks) and not self.allow_delete
        return [flag for flag, needed in (("--allow-replacement", changes), ("--allow-delete", deletions)) if needed]

    @property
    def gated(self) -> bool:
        """Risky changes present and not allowed: exit code 3 (unless a failure makes it 1).

        Changes inside stacks are allowed by --allow-replacement, deleting stacks (--prune) by --allow-delete.
        """
        return bool(self.needs)

    @property
    def failed(self) -> list[StackReview]:
        return [s for s in self.stacks.values() if s.result.is_failure]

    @property
    def not_deployed(self) -> list[StackReview]:
        """After execution: every stack that is not as planned, whatever the reason."""
        return [s for s in self.stacks.values() if s.result.holds_back_dependents]
