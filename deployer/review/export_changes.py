"""Which of a stack's exports a change set adds, removes or may give a new value.

CloudFormation refuses to remove an export, or change its value, while
another stack imports it ("Export ... cannot be updated as it is in use by
..."), and it says so only halfway through the update.  We find those
exports before anything runs: removed ones by name, changed ones from the
output's value expression (edited, or referring to a resource the change set
replaces, or to a parameter that changes).  The importers come from
ListImports, asked by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from deployer.review.parameter_changes import Deployable
from deployer.review.stack_review import ExportChange, ParameterChange, ResourceChange
from templates.stack_graph import exports_of

_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def export_changes(
    stack: Deployable,
    current: Mapping[str, str],
    deployed_template: Mapping[str, Any] | None,
    deployed_params: Mapping[str, str],
    resources: list[ResourceChange],
    parameters: list[ParameterChange],
) -> list[ExportChange]:
    """``current``: the exports the stack has now (ListExports, by name), the ground truth."""
    new = exports_of(stack.template, stack.parameters)
    old_keys = exports_of(deployed_template, deployed_params) if deployed_template else {}
    changes = [ExportChange(name, "added") for name in sorted(new.keys() - current.keys())]
    gone = sorted(current.keys() - new.keys())
    changes += [ExportChange(name, "removed", "no output exports it any more") for name in gone]
    replaced = {r.logical_id for r in resources if r.action == "Remove" or r.replacement in ("True", "Conditional")}
    changed = {p.name for p in parameters}
    for name in sorted(new.keys() & current.keys()):
        expression = stack.template["Outputs"][new[name]].get("Value")
        before = (deployed_template or {}).get("Outputs", {}).get(old_keys.get(name, ""), {}).get("Value")
        reason = _why_value_may_change(expression, before if name in old_keys else expression, replaced, changed)
        if reason:
            changes.append(ExportChange(name, "may change", reason))
    return changes


def _why_value_may_change(expression: Any, before: Any, replaced: set[str], changed: set[str]) -> str:
    if expression != before:
        return "its output's value expression changed"
    refs = set(references(expression))
    if refs & replaced:
        return f"{', '.join(sorted(refs & replaced))} is replaced"
    if refs & changed:
        return f"parameter {', '.join(sorted(refs & changed))} changes"
    return ""


def references(node: Any) -> Iterator[str]:
    """Logical ids and parameter names an expression refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    if isinstance(node, list):
        for item in node:
            yield from references(item)
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "Ref" and isinstance(value, str):
            yield value
        elif key == "Fn::GetAtt":
            yield (value.split(".")[0] if isinstance(value, str) else value[0])
        elif key == "Fn::Sub":
            text = value if isinstance(value, str) else value[0]
            yield from (name.split(".")[0] for name in _SUB_NAME.findall(text))
            yield from references(value[1:] if isinstance(value, list) else [])
        else:
            yield from references(value)
