"""Which stacks of the account belong to one project and environment, and who depends on whom among them.

Prune and teardown must find stacks the manifest no longer names, so they
cannot start from the manifest.  Every stack this deployer makes carries the
``project`` and ``environment`` tags (the keys ``templates.stacks.common.tags`` puts
on every resource), given as stack tags on each change set.  Stacks deployed
before those stack tags existed have none; they are recognised by the
description every generated template starts with.

The dependency order comes from the live stacks (ListExports and
ListImports), not from templates: a stack removed from the manifest has no
template on disk any more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deployer.aws import cloudformation

PROJECT_TAG, ENVIRONMENT_TAG = "project", "environment"
GONE = ("DELETE_COMPLETE",)


def stack_tags(project: str, environment: str) -> list[dict[str, str]]:
    """Stack-level tags for CreateChangeSet: what prune and teardown find the environment's stacks by."""
    return [{"Key": PROJECT_TAG, "Value": project}, {"Key": ENVIRONMENT_TAG, "Value": environment}]


def description_prefix(project: str, environment: str) -> str:
    """How every generated template's Description starts (``templates.stacks.common.new_template``)."""
    return f"fargate-stacks {project}/{environment}: "


@dataclass
class LiveStack:
    """A live stack of the environment as DescribeStacks shows it; prune and teardown start from these."""

    name: str
    stack_id: str
    status: str
    exports: list[str] = field(default_factory=list)  # export names its outputs provide
    found_by: str = "tags"  # "tags", or "description" for a stack deployed before stack tags
    parameters: dict[str, str] = field(default_factory=dict)  # its deployed parameter values

    def key(self, project: str, environment: str) -> str:
        """The manifest's stack key its name was made from (``shop-dev-svc-web`` -> ``svc-web``)."""
        return self.name.removeprefix(f"{project}-{environment}-")


def environment_stacks(
    cfn: Any, project: str, environment: str, listed: Iterable[Mapping[str, Any]] | None = None
) -> dict[str, LiveStack]:
    """Every live stack of the project and environment, by name (one paginated DescribeStacks, or ``listed``)."""
    found: dict[str, LiveStack] = {}
    for stack in cloudformation.describe_stacks(cfn) if listed is None else listed:
        how = _belongs(stack, project, environment)
        if how and stack["StackStatus"] not in GONE:
            exports = [o["ExportName"] for o in stack.get("Outputs", []) if o.get("ExportName")]
            values = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
            found[stack["StackName"]] = LiveStack(
                stack["StackName"], stack["StackId"], stack["StackStatus"], sorted(exports), how, values
            )
    return found


def _belongs(stack: Mapping[str, Any], project: str, environment: str) -> str:
    tags = {t["Key"]: t["Value"] for t in stack.get("Tags", [])}
    if PROJECT_TAG in tags or ENVIRONMENT_TAG in tags:
        return "tags" if (tags.get(PROJECT_TAG), tags.get(ENVIRONMENT_TAG)) == (project, environment) else ""
    description = stack.get("Description") or ""
    return "description" if description.startswith(description_prefix(project, environment)) else ""


def importers(cfn: Any, stacks: Iterable[LiveStack]) -> dict[str, list[str]]:
    """Export name -> the stacks importing it, for every export of ``stacks`` (one ListImports each)."""
    return {name: cloudformation.list_imports(cfn, name) for stack in stacks for name in stack.exports}


def deletion_dependencies(stacks: Mapping[str, LiveStack], imported_by: Mapping[str, list[str]]) -> dict[str, set[str]]:
    """For ``walk.walk``: each stack waits for the stacks (of ``stacks``) importing its exports to be gone."""
    return {
        name: {importer for export in stack.exports for importer in imported_by.get(export, []) if importer in stacks}
        - {name}
        for name, stack in stacks.items()
    }


def outside_importers(
    stack: LiveStack, imported_by: Mapping[str, list[str]], inside: Iterable[str]
) -> dict[str, list[str]]:
    """Exports of ``stack`` imported by stacks not in ``inside``: CloudFormation refuses to delete it while they do."""
    keep = set(inside)
    out = {}
    for export in stack.exports:
        others = [name for name in imported_by.get(export, []) if name not in keep]
        if others:
            out[export] = others
    return out
