"""Plan one stack: decide create/update, make its change set and read it into a review.

A change set can only be made when every export the template imports
already exists.  On a first deploy that is not yet true for the stacks that
import from new ones, so those are previewed from their template (a new stack
can only add resources) and get their real change set during execution,
right after the stacks they import from.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS
from deployer.errors import Interrupted, StackFailure
from deployer.review.export_changes import export_changes
from deployer.review.host_moves import mark_host_moves
from deployer.review.parameter_changes import deployed_parameters, kept_values, parameter_changes
from deployer.review.predicted_changes import predicted_rows
from deployer.review.property_values import attach_values
from deployer.review.resource_changes import resource_changes
from deployer.review.secret_material import mask_parameter_changes, mask_values, masked_parameters, secret_parameters
from deployer.review.stack_review import ExportChange, PendingChangeSet, ResourceChange, Result, StackReview
from deployer.review.template_pairs import TemplatePair
from deployer.run import leftovers
from deployer.run.change_set_names import request_token
from deployer.run.change_set_wait import wait_for_change_set
from deployer.run.context import Context
from deployer.run.environment_lock import owner
from deployer.run.inputs import StackInput
from deployer.run.inventory import stack_tags
from deployer.run.stack_state import CREATE, RECREATE, UPDATE, busy_message, decide, is_busy
from deployer.run.template_source import template_source
from templates.contract.graph import exports_of, imports_of

NAMED_IAM = ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")


def plan_stack(ctx: Context, key: str) -> StackReview:
    """The review of one stack; API and state problems become a blocked or error review, not an exception."""
    stack_in = ctx.deployment.stacks[key]
    try:
        ctx.report(key, "reading its state")
        stack = settled_stack(ctx, key, listed=True)
        decision = decide(stack, ctx.recreate_failed)
        if decision.blocked:
            return StackReview(key, stack_in.stack_name, "", Result.BLOCKED, message=decision.blocked)
        if decision.action == UPDATE:
            ctx.on_deployed(key)  # drift is checked alongside, on deployed stacks only
        review = _plan(ctx, stack_in, decision.action, stack)
        review.notes[:0] = [decision.note] if decision.note else []
        return review
    except StackFailure as exc:
        return StackReview(key, stack_in.stack_name, "", Result.BLOCKED, message=str(exc))
    except Interrupted:
        return StackReview(key, stack_in.stack_name, "", Result.INTERRUPTED, message="interrupted while planning")
    except AWS_ERRORS as exc:
        return StackReview(key, stack_in.stack_name, "", Result.ERROR, message=str(exc))


def _plan(ctx: Context, stack_in: StackInput, action: str, stack: dict[str, Any] | None) -> StackReview:
    if action == UPDATE and stack_in.overrides:  # parameter-only: the deployed template's imports exist
        return change_set_review(ctx, stack_in, action, stack)
    waits_for = _missing_exporters(ctx, stack_in)
    if action == RECREATE or (waits_for and action == CREATE):
        ctx.templates[stack_in.key] = TemplatePair(None, stack_in.template, {}, stack_in.parameters)
        return preview(stack_in, action, waits_for)
    if waits_for:
        return _deferred(ctx, stack_in, waits_for, stack)
    return change_set_review(ctx, stack_in, action, stack)


def settled_stack(ctx: Context, key: str, listed: bool = False) -> dict[str, Any] | None:
    """The stack as DescribeStacks shows it, after waiting out another operation on it.

    ``listed``: as the run's listing of the region's stacks showed it when
    planning started (``Context.listed``), when there is one: one paged call
    for a run of many stacks instead of one call each.
    """
    cfn = ctx.clients.cloudformation
    name = ctx.deployment.stacks[key].stack_name
    stack = ctx.listed.get(name) if listed and ctx.listed is not None else cloudformation.describe_stack(cfn, name)
    if stack and is_busy(stack["StackStatus"]):
        since, what = time.monotonic(), f"busy ({stack['StackStatus']}): waiting up to {ctx.timing.busy_timeout}s"
        ctx.report(key, what)

        def tick() -> None:
            if ctx.progress is not None:
                ctx.progress.waiting(key, what, since)

        if not cloudformation.wait_until_settled(cfn, name, ctx.timing, ctx.stop, tick):
            raise StackFailure(busy_message(name, stack["StackStatus"], ctx.timing.busy_timeout))
        stack = cloudformation.describe_stack(cfn, name)
    return stack


def _missing_exporters(ctx: Context, stack_in: StackInput) -> list[str]:
    """Stacks of this run whose exports this one imports and which do not exist yet."""
    graph = ctx.deployment.graph
    waits_for = set()
    for name in sorted(imports_of(stack_in.template, stack_in.parameters) - ctx.exports.keys()):
        exporter = graph.exporters.get(name)
        if exporter is None:
            raise StackFailure(f"imports {name}, which does not exist and which no stack of this folder exports")
        if exporter not in ctx.deployment.stacks:
            raise StackFailure(
                f"imports {name}, which does not exist yet: it comes from {exporter}, which is not among --stacks; "
                f"deploy {exporter} first or add it to --stacks"
            )
        waits_for.add(exporter)
    return sorted(waits_for)


def preview(stack_in: StackInput, action: str, waits_for: list[str]) -> StackReview:
    """A new stack's review read from its template (all adds), for when its change set cannot be made yet."""
    review = StackReview(stack_in.key, stack_in.stack_name, action, Result.PREVIEW)
    review.template_sha256 = template_hash(stack_in.template)
    review.parameter_values = masked_parameters(stack_in.parameters, stack_in.template)
    resources = sorted(stack_in.template["Resources"].items())
    review.resources = [ResourceChange("Add", logical_id, spec["Type"]) for logical_id, spec in resources]
    review.parameters = parameter_changes({}, stack_in)
    mask_parameter_changes(review.parameters, stack_in.template)
    review.exports = added_exports(stack_in)
    if action == RECREATE:
        review.pending_notes.append(
            "--recreate-failed: the failed stack is deleted first (it holds no working resources)"
        )
    after = (
        f"once {' and '.join(waits_for)} exist{'s' if len(waits_for) == 1 else ''}"
        if waits_for
        else "when it is executed"
    )
    made = "its change set is made" if action == RECREATE else "it is created (CreateStack, run.create_stack)"
    review.pending_notes.append(f"Preview from the template: {made} {after}; a new stack only adds.")
    return review


