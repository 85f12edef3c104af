"""One run at a time per environment, against the real local endpoint (through the loopback proxy).

The other run is played by the lock itself: ``environment_lock.acquire`` with another run
id takes the same change-set lock a concurrent ``deploy.py`` would.
"""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console

import deploy
from deployer.aws.clients import Timing
from deployer.run import environment_lock
from deployer.run.deploy import Options
from deployer.run.deploy import deploy as run_deploy
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.e2e
LOCK_STACK = "shop-dev-deploy-lock"
OTHER = "fargate-stacks-20261201-090000-0ther0"


def cfn(region: str) -> Any:
    return boto3.client("cloudformation", region_name=region)


def lock_template(folder: Path) -> str:
    """The lock template generate.py wrote into the folder (the deployer never builds it)."""
    return (folder / json.loads((folder / "manifest.json").read_text())["lock"]["template"]).read_text()


def lock_change_sets(region: str) -> list[dict[str, Any]]:
    try:
        return cfn(region).list_change_sets(StackName=LOCK_STACK)["Summaries"]
    except cfn(region).exceptions.ClientError:
        return []


def test_a_second_run_says_who_holds_the_environment_and_changes_nothing(
    proxy: FaultProxy, dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "eu-west-2"
    held = environment_lock.acquire(cfn(region), LOCK_STACK, "dev", OTHER, template=lock_template(dev))
    proxy.clear()

    code = deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--execute", "--yes"])

    err = capsys.readouterr().err
    assert code == 1
    assert f"another deploy of dev is in progress: {held.owner} (run {OTHER}) since " in err
    assert "--wait" in err and f"--stack-name {LOCK_STACK} --change-set-name deploy-lock" in err
    # who and where (read-only), then the lock, nothing else
    assert [action for action, _ in proxy.log] == [
        "GetCallerIdentity",
        "ListAccountAliases",
        "CreateChangeSet",
        "ListChangeSets",
    ]
    assert not (dev / "review.json").exists()
    assert [s["Description"] for s in lock_change_sets(region)] == [json.dumps(_description(held))]


def _description(holder: environment_lock.Holder) -> dict[str, str]:
    return {
        "run": holder.run,
        "owner": holder.owner,
        "started": holder.started.isoformat(),
        "expires": holder.expires.isoformat(),
    }


def test_with_wait_a_run_goes_on_once_the_other_one_releases_the_lock(proxy: FaultProxy, dev: Path) -> None:
    region = "eu-central-2"
    held = environment_lock.acquire(cfn(region), LOCK_STACK, "dev", OTHER, template=lock_template(dev))
    screen = io.StringIO()
    options = Options(dev, region=region, wait=True, timing=Timing(lock_delay=0.1, change_set_delay=0))
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(run_deploy(options, Console(file=screen), lambda _q: False)))
    runner.start()
    for _ in range(200):  # ours, then two tries of the run: the first one was refused, for sure
        if proxy.count("CreateChangeSet") >= 3:
            break
        threading.Event().wait(0.05)
    assert codes == []  # still waiting
    environment_lock.release(cfn(region), held)
    runner.join(timeout=60)

    assert codes == [0]
    assert f"waiting for the lock of dev: held by {held.owner} (run {OTHER})" in screen.getvalue()
    assert json.loads((dev / "review.json").read_text())["exit_code"] == 0
    assert lock_change_sets(region) == []  # released at the end


def test_an_expired_lock_is_taken_over(proxy: FaultProxy, dev: Path) -> None:
    """A run killed with SIGKILL never releases its lock: after its expiry the next run takes it."""
    region = "sa-east-1"
    expired = datetime.now(UTC) - environment_lock.LOCK_TTL - timedelta(minutes=1)
    environment_lock.acquire(cfn(region), LOCK_STACK, "dev", OTHER, template=lock_template(dev), now=expired)

    code = deploy.main(["--env", "dev", "--dir", str(dev), "--region", region])

    assert code == 0
    assert lock_change_sets(region) == []


def test_every_change_set_says_which_run_made_it_and_who_ran_it(proxy: FaultProxy, dev: Path) -> None:
    region = "ca-central-1"
    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--stacks", "network"]) == 0
    review = json.loads((dev / "review.json").read_text())
    [network] = review["stacks"]
    [summary] = cfn(region).list_change_sets(StackName="shop-dev-network")["Summaries"]
    assert summary["ChangeSetName"] == network["change_set_name"]
    assert (
        summary["Description"]
        == f"fargate-stacks shop/dev network: run {network['change_set_name']} by {environment_lock.owner()}"
    )
