"""One deploy from start to end: plan every stack, review, gate, then execute in dependency order.

Nothing is executed unless the whole plan is clean: a blocked or failed
stack stops the run before any change, and risky changes stop it with exit
code 3 unless ``--allow-replacement`` is given.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text

from deployer.aws import cloudformation
from deployer.aws.clients import AWS_ERRORS, Pacing, Timing, make_clients
from deployer.errors import UsageError, interrupt_code
from deployer.review import cost_delta
from deployer.review.lifecycle import LISTED
from deployer.review.route_impact import route_changes
from deployer.review.stack_review import Result, Review, StackReview
from deployer.review.template_pairs import TemplatePair
from deployer.run import account_precheck, blue_green, environment_lock, identity, import_step, import_survey, prune
from deployer.run.change_set_names import new_change_set_name
from deployer.run.context import Context
from deployer.run.drift import DEFAULT_TIMEOUT as DRIFT_TIMEOUT
from deployer.run.drift import DriftCheck, mark_overwritten
from deployer.run.execute_stack import Gate, execute_stack
from deployer.run.inputs import check_sizes, load_deployment
from deployer.run.pacing import Pacer
from deployer.run.plan_stack import plan_stack
from deployer.run.summary import Prefetch, where_it_answers
from deployer.run.walk import in_background, walk
from deployer.view import lifecycle_tables, terminal
from deployer.view.progress import Progress
from deployer.view.review_files import reset_reports, write_reports
from templates.contract.billable import list_lengths
from templates.contract.rendered import RenderedFolder

OK, FAILURE, RISKY = 0, 1, 3
INTERRUPTED = 130  # Ctrl-C; a run stopped by SIGTERM exits 143 (errors.interrupt_code)


@dataclass(frozen=True)
class Options:
    """What the command line asked for; one record, so deploy, apply-plan and teardown read the same flags."""

    folder: Path
    environment: str | None = None  # when given, the folder's manifest must be for this environment
    stacks: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    execute: bool = False
    yes: bool = False
    allow_replacement: bool = False
    allow_delete: bool = False  # approve the stack deletions --prune plans
    expect_account: str | None = None  # refuse to run against any other account (CI)
    recreate_failed: bool = False
    prune: bool = False  # delete the environment's stacks the manifest no longer names
    drift: bool = True  # detect drift on the deployed stacks, alongside planning
    drift_timeout: int = DRIFT_TIMEOUT
    profile: str | None = None
    region: str | None = None
    bucket: str | None = None
    workers: int = 0  # stacks worked on at once; 0: every stack whose dependencies are done (--parallel caps it)
    wait: bool = False  # another run holds the environment's lock: wait for it instead of stopping
    apply_plan: Path | None = None  # execute the change sets of this earlier review.json (see run.apply_plan)
    allow_overlap: tuple[str, ...] = ()  # foreign listener rules whose overlap with ours was agreed (ARNs)
    adopt: Path | None = None  # adopt.py's adoption file: what the stacks must import (see run.import_survey)
    timing: Timing = field(default_factory=Timing)


def deploy(options: Options, console: Console, ask: Callable[[str], bool]) -> int:
    """``deploy.py``: check the account, take the environment's lock, review, and execute when asked; the exit code."""
    ctx = prepare(options, console)
    ctx.identity = identity.checked(ctx.clients, ctx.deployment.region, options.expect_account)
    if (refused := precheck(ctx, options, console)) is not None:
        return refused  # before the lock: a refused run leaves nothing behind
    with locked(ctx, options.wait):
        return _locked(ctx, options, console, ask)


def precheck(ctx: Context, options: Options, console: Console) -> int | None:
    """The account pre-check (existing VPC, shared listeners): its warnings shown; an exit code when it refuses."""
    check = account_precheck.check_account(ctx.deployment, ctx.clients, options.profile, options.allow_overlap)
    return account_precheck.gate(console, check)


