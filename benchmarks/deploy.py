"""Deploy speed against the local endpoint (moto on loopback), measured as ratios in one run: ``make bench``.

The figure that matters: against the slow endpoint (``tests/slow_endpoint.py``:
change sets 2 s; network 6 s, ALB and cluster 4 s, services 8 s; 20 requests a
second for the whole account, ``Throttling`` above it) a first deploy's wall
time divided by its critical path, the longest chain of change set + operation
through the stack graph (network -> ALB/cluster -> services: 24 s in the issue's
environment; 30 s in the bench's, where the ALB stack imports the cluster's).  That
is what a deploy tool adds to what CloudFormation itself takes.  The path keeps the
issue's definition, a change set on every layer, although a previewed new stack
(every service stack of a first deploy) is created directly, without one
(``deployer/run/create_stack.py``): its floor is 28/30, not 1.0.

The second figure, kept from before: against the instant endpoint (it finishes
change sets and stacks at once, nobody sleeps) a serial loop of ``aws
cloudformation deploy`` (one process per stack in dependency order, as a shell
script or a Makefile would run it) against deploy.py, which compares API-call
budgets, start-up and concurrency only.  Without the AWS CLI on PATH the same
four calls per stack are made from one Python process instead (a harder
baseline, the row says which).  And a re-deploy that changes nothing.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from rich.console import Console

from benchmarks.inputs import environment
from deployer.run.deploy import Options, deploy
from deployer.run.inputs import load_deployment
from deployer.run.plan_stack import capabilities
from templates.contract.files import REVIEW_JSON
from templates.pipeline import build_all
from templates.writer import write_folder
from tests.moto_endpoint import endpoint_process, offline_env
from tests.slow_endpoint import Slowness, stats

SERVICES = 20
SLOW_SERVICES = (20, 40, 100)  # the sizes: 40 in its "deliver", 20 and 100 in its "done when"
CLI_WAIT = {"Delay": 5, "MaxAttempts": 720}  # aws cloudformation deploy's waiters


def aws_cli_loop(folder: Path, region: str, aws: str) -> float:
    """Seconds for ``aws cloudformation deploy`` run once per stack, dependencies first."""
    deployment = load_deployment(folder, region=region)
    start = time.perf_counter()
    for key in deployment.order():
        stack = deployment.stacks[key]
        command = [aws, "cloudformation", "deploy", "--region", region, "--stack-name", stack.stack_name]
        command += ["--template-file", str(folder / f"{key}.json"), "--no-fail-on-empty-changeset"]
        if stack.parameters:
            command += ["--parameter-overrides", *(f"{k}={v}" for k, v in sorted(stack.parameters.items()))]
        if capabilities(stack.template):
            command += ["--capabilities", *capabilities(stack.template)]
        subprocess.run(command, check=True, capture_output=True, env=os.environ)
    return time.perf_counter() - start


def serial_cli_loop(folder: Path, region: str) -> float:
    """Seconds for the same four calls per stack from this process, dependencies first."""
    deployment = load_deployment(folder, region=region)
    cfn = boto3.client("cloudformation", region_name=region)
    start = time.perf_counter()
    for key in deployment.order():
        stack = deployment.stacks[key]
        made = cfn.create_change_set(
            StackName=stack.stack_name,
            ChangeSetName=f"cli-{int(time.time() * 1000)}",
            ChangeSetType="CREATE",
            TemplateBody=stack.body,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in stack.parameters.items()],
            Capabilities=capabilities(stack.template),
        )
        cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=made["Id"], WaiterConfig=CLI_WAIT)
        cfn.execute_change_set(ChangeSetName=made["Id"])
        cfn.get_waiter("stack_create_complete").wait(StackName=stack.stack_name, WaiterConfig=CLI_WAIT)
    return time.perf_counter() - start


def ours(folder: Path, region: str) -> tuple[float, int]:
    """deploy.py with no tuning flags: --execute --yes."""
    console = Console(file=io.StringIO(), width=160)
    start = time.perf_counter()
    code = deploy(Options(folder, region=region, execute=True, yes=True), console, lambda _q: True)
    return time.perf_counter() - start, code


def critical_path(folder: Path, slowness: Slowness) -> float:
    """The longest chain of (change set + operation) seconds through the stack graph, as the endpoint times them."""
    deployment = load_deployment(folder)
    longest: dict[str, float] = {}
    for key in deployment.order():  # dependencies first
        own = slowness.change_set + slowness.operation_seconds(deployment.stacks[key].stack_name)
        longest[key] = own + max((longest[dep] for dep in deployment.depends_on()[key]), default=0.0)
    return max(longest.values())


@contextmanager
def offline(url: str) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(offline_env(saved, url))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def warm_up(region: str) -> None:
    """Make moto create its backends for ``region`` before the clock starts: its first call per service and
    region costs it a second or so, which AWS never charges; then let the rate limit's bucket fill again."""
    for service in ("cloudformation", "ec2", "elbv2", "ecs", "logs", "iam", "servicediscovery"):
        client = boto3.client(service, region_name=region)
        operation = {"cloudformation": "list_stacks", "ec2": "describe_vpcs", "elbv2": "describe_load_balancers",
                     "ecs": "list_clusters", "logs": "describe_log_groups", "iam": "list_roles",
                     "servicediscovery": "list_namespaces"}[service]  # fmt: skip
        getattr(client, operation)()
    time.sleep(1.5)


