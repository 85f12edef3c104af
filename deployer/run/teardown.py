"""Delete a whole environment: its own review, its own confirmation, importers before exporters.

    python deploy.py --env dev --teardown                    # review: what would be deleted, what blocks it
    python deploy.py --env dev --teardown --execute [--yes]  # confirm, then delete and wait for each stack

A teardown is a run like a deploy: it holds the environment's lock
(``run.environment_lock``) from start to end, and SIGTERM stops it like Ctrl-C (exit
143, review.json with each stack's true result).  The lock stack itself
(``<project>-<env>-deploy-lock``, untagged, holding no resources) is part of
the environment: a teardown that deleted everything else deletes it last.

The stacks are the live ones tagged (or described) as this project and
environment, whatever the manifest says today.  Before anything is deleted
the review explains what would make a deletion fail halfway, so nothing
starts until all of it is fixed: a load balancer with deletion protection
on, an export imported by a stack outside the environment, a stack another
operation is changing.  Resources a template keeps on deletion
(``DeletionPolicy: Retain``, e.g. log groups) are listed as left behind:
the environment deletes cleanly, and a re-deploy imports the log groups
(``run.import_survey``) instead of failing on their names.

What CloudFormation and ELB refuse, as documented:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html (a stack whose
export another stack imports cannot be deleted),
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from botocore.exceptions import WaiterError
from rich.console import Console
from rich.text import Text

from deployer.aws import cloudformation, elbv2
from deployer.aws.clients import AWS_ERRORS, make_clients, one_line
from deployer.errors import Interrupted, UsageError, interrupt_code
from deployer.review.lifecycle import (
    DELETED,
    FAILED,
    INTERRUPTED,
    LISTED,
    TO_DELETE,
    Lifecycle,
    Teardown,
    left_behind,
)
from deployer.run import identity, inventory, prune
from deployer.run.change_set_names import new_change_set_name
from deployer.run.context import Context
from deployer.run.deploy import FAILURE, OK, Options, locked
from deployer.run.inputs import load_deployment
from deployer.run.live_routes import LOAD_BALANCER, stack_resources
from deployer.run.stack_state import is_busy
from deployer.view import lifecycle_tables
from deployer.view.review_files import report_paths, write_teardown_reports


def teardown(options: Options, console: Console, ask: Callable[[str], bool]) -> int:
    """``deploy.py --teardown``: review the environment's deletion and, with --execute, delete it; the exit code."""
    deployment = load_deployment(options.folder, region=options.region)
    if options.environment and options.environment != deployment.environment:
        raise UsageError(f"{options.folder} holds environment {deployment.environment!r}, not {options.environment!r}")
    _clear(options.folder)
    clients = make_clients(options.profile, deployment.region)
    run = new_change_set_name()  # the run's id: the lock says who holds the environment
    ctx = Context(clients, deployment, options.timing, run, say=lambda message: console.print(Text(message, "dim")))
    ctx.identity = identity.checked(clients, deployment.region, options.expect_account)
    with locked(ctx, options.wait):
        return _locked(ctx, options, console, ask)


def _locked(ctx: Context, options: Options, console: Console, ask: Callable[[str], bool]) -> int:
    plan = review_teardown(ctx)
    plan.where = ctx.identity.where() if ctx.identity else plan.region
    lifecycle_tables.show_teardown(console, plan)
    code = FAILURE if plan.blocked else OK
    write(options.folder, plan, code, console)
    if plan.blocked or not options.execute:
        console.print(_verdict(plan))
        return code
    question = f"Delete these {len(plan.stacks)} stacks of {plan.project}/{plan.environment} in {plan.where}?"
    if plan.stacks and not options.yes and not ask(question):
        console.print(Text("Not confirmed: nothing was deleted.", "yellow"))
        return FAILURE
    with _recorded(options.folder, plan, console):
        prune.delete_removals(ctx, Lifecycle(removals=plan.stacks), options.workers)
        if not plan.failed:
            plan.lock_stack["result"] = "deleting"
            plan.lock_stack["result"] = remove_lock_stack(ctx)
    code = OK if plan.complete else FAILURE
    console.print(lifecycle_tables.outcomes(Lifecycle(removals=plan.stacks)))
    done = Text(f"Teardown done: {len(plan.stacks)} stack(s) and the lock stack deleted.", "green")
    console.print(done if plan.complete else Text("Teardown incomplete (see above).", "bold red"))
    write(options.folder, plan, code, console)
    return code


def remove_lock_stack(ctx: Context) -> str:
    """Delete the environment's lock stack, last (its change set is this run's lock); its result.

    It holds no resources, so its deletion only fails on an API error.  Deleting
    the stack deletes our lock change set with it; the release that follows
    finds nothing to delete.
    """
    name = ctx.deployment.lock.stack_name
    ctx.say(f"{name}: deleting (the environment's lock stack, last)")
    try:
        cloudformation.delete_stack(ctx.clients.cloudformation, name, ctx.timing, ctx.stop)
    except Interrupted:
        return "interrupted: its deletion goes on in CloudFormation"
    except WaiterError as exc:
        return f"{FAILED}: {prune.deletion_failure(exc)}"
    except AWS_ERRORS as exc:
        return f"{FAILED}: {one_line(exc)}"
    return DELETED