def prepare(options: Options, console: Console) -> Context:
    """Everything checked before the first AWS call, then the clients."""
    reset_reports(options.folder)  # whatever happens next, no earlier run's verdict is left for CI to read
    deployment = load_deployment(options.folder, options.stacks, options.sets, options.region)
    if options.environment and options.environment != deployment.environment:
        raise UsageError(f"{options.folder} holds environment {deployment.environment!r}, not {options.environment!r}")
    check_sizes(deployment.stacks.values(), options.bucket)
    progress = Progress(console, deployment.stack_names)
    stop = threading.Event()
    pacer = Pacer(stop=stop)  # every call of the run, every thread: slowed when AWS throttles (run.pacing)
    clients = make_clients(options.profile, deployment.region, progress.on_retry, Pacing(pacer.take, pacer.answered))
    ctx = Context(
        clients,
        deployment,
        options.timing,
        new_change_set_name(),
        say=progress.say,
        bucket=options.bucket,
        recreate_failed=options.recreate_failed,
        stop=stop,
        progress=progress,
        pacer=pacer,
    )
    return ctx


@contextmanager
def locked(ctx: Context, wait: bool) -> Iterator[None]:
    """The environment's lock (``run.environment_lock``), held until the run ends, however it ends."""
    holder = _lock(ctx, wait)
    try:
        yield
    finally:
        with contextlib.suppress(*AWS_ERRORS):
            environment_lock.release(ctx.clients.cloudformation, holder)


def _lock(ctx: Context, wait: bool) -> environment_lock.Holder:
    d = ctx.deployment

    def waiting(holder: environment_lock.Holder, since: float) -> None:
        ctx.say(
            f"waiting for the lock of {d.environment}: held by {holder.describe()} ({time.monotonic() - since:.0f}s)"
        )

    return environment_lock.hold(
        ctx.clients.cloudformation,
        d.lock.stack_name,
        d.environment,
        ctx.change_set_name,
        template=d.lock.body,
        wait=wait,
        delay=ctx.timing.lock_delay,
        stop=ctx.stop,
        on_wait=waiting,
    )


def _locked(ctx: Context, options: Options, console: Console, ask: Callable[[str], bool]) -> int:
    deployment = ctx.deployment
    ctx.exports = cloudformation.list_exports(ctx.clients.cloudformation)
    # One paged listing of the region's stacks, read by the import survey, planning and prune's inventory.
    ctx.listed = {s["StackName"]: s for s in cloudformation.describe_stacks(ctx.clients.cloudformation)}
    ctx.imports = import_survey.survey(ctx, import_survey.read_adoption(options.adopt))  # live names new stacks take
    unplanned = {
        key: StackReview(key, deployment.stacks[key].stack_name, "", Result.INTERRUPTED, message="not planned")
        for key in deployment.order()
    }
    review = Review(deployment.project, deployment.environment, deployment.region, unplanned, options.allow_replacement)
    review.run, review.allow_delete, review.identity = ctx.change_set_name, options.allow_delete, ctx.identity
    with recorded(console, options.folder, review):
        return _review_then_execute(ctx, review, options, console, paused(ctx.progress, ask))


def paused(progress: Progress | None, ask: Callable[[str], bool]) -> Callable[[str], bool]:
    """``ask``, with the live progress table paused meanwhile, so it never redraws over the question."""

    def asked(question: str) -> bool:
        with progress.paused() if progress is not None else contextlib.nullcontext():
            return ask(question)

    return asked


