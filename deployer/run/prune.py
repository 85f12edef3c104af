"""Stacks the manifest no longer names: list them in every review, delete them only with ``--prune``.

Removing a service from the params file used to be silent: its stack kept
running and its listener rules kept routing.  Each review now lists such
stacks with what still depends on them (exports and their importers, routes).
With ``--prune`` they are risky (exit code 3 unless ``--allow-delete``
approves the deletions, then the confirmation), and are deleted after
the remaining stacks are updated (so stacks moving off their exports have
done so), importers before exporters, each deletion waited for with
botocore's ``stack_delete_complete`` waiter.
"""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS
from deployer.errors import Interrupted
from deployer.review.lifecycle import (
    DELETED,
    FAILED,
    INTERRUPTED,
    LISTED,
    SKIPPED,
    TO_DELETE,
    Lifecycle,
    Removal,
    left_behind,
)
from deployer.review.template_pairs import TemplatePair
from deployer.run import inventory
from deployer.run.context import Context
from deployer.run.inventory import LiveStack
from deployer.run.live_routes import alb_routes, stack_resources
from deployer.run.stack_state import is_busy
from deployer.run.walk import walk
from templates.contract.graph import imports_of


def removal_of(
    ctx: Context, name: str, stack: LiveStack, imported_by: Mapping[str, list[str]], routes: list[str], prune: bool
) -> Removal:
    """A live stack as a removal: what it exports, who still imports that, what its rules still route."""
    d = ctx.deployment
    return Removal(
        stack.key(d.project, d.environment),
        name,
        stack.stack_id,
        stack.status,
        stack.found_by,
        exports=stack.exports,
        importers={e: list(imported_by[e]) for e in stack.exports if imported_by.get(e)},
        routes=routes,
        prune=prune,
    )


def plan_removals(ctx: Context, prune: bool) -> tuple[list[Removal], str]:
    """Every live stack of the project and environment that the manifest does not name.

    Listing needs DescribeStacks on every stack of the account and ListImports; a role
    scoped to this environment's stacks may not have them.  Without --prune that is a
    note, not a failed deploy.
    """
    d = ctx.deployment
    cfn = ctx.clients.cloudformation
    try:
        listed = ctx.listed.values() if ctx.listed is not None else None  # the run's listing, when it made one
        live = inventory.environment_stacks(cfn, d.project, d.environment, listed)
        named = set(d.stack_names.values())
        orphans = {name: stack for name, stack in live.items() if name not in named}
        imported_by = inventory.importers(cfn, orphans.values())
    except (ClientError, BotoCoreError) as exc:
        return [], f"not checked: the environment's stacks could not be listed ({' '.join(str(exc).split())[:160]})"
    if not orphans:
        return [], ""
    routes = route_lines(ctx, orphans)
    moving_off = _moving_off(ctx)
    removals = []
    for name, stack in sorted(orphans.items()):
        removal = removal_of(ctx, name, stack, imported_by, routes.get(name, []), prune=prune)
        removal.blockers = _blockers(ctx, stack, imported_by, orphans, moving_off)
        removal.result = TO_DELETE if prune and not removal.blockers else LISTED
        if removal.result == TO_DELETE:
            _read_deployed(ctx, removal, stack)
        removals.append(removal)
    return removals, ""


def _read_deployed(ctx: Context, removal: Removal, stack: LiveStack) -> None:
    """A stack to delete: its deployed template (routes and cost read it) and what its deletion leaves behind."""
    cfn = ctx.clients.cloudformation
    try:
        template = cloudformation.get_template(cfn, stack.stack_id)
        resources = stack_resources(cfn, stack.stack_id)
    except (ClientError, BotoCoreError) as exc:
        removal.left_behind = [f"not checked: its template could not be read ({' '.join(str(exc).split())[:160]})"]
        return
    removal.left_behind = left_behind(template, stack.name, resources)
    removal.resources = len((template or {}).get("Resources") or {})
    if template is not None:
        ctx.templates[removal.key] = TemplatePair(template, None, stack.parameters, {})


def route_lines(ctx: Context, stacks: Mapping[str, LiveStack]) -> dict[str, list[str]]:
    """Per stack, what its listener rules route now: ``api.example.com /web, /web/* (priority 4100)``."""
    try:
        _dns, routes = alb_routes(ctx.clients, {name: name for name in stacks})
    except (ClientError, BotoCoreError) as exc:
        return {name: [f"(listener rules not readable: {exc})"] for name in stacks}
    out: dict[str, list[str]] = {}
    for route in routes:
        text = f"{route['host'] or '*'} {route['path'] or '*'} (priority {route['priority']})"
        out.setdefault(route["stack"], []).append(text)
    return out