def review_teardown(ctx: Context) -> Teardown:
    """Every live stack of the environment, in deletion order, with what blocks or outlives its deletion."""
    d = ctx.deployment
    cfn = ctx.clients.cloudformation
    live = inventory.environment_stacks(cfn, d.project, d.environment)
    imported_by = inventory.importers(cfn, live.values())
    routes = prune.route_lines(ctx, live)
    plan = Teardown(d.project, d.environment, d.region)
    for name in _order(live, imported_by):
        stack = live[name]
        resources = stack_resources(cfn, stack.stack_id)
        removal = prune.removal_of(ctx, name, stack, imported_by, routes.get(name, []), prune=True)
        removal.blockers = _blockers(ctx, stack, imported_by, live, resources)
        removal.result = LISTED if removal.blockers else TO_DELETE
        plan.stacks.append(removal)
        plan.left_behind += retained(cfn, stack, resources)
    plan.lock_stack = {"stack_name": d.lock.stack_name, "result": LISTED if plan.blocked else TO_DELETE}
    return plan


def _order(live: dict[str, inventory.LiveStack], imported_by: dict[str, list[str]]) -> list[str]:
    """Deletion order: a stack comes after every stack of the environment importing from it (ties by name)."""
    sorter = TopologicalSorter(inventory.deletion_dependencies(live, imported_by))
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def _blockers(
    ctx: Context,
    stack: inventory.LiveStack,
    imported_by: dict[str, list[str]],
    live: dict[str, inventory.LiveStack],
    resources: list[dict[str, Any]],
) -> list[str]:
    blockers = []
    if is_busy(stack.status):
        blockers.append(f"it is {stack.status}: another operation is changing it; tear down when it has finished")
    for export, others in inventory.outside_importers(stack, imported_by, live).items():
        blockers.append(
            f"export {export} is imported by {', '.join(others)}, outside {ctx.deployment.project}/"
            f"{ctx.deployment.environment}: CloudFormation refuses to delete a stack whose exports are in use; "
            "delete those stacks or move them off it first"
        )
    for resource in resources:
        arn = resource["PhysicalResourceId"]
        if resource["ResourceType"] == LOAD_BALANCER and _protected(ctx, arn):
            blockers.append(
                f"load balancer {arn.split('/')[-2]} has deletion protection on: set alb.deletion_protection: "
                "false in the params file and deploy, or run aws elbv2 modify-load-balancer-attributes "
                f"--load-balancer-arn {arn} --attributes Key=deletion_protection.enabled,Value=false"
            )
    return blockers


def _protected(ctx: Context, load_balancer_arn: str) -> bool:
    attributes = elbv2.describe_load_balancer_attributes(ctx.clients.elbv2, load_balancer_arn)
    return attributes.get("deletion_protection.enabled") == "true"


def retained(cfn: Any, stack: inventory.LiveStack, resources: list[dict[str, Any]]) -> list[str]:
    """Resources the deployed template keeps when the stack is deleted, each with how to remove it."""
    return left_behind(cloudformation.get_template(cfn, stack.stack_id), stack.name, resources)


def _verdict(plan: Teardown) -> Text:
    if plan.blocked:
        return Text("Teardown blocked (see above): nothing was deleted.", "bold red")
    if not plan.stacks:
        return Text("Nothing to delete.", "green")
    return Text(f"{len(plan.stacks)} stack(s) to delete. Re-run with --execute to delete them.", "yellow")


def _clear(folder: Path) -> None:
    """An earlier run's review files go before any AWS call: a CI job must never read them as this run's."""
    for path in report_paths(folder):
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise UsageError(f"{path}: cannot replace the review file ({exc.strerror})") from None


def write(folder: Path, plan: Teardown, code: int, console: Console) -> None:
    """review.md and review.json describe this run, a teardown, so a CI job never reads an older deploy's."""
    md, js = write_teardown_reports(folder, plan, code)
    console.print(Text(f"Review written to {md} and {js}", "dim"))


@contextmanager
def _recorded(folder: Path, plan: Teardown, console: Console) -> Iterator[None]:
    """Ctrl-C or SIGTERM while deleting: the files say which stacks are gone, still going, or not started."""
    try:
        yield
    except KeyboardInterrupt as exc:
        for stack in plan.stacks:
            if stack.result == TO_DELETE:
                stack.result, stack.message = INTERRUPTED, "not deleted: the run was interrupted"
            elif stack.result == INTERRUPTED and stack.message.startswith("deletion started"):
                console.print(Text(f"still deleting in CloudFormation: {stack.stack_name}", "bold yellow"))
        if plan.lock_stack.get("result") in (TO_DELETE, "deleting"):
            plan.lock_stack["result"] = f"{INTERRUPTED}: not deleted, or its deletion goes on in CloudFormation"
        write(folder, plan, interrupt_code(exc), console)
        raise