def _review_then_execute(
    ctx: Context, review: Review, options: Options, console: Console, ask: Callable[[str], bool]
) -> int:
    drift = DriftCheck(ctx, options.drift_timeout).start() if options.drift else None
    if drift is not None:
        ctx.on_deployed = drift.add
    removals = in_background(lambda: prune.plan_removals(ctx, options.prune))  # listing stacks: alongside too
    with ctx.progress_shown():
        walk(
            ctx.deployment.depends_on(),
            lambda key: _reported(ctx, key, import_step.planning(plan_stack)),
            workers=options.workers,
            stop=ctx.stop,
            on_result=review.stacks.__setitem__,
        )
    if drift is not None:
        review.lifecycle.drift, review.lifecycle.drift_note = drift.result()
    else:
        review.lifecycle.drift_note = "not checked (--no-drift)"
    review.lifecycle.prune = options.prune
    review.lifecycle.removals, review.lifecycle.prune_note = removals()
    mark_overwritten(review)
    blue_green.guard(ctx, review)  # live weights of the blue/green rules a change set rewrites
    pairs = changing_pairs(ctx, review)
    review.routes = route_changes(pairs)
    lists = list_lengths(RenderedFolder.read(ctx.deployment.folder).docs())
    review.cost = cost_delta.estimate(ctx.deployment.folder, review, pairs, lists)
    code = exit_code(review)
    terminal.show_review(console, review)
    write(console, options.folder, review, code)
    if code != OK or not options.execute:
        console.print(_verdict(review, code))
        return code
    if all(s.result is Result.NO_CHANGES for s in review.stacks.values()) and not review.lifecycle.to_delete:
        console.print(_verdict(review, code, executing=True))
        return OK
    deletions = f" and delete {len(review.lifecycle.to_delete)} stack(s)" if review.lifecycle.to_delete else ""
    where = ctx.identity.where() if ctx.identity else ctx.deployment.region
    if not options.yes and not ask(f"Execute these change sets{deletions} in {where}?"):
        console.print(Text("Not confirmed: nothing was executed.", "yellow"))
        return FAILURE
    return execute(ctx, review, options, console, ask)


def _reported(ctx: Context, key: str, work: Callable[[Context, str], StackReview]) -> StackReview:
    """``work(ctx, key)`` with its progress attributed to ``key``, ending on the stack's result."""
    if ctx.progress is None:
        return work(ctx, key)
    with ctx.progress.working(key):
        result = work(ctx, key)
    ctx.report(key, str(result.result) + (f": {result.message}" if result.message else ""))
    return result


def execute(
    ctx: Context, review: Review, options: Options, console: Console, ask: Callable[[str], bool], exact: bool = False
) -> int:
    """Execute the reviewed stacks in dependency order; ``exact``: nothing but what was reviewed (--apply-plan)."""
    gate = Gate(
        yes=options.yes,
        allow_replacement=options.allow_replacement,
        ask=ask,
        show=lambda stack: terminal.show_stack(console, stack),
        on_events=terminal.event_printer(console),
        stop=ctx.stop,
        exact=exact,
    )
    console.rule("Execute")
    prefetch = Prefetch(ctx)  # the routing table's reads, as each stack is done

    def done(key: str, stack: StackReview) -> None:
        review.stacks[key] = stack
        prefetch.stack_done(key, stack)

    with ctx.progress_shown():
        walk(
            ctx.deployment.depends_on(),
            lambda key: _reported(
                ctx, key, lambda c, k: import_step.executing(execute_stack)(c, review.stacks[k], gate)
            ),
            workers=options.workers,
            failed=lambda stack: stack.result.holds_back_dependents,
            skip=lambda key, blockers: skipped(review.stacks[key], blockers),
            stop=ctx.stop,
            on_result=done,
        )
        if exit_code(review) == OK and review.lifecycle.to_delete:  # after the updates: importers moved off
            prune.delete_removals(ctx, review.lifecycle, options.workers)
    code = exit_code(review)
    console.print(terminal.summary_table(review))
    console.print(lifecycle_tables.outcomes(review.lifecycle))
    for stack in review.not_deployed:
        console.print(Text(f"{stack.stack_name}: {stack.result}: {stack.message}", "bold red"))
    if code == RISKY:
        console.print(
            Text(
                "Risky changes in a change set made during execution (see RISK lines): that stack and the stacks "
                "depending on it were not executed. Re-run with --allow-replacement once you have checked them.",
                "bold red",
            )
        )
    if kept := kept_note(review):
        console.print(Text(f"The manifest's stacks are deployed; {kept}", "yellow"))
    write(console, options.folder, review, code)
    if code == OK:
        where_it_answers(ctx, console, options.workers, options.profile, prefetch)
    return code


def exit_code(review: Review) -> int:
    """One order in the review and after execution: a failure (1) over risky changes (3) over success (0).

    Risky changes found in the review stop the run before anything is
    executed.  A deferred stack's change set is only made mid-run, after the
    stacks it imports from; when it is risky, that stack and those depending
    on it are not executed, and the stacks before it already were.
    """
    return FAILURE if review.failed or review.lifecycle.failed else RISKY if review.gated else OK


