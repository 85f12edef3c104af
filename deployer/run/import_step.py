"""A stack created from live resources: an IMPORT change set, then the update to its template.

CloudFormation imports live resources with a change set of type IMPORT; an
import only imports (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-import.html), so the generated
template follows as an ordinary update.  Both are reviewed together before
anything runs: the import change set is made at planning (its template is
the generated one cut down to the live resources, as they live:
``contract.imports.import_template``), and the update is previewed property
by property from the two templates (``review.convergence``), where any
replacement of a live resource is refused.  During execution the import runs
first; the update's change set is made right after and executed when it
lists what the review previewed (otherwise it is shown and confirmed again,
like a deferred stack's).

``planning`` and ``executing`` wrap the ordinary plan and execute steps: a
stack the survey (``run.import_survey``) found nothing live for goes the
ordinary way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS
from deployer.errors import Interrupted, StackFailure
from deployer.review.convergence import converge
from deployer.review.parameter_changes import parameter_changes
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import ImportedResource, ImportStep, Result, StackReview
from deployer.run.change_set_names import request_token
from deployer.run.change_set_wait import wait_for_change_set
from deployer.run.context import Context
from deployer.run.environment_lock import owner
from deployer.run.import_survey import StackImports
from deployer.run.inventory import stack_tags
from deployer.run.plan_stack import added_exports, capabilities, change_set_review, settled_stack, template_hash
from deployer.run.stack_state import CREATE, UPDATE, decide
from templates.contract.imports import import_template

IMPORT = "IMPORT"
Plan = Callable[[Context, str], StackReview]
Execute = Callable[[Context, StackReview, Any], StackReview]


def planning(plan: Plan) -> Plan:
    """``plan``, except for a stack about to be created over live resources: its import step instead."""

    def planned(ctx: Context, key: str) -> StackReview:
        found = ctx.imports.get(key)
        if found is None:
            return plan(ctx, key)
        stack_in = ctx.deployment.stacks[key]
        if found.problems:
            return StackReview(key, stack_in.stack_name, IMPORT, Result.BLOCKED, message="\n".join(found.problems))
        try:
            if decide(settled_stack(ctx, key), ctx.recreate_failed).action != CREATE:
                return plan(ctx, key)  # made meanwhile: an ordinary update
            return plan_import(ctx, key, found)
        except StackFailure as exc:
            return StackReview(key, stack_in.stack_name, IMPORT, Result.BLOCKED, message=str(exc))
        except Interrupted:
            return StackReview(
                key, stack_in.stack_name, IMPORT, Result.INTERRUPTED, message="interrupted while planning"
            )
        except AWS_ERRORS as exc:
            return StackReview(key, stack_in.stack_name, IMPORT, Result.ERROR, message=str(exc))

    return planned


def plan_import(ctx: Context, key: str, found: StackImports) -> StackReview:
    """The import change set, made and read, and the update after it, previewed; or why neither can be."""
    stack_in = ctx.deployment.stacks[key]
    live = {item.named.logical_id: item.properties for item in found.located}
    update_rows, refusals = converge(stack_in.template, live, found.known, stack_in.stack_name)
    review = StackReview(key, stack_in.stack_name, IMPORT, Result.CHANGES, change_set_name=import_name(ctx))
    if refusals:
        review.result, review.message = Result.BLOCKED, "\n".join(refusals)
        review.resources = update_rows
        return review
    cfn = ctx.clients.cloudformation
    template = import_template(stack_in.template, live)
    ctx.report(key, f"creating its import change set ({len(live)} live resources)")
    created = cloudformation.create_change_set(cfn, _request(ctx, key, template, found))
    first_page, failure = wait_for_change_set(ctx, created["Id"])
    if first_page is None:
        cloudformation.delete_change_set(cfn, created["Id"])
        review.result, review.message, review.change_set_name = (
            Result.ERROR,
            f"import change set failed: {failure}",
            None,
        )
        return review
    described = cloudformation.describe_change_set(cfn, created["Id"], first_page=first_page)
    review.change_set_id, review.stack_id, review.created_at = (
        created["Id"],
        created["StackId"],
        described["CreationTime"],
    )
    review.template_sha256, review.parameter_values = template_hash(stack_in.template), dict(stack_in.parameters)
    review.resources = resource_changes(described) + update_rows
    review.parameters = parameter_changes({}, stack_in)
    review.exports = added_exports(stack_in)
    review.imports = ImportStep(
        imported=[
            ImportedResource(i.named.logical_id, i.named.resource_type, i.identifier, i.label) for i in found.located
        ],
        left_alone=list(found.left_alone),
        import_change_set_id=created["Id"],
        update_rows=[(row.action, row.logical_id, row.resource_type) for row in update_rows],
    )
    review.notes.append(
        f"Two change sets: {import_name(ctx)} imports {len(live)} live resource(s) as they are "
        "(the Import rows); right after it runs, an update to the generated template makes the other rows "
        "(previewed here from the templates: live value -> template value)."
    )
    return review


def import_name(ctx: Context) -> str:
    """The import change set's name: the run's, marked; the update after it takes the run's own name.

    Change set names are unique per stack, and an executed one stays listed.
    """
    return f"{ctx.change_set_name}-import"


def _request(ctx: Context, key: str, template: dict[str, Any], found: StackImports) -> dict[str, Any]:
    d, stack_in = ctx.deployment, ctx.deployment.stacks[key]
    return {
        "StackName": stack_in.stack_name,
        "ChangeSetName": import_name(ctx),
        "ClientToken": request_token(import_name(ctx), stack_in.stack_name, "create"),
        "ChangeSetType": IMPORT,
        "Description": f"fargate-stacks {d.project}/{d.environment} {key}: import, run {ctx.change_set_name} "
        f"by {owner()}",
        "Capabilities": capabilities(template),
        "Tags": stack_tags(d.project, d.environment),
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(stack_in.parameters.items())],
        "TemplateBody": json.dumps(template),
        "ResourcesToImport": [
            {"ResourceType": i.named.resource_type, "LogicalResourceId": i.named.logical_id,
             "ResourceIdentifier": i.identifier}
            for i in found.located
        ],
    }  # fmt: skip


def executing(execute: Execute) -> Execute:
    """``execute``, except for a reviewed import step: the import, then the update to the template."""

    def executed(ctx: Context, review: StackReview, gate: Any) -> StackReview:
        if review.action != IMPORT or review.imports is None or review.result is not Result.CHANGES:
            return execute(ctx, review, gate)
        imported = execute(ctx, review, gate)
        if imported.result is not Result.EXECUTED:
            return imported
        return _update(ctx, imported, gate, execute)

    return executed


def _update(ctx: Context, imported: StackReview, gate: Any, execute: Execute) -> StackReview:
    """The update right after the import: made now, executed when it is what the review previewed."""
    step = imported.imports
    assert step is not None
    import_rows = [row for row in imported.resources if row.action == "Import"]
    try:
        if ctx.stop.is_set():
            raise Interrupted("not started")
        ctx.report(imported.key, "imported; creating the update to its template")
        ctx.exports = cloudformation.list_exports(ctx.clients.cloudformation)  # stacks made in this run export
        update = change_set_review(ctx, ctx.deployment.stacks[imported.key], UPDATE, settled_stack(ctx, imported.key))
    except Interrupted:
        imported.result, imported.message = Result.INTERRUPTED, "imported; the update to its template was not made"
        return imported
    except (StackFailure, *AWS_ERRORS) as exc:
        imported.result, imported.message = Result.FAILED, f"imported; the update to its template failed: {exc}"
        return imported
    update.action, update.imports = IMPORT, step
    update.notes[:0] = imported.notes
    update.resources = import_rows + update.resources
    if update.result is Result.NO_CHANGES:
        update.result = Result.EXECUTED
        return update
    if update.result is not Result.CHANGES:
        return update
    made = {(r.action, r.logical_id, r.resource_type) for r in update.resources if r.action != "Import"}
    if made != set(step.update_rows):
        if gate.exact:
            cloudformation.delete_change_set(ctx.clients.cloudformation, update.change_set_id or "")
            update.result, update.message = Result.BLOCKED, "imported; its update now differs from the review"
            return update
        update = gate.admit(update)
        if update.result is not Result.CHANGES:
            return update
    return execute(ctx, update, gate)