def _blockers(
    ctx: Context,
    stack: LiveStack,
    imported_by: Mapping[str, list[str]],
    orphans: Mapping[str, LiveStack],
    moving_off: Mapping[str, set[str]],
) -> list[str]:
    blockers = []
    if is_busy(stack.status):
        blockers.append(f"it is {stack.status}: another operation is running on it; prune again when it is done")
    for export, others in inventory.outside_importers(stack, imported_by, orphans).items():
        for other in others:
            if export in moving_off.get(other, set()):
                continue  # this run updates that stack to a template that no longer imports it
            named = other in ctx.deployment.stack_names.values()
            where = "a stack of this environment that keeps importing it" if named else "outside this environment"
            blockers.append(
                f"export {export} is still imported by {other} ({where}); CloudFormation refuses to delete a stack "
                f"whose exports are in use: move {other} off it first"
            )
    return blockers


def _moving_off(ctx: Context) -> dict[str, set[str]]:
    """Stack name -> the exports it imports now but not after this run, for the stacks this run updates.

    Unknown here (the deployed template is not read): every export its new template does not import.
    """
    out: dict[str, set[str]] = {}
    for stack_in in ctx.deployment.stacks.values():
        keeps = imports_of(stack_in.template, stack_in.parameters)
        out[stack_in.stack_name] = {name for name in ctx.exports if name not in keeps}
    return out


def delete_removals(ctx: Context, lifecycle: Lifecycle, workers: int) -> None:
    """Delete the stacks to remove, importers first; each result lands in its ``Removal``."""
    todo = {r.stack_name: r for r in lifecycle.to_delete}
    stacks = {name: LiveStack(name, r.stack_id, r.status, r.exports) for name, r in todo.items()}
    imported_by = {export: names for r in todo.values() for export, names in r.importers.items()}
    walk(
        inventory.deletion_dependencies(stacks, imported_by),
        lambda name: delete_one(ctx, todo[name]),
        workers=workers,
        failed=lambda removal: removal.result != DELETED,
        skip=lambda name, blockers: _skip(todo[name], blockers),
        stop=ctx.stop,
    )


def delete_one(ctx: Context, removal: Removal) -> Removal:
    """Delete one stack and wait until it is gone; failures come back in the removal, not as exceptions."""
    cfn = ctx.clients.cloudformation
    sent = False  # DeleteStack was called: after a stop, the stack's own status says what became of it
    try:
        for export in removal.exports:  # asked again: the review may be minutes old
            still = [name for name in cloudformation.list_imports(cfn, export) if name != removal.stack_name]
            if still:
                return _fail(removal, f"export {export} is still imported by {', '.join(still)}; not deleted")
        if ctx.stop.is_set():
            raise Interrupted("not started")
        ctx.say(f"{removal.stack_name}: deleting")
        sent = True
        cloudformation.delete_stack(cfn, removal.stack_id, ctx.timing, ctx.stop)
    except Interrupted:
        if sent:
            return after_stop(cfn, removal)
        removal.result, removal.message = INTERRUPTED, "not deleted: the run was stopped before its deletion started"
        return removal
    except WaiterError as exc:
        return _fail(removal, deletion_failure(exc))
    except (ClientError, BotoCoreError) as exc:
        return _fail(removal, str(exc))
    removal.result, removal.message = DELETED, ""
    return removal


def after_stop(cfn: object, removal: Removal) -> Removal:
    """Ctrl-C or SIGTERM after DeleteStack: one read of the stack records its true result, without waiting.

    The deletion may be over already (an empty stack goes in seconds): then it is
    "deleted" (or "failed"), not "interrupted".
    """
    try:
        stack = cloudformation.describe_stack(cfn, removal.stack_id)
    except AWS_ERRORS:
        stack = {"StackStatus": "unknown (its status could not be read)"}
    status = stack["StackStatus"] if stack else "DELETE_COMPLETE"
    if status == "DELETE_COMPLETE":
        removal.result, removal.message = DELETED, ""
    elif status == "DELETE_FAILED":
        _fail(removal, f"{status}: {stack.get('StackStatusReason', '')}" if stack else status)
    else:
        removal.result = INTERRUPTED
        removal.message = f"deletion started, {status} when the run stopped: CloudFormation goes on; see its events"
    return removal


def deletion_failure(exc: WaiterError) -> str:
    """The stack's own reason when the waiter saw DELETE_FAILED, else the waiter's."""
    stacks = (exc.last_response or {}).get("Stacks") or [{}]
    status, reason = stacks[0].get("StackStatus"), stacks[0].get("StackStatusReason")
    return f"{status}: {reason}" if status and reason else str(exc)


def _fail(removal: Removal, message: str) -> Removal:
    removal.result, removal.message = FAILED, message
    return removal


def _skip(removal: Removal, blockers: list[str]) -> Removal:
    removal.result, removal.message = SKIPPED, f"not deleted: {', '.join(blockers)}, which imports from it, was not"
    return removal
