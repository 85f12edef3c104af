"""Teardown and prune are runs like a deploy: the environment's lock, SIGTERM, and the lock stack itself.

On the local endpoint (moto in its own process); SIGTERM through a real
subprocess, its timing through the loopback fault proxy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import deploy
from deployer.run import environment_lock
from tests.fault_proxy import fault_proxy
from tests.moto_endpoint import go_offline
from tests.signals import sigterm_after

pytestmark = pytest.mark.e2e
LOCK_STACK = "shop-dev-deploy-lock"
OTHER = "fargate-stacks-20261201-090000-0ther0"


def cfn(region: str) -> Any:
    return boto3.client("cloudformation", region_name=region)


def stack_names(region: str) -> set[str]:
    return {s["StackName"] for page in cfn(region).get_paginator("describe_stacks").paginate() for s in page["Stacks"]}


def deployed(folder: Path, region: str) -> set[str]:
    """Deploy the folder; the names of the environment's stacks, the lock stack included."""
    assert deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, "--execute", "--yes"]) == 0
    names = {spec["stack_name"] for spec in json.loads((folder / "manifest.json").read_text())["stacks"].values()}
    assert names | {LOCK_STACK} == stack_names(region)
    return names


def lock_template(folder: Path) -> str:
    return (folder / json.loads((folder / "manifest.json").read_text())["lock"]["template"]).read_text()


def test_teardown_and_prune_stop_while_another_run_holds_the_environment(
    endpoint: str, dev: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "eu-north-1"
    go_offline(monkeypatch, endpoint)
    ours = deployed(dev, region)
    held = environment_lock.acquire(cfn(region), LOCK_STACK, "dev", OTHER, template=lock_template(dev))
    capsys.readouterr()

    for flags in (["--teardown", "--execute", "--yes"], ["--prune", "--execute", "--yes", "--allow-replacement"]):
        code = deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, *flags])
        err = capsys.readouterr().err
        assert code == 1, flags
        assert f"another deploy of dev is in progress: {held.owner} (run {OTHER})" in err, flags
    assert ours | {LOCK_STACK} == stack_names(region)  # nothing deleted

    environment_lock.release(cfn(region), held)
    code = deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--teardown", "--execute", "--yes"])

    assert code == 0
    review = json.loads((dev / "review.json").read_text())
    assert review["lock_stack"] == {"stack_name": LOCK_STACK, "result": "deleted"}
    assert stack_names(region) == set()  # the lock stack is part of the environment: gone too


def test_sigterm_stops_a_teardown_like_a_deploy_and_the_review_says_what_was_deleted(
    endpoint: str, dev: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = "eu-west-3"
    go_offline(monkeypatch, endpoint)
    ours = deployed(dev, region)
    with fault_proxy(endpoint) as proxy:
        proxy.add("DeleteStack", "delay", seconds=3)  # the first deletion is sent late: SIGTERM lands meanwhile
        args = ["--env", "dev", "--dir", str(dev), "--region", region, "--teardown", "--execute", "--yes"]
        returncode, err = sigterm_after(proxy, "DeleteStack", [*args, "--parallel", "1"])

    assert returncode == 143, err
    assert "terminated (SIGTERM): nothing new was started" in err and "Traceback" not in err
    review = json.loads((dev / "review.json").read_text())
    assert review["operation"] == "teardown" and review["exit_code"] == 143
    results = {s["stack_name"]: s["result"] for s in review["stacks"]}
    [gone] = [name for name, result in results.items() if result == "deleted"]  # sent before SIGTERM: really gone
    assert {result for name, result in results.items() if name != gone} == {"interrupted"}
    assert proxy.count("DeleteStack") == 1  # nothing new was started after SIGTERM
    assert stack_names(region) == (ours - {gone}) | {LOCK_STACK}  # an incomplete teardown keeps the lock stack
    assert review["lock_stack"]["result"].startswith("interrupted")
    assert cfn(region).list_change_sets(StackName=LOCK_STACK)["Summaries"] == []  # the lock itself was released
