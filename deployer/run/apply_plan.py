"""Apply exactly what was reviewed: execute the change sets an earlier review recorded.

``deploy.py --env dev`` writes review.json with each stack's change set id,
the SHA-256 of the template it was made from and its parameter values.  The
approver reads review.md; ``deploy.py --env dev --apply-plan review.json``
then executes those very change sets, as ``terraform apply plan`` does, and
never makes a fresh one for a stack that had one.

Before anything runs, the account is checked as for a plain ``--execute``
(``run.account_precheck``: the existing VPC, the shared listeners), then every
stack of the plan: its change set
still exists, is AVAILABLE (CloudFormation marks it OBSOLETE when the stack
changed since) and was made from the reviewed template and parameters (read
back from CloudFormation, not from the file); the generated template in the
folder is still the reviewed one.  One stack failing a check refuses the
whole plan (exit 1, naming the stack): nothing is executed.  A new stack the
review could only preview gets its change set when the stacks it imports
from exist, and it must add exactly the previewed resources.

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
(ExecutionStatus OBSOLETE: "the stack was updated after the change set was created").
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Console
from rich.text import Text

from deployer.aws import cloudformation
from deployer.errors import UsageError
from deployer.review.identity import Identity
from deployer.review.secret_material import MASKED, masked_parameters
from deployer.review.stack_review import (
    ExportChange,
    ParameterChange,
    PendingChangeSet,
    PredictedChange,
    ResourceChange,
    Result,
    Review,
    StackReview,
)
from deployer.run import identity
from deployer.run.context import Context
from deployer.run.deploy import (
    FAILURE,
    OK,
    RISKY,
    Options,
    execute,
    locked,
    paused,
    precheck,
    prepare,
    recorded,
    write,
)
from deployer.run.plan_stack import template_hash
from deployer.view import terminal
from deployer.view.review_files import SCHEMA

APPLICABLE = (Result.CHANGES, Result.NO_CHANGES, Result.PREVIEW)
_WHY = {
    "OBSOLETE": "the stack was updated after the review",
    "EXECUTE_COMPLETE": "it was executed already",
    "EXECUTE_IN_PROGRESS": "it is being executed",
    "EXECUTE_FAILED": "it was executed and failed",
}


def apply_plan(options: Options, console: Console, ask: Callable[[str], bool]) -> int:
    """``deploy.py --apply-plan``: check every stack of the plan, then execute exactly the reviewed change sets."""
    path = options.apply_plan
    assert path is not None
    plan = read_plan(path, options)  # before the run replaces review.json, which may be this very file
    review = review_from(plan)
    selection = replace(options, stacks=list(review.stacks), region=review.region, sets=[])
    ctx = prepare(selection, console)
    review.identity = ctx.identity = _same_account(ctx, options, plan, review.region)
    # What a plain --execute checks first: a foreign rule added since the review would otherwise fail the
    # execution mid-way (PriorityInUse) and roll it back, or silently take our traffic.
    if (refused := precheck(ctx, selection, console)) is not None:
        return refused
    with locked(ctx, options.wait), recorded(console, options.folder, review):
        refused = {key: why for key, stack in review.stacks.items() if (why := check(ctx, stack))}
        for key, why in refused.items():
            review.stacks[key].result, review.stacks[key].message = Result.BLOCKED, f"plan refused: {why}"
        if refused:
            console.print(terminal.summary_table(review))
            for key in refused:
                line = f"{review.stacks[key].stack_name}: {review.stacks[key].message}"
                console.print(Text(line, "bold red"), soft_wrap=True)  # one line for grep in CI logs
            console.print(Text("The plan is not what CloudFormation holds now: nothing was executed.", "bold red"))
            write(console, options.folder, review, FAILURE)
            return FAILURE
        terminal.show_review(console, review)
        if all(s.result is Result.NO_CHANGES for s in review.stacks.values()):
            console.print(Text("Nothing to execute: the plan changes nothing.", "green"))
            write(console, options.folder, review, OK)
            return OK
        question = f"Execute the reviewed plan {review.run} in {ctx.identity.where()}?"
        ask = paused(ctx.progress, ask)  # the live progress table must not redraw over a question
        if not options.yes and not ask(question):
            console.print(Text("Not confirmed: nothing was executed.", "yellow"))
            write(console, options.folder, review, FAILURE)
            return FAILURE
        return execute(ctx, review, options, console, ask, exact=True)


def _same_account(ctx: Context, options: Options, plan: dict[str, Any], region: str) -> Identity:
    """Who the credentials are, refused when another account than --expect-account or the reviewed one."""
    found = identity.checked(ctx.clients, region, options.expect_account)
    reviewed = (plan.get("identity") or {}).get("account")
    if reviewed and reviewed != found.account:
        raise identity.WrongAccount(
            f"{options.apply_plan} was reviewed in account {reviewed}; the credentials are for account "
            f"{found.account_text}: nothing was done"
        )
    return found


def read_plan(path: Path, options: Options) -> dict[str, Any]:
    """The review.json to apply, or a usage error saying why it cannot be one."""
    try:
        plan = json.loads(path.read_text())
        stacks, exit_code = plan["stacks"], plan["exit_code"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--apply-plan {path}: not a review.json written by deploy.py ({exc})") from None
    if plan.get("schema") != SCHEMA or not plan.get("run"):
        raise UsageError(f"--apply-plan {path}: written by another version of deploy.py; review again")
    if options.environment and plan.get("environment") != options.environment:
        raise UsageError(f"--apply-plan {path}: a plan for {plan.get('environment')!r}, not {options.environment!r}")
    if exit_code == RISKY and not options.allow_replacement:
        raise UsageError(f"--apply-plan {path}: the review found risky changes; add --allow-replacement once checked")
    if exit_code not in (OK, RISKY):
        raise UsageError(f"--apply-plan {path}: its review exited {exit_code}, so it is no plan to apply; review again")
    if any(removal.get("prune") for removal in plan.get("removals", [])):
        raise UsageError(f"--apply-plan {path}: it deletes stacks (--prune); deploy with --execute --prune instead")
    for stack in stacks:
        if stack.get("imports"):  # two change sets, the second made once the first ran: not a fixed plan
            raise UsageError(
                f"--apply-plan {path}: {stack['stack_name']} imports live resources first (an IMPORT change set, "
                "then the update to its template); deploy it with --execute, which reviews both steps again"
            )
        if stack["result"] not in APPLICABLE:
            raise UsageError(
                f"--apply-plan {path}: {stack['stack_name']} is {stack['result']!r} in it, not a reviewed change set"
                + (
                    "; deploy with --execute, or review again once what it imports exists"
                    if stack["result"] == "deferred"
                    else ""
                )
            )
    return plan


def review_from(plan: dict[str, Any]) -> Review:
    """The review a review.json records, to check against what CloudFormation holds now."""
    stacks = {data["key"]: stack_from(data) for data in plan["stacks"]}
    review = Review(plan["project"], plan["environment"], plan["region"], stacks, bool(plan["allow_replacement"]))
    review.run = plan["run"]
    return review


def stack_from(data: dict[str, Any]) -> StackReview:
    """One stack's review as review.json wrote it (the inverse of ``view.review_files.as_json``)."""
    created = data.get("created_at")
    return StackReview(
        key=data["key"],
        stack_name=data["stack_name"],
        action=data["action"],
        result=Result(data["result"]),
        message=data.get("message", ""),
        change_set_name=data.get("change_set_name"),
        change_set_id=data.get("change_set_id"),
        stack_id=data.get("stack_id"),
        created_at=datetime.fromisoformat(created) if created else None,
        template_changed=data.get("template_changed"),
        template_sha256=data.get("template_sha256"),
        parameter_values=dict(data.get("parameter_values") or {}),
        resources=[ResourceChange(**r) for r in data.get("resources", [])],
        parameters=[ParameterChange(**p) for p in data.get("parameters", [])],
        exports=[ExportChange(**e) for e in data.get("exports", [])],
        pending=[_pending(p) for p in data.get("pending", [])],
        predicted=[PredictedChange(**p) for p in data.get("predicted", [])],
        guard_risks=list(data.get("guard_risks", [])),
        notes=list(data.get("notes", [])),
        pending_notes=list(data.get("pending_notes", [])),
    )


