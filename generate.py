"""Generate an environment's CloudFormation templates from its params file.

    python generate.py --env dev                 # params/dev.yaml -> output/dev/
    python generate.py --all                     # every params/*.yaml
    python generate.py --params FILE --out DIR   # any file and folder

Exit codes: 0 written and clean (warnings, e.g. a template needing an S3
upload, are printed); 1 checks failed (output unchanged); 2 bad params,
including params-level AWS quotas (output unchanged).

Every rule runs on every generation (templates/rules: params, plan, and the
written templates); --no-validate skips only cfn-lint.
cfn-lint runs on every core and keeps its findings per template content in
.cache/cfn-lint/ (--lint-cache DIR, --no-lint-cache), so an unchanged
template is not linted twice.

Listener-rule priorities and ALBs are kept in a route lock beside the params
file (params/dev.yaml -> params/dev.lock.yaml), rewritten after each clean
generation; --check-lock (CI) fails instead when it would change.
The stages themselves live in templates/pipeline.py; this is the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from templates.contract.files import COST, stack_templates
from templates.contract.folder_changes import report_lines
from templates.cost.delta import cost_delta
from templates.cost.model import summary
from templates.errors import ParamsError
from templates.params.route_lock import RouteLock, is_lock_file, lock_path, write_lock
from templates.pipeline import generate, load
from templates.rules.run import check_environments_together

ROOT = Path(__file__).resolve().parent
PARAMS_DIR = ROOT / "params"
OUTPUT_DIR = ROOT / "output"
LINT_CACHE_DIR = ROOT / ".cache" / "cfn-lint"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--env", help="environment name: reads params/ENV.yaml, writes output/ENV/")
    which.add_argument("--all", action="store_true", help="every params/*.yaml")
    which.add_argument("--params", type=Path, help="params file (with --out)")
    which.add_argument("--reference", action="store_true", help="print the params reference (Markdown)")
    parser.add_argument("--out", type=Path, help="output folder for --params")
    parser.add_argument("--no-validate", action="store_true", help="skip cfn-lint (every other rule still runs)")
    parser.add_argument(
        "--lint-cache",
        type=Path,
        default=LINT_CACHE_DIR,
        help="folder of cfn-lint findings by template content (default .cache/cfn-lint, git-ignored)",
    )
    parser.add_argument("--no-lint-cache", action="store_true", help="lint every template, read no cached findings")
    parser.add_argument(
        "--check-lock",
        action="store_true",
        help="CI: fail (exit 1, nothing written) when the route lock beside the params file would change",
    )
    args = parser.parse_args(argv)
    if args.params and not args.out:
        parser.error("--params needs --out")
    return args


def jobs(args: argparse.Namespace) -> list[tuple[Path, Path]]:
    if args.params:
        return [(args.params, args.out)]
    if args.env:
        return [(PARAMS_DIR / f"{args.env}.yaml", OUTPUT_DIR / args.env)]
    return [(p, OUTPUT_DIR / p.stem) for p in sorted(PARAMS_DIR.glob("*.yaml")) if not is_lock_file(p)]


def lock_changes(old: RouteLock, new: RouteLock) -> str:
    """``2 new, 1 removed, 0 moved``: what regenerating would change in the lock."""
    before, after = old.by_key(), new.by_key()
    moved = sum(1 for key in before.keys() & after.keys() if before[key] != after[key])
    return f"{len(after.keys() - before.keys())} new, {len(before.keys() - after.keys())} removed, {moved} moved"


def stale_lock(params: Path, old: RouteLock, new: RouteLock) -> bool:
    """--check-lock: True (and a message) when the committed lock is not what generating would write."""
    if RouteLock.of(old.routes) == new:
        return False
    print(
        f"error: {lock_path(params)} is out of date ({lock_changes(old, new)}): run make templates "
        "and commit the lock with the params change",
        file=sys.stderr,
    )
    return True


def save_lock(params: Path, old: RouteLock, new: RouteLock) -> None:
    """After a clean generation: write the lock when it changed (or is missing while routes exist)."""
    path = lock_path(params)
    if RouteLock.of(old.routes) == new and (path.exists() or not new.routes):
        return
    write_lock(path, new, params.name)
    print(f"{path}: route lock updated ({lock_changes(old, new)})")


def read_cost(out: Path) -> dict | None:
    """The cost model of the folder as it is now (before this run replaces it), if it has one."""
    try:
        return json.loads((out / COST).read_text())
    except (OSError, ValueError):
        return None


def read_templates(out: Path) -> dict[str, dict]:
    """The folder's stack templates as they are now (before this run replaces them), by stack key."""
    try:
        return {path.stem: json.loads(path.read_text()) for path in stack_templates(out)} if out.is_dir() else {}
    except (OSError, ValueError):
        return {}


def print_changes(out: Path, previous: dict[str, dict], region: str) -> None:
    """What deploying the new templates over the previous output would do: replacements, blocked exports.

    Predicted offline from the resource types' create-only properties (templates/contract/template_diff.py),
    the way ``cdk diff`` and ``terraform plan`` do; nothing is printed for a first generation.
    """
    if not previous:
        return
    lines = report_lines(previous, read_templates(out), region)
    if lines:
        print(f"{out}: compared with the previous output (replacements from the registry schemas cfn-lint ships):")
        for line in lines:
            print(f"  {line}")


def print_cost(out: Path, previous: dict | None) -> None:
    """One line of monthly fixed cost, and what changed since the previous output of this folder."""
    current = read_cost(out)
    if current is None:
        return
    print(f"{out}: {summary(current)}")
    if previous is not None:
        for line in cost_delta(previous, current):
            print(f"  {line}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reference:
        from templates.params.reference import params_reference

        print(params_reference())
        return 0
    work = jobs(args)
    if not work:
        print(f"error: no params files in {PARAMS_DIR}", file=sys.stderr)
        return 2
    try:  # every params file is loaded (validated, planned, every rule run) before anything is written
        loaded = [(load(params), out) for params, out in work]
        check_environments_together([(item.params, item.env) for item, _ in loaded])
    except ParamsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for item, out in loaded:
        params, old, new = item.params, item.lock, item.plan.lock
        if args.check_lock and stale_lock(params, old, new):
            status = 1
            continue
        previous_cost, previous_templates = read_cost(out), read_templates(out)
        cache = None if args.no_lint_cache else args.lint_cache
        findings = generate(item, out, validate=not args.no_validate, lint_cache=cache)
        errors = [f for f in findings if f.is_error]
        for f in findings:
            if not f.is_error:
                print(f"{out}: {f.render()}", file=sys.stderr)
        if errors:
            status = 1
            print(
                f"{out}: NOT written, {len(errors)} check finding(s); rejected copy in {out}.rejected",
                file=sys.stderr,
            )
            for f in errors:
                print(f"  {f.render()}", file=sys.stderr)
        else:
            count = len(stack_templates(out))  # the stacks; the lock's template is not one
            state = "cfn-lint clean, imports resolved" if not args.no_validate else "not validated"
            print(f"{out}: {count} templates from {params.name} ({state})")
            print_changes(out, previous_templates, item.env.region)
            print_cost(out, previous_cost)
            if not args.check_lock:
                save_lock(params, old, new)
    return status


if __name__ == "__main__":
    sys.exit(main())
