"""The API-call budget of a re-deploy that changes nothing (through the loopback proxy, which counts calls)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import deploy
from tests.fault_proxy import FaultProxy

pytestmark = pytest.mark.e2e


def test_an_unchanged_stack_costs_no_change_set(proxy: FaultProxy, dev: Path) -> None:
    """Same template, same values: CloudFormation would only answer "didn't contain changes"."""
    args = ["--env", "dev", "--dir", str(dev), "--region", "eu-west-1"]
    assert deploy.main([*args, "--execute", "--yes"]) == 0
    stacks = len(json.loads((dev / "manifest.json").read_text())["stacks"])
    proxy.clear()

    assert deploy.main(args) == 0

    review = json.loads((dev / "review.json").read_text())
    assert {s["result"] for s in review["stacks"]} == {"no changes"}
    calls = Counter(action for action, _ in proxy.log)
    assert calls["CreateChangeSet"] == 1  # the environment's lock only
    assert calls["DescribeChangeSet"] == calls["DeleteChangeSet"] - 1 == 0  # (the lock's release)
    assert calls["GetTemplate"] == stacks


def test_a_changed_parameter_still_gets_its_change_set(proxy: FaultProxy, dev: Path) -> None:
    args = ["--env", "dev", "--dir", str(dev), "--region", "eu-west-3"]
    assert deploy.main([*args, "--execute", "--yes"]) == 0
    template = json.loads((dev / "svc-auth.json").read_text())
    template["Parameters"]["ImageTag"]["Default"] = "9.9.9"  # as if the params file changed the tag
    (dev / "svc-auth.json").write_text(json.dumps(template))

    assert deploy.main(args) == 0

    review = {s["key"]: s for s in json.loads((dev / "review.json").read_text())["stacks"]}
    assert review["svc-auth"]["result"] == "changes"
    assert [p["new"] for p in review["svc-auth"]["parameters"]] == ["9.9.9"]