def template_hash(template: dict[str, Any]) -> str:
    """SHA-256 of the template's canonical JSON: the same for the file and for GetTemplate's decoded answer."""
    return hashlib.sha256(json.dumps(template, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def added_exports(stack_in: StackInput) -> list[ExportChange]:
    """Every export of a new stack: added, imported by nobody yet."""
    return [ExportChange(name, "added") for name in sorted(exports_of(stack_in.template, stack_in.parameters))]


def _deferred(ctx: Context, stack_in: StackInput, waits_for: list[str], stack: dict[str, Any] | None) -> StackReview:
    review = StackReview(stack_in.key, stack_in.stack_name, UPDATE, Result.DEFERRED)
    review.pending_notes.append(
        f"Imports exports that {' and '.join(waits_for)} add{'s' if len(waits_for) == 1 else ''} in this run: "
        "its change set is made and reviewed "
        "after that, and held to the same risk gate and confirmation."
    )
    deployed = cloudformation.get_template(ctx.clients.cloudformation, stack["StackId"]) if stack else None
    if deployed is not None and stack is not None:  # predicted now, so its risks gate the run before anything runs
        pair = TemplatePair(deployed, stack_in.template, deployed_parameters(stack), stack_in.parameters)
        ctx.templates[stack_in.key] = pair
        prediction = pair.prediction(ctx.deployment.region, ctx.export_values())
        review.predicted = predicted_rows(prediction, [], has_change_set=False)
        mark_host_moves(review.predicted, deployed, stack_in.template)
    return review


def capabilities(template: dict[str, Any]) -> list[str]:
    """The capabilities CreateChangeSet needs for this template (IAM, named IAM, transforms), and no more."""
    iam = [r for r in template.get("Resources", {}).values() if r.get("Type", "").startswith("AWS::IAM::")]
    caps = ["CAPABILITY_IAM"] if iam else []
    if any(name in r.get("Properties", {}) for r in iam for name in NAMED_IAM):
        caps.append("CAPABILITY_NAMED_IAM")
    if "Transform" in template:
        caps.append("CAPABILITY_AUTO_EXPAND")
    return caps


def change_set_review(ctx: Context, stack_in: StackInput, action: str, stack: dict[str, Any] | None) -> StackReview:
    """Create the change set, wait for it, and read it; a change set that changes nothing is deleted."""
    cfn = ctx.clients.cloudformation
    review = StackReview(stack_in.key, stack_in.stack_name, action, Result.CHANGES, change_set_name=ctx.change_set_name)
    deployed_template = None
    pending: list[PendingChangeSet] = []
    if stack:
        stale, pending = leftovers.sort_out(cloudformation.list_change_sets(cfn, stack["StackId"]), ctx.change_set_name)
        for change_set_id in stale:
            cloudformation.delete_change_set(cfn, change_set_id)
    parameter_only = bool(stack and action == UPDATE and stack_in.overrides)
    if stack and action == UPDATE:
        deployed_template = cloudformation.get_template(cfn, stack["StackId"])
        if parameter_only:
            review.notes += _parameter_only_notes(stack_in, deployed_template)
            stack_in = _as_deployed(stack_in, stack, deployed_template)
        else:
            kept = kept_values(deployed_parameters(stack), deployed_template, stack_in)
            stack_in = replace(stack_in, parameters={**stack_in.parameters, **kept})
            secret = secret_parameters(stack_in.template)
            review.notes += [
                f"{name} stays at its deployed value {'(secret)' if name in secret else value} (the template "
                f"default is unchanged); --set {stack_in.key}.{name}=... changes it"
                for name, value in sorted(kept.items())
            ]
    review.template_sha256 = template_hash(stack_in.template)
    review.parameter_values = masked_parameters(stack_in.parameters, stack_in.template)
    _record_templates(ctx, stack_in, action, stack, deployed_template, review)
    tags = stack_tags(ctx.deployment.project, ctx.deployment.environment)
    if stack and not parameter_only and unchanged(stack, deployed_template, stack_in, tags):
        review.result, review.change_set_name = Result.NO_CHANGES, None
        return review
    ctx.report(stack_in.key, "creating its change set")
    created = _create_change_set(cfn, change_set_request(ctx, stack_in, action, parameter_only))
    if created is None:
        review.result, review.change_set_name = Result.NO_CHANGES, None
        return review
    review.change_set_id, review.stack_id = created["Id"], created["StackId"]
    ctx.report(stack_in.key, "waiting for CloudFormation to compute the change set")
    first_page, failure = wait_for_change_set(ctx, created["Id"])
    if first_page is None:
        cloudformation.delete_change_set(cfn, created["Id"])
        review.change_set_id = review.change_set_name = None
        review.result = Result.NO_CHANGES if is_no_changes(failure) else Result.ERROR
        review.message = "" if review.result is Result.NO_CHANGES else f"change set failed: {failure}"
        return review
    described = cloudformation.describe_change_set(cfn, created["Id"], first_page=first_page)
    _read_change_set(ctx, review, described, stack_in, stack if action == UPDATE else None, deployed_template)
    review.pending = pending
    review.notes += leftovers.superseded_notes(pending)
    return review


def _record_templates(ctx: Context, stack_in: StackInput, action: str, stack: dict[str, Any] | None,
                      deployed_template: dict[str, Any] | None, review: StackReview) -> None:  # fmt: skip
    """The stack's template before and after the run, for the offline prediction, routes and cost."""
    if not stack or action != UPDATE:
        ctx.templates[stack_in.key] = TemplatePair(None, stack_in.template, {}, stack_in.parameters)
    elif deployed_template is not None:
        deployed = deployed_parameters(stack)
        ctx.templates[stack_in.key] = TemplatePair(deployed_template, stack_in.template, deployed, stack_in.parameters)
    else:
        review.notes.append("Its deployed template is not JSON: no offline prediction, the change set alone says.")


def is_no_changes(text: str | None) -> bool:
    """CloudFormation's two ways of saying a change set would change nothing (a refusal, or a FAILED reason)."""
    return any(marker in (text or "") for marker in NO_CHANGES_MARKERS)


def _create_change_set(cfn: Any, request: dict[str, Any]) -> dict[str, str] | None:
    """``{"Id", "StackId"}`` of the new change set, or None when CloudFormation says nothing would change."""
    try:
        return cloudformation.create_change_set(cfn, request)
    except ClientError as exc:
        if is_no_changes(exc.response.get("Error", {}).get("Message")):
            return None
        raise


def unchanged(
    stack: dict[str, Any], deployed_template: dict[str, Any] | None, stack_in: StackInput, tags: list[dict[str, str]]
) -> bool:
    """CloudFormation would answer "didn't contain changes": skip making a change set only to delete it.

    True only when nothing could differ: the stack is settled after a success,
    its template, every parameter value and its stack tags are the ones we would send, and the
    template has nothing CloudFormation resolves afresh on each update
    (dynamic references, SSM parameter types, transforms).  A no-change
    re-deploy then costs three calls per stack instead of six.
    """
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"):
        return False
    if deployed_template is None or deployed_template != stack_in.template or "Transform" in stack_in.template:
        return False
    deployed = deployed_parameters(stack)
    if deployed != stack_in.parameters or "****" in deployed.values():
        return False
    if {t["Key"]: t["Value"] for t in stack.get("Tags", [])} != {t["Key"]: t["Value"] for t in tags}:
        return False
    return "{{resolve:" not in stack_in.body and "AWS::SSM::Parameter::" not in stack_in.body


def _parameter_only_notes(working: StackInput, deployed_template: dict[str, Any] | None) -> list[str]:
    notes = [
        "--set: a parameter-only change set on the deployed template (UsePreviousTemplate); "
        "every other parameter keeps its deployed value (UsePreviousValue)."
    ]
    if deployed_template != working.template:
        notes.append(
            f"The generated {working.key} template differs from the deployed one: those template changes are NOT "
            "in this change set. Deploy without --set to review and ship them."
        )
    return notes


def _as_deployed(working: StackInput, stack: dict[str, Any], deployed_template: dict[str, Any] | None) -> StackInput:
    """The stack a --set deploy makes: the deployed template, deployed parameter values, then the --set values.

    CI ships an image with ``--set auth.ImageTag=...``; it must not ship, unreviewed,
    whatever else changed in the working copy's template.
    """
    if deployed_template is None:
        raise StackFailure(
            "its deployed template is not JSON, so a parameter-only change set on it cannot be reviewed; "
            "deploy it without --set"
        )
    specs = deployed_template.get("Parameters") or {}
    unknown = sorted(working.overrides - specs.keys())
    if unknown:
        raise StackFailure(
            f"--set {working.key}.{unknown[0]}: the deployed template has no parameter {unknown[0]}, and a --set "
            "deploy keeps the deployed template; deploy without --set first to add it"
        )
    deployed = deployed_parameters(stack)
    values = {name: deployed.get(name, "") for name in specs}
    values.update({name: working.parameters[name] for name in working.overrides})
    return replace(working, body=json.dumps(deployed_template), template=deployed_template, parameters=values)


def change_set_request(ctx: Context, stack_in: StackInput, action: str, parameter_only: bool) -> dict[str, Any]:
    d = ctx.deployment
    request = {
        "StackName": stack_in.stack_name,
        "ChangeSetName": ctx.change_set_name,
        "ClientToken": request_token(ctx.change_set_name, stack_in.stack_name, "create"),
        "ChangeSetType": "UPDATE" if action == UPDATE else "CREATE",
        "Description": f"fargate-stacks {d.project}/{d.environment} {stack_in.key}: run {ctx.change_set_name} "
        f"by {owner()}",
        "Capabilities": capabilities(stack_in.template),
        "Tags": stack_tags(d.project, d.environment),
    }
    if parameter_only:
        parameters = [
            {"ParameterKey": k, "ParameterValue": v}
            if k in stack_in.overrides
            else {"ParameterKey": k, "UsePreviousValue": True}
            for k, v in sorted(stack_in.parameters.items())
        ]
        return {**request, "Parameters": parameters, "UsePreviousTemplate": True}
    return {
        **request,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(stack_in.parameters.items())],
        **template_source(ctx.clients.s3, stack_in, ctx.bucket, d.region),
    }


def _read_change_set(
    ctx: Context,
    review: StackReview,
    described: dict[str, Any],
    stack_in: StackInput,
    stack: dict[str, Any] | None,
    deployed_template: dict[str, Any] | None,
) -> None:
    cfn = ctx.clients.cloudformation
    review.created_at = described["CreationTime"]
    review.resources = resource_changes(described)
    mark_host_moves(review.resources, deployed_template, stack_in.template)
    review.notes += attach_values(review.resources, described)
    mask_values(review.resources, stack_in.template, described)
    deployed = deployed_parameters(stack) if stack else {}
    review.parameters = parameter_changes(deployed, stack_in)
    mask_parameter_changes(review.parameters, stack_in.template)
    if stack is None:
        review.exports = added_exports(stack_in)
        return
    review.template_changed = None if deployed_template is None else deployed_template != stack_in.template
    pair = ctx.templates.get(stack_in.key)
    known = pair is not None and pair.before is not None
    prediction = pair.prediction(ctx.deployment.region, ctx.export_values()) if pair is not None and known else None
    if prediction is not None:
        review.predicted = predicted_rows(prediction, review.resources)
        review.notes += [p.disagreement for p in review.predicted if p.disagreement]
    current = {name: e["Value"] for name, e in ctx.exports.items() if e.get("ExportingStackId") == stack["StackId"]}
    review.exports = export_changes(
        stack_in, current, deployed_template, deployed, review.resources, review.parameters, prediction
    )
    for change in review.exports:
        if change.change != "added":
            change.importers = cloudformation.list_imports(cfn, change.name)
    review.notes += _parameter_notes(review, stack_in)


def _parameter_notes(review: StackReview, stack_in: StackInput) -> list[str]:
    notes = []
    if review.template_changed is False and review.parameters and not stack_in.overrides:
        notes.append("Parameter-only change set: the template is the one deployed.")
    for change in review.parameters:
        if change.source == "template default" and change.deployed is not None and change.new is not None:
            notes.append(
                f"{change.name} goes from {change.deployed} to the template's new default {change.new} "
                f"(the params file changed it); to keep it, pass --set {stack_in.key}.{change.name}={change.deployed}"
            )
    return notes
