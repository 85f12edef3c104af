"""The offline prediction beside the change set: replacements CloudFormation may not have said, and disagreements.

The local endpoint (moto) and some change sets give no ``Replacement``; the
prediction (``templates.contract.template_diff``, from the resource schemas'
create-only properties) always does.  Each predicted modification or removal
becomes a row with what the change set says about the same resource, so a
reviewer sees where the two agree and where they do not.  A replaced or
removed piece of shared infrastructure is risky whichever of the two says so:
the worse verdict gates the run.
"""

from __future__ import annotations

from deployer.review.resource_changes import GUARDED_TYPES
from deployer.review.stack_review import PredictedChange, ResourceChange
from templates.contract.template_diff import MAY_REPLACE, REMOVE, REPLACE, ResourcePrediction, StackPrediction

NOT_LISTED = "not listed"  # the change set has no row for the resource
_REPLACES = {"True", "Conditional"}


def _said(row: ResourceChange | None) -> str:
    if row is None:
        return NOT_LISTED
    return "Remove" if row.action == "Remove" else (row.replacement or "-")


def _disagreement(predicted: ResourcePrediction, said: str) -> str:
    """Where the prediction and CloudFormation's Replacement tell a different story; "" when they do not."""
    if said in ("-", NOT_LISTED, "", "Remove"):
        return ""
    predicted_replaces = predicted.effect in (REPLACE, MAY_REPLACE)
    if predicted_replaces == (said in _REPLACES):
        return ""
    return (
        f"{predicted.logical_id}: predicted {predicted.effect} ({'; '.join(predicted.why()) or 'no detail'}), "
        f"the change set says Replacement {said}: the change set is what runs; check which is right before executing"
    )


def _risk(predicted: ResourcePrediction, row: ResourceChange | None) -> str | None:
    """A removed or replaced piece of shared infrastructure the change set's own row does not already flag."""
    what = GUARDED_TYPES.get(predicted.resource_type)
    if what is None or (row is not None and row.risk):
        return None
    if predicted.action == REMOVE:
        return f"removes the {what}"
    forcing = ", ".join(p.create_only or p.name for p in predicted.properties if p.forces) or "its type"
    if predicted.effect == REPLACE:
        return f"replaces the {what} (predicted: create-only {forcing} changes)"
    if predicted.effect == MAY_REPLACE:
        return f"may replace the {what} (predicted: {forcing} may change)"
    return None


def _unforeseen(prediction: StackPrediction, rows: list[ResourceChange]) -> list[PredictedChange]:
    """Resources the change set replaces (or may) while the templates do not change them: a disagreement too.

    CloudFormation resolves some values only itself (an imported export, a dynamic reference); the
    prediction cannot see those, so the row says what the change set says and why the two differ.
    """
    known = {p.logical_id for p in prediction.resources}
    return [
        PredictedChange(
            row.logical_id,
            row.resource_type,
            "unchanged",
            ["the templates do not change it"],
            row.replacement,
            f"{row.logical_id}: the change set says Replacement {row.replacement}, the templates do not change it "
            "(a value only CloudFormation resolves: an import, a dynamic reference?); check before executing",
        )
        for row in rows
        if row.action == "Modify" and row.replacement in _REPLACES and row.logical_id not in known
    ]


def predicted_rows(
    prediction: StackPrediction, rows: list[ResourceChange], has_change_set: bool = True
) -> list[PredictedChange]:
    """Every predicted modification and removal (adds are the change set's own rows), cross-checked."""
    by_id = {row.logical_id: row for row in rows}
    found = _unforeseen(prediction, rows) if has_change_set else []
    for predicted in prediction.resources:
        if predicted.action not in ("Modify", REMOVE):
            continue
        row = by_id.get(predicted.logical_id)
        said = _said(row) if has_change_set else ""
        found.append(
            PredictedChange(
                predicted.logical_id,
                predicted.resource_type,
                predicted.effect,
                predicted.why(),
                said,
                _disagreement(predicted, said),
                _risk(predicted, row),
            )
        )
    return found
