"""A re-deploy after a teardown imports the log groups the teardown retained, in the same run.

Issue 18's lifecycle edge: every service stack used to fail on
``ResourceAlreadyExistsException``.  On the local endpoint, with its IMPORT
change sets (``tests/moto_import.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import deploy
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    go_offline(monkeypatch, endpoint)

    def deploy_folder(folder: Path, region: str, *args: str) -> tuple[int, dict[str, Any], str]:
        (folder / "review.json").unlink(missing_ok=True)
        code = deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, "--no-drift", *args])
        out = capsys.readouterr().out
        path = folder / "review.json"
        return code, json.loads(path.read_text()) if path.exists() else {}, out

    return deploy_folder


def test_a_redeploy_after_teardown_imports_the_retained_log_groups(run: Any, dev: Path) -> None:
    region = "us-west-1"
    assert run(dev, region, "--execute", "--yes")[0] == 0
    assert run(dev, region, "--teardown", "--execute", "--yes")[0] == 0
    logs = boto3.client("logs", region_name=region)
    retained = sorted(g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/ecs/")["logGroups"])
    assert retained

    code, review, out = run(dev, region, "--execute", "--yes")

    assert code == 0, out
    cfn = boto3.client("cloudformation", region_name=region)
    for group in retained:
        (held,) = cfn.describe_stack_resources(PhysicalResourceId=group)["StackResources"]
        assert held["LogicalResourceId"] == "LogGroup"
    imported = [s for s in review["stacks"] if s["imports"]]
    assert {s["result"] for s in imported} == {"executed"}
    print(out)
