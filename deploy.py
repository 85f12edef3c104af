"""Deploy an environment's generated templates through reviewed change sets.

    python deploy.py --env dev                        # review only: change sets, review.md, review.json
    python deploy.py --env dev --execute              # review, confirm, execute in dependency order
    python deploy.py --env prod --stacks svc-auth --set auth.ImageTag=1.2.3 --execute --yes
    python deploy.py --env dev --apply-plan output/dev/review.json --yes   # exactly the reviewed change sets
    python deploy.py --env dev --teardown [--execute]  # delete the whole environment (docs/deploy-lifecycle.md)
    python deploy.py --env prod --deploy-policy deploy --bucket B  # the CI role's IAM policy (docs/deploy-ci.md)
    python deploy.py --env prod --adopt params/prod.adopt.yaml --execute  # take over what runs (docs/adopting.md)

Reads output/ENV/ (run generate.py first). Credentials: boto3's standard
chain (--profile, environment, SSO, instance role); AWS_ENDPOINT_URL points
it at another endpoint. Exit codes: 0 deployed or nothing to do; 1 a stack
cannot be deployed or failed, or the account is not --expect-account (wins
over 3); 2 bad flags or folder (nothing called); 3 risky changes (replacement
or removal of shared infrastructure, predicted or in the change set, or of an
export in use) without --allow-replacement, or stack deletions (--prune)
without --allow-delete: found in the review, nothing is executed; found in a
deferred stack's change set mid-run, that stack and its dependents are not;
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import NoReturn

from botocore.exceptions import NoCredentialsError, NoRegionError
from rich.console import Console
from rich.text import Text

from deployer.aws.clients import AWS_ERRORS, one_line
from deployer.errors import Terminated, UsageError, interrupt_code
from deployer.run.apply_plan import apply_plan
from deployer.run.deploy import FAILURE, Options, deploy
from deployer.run.deploy_role import deploy_policy, policy_json
from deployer.run.drift import DEFAULT_TIMEOUT as DRIFT_TIMEOUT
from deployer.run.environment_lock import LockHeld
from deployer.run.identity import WrongAccount
from deployer.run.inputs import load_deployment
from deployer.run.teardown import teardown
from deployer.view.review_files import report_paths

ROOT = Path(__file__).resolve().parent
OUTPUT_DIR = ROOT / "output"
CI_WIDTH = 160  # not a terminal (CI logs, pipes): wide enough for the review table without wrapping


# AWS region names: a partition-and-area prefix, a direction, a number (eu-west-1, us-gov-west-1, cn-north-1).
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
ACCOUNT = re.compile(r"\d{12}")  # an AWS account id: 12 digits


class _Parser(argparse.ArgumentParser):
    argv: list[str] | None = None

    def error(self, message: str) -> NoReturn:
        _forget_reviews(self.argv)
        self.exit(2, f"error: {message} (see --help)\n")


def _forget_reviews(argv: list[str] | None) -> None:
    """A bad flag is a run too: the review files of the run before must not outlive it (CI reads them)."""
    lenient = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    lenient.add_argument("--env")
    lenient.add_argument("--dir", type=Path)
    try:
        known, _ = lenient.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return
    folder = known.dir or (OUTPUT_DIR / known.env if known.env else None)
    for path in report_paths(folder) if folder else ():
        if path.is_file() or path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.argv = sys.argv[1:] if argv is None else argv
    _add_what_to_deploy(parser)
    _add_gates(parser)
    _add_account_and_pace(parser)
    args = parser.parse_args(argv)
    _check_combinations(parser, args)
    return args


def _add_what_to_deploy(parser: argparse.ArgumentParser) -> None:
    """Which folder, stacks and parameter values; review, execute, or apply a reviewed plan."""
    parser.add_argument("--env", required=True, help="environment: deploys output/ENV/")
    parser.add_argument("--dir", type=Path, help="generated folder to deploy instead of output/ENV/")
    parser.add_argument("--stacks", default="", help="comma-separated stack keys (default: all), e.g. alb,svc-auth")
    parser.add_argument(
        "--set", dest="sets", action="append", default=[], metavar="SERVICE.PARAM=VALUE", help="override a parameter"
    )
    parser.add_argument("--execute", action="store_true", help="execute the change sets after the review")
    parser.add_argument(
        "--apply-plan",
        type=Path,
        metavar="REVIEW_JSON",
        help="execute exactly the change sets of an earlier review (its review.json), once checked unchanged",
    )
    parser.add_argument("--prune", action="store_true", help="delete the env's stacks the manifest no longer names")
    parser.add_argument("--teardown", action="store_true", help="review (and with --execute delete) the whole env")
    parser.add_argument(
        "--adopt",
        type=Path,
        metavar="ADOPTION_YAML",
        help="adopt.py's file: the live resources new stacks must import (docs/adopting.md)",
    )
    parser.add_argument(
        "--deploy-policy",
        choices=("deploy", "review"),
        help="print the IAM policy a CI role needs for this environment (deploy: everything; review: a review-only "
        "job) and stop; no AWS call",
    )


def _add_gates(parser: argparse.ArgumentParser) -> None:
    """What a person approves: confirmation, risky changes, overlaps with other teams, failed stacks, drift."""
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation before executing")
    parser.add_argument(
        "--allow-route-overlap",
        dest="allow_overlap",
        action="append",
        default=[],
        metavar="RULE_ARN",
        help="deploy although this foreign rule of a shared listener overlaps one of ours (agreed with its owners)",
    )
    parser.add_argument("--allow-replacement", action="store_true", help="execute even with risky changes")
    parser.add_argument(
        "--allow-delete", action="store_true", help="approve deleting the stacks --prune lists (its own approval)"
    )
    parser.add_argument(
        "--expect-account",
        metavar="ACCOUNT_ID",
        help="refuse to run unless the credentials are for this AWS account (12 digits; for CI)",
    )
    parser.add_argument("--recreate-failed", action="store_true", help="delete and recreate ROLLBACK_COMPLETE stacks")
    parser.add_argument("--no-drift", dest="drift", action="store_false", help="skip drift detection")
    parser.add_argument(
        "--drift-timeout",
        type=int,
        default=DRIFT_TIMEOUT,
        metavar="SECONDS",
        help=f"wait for drift detection (default {DRIFT_TIMEOUT})",
    )


def _add_account_and_pace(parser: argparse.ArgumentParser) -> None:
    """Where the calls go and how many at once."""
    parser.add_argument("--profile", help="AWS profile")
    parser.add_argument("--region", help="region (default: the manifest's)")
    parser.add_argument("--bucket", help="S3 bucket for templates over 51,200 bytes")
    parser.add_argument(
        "--wait", action="store_true", help="another run holds the environment's lock: wait for it instead of stopping"
    )
    parser.add_argument(
        "--parallel",
        type=int,
        metavar="N",
        help="at most N stacks worked on at once (default: every stack whose dependencies are done)",
    )


def _check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Flags that contradict each other, or values no AWS call would accept: exit 2 before any call."""
    if args.deploy_policy and (args.execute or args.apply_plan or args.teardown or args.prune):
        parser.error("--deploy-policy only prints a policy: no --execute, --apply-plan, --teardown or --prune")
    _check_values(parser, args)
    _check_lifecycle(parser, args)
    if args.parallel is not None and args.parallel < 1:
        parser.error("--parallel must be at least 1")
    if args.apply_plan and (args.execute or args.stacks or args.sets or args.prune or args.teardown or args.adopt):
        parser.error(
            "--apply-plan executes the reviewed plan as it is: no --execute, --stacks, --set, --prune, --teardown "
            "or --adopt"
        )
    # A CI job that forgot --execute must not pass silently, executing nothing.
    if args.yes and not (args.execute or args.apply_plan):
        parser.error("--yes confirms --execute, which is missing; add --execute, or drop --yes to review only")


