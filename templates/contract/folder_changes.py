"""A whole folder against the one before it: every stack's prediction, and the exports that block it.

CloudFormation refuses to change the value of an export, or remove it, while another stack imports it
("Export ... cannot be updated as it is in use by ..."), and it says so only halfway through the update.
A replaced VPC gets a new id, so its ``VpcId`` export changes; every stack importing it blocks the update.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html

``generate.py`` compares the folder it writes with the previous output; the deployer compares each
generated template with the deployed one (``template_diff``) and asks ListImports for the importers.
Both give the same advice for an export in use (``export_in_use_advice``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from templates.contract.graph import imports_of
from templates.contract.resource_schemas import DEFAULT_REGION
from templates.contract.template_diff import ADD, MODIFY, REMOVE, ExportPrediction, StackPrediction, predict

Templates = Mapping[str, Mapping[str, Any]]
NETWORK_TYPES = ("AWS::EC2::VPC", "AWS::EC2::Subnet")


@dataclass(frozen=True)
class BlockedExport:
    """An export this change removes or gives a new value while other stacks import it: CloudFormation refuses."""

    stack: str  # the exporting stack (key)
    export: str
    change: str  # removed | changes | may change
    reason: str
    importers: tuple[str, ...]
    advice: str

    def describe(self) -> str:
        verb = {"removed": "is removed", "changes": "changes value"}.get(self.change, "may change value")
        why = f" ({self.reason})" if self.reason else ""
        return (
            f"export {self.export} {verb}{why} while {', '.join(self.importers)} import it: CloudFormation refuses "
            "to change an export in use, so the update fails"
        )


def export_in_use_advice(replaced_types: Iterable[str]) -> str:
    """What to do instead of changing an export other stacks import, by what makes it change."""
    types = set(replaced_types)
    if types & set(NETWORK_TYPES):
        return (
            "keep network.cidr and network.az_count as deployed; a new VPC needs a new environment: deploy a copy "
            "under another environment name and move traffic to it, or tear this one down (deploy.py --teardown "
            "--execute) and deploy again (downtime)"
        )
    if types:
        return (
            f"a replaced {', '.join(sorted(types))} gets a new id under the same export; bring the replacement up "
            "beside the old one (another name or key), move the importing stacks to it, then remove the old one"
        )
    return "deploy the importing stacks without the import first, then this change"


def predict_folder(before: Templates, after: Templates, region: str = DEFAULT_REGION) -> dict[str, StackPrediction]:
    """Every stack's prediction, by stack key: the new folder's stacks (None before: a new stack)."""
    return {key: predict(before.get(key), template, region=region) for key, template in sorted(after.items())}


def importers_of(export: str, templates: Templates, exporter: str) -> tuple[str, ...]:
    """The stacks (keys) whose template imports ``export``, the exporter itself left out."""
    return tuple(sorted(key for key, t in templates.items() if key != exporter and export in imports_of(t)))


def blocked(stack: str, change: ExportPrediction, importers: Iterable[str]) -> BlockedExport | None:
    """The export change as a refusal to come, when it removes or changes an export that is imported."""
    importers = tuple(importers)
    if change.change == "added" or not importers:
        return None
    advice = export_in_use_advice(change.replaced_types)
    return BlockedExport(stack, change.name, change.change, change.reason, importers, advice)


def blocked_exports(predictions: Mapping[str, StackPrediction], before: Templates) -> list[BlockedExport]:
    """Every export change that stacks importing it now (the ``before`` folder) would block."""
    found = []
    for key, prediction in predictions.items():
        for change in prediction.exports:
            refusal = blocked(key, change, importers_of(change.name, before, key))
            if refusal is not None:
                found.append(refusal)
    return found


def report_lines(before: Templates, after: Templates, region: str = DEFAULT_REGION) -> list[str]:
    """What ``generate.py`` prints: replacements one by one, other changes counted, blocked exports with advice."""
    predictions = predict_folder(before, after, region)
    lines = []
    for key, prediction in predictions.items():
        if key not in before:
            lines.append(f"{key}: new stack ({len(prediction.resources)} resources)")
            continue
        for r in prediction.replaced().values():
            lines.append(f"{key}: {r.effect} {r.logical_id} ({r.resource_type}): {'; '.join(r.why())}")
        counts = {
            "updated in place": sum(r.action == MODIFY and not r.replaced for r in prediction.resources),
            "added": sum(r.action == ADD for r in prediction.resources),
            "removed": sum(r.action == REMOVE for r in prediction.resources),
        }
        if any(counts.values()):
            lines.append(f"{key}: " + ", ".join(f"{n} {what}" for what, n in counts.items() if n))
    lines += [
        f"{key}: no longer generated (deploy.py --prune --allow-delete deletes its stack)"
        for key in sorted(before.keys() - after.keys())
    ]
    refusals = blocked_exports(predictions, before)
    lines += [f"{b.stack}: BLOCKED: {b.describe()}" for b in refusals]
    for stack, advice in dict.fromkeys((b.stack, b.advice) for b in refusals):
        lines.append(f"{stack}: instead: {advice}")
    return lines
