"""--apply-plan executes exactly the change sets of an earlier review, or refuses, naming the stack.

Against the real local endpoint, through the loopback proxy (to count what the
apply run asks CloudFormation for).  Each test deploys into a region of its own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

import deploy
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.e2e


def run(folder: Path, region: str, *args: str) -> int:
    return deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, *args])


def reviewed(folder: Path, tmp_path: Path, region: str, *args: str) -> Path:
    """Review only, and keep the plan where a CI job would keep its artifact."""
    assert run(folder, region, *args) == 0
    plan = tmp_path / "plan.json"
    shutil.copy(folder / "review.json", plan)
    return plan


def results(folder: Path) -> dict[str, str]:
    return {s["key"]: s["result"] for s in json.loads((folder / "review.json").read_text())["stacks"]}


def image_tag(region: str, stack_name: str) -> str:
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["ImageTag"]


def test_a_first_deploy_plan_is_applied_in_dependency_order(proxy: FaultProxy, dev: Path, tmp_path: Path) -> None:
    region = "us-west-2"
    plan = reviewed(dev, tmp_path, region)
    reviewed_ids = {s["key"]: s["change_set_id"] for s in json.loads(plan.read_text())["stacks"]}
    proxy.clear()

    assert run(dev, region, "--apply-plan", str(plan), "--yes") == 0

    assert set(results(dev).values()) == {"executed"}
    executed = [action for action, _ in proxy.log if action == "ExecuteChangeSet"]
    assert len(executed) == len(reviewed_ids)
    cfn = boto3.client("cloudformation", region_name=region)
    network = cfn.describe_change_set(ChangeSetName=reviewed_ids["network"])
    assert network["ExecutionStatus"] == "EXECUTE_COMPLETE"  # the reviewed change set itself, not a fresh one


def test_the_reviewed_change_set_is_executed_not_a_fresh_one(
    proxy: FaultProxy, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "eu-south-2"
    assert run(dev, region, "--execute", "--yes") == 0
    plan = reviewed(dev, tmp_path, region, "--stacks", "svc-auth", "--set", "auth.ImageTag=7.7.7")
    [auth] = json.loads(plan.read_text())["stacks"]
    proxy.clear()

    assert run(dev, region, "--apply-plan", str(plan), "--yes") == 0

    assert image_tag(region, "shop-dev-svc-auth") == "7.7.7"
    assert proxy.count("CreateChangeSet") == 1  # the lock; no change set was made for the stack
    assert f"executing change set {auth['change_set_name']}" in capsys.readouterr().out


def test_a_plan_overtaken_by_another_deploy_is_refused_naming_the_stack(
    proxy: FaultProxy, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Executing any change set discards the stack's others: the reviewed one is gone; nothing runs."""
    region = "me-south-1"
    assert run(dev, region, "--execute", "--yes") == 0
    plan = reviewed(dev, tmp_path, region, "--stacks", "svc-auth", "--set", "auth.ImageTag=2.0.0")
    assert run(dev, region, "--stacks", "svc-auth", "--set", "auth.ImageTag=3.0.0", "--execute", "--yes") == 0
    proxy.clear()

    code = run(dev, region, "--apply-plan", str(plan), "--yes")

    out = capsys.readouterr().out
    assert code == 1
    assert "shop-dev-svc-auth: plan refused: its change set" in out and "is gone" in out
    assert proxy.count("ExecuteChangeSet") == 0
    assert image_tag(region, "shop-dev-svc-auth") == "3.0.0"
    assert json.loads((dev / "review.json").read_text())["exit_code"] == 1


def test_a_template_regenerated_since_the_review_is_refused(
    proxy: FaultProxy, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "af-south-1"
    plan = reviewed(dev, tmp_path, region)
    edited = json.loads((dev / "alb.json").read_text())
    edited["Description"] = "edited after the review"
    (dev / "alb.json").write_text(json.dumps(edited))
    proxy.clear()

    assert run(dev, region, "--apply-plan", str(plan), "--yes") == 1

    assert f"shop-dev-alb: plan refused: alb.json in {dev} changed since the review" in capsys.readouterr().out
    assert proxy.count("ExecuteChangeSet") == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda plan: plan.update(exit_code=3), "risky changes; add --allow-replacement"),
        (lambda plan: plan.update(exit_code=1), "its review exited 1"),
        (lambda plan: plan["stacks"][0].update(result="deferred"), "is 'deferred' in it"),
        (lambda plan: plan.update(environment="prod"), "a plan for 'prod', not 'dev'"),
        (lambda plan: plan["stacks"][0].update(imports={"imported": []}), "imports live resources first"),
    ],
)
def test_a_file_that_is_no_applicable_plan_is_a_usage_error_before_any_call(
    edit: Any, message: str, proxy: FaultProxy, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = reviewed(dev, tmp_path, "ap-east-1")
    data = json.loads(plan.read_text())
    edit(data)
    plan.write_text(json.dumps(data))
    proxy.clear()

    assert run(dev, "ap-east-1", "--apply-plan", str(plan)) == 2

    assert message in capsys.readouterr().err
    assert proxy.log == []
