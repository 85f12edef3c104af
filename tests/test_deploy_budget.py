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


def test_the_routing_table_reads_only_stacks_that_can_route(proxy: FaultProxy, dev: Path) -> None:
    """After a deploy, ListStackResources goes to the ALB and routed stacks only (their templates say which)."""
    manifest = json.loads((dev / "manifest.json").read_text())["stacks"]
    kinds = {key: {r["Type"] for r in json.loads((dev / spec["template"]).read_text())["Resources"].values()}
             for key, spec in manifest.items()}  # fmt: skip
    routing = {"AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::ListenerRule"}
    can_route = [key for key, types in kinds.items() if types & routing]
    assert 0 < len(can_route) < len(manifest)  # network and cluster hold neither

    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", "us-east-2", "--execute", "--yes"]) == 0

    assert Counter(action for action, _ in proxy.log)["ListStackResources"] == len(can_route)


def test_no_s3_client_is_made_when_no_template_needs_s3(monkeypatch: pytest.MonkeyPatch) -> None:
    """An S3 client costs tens of milliseconds to create; only templates over the inline limit use one."""
    import boto3

    from deployer.aws.clients import make_clients

    made: list[str] = []
    real = boto3.Session.client
    monkeypatch.setattr(boto3.Session, "client", lambda self, name, **kw: made.append(name) or real(self, name, **kw))
    clients = make_clients(None, "eu-west-1")
    assert made == ["cloudformation"]
    assert clients.s3.meta.service_model.service_name == "s3" and clients.s3 is clients.s3
    assert made == ["cloudformation", "s3"]