def slow_deploy(services: int) -> tuple[str, float, float, str]:
    """A first deploy of ``services`` services against the slow endpoint: wall time / critical path."""
    env = environment(services)
    slowness = Slowness()
    with tempfile.TemporaryDirectory() as tmp, endpoint_process(slow=slowness) as url, offline(url):
        folder = Path(tmp) / "env"
        write_folder(folder, env, build_all(env))
        path = critical_path(folder, slowness)
        warm_up("eu-west-1")
        seconds, code = ours(folder, "eu-west-1")
        stacks = json.loads((folder / REVIEW_JSON).read_text())["stacks"]
        not_executed = [s["key"] for s in stacks if s["result"] != "executed"]
        assert code == 0 and not not_executed, [(s["key"], s["result"], s["message"]) for s in stacks]
        record = stats(url)
    throttled, calls = sum(record["throttled"].values()), sum(record["requests"].values())
    busy = sum(record["busy"].values())
    how = (
        f"{seconds:.1f} s / {path:.0f} s; {calls} calls, {throttled} throttled and retried, 0 failed; "
        f"moto busy {busy:.0f} s"
    )
    return (f"first deploy, {services} services, slow endpoint: / critical path", seconds / path, 1.3, how)


def measure() -> list[tuple[str, float, float, str]]:
    """(name, value, target, how) rows for benchmarks.run: the slow endpoint's ratios, then the instant one's."""
    return [slow_deploy(services) for services in SLOW_SERVICES] + instant()


def instant() -> list[tuple[str, float, float, str]]:
    """Against the instant endpoint: the serial CLI loop / deploy.py, and a re-deploy that changes nothing."""
    env = environment(SERVICES)
    with tempfile.TemporaryDirectory() as tmp, endpoint_process() as url, offline(url):
        folder = Path(tmp) / "env"
        write_folder(folder, env, build_all(env))
        aws = shutil.which("aws")
        baseline = aws_cli_loop(folder, "eu-west-1", aws) if aws else serial_cli_loop(folder, "eu-west-1")
        first, code = ours(folder, "eu-west-2")
        assert code == 0, json.loads((folder / REVIEW_JSON).read_text())["stacks"]
        again, code = ours(folder, "eu-west-2")
        assert code == 0
    stacks = SERVICES + 3
    loop = "aws cloudformation deploy" if aws else "the same calls in-process"
    return [
        (f"deploy {stacks} stacks: serial loop / deploy.py (x)", baseline / first, 6.0, f"{loop}: {baseline:.1f} s"),
        (f"re-deploy {stacks} stacks, no change (s)", again, 1.5, "deploy.py, review + nothing to execute"),
    ]