def _check_values(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Values that cannot be right, refused before any AWS call: a region, an account id, a lone --allow-delete."""
    if args.region is not None and not REGION.fullmatch(args.region):
        parser.error(f"--region {args.region!r} is not an AWS region name (e.g. eu-west-1, us-east-2)")
    if args.expect_account is not None and not ACCOUNT.fullmatch(args.expect_account):
        parser.error(f"--expect-account {args.expect_account!r} is not an AWS account id (12 digits)")
    if args.allow_delete and not args.prune:
        parser.error("--allow-delete approves the deletions --prune plans; add --prune, or drop --allow-delete")


def _check_lifecycle(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """A teardown deletes every stack of the environment: flags that choose or change stacks make no sense."""
    if args.drift_timeout < 0:
        parser.error("--drift-timeout must be 0 or more seconds")
    if not args.teardown:
        return
    names = {"stacks": "--stacks", "sets": "--set", "prune": "--prune", "allow_replacement": "--allow-replacement",
             "recreate_failed": "--recreate-failed", "bucket": "--bucket", "adopt": "--adopt"}  # fmt: skip
    given = [flag for dest, flag in names.items() if getattr(args, dest)]
    if given:
        parser.error(f"--teardown deletes the whole environment; it takes no {', '.join(given)}")


def ask(console: Console) -> Callable[[str], bool]:
    def confirm(question: str) -> bool:
        try:
            prompt = Text.assemble(question, " ", ("[y/N]", "bold"), " ")  # Text: rich must not read [y/N] as markup
            return console.input(prompt).strip().lower() in ("y", "yes")
        except EOFError:
            return False

    return confirm


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)  # a cancelled CI job stops like Ctrl-C
    try:
        return _main(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    wide = sys.stdout.isatty() or "COLUMNS" in os.environ
    console = Console(width=None if wide else CI_WIDTH)
    options = Options(
        folder=args.dir or OUTPUT_DIR / args.env,
        environment=args.env,
        stacks=[key.strip() for key in args.stacks.split(",") if key.strip()],
        sets=args.sets,
        execute=args.execute or bool(args.apply_plan),
        yes=args.yes,
        allow_replacement=args.allow_replacement,
        allow_delete=args.allow_delete,
        expect_account=args.expect_account,
        recreate_failed=args.recreate_failed,
        prune=args.prune,
        drift=args.drift,
        drift_timeout=args.drift_timeout,
        profile=args.profile,
        region=args.region,
        bucket=args.bucket,
        workers=args.parallel or 0,
        wait=args.wait,
        apply_plan=args.apply_plan,
        allow_overlap=tuple(args.allow_overlap),
        adopt=args.adopt,
    )
    try:
        if args.deploy_policy:
            deployment = load_deployment(options.folder, region=args.region)
            document = deploy_policy(deployment, args.bucket, review_only=args.deploy_policy == "review")
            print(json.dumps(policy_json(document), indent=2))
            return 0
        if options.apply_plan:
            return apply_plan(options, console, ask(console))
        if args.teardown:
            return teardown(options, console, ask(console))
        return deploy(options, console, ask(console))
    except (LockHeld, WrongAccount) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return FAILURE
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (NoCredentialsError, NoRegionError) as exc:
        print(f"error: {exc} (boto3 reads --profile, AWS_* variables, ~/.aws, SSO, instance roles)", file=sys.stderr)
        return FAILURE
    except AWS_ERRORS as exc:  # before any stack was planned, e.g. ListExports denied or endpoint unreachable
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return FAILURE
    except KeyboardInterrupt as exc:
        what = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(
            f"{what}: nothing new was started; operations already running go on in CloudFormation "
            "(see review.json and the stacks' events)",
            file=sys.stderr,
        )
        return interrupt_code(exc)


if __name__ == "__main__":
    sys.exit(main())
