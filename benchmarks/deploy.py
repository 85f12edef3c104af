"""Deploy speed against the local endpoint (moto on loopback), measured as ratios in one run: ``make bench``.

The baseline is a serial loop of ``aws cloudformation deploy``, one process
per stack in dependency order, as a shell script or a Makefile would run it
(each one: CreateChangeSet, wait, ExecuteChangeSet, wait).  Without the AWS
CLI on PATH, the same four calls per stack are made from one Python process
instead (no process start-up: a harder baseline, the ratio says which).  The
endpoint finishes change sets and stacks at once, so nobody sleeps: the
figures compare API-call budgets, start-up and concurrency, not
CloudFormation's own speed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
import time
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

SERVICES = 20
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
    console = Console(file=io.StringIO(), width=160)
    start = time.perf_counter()
    code = deploy(Options(folder, region=region, execute=True, yes=True, workers=8), console, lambda _q: True)
    return time.perf_counter() - start, code


def measure() -> list[tuple[str, float, float, str]]:
    """(name, value, target, how) rows for benchmarks.run."""
    env = environment(SERVICES)
    with tempfile.TemporaryDirectory() as tmp, endpoint_process() as url:
        folder = Path(tmp) / "env"
        write_folder(folder, env, build_all(env))
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(offline_env(saved, url))
        try:
            aws = shutil.which("aws")
            baseline = aws_cli_loop(folder, "eu-west-1", aws) if aws else serial_cli_loop(folder, "eu-west-1")
            first, code = ours(folder, "eu-west-2")
            assert code == 0, json.loads((folder / REVIEW_JSON).read_text())["stacks"]
            again, code = ours(folder, "eu-west-2")
            assert code == 0
        finally:
            os.environ.clear()
            os.environ.update(saved)
    stacks = SERVICES + 3
    loop = "aws cloudformation deploy" if aws else "the same calls in-process"
    return [
        (f"deploy {stacks} stacks: serial loop / deploy.py (x)", baseline / first, 6.0, f"{loop}: {baseline:.1f} s"),
        (f"re-deploy {stacks} stacks, no change (s)", again, 1.5, "deploy.py, review + nothing to execute"),
    ]