def _pending(data: dict[str, Any]) -> PendingChangeSet:
    created = data.get("created")
    return PendingChangeSet(
        data["name"], datetime.fromisoformat(created) if created else None, data["description"], data["ours"]
    )


def check(ctx: Context, stack: StackReview) -> str | None:
    """Why this stack's part of the plan cannot be applied as reviewed, or None."""
    stack_in = ctx.deployment.stacks[stack.key]
    parameter_only = stack.template_changed is False and stack.result is Result.CHANGES
    if not parameter_only and template_hash(stack_in.template) != stack.template_sha256:
        return f"{stack_in.key}.json in {ctx.deployment.folder} changed since the review; review again"
    if stack.result is Result.PREVIEW:
        return (
            None
            if masked_parameters(stack_in.parameters, stack_in.template) == stack.parameter_values
            else "its parameter values changed since the review"
        )
    if stack.result is Result.NO_CHANGES:
        return None
    return _check_change_set(ctx, stack)


def _check_change_set(ctx: Context, stack: StackReview) -> str | None:
    cfn = ctx.clients.cloudformation
    try:
        described = cloudformation.describe_change_set(cfn, stack.change_set_id or "", with_changes=False)
    except ClientError as exc:
        error = exc.response.get("Error", {})  # ValidationError "... does not exist": the stack itself is gone
        if error.get("Code") == "ChangeSetNotFound" or "does not exist" in error.get("Message", ""):
            return (
                f"its change set {stack.change_set_name} is gone (deleted, or discarded when another change set "
                "of the stack was executed); review again"
            )
        raise
    if described.get("StackId") != stack.stack_id:
        return f"its change set {stack.change_set_name} belongs to another stack now; review again"
    status, execution = described.get("Status"), described.get("ExecutionStatus")
    if status != "CREATE_COMPLETE" or execution != "AVAILABLE":
        why = described.get("StatusReason") or _WHY.get(execution or "", "")
        return f"its change set {stack.change_set_name} is {status}/{execution}, not AVAILABLE ({why}); review again"
    made_with = {p["ParameterKey"]: p.get("ParameterValue", "") for p in described.get("Parameters", [])}
    # Secret values are not in the plan (masked) and NoEcho ones not in the answer ("****"): not compared.
    changed = sorted(
        k for k, v in stack.parameter_values.items() if v != MASKED and made_with.get(k, v) not in (v, "****")
    )
    if changed:
        return f"its change set was made with other values of {', '.join(changed)} than the review shows"
    body = cloudformation.get_template(cfn, change_set_id=stack.change_set_id)
    if body is None or template_hash(body) != stack.template_sha256:
        return f"its change set {stack.change_set_name} was not made from the reviewed template"
    return None
