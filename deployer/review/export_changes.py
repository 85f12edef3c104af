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

from collections.abc import Mapping
from typing import Any

from deployer.review.parameter_changes import Deployable
from deployer.review.stack_review import ExportChange, ParameterChange, ResourceChange
from templates.contract.folder_changes import export_in_use_advice
from templates.contract.graph import exports_of
from templates.contract.template import references
from templates.contract.template_diff import StackPrediction


def export_changes(
    stack: Deployable,
    current: Mapping[str, str],
    deployed_template: Mapping[str, Any] | None,
    deployed_params: Mapping[str, str],
    resources: list[ResourceChange],
    parameters: list[ParameterChange],
    predicted: StackPrediction | None = None,
) -> list[ExportChange]:
    """``current``: the exports the stack has now (ListExports, by name), the ground truth.

    ``predicted``: the offline prediction (``template_diff``); an export whose value it says changes (a
    replaced resource's new id) is "changes", with the advice for an export in use.
    """
    new = exports_of(stack.template, stack.parameters)
    old_keys = exports_of(deployed_template, deployed_params) if deployed_template else {}
    changes = [ExportChange(name, "added") for name in sorted(new.keys() - current.keys())]
    gone = sorted(current.keys() - new.keys())
    changes += [ExportChange(name, "removed", "no output exports it any more") for name in gone]
    replaced = {r.logical_id for r in resources if r.action == "Remove" or r.replacement in ("True", "Conditional")}
    changed = {p.name for p in parameters}
    foreseen = {e.name: e for e in (predicted.exports if predicted else ()) if e.change in ("changes", "may change")}
    for name in sorted(new.keys() & current.keys()):
        if name in foreseen:
            export = foreseen[name]
            advice = export_in_use_advice(export.replaced_types)
            changes.append(ExportChange(name, export.change, export.reason, advice=advice))
            continue
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
