"""Before any change set: which live resources the stacks about to be created name, and can they be imported.

A stack created over a name that is taken fails mid-deploy
(``ResourceAlreadyExistsException``): after a teardown the retained log
groups are still there; when adopting, the services, target groups and rules
made in the console are.  This survey runs once per deploy, after the lock
and before any stack is planned.  For every stack about to be created it
resolves the names its template gives (``contract.imports``), looks each one
up live (``run.import_locators``), and asks CloudFormation whether another
stack holds it already (DescribeStackResources by physical id).  What it finds
becomes that stack's import step (``run.import_step``); what cannot be
imported stops the deploy with the names and the fix.

With ``--adopt FILE`` (written by ``adopt.py``) it also checks that every
resource discovery found is still there under the names the templates give:
a rule deleted or moved since then stops the deploy before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from deployer.aws import cloudformation, elbv2
from deployer.errors import UsageError
from deployer.run.context import Context
from deployer.run.import_locators import LOCATORS, Located
from deployer.run.inputs import Deployment, StackInput
from templates.contract import imports
from templates.contract.template import resources_of_type
from templates.contract.values import Known, Unknown, export_values

PSEUDO = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": ""}


@dataclass
class StackImports:
    """What one stack about to be created finds already live."""

    located: list[Located] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each stops the deploy: names the resource and the fix
    left_alone: list[str] = field(default_factory=list)  # live resources adopt.py saw that stay outside the stack
    known: Known = field(default_factory=Known)  # what its template's values resolve with


Adoption = Mapping[str, Mapping[str, list[Any]]]  # stack key -> {"import": [...], "left_alone": [...]}


def read_adoption(path: Path | None) -> dict[str, dict[str, list[Any]]]:
    """``--adopt FILE``: stack key -> what adopt.py found for it; a usage error when the file does not read."""
    if path is None:
        return {}
    try:
        document = yaml.safe_load(path.read_text())
        return {
            key: {"import": list(entry.get("import") or []), "left_alone": list(entry.get("left_alone") or [])}
            for key, entry in document["stacks"].items()
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"--adopt {path}: not an adoption file written by adopt.py ({exc})") from None


def survey(ctx: Context, adoption: Adoption) -> dict[str, StackImports]:
    """Stack key -> what it finds live, for every stack of the run that does not exist yet (only those finding any)."""
    deployment = ctx.deployment
    cfn = ctx.clients.cloudformation
    listed = ctx.listed.values() if ctx.listed is not None else cloudformation.describe_stacks(cfn)
    existing = {s["StackName"] for s in listed if s["StackStatus"] not in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")}
    exports = ctx.export_values()
    found: dict[str, StackImports] = {}
    for key in deployment.order():
        stack_in = deployment.stacks[key]
        expected = (adoption.get(key) or {}).get("import", [])
        if stack_in.stack_name in existing:
            if problems := _not_held(ctx, stack_in, expected):
                found[key] = StackImports(problems=problems)
            continue
        ctx.report(key, "looking for live resources it names")
        imports_of_stack = _survey_stack(ctx, stack_in, exports, expected)
        imports_of_stack.left_alone = list((adoption.get(key) or {}).get("left_alone", []))
        exports.update(_predicted_exports(stack_in, imports_of_stack))
        if imports_of_stack.located or imports_of_stack.problems:
            found[key] = imports_of_stack
    return found


def _known(ctx: Context, stack_in: StackInput, exports: Mapping[str, str], located: list[Located]) -> Known:
    return Known(
        parameters=stack_in.parameters,
        pseudo={**PSEUDO, "AWS::Region": ctx.deployment.region, "AWS::StackName": stack_in.stack_name},
        refs={item.named.logical_id: item.ref for item in located},
        attributes={f"{item.named.logical_id}.{k}": v for item in located for k, v in item.attributes.items()},
        exports=dict(exports),
    )


def _survey_stack(
    ctx: Context, stack_in: StackInput, exports: Mapping[str, str], expected: list[dict[str, Any]]
) -> StackImports:
    result = StackImports()
    looked: set[str] = set()
    for _pass in range(2):  # the second pass: what is named through a resource the first found (a scalable target)
        named = imports.named_resources(stack_in.template, _known(ctx, stack_in, exports, result.located))
        fresh = [n for n in named if n.logical_id not in looked]
        looked |= {n.logical_id for n in fresh}
        for resource in sorted(fresh, key=lambda n: n.resource_type == imports.LISTENER_RULE):  # rules last
            located = LOCATORS[resource.resource_type](ctx.clients, resource, stack_in.template)
            if located is None or not _ours(located, result.located):
                continue
            owners = cloudformation.describe_stack_resources(ctx.clients.cloudformation, located.physical_id)
            if owners:
                result.problems.append(_held(stack_in, located, owners[0]))
                continue
            result.located.append(located)
    result.problems += _missing(stack_in, result.located, expected)
    result.known = _known(ctx, stack_in, exports, result.located)
    return result


def _ours(located: Located, so_far: list[Located]) -> bool:
    """A rule at our priority is ours to import only when it forwards to a target group this stack imports."""
    if located.named.resource_type != imports.LISTENER_RULE:
        return True
    groups = {item.ref for item in so_far if item.named.resource_type == imports.TARGET_GROUP}
    return bool(located.forwards_to) and set(located.forwards_to) <= groups


def _predicted_exports(stack_in: StackInput, found: StackImports) -> dict[str, str]:
    """The exports this stack will have, where they are known now (literal, or of a resource it imports)."""
    values = export_values(stack_in.template, found.known)
    return {name: value for name, value in values.items() if isinstance(value, str) and not isinstance(value, Unknown)}


def _held(stack_in: StackInput, located: Located, owner: Mapping[str, Any]) -> str:
    return (
        f"{stack_in.stack_name} {located.named.logical_id}: {located.label} already belongs to stack "
        f"{owner.get('StackName')} (as {owner.get('LogicalResourceId')}). CloudFormation imports a resource into one "
        "stack only: give ours another name in the params, or take it out of that stack first (set its "
        "DeletionPolicy to Retain, remove it from that template, update that stack), then deploy again"
    )


def _not_held(ctx: Context, stack_in: StackInput, expected: list[dict[str, Any]]) -> list[str]:
    """An existing stack must hold what adopt.py found for it already (adopted by an earlier run)."""
    if not expected:
        return []
    resources = cloudformation.list_stack_resources(ctx.clients.cloudformation, stack_in.stack_name)
    held = {r["PhysicalResourceId"] for r in resources}
    problems = []
    for entry in expected:
        physical = imports.physical_id(entry.get("type", ""), entry.get("identifier") or {})
        if physical not in held:
            problems.append(
                f"{stack_in.stack_name} exists already and does not hold {entry.get('type')} "
                f"{entry.get('name', physical)}, which the adoption file imports into it. Only a stack being "
                "created imports here: adopt into stacks that do not exist yet, or drop --adopt"
            )
    return problems


def _missing(stack_in: StackInput, located: list[Located], expected: list[dict[str, Any]]) -> list[str]:
    """Resources adopt.py found that the deploy no longer finds under the names the template gives."""
    found = {(item.named.resource_type, tuple(sorted(item.identifier.items()))) for item in located}
    by_type: dict[str, list[Located]] = {}
    for item in located:
        by_type.setdefault(item.named.resource_type, []).append(item)
    problems = []
    for entry in expected:
        kind, wanted = entry.get("type", ""), dict(entry.get("identifier") or {})
        if (kind, tuple(sorted(wanted.items()))) in found:
            continue
        instead = [", ".join(f"{k}={v}" for k, v in item.identifier.items()) for item in by_type.get(kind, [])]
        now = f"; the template's names find {' and '.join(instead)} instead" if instead else ""
        problems.append(
            f"{stack_in.stack_name}: adopt.py found {kind} {entry.get('name', '')} "
            f"({', '.join(f'{k}={v}' for k, v in wanted.items())}), but it is no longer live under the names the "
            f"template gives (deleted, moved or renamed since){now}. Nothing was changed: run adopt.py again, "
            "regenerate and review"
        )
    return problems


def adopted_rules(clients: Any, deployment: Deployment, rules: list[dict[str, Any]]) -> set[str]:
    """ARNs among ``rules`` (live, not in our stacks) that forward only to target groups our templates name.

    Such a rule is the one a new stack imports with its target group
    (``names.target_group``, written by adopt.py): the shared-listener check
    counts it as ours, not as another team's rule holding our priority.
    """
    names = {
        properties["Name"]
        for stack in deployment.stacks.values()
        for _id, properties in resources_of_type(stack.template, imports.TARGET_GROUP)
        if isinstance(properties.get("Name"), str)
    }
    forwards = {r["RuleArn"]: _forwards(r) for r in rules}
    arns = sorted({arn for targets in forwards.values() for arn in targets})
    if not names or not arns:
        return set()
    ours = {
        g["TargetGroupArn"]
        for g in elbv2.describe_target_groups(clients.elbv2, arns=arns)
        if g["TargetGroupName"] in names
    }
    return {rule for rule, targets in forwards.items() if targets and set(targets) <= ours}


def _forwards(rule: Mapping[str, Any]) -> list[str]:
    targets = []
    for action in rule.get("Actions", []):
        targets += [action["TargetGroupArn"]] if action.get("TargetGroupArn") else []
        targets += [g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get("TargetGroups", [])]
    return sorted(set(targets))
