"""What the review tells before anyone types "y", end to end on the local endpoint (moto gives no Replacement):
the predicted VPC replacement that imports block, the URLs a deploy changes, the account, and the
blue/green rules whose live weights ECS has moved.

Each scenario deploys into a region of its own on this module's endpoint and reads the outcome back
with boto3.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from rich.console import Console

import deploy
import generate
from deployer.run.deploy import Options
from deployer.run.deploy import deploy as run_deploy
from tests.conftest import PARAMS_DIR
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e
MOTO_ACCOUNT = "123456789012"  # the account moto answers GetCallerIdentity with


class Run:
    def __init__(self, code: int, folder: Path, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err
        path = folder / "review.json"
        self.review = json.loads(path.read_text()) if path.exists() else {}


@pytest.fixture
def run(endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    go_offline(monkeypatch, endpoint)
    monkeypatch.setenv("COLUMNS", "240")  # the review's tables unwrapped, so lines can be asserted whole

    def deploy_folder(folder: Path, region: str, *args: str) -> Run:
        (folder / "review.json").unlink(missing_ok=True)
        code = deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, "--no-drift", *args])
        captured = capsys.readouterr()
        return Run(code, folder, captured.out, captured.err)

    return deploy_folder


def generate_dev(tmp_path: Path, edit: Any) -> Path:
    """dev regenerated from a params copy that ``edit`` changed: what a user does."""
    params = yaml.safe_load((PARAMS_DIR / "dev.yaml").read_text())
    edit(params)
    path = tmp_path / "params" / "dev.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    (path.parent / "dev.lock.yaml").write_text((PARAMS_DIR / "dev.lock.yaml").read_text())
    folder = tmp_path / "changed"
    assert generate.main(["--params", str(path), "--out", str(folder), "--no-validate"]) == 0
    return folder


def exports(region: str) -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=region)
    return {e["Name"]: e["Value"] for page in cfn.get_paginator("list_exports").paginate() for e in page["Exports"]}


def test_a_cidr_change_is_a_vpc_replacement_that_imports_block_and_nothing_runs(
    run: Any, dev: Path, tmp_path: Path
) -> None:
    region = "eu-north-1"
    assert run(dev, region, "--execute", "--yes").code == 0
    before = exports(region)
    changed = generate_dev(tmp_path, lambda p: p["network"].update(cidr="10.20.0.0/16"))

    result = run(changed, region, "--execute", "--yes")

    assert result.code == 3, result.out
    network = next(s for s in result.review["stacks"] if s["key"] == "network")
    assert network["result"] == "changes"  # reviewed, never executed
    predicted = {p["logical_id"]: p for p in network["predicted"]}
    assert predicted["Vpc"]["effect"] == "replace" and predicted["Vpc"]["change_set"] == "-"  # moto did not say
    assert predicted["Vpc"]["why"] == ["CidrBlock (create-only): 10.10.0.0/16 -> 10.20.0.0/16"]
    risky = result.review["risky"]
    assert "shop-dev-network: Vpc: replaces the VPC (predicted: create-only CidrBlock changes)" in risky
    blocked = next(r for r in risky if "export shop-dev-VpcId" in r)
    assert blocked.startswith("shop-dev-network: changes the value of export shop-dev-VpcId (Vpc is replaced)")
    assert "shop-dev-alb" in blocked and "instead: keep network.cidr" in blocked
    assert "Predicted from the templates" in result.out and "nothing was executed" in result.out
    assert exports(region) == before  # the VPC, its subnets and every export are as they were


def test_a_new_services_url_and_the_account_are_shown_before_the_question(
    endpoint: str, dev: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = "eu-south-1"
    go_offline(monkeypatch, endpoint)
    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--execute", "--yes"]) == 0

    def add_shipping(params: dict[str, Any]) -> None:
        shipping = json.loads(json.dumps(params["services"]["users"]))
        shipping.pop("discovery", None)
        shipping["routes"] = [{"host": "api.example.com", "path": "/shipping"}]
        params["services"]["shipping"] = shipping

    changed = generate_dev(tmp_path, add_shipping)
    screen = io.StringIO()
    asked: list[tuple[str, str]] = []

    def ask(question: str) -> bool:
        asked.append((question, screen.getvalue()))  # what was on the screen when the question came
        return False

    options = Options(folder=changed, environment="dev", region=region, execute=True, drift=False)
    code = run_deploy(options, Console(file=screen, width=240), ask)

    assert code == 1  # not confirmed: nothing executed
    [(question, shown)] = asked
    assert question.startswith(f"Execute these change sets in account {MOTO_ACCOUNT}, {region}, as ")
    assert f"endpoint {endpoint}" in question  # not AWS's endpoint: said
    assert f"Review: shop/dev in account {MOTO_ACCOUNT}, {region}" in shown
    rule = json.loads((changed / "svc-shipping.json").read_text())["Resources"]
    priority = next(r["Properties"]["Priority"] for r in rule.values() if r["Type"].endswith("ListenerRule"))
    url = "HTTP api.example.com /shipping, /shipping/*"
    row = next(line for line in shown.splitlines() if url in line)
    assert "added" in row and "alb" in row and str(priority) in row and "svc-shipping: TargetGroup" in row
    review = json.loads((changed / "review.json").read_text())
    assert review["identity"]["account"] == MOTO_ACCOUNT
    assert [(r["change"], r["url"], r["priority_after"]) for r in review["routes"]] == [("added", url, priority)]
    md = (changed / "review.md").read_text()
    assert f"in account {MOTO_ACCOUNT}" in md.splitlines()[0] and "## URLs this deploy changes" in md


def test_expect_account_refuses_any_other_account_before_anything_is_made(run: Any, dev: Path) -> None:
    region = "sa-east-1"

    refused = run(dev, region, "--expect-account", "210987654321")

    assert refused.code == 1
    assert f"the credentials are for account {MOTO_ACCOUNT}" in refused.err and "210987654321" in refused.err
    cfn = boto3.client("cloudformation", region_name=region)
    assert cfn.describe_stacks()["Stacks"] == []  # not even the lock stack
    assert run(dev, region, "--expect-account", MOTO_ACCOUNT).code == 0


def blue_green_dev(tmp_path: Path) -> Path:
    """dev with auth on ECS blue/green (and only auth, to keep the deploy short)."""

    def edit(params: dict[str, Any]) -> None:
        params["services"] = {"auth": params["services"]["auth"]}
        params["services"]["auth"]["blue_green"] = {"bake_time_minutes": 5}

    return generate_dev(tmp_path, edit)


def move_traffic_like_ecs(region: str, rule_id: str) -> None:
    """What an ECS blue/green deployment does to the production rule: all weight on the other target group."""
    cfn = boto3.client("cloudformation", region_name=region)
    resources = cfn.list_stack_resources(StackName="shop-dev-svc-auth")["StackResourceSummaries"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    groups = [{"TargetGroupArn": physical["TargetGroup"], "Weight": 0},
              {"TargetGroupArn": physical["AlternateTargetGroup"], "Weight": 100}]  # fmt: skip
    elbv2 = boto3.client("elbv2", region_name=region)
    elbv2.modify_rule(
        RuleArn=physical[rule_id], Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]
    )


def test_a_change_set_rewriting_a_blue_green_rule_is_checked_against_the_live_weights(run: Any, tmp_path: Path) -> None:
    region = "ca-central-1"
    folder = blue_green_dev(tmp_path)
    assert run(folder, region, "--execute", "--yes").code == 0
    template = json.loads((folder / "svc-auth.json").read_text())
    service = template["Resources"]["Service"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"]
    production = service["ProductionListenerRule"]["Ref"]
    template["Resources"][production]["Properties"]["Tags"].append({"Key": "team", "Value": "identity"})
    (folder / "svc-auth.json").write_text(json.dumps(template))  # an update that rewrites the production rule

    harmless = run(folder, region)
    assert harmless.code == 0, harmless.out  # the live weights are the template's: nothing moves
    assert f"{production} (blue/green production rule): this change set rewrites its forward weights" in harmless.out

    move_traffic_like_ecs(region, production)
    refused = run(folder, region, "--execute", "--yes", "--allow-replacement")

    assert refused.code == 1, refused.out  # no flag allows it: all traffic would go to the drained group
    auth = next(s for s in refused.review["stacks"] if s["key"] == "svc-auth")
    assert auth["result"] == "blocked"
    assert "live weights AlternateTargetGroup 100 / TargetGroup 0" in auth["message"]
    assert "writes AlternateTargetGroup 0 / TargetGroup 100" in auth["message"]
    assert "--force-new-deployment" in auth["message"] and "nothing was executed" in refused.out