def skipped(stack: StackReview, blockers: list[str]) -> StackReview:
    """A stack downstream of a failure is not executed; one with nothing to execute stays "no changes"."""
    if stack.result is Result.NO_CHANGES:
        stack.notes.append(f"{', '.join(blockers)} did not deploy; this stack had nothing to change anyway")
        return stack
    stack.result = Result.SKIPPED
    stack.message = f"not deployed: {', '.join(blockers)} did not deploy"
    return stack


@contextmanager
def recorded(console: Console, folder: Path, review: Review) -> Iterator[None]:
    """However the run ends (Ctrl-C and SIGTERM included) the review files say what was done and what was not."""
    try:
        yield
    except KeyboardInterrupt as exc:
        for stack in review.stacks.values():
            if stack.result in (Result.CHANGES, Result.PREVIEW, Result.DEFERRED):
                stack.result, stack.message = Result.INTERRUPTED, "not executed: the run was interrupted"
        review.lifecycle.interrupted()
        running = [s for s in review.stacks.values() if s.result is Result.RUNNING]
        for stack in running:
            console.print(Text(f"still running in CloudFormation: {stack.stack_name} ({stack.key})", "bold yellow"))
        write(console, folder, review, interrupt_code(exc))
        raise
    except BaseException:
        write(console, folder, review, FAILURE)
        raise


def write(console: Console, folder: Path, review: Review, code: int) -> None:
    """The review files, or one red line when the disk refuses them: the run's outcome stands either way."""
    try:
        md, js = write_reports(folder, review, code)
    except OSError as exc:  # checked writable before any AWS call; a full disk can still refuse
        console.print(Text(f"Could not write the review files: {exc}", "bold red"))
        return
    console.print(Text(f"Review written to {md} and {js}", "dim"))


def changing_pairs(ctx: Context, review: Review) -> dict[str, TemplatePair]:
    """The templates before and after of every stack this run changes or deletes (routes and cost read them)."""
    changing = (Result.CHANGES, Result.PREVIEW, Result.DEFERRED)
    pairs = {
        s.key: ctx.templates[s.key] for s in review.stacks.values() if s.result in changing and s.key in ctx.templates
    }
    pairs.update({r.key: ctx.templates[r.key] for r in review.lifecycle.to_delete if r.key in ctx.templates})
    return pairs


def _verdict(review: Review, code: int, executing: bool = False) -> Text:
    if code == FAILURE:
        return Text("Some stacks cannot be deployed (see above): nothing was executed.", "bold red")
    if code == RISKY:
        refused = any(e.advice and e.risk for s in review.stacks.values() for e in s.exports)
        return Text(
            f"Risky changes (see RISK lines): nothing was executed. Re-run with {' and '.join(review.needs)} "
            "once you have checked them."
            + (
                " Exports other stacks import would change value: CloudFormation refuses that whatever the "
                "flags; do what the RISK lines say instead."
                if refused
                else ""
            ),
            "bold red",
        )
    pending = [s.stack_name for s in review.stacks.values() if s.result is not Result.NO_CHANGES]
    pending += [r.stack_name for r in review.lifecycle.to_delete]
    kept = kept_note(review)
    if not pending and kept:
        return Text(f"Every stack of the manifest is up to date, but {kept}", "yellow")
    if not pending:
        return Text(("Nothing to execute: " if executing else "No changes: ") + "every stack is up to date.", "green")
    return Text(f"{len(pending)} stack(s) to change. Re-run with --execute to apply. {kept}".rstrip(), "yellow")


def kept_note(review: Review) -> str:
    """The stacks the manifest no longer names that this run leaves running ("" when none), with how to delete."""
    kept = [r.stack_name for r in review.lifecycle.removals if r.result == LISTED]
    if not kept:
        return ""
    return f"{len(kept)} stack(s) no longer in it still run ({', '.join(kept)}): --prune --allow-delete deletes them."
