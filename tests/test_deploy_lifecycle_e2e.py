"""Day-2 lifecycle end to end on the local AWS endpoint: values, prune, teardown, drift.

Each scenario deploys into a region of its own on one endpoint process, as
``tests/test_deploy_e2e.py`` does, and reads the outcome back with boto3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import deploy
from deployer.values import NO_VALUES_NOTE
from tests.moto_endpoint import endpoint_process, go_offline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with endpoint_process() as url:
        yield url


class Run:
    def __init__(self, code: int, folder: Path, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err
        path = folder / "review.json"
        self.review = json.loads(path.read_text()) if path.exists() else {}

    def stack(self, key: str) -> dict[str, Any]:
        return next(s for s in self.review["stacks"] if s["key"] == key)


@pytest.fixture
def run(endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    go_offline(monkeypatch, endpoint)

    def deploy_folder(folder: Path, region: str, *args: str) -> Run:
        (folder / "review.json").unlink(missing_ok=True)
        code = deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, *args])
        captured = capsys.readouterr()
        return Run(code, folder, captured.out, captured.err)

    return deploy_folder


def stack_names(region: str) -> set[str]:
    cfn = boto3.client("cloudformation", region_name=region)
    return {s["StackName"] for page in cfn.get_paginator("describe_stacks").paginate() for s in page["Stacks"]}


def test_an_endpoint_without_property_values_gets_a_note_not_blank_cells(run: Any, dev: Path) -> None:
    region = "eu-west-3"
    assert run(dev, region, "--execute", "--yes").code == 0

    edited = json.loads((dev / "svc-auth.json").read_text())
    edited["Resources"]["LogGroup"]["Properties"]["RetentionInDays"] = 90
    (dev / "svc-auth.json").write_text(json.dumps(edited))

    shipped = run(dev, region, "--stacks", "svc-auth")

    assert shipped.code == 0
    auth = shipped.stack("svc-auth")
    modified = [r for r in auth["resources"] if r["action"] == "Modify"]
    assert modified and all(r["values"] == [] for r in modified)
    assert NO_VALUES_NOTE in auth["notes"]
    assert "without property values" in shipped.out
    assert "Values:" not in (dev / "review.md").read_text()  # no empty table
