"""Day-2 lifecycle end to end on the local AWS endpoint: values, prune, teardown, drift.

Each scenario deploys into a region of its own on one endpoint process, as
``tests/test_deploy_e2e.py`` does, and reads the outcome back with boto3.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import deploy
from deployer.review.property_values import NO_VALUES_NOTE
from templates.contract.graph import build_graph
from templates.naming import lock_stack_name
from tests.conftest import PARAMS_DIR
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e


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
    # moto has no drift API: one line, and the review goes on (exit code 0 above)
    note = shipped.review["drift_note"]
    assert note == (
        "not checked: DetectStackDrift on shop-dev-svc-auth answered InvalidAction: "
        "DetectStackDrift is not available here; "
        "--no-drift skips the check"
    )
    assert f"  drift: {note}\n" in shipped.out  # on one line


# --- prune ---------------------------------------------------------------------------------------


def generate_without(tmp_path: Path, service: str) -> Path:
    """dev regenerated from a params copy without ``service``: what a user does to remove a service."""
    import generate

    params = yaml.safe_load((PARAMS_DIR / "dev.yaml").read_text())
    del params["services"][service]
    path = tmp_path / "params" / "dev.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    folder = tmp_path / "without"
    assert generate.main(["--params", str(path), "--out", str(folder), "--no-validate"]) == 0
    return folder


def routes_in(template: dict[str, Any]) -> list[str]:
    """The routes prune must name, read from the template the stack was deployed with."""
    out = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::ElasticLoadBalancingV2::ListenerRule":
            continue
        config = {"host-header": "HostHeaderConfig", "path-pattern": "PathPatternConfig"}
        fields = {c["Field"]: c[config[c["Field"]]]["Values"] for c in resource["Properties"]["Conditions"]}
        host, path = (", ".join(fields.get(name, [])) for name in config)
        out.append(f"{host or '*'} {path or '*'} (priority {resource['Properties']['Priority']})")
    return sorted(out)


def test_a_removed_service_is_listed_kept_without_prune_and_deleted_with_it(
    run: Any, dev: Path, tmp_path: Path
) -> None:
    region = "ap-northeast-2"
    assert run(dev, region, "--execute", "--yes").code == 0
    web_routes = routes_in(json.loads((dev / "svc-web.json").read_text()))
    assert web_routes, "dev's web routes nothing: this test would prove nothing"
    without = generate_without(tmp_path, "web")

    listed = run(without, region)

    assert listed.code == 0
    (removal,) = listed.review["removals"]
    assert (removal["stack_name"], removal["result"], removal["found_by"]) == ("shop-dev-svc-web", "listed", "tags")
    assert sorted(removal["routes"]) == web_routes
    assert listed.review["risky"] == []  # listing is not deleting: no gate without --prune
    assert "Stacks no longer in the manifest" in listed.out and "--prune --allow-delete deletes" in listed.out
    assert "## Stacks no longer in the manifest" in (without / "review.md").read_text()
    waiting = "1 stack(s) no longer in it still run (shop-dev-svc-web): --prune --allow-delete deletes them"
    assert waiting in listed.out and "No changes" not in listed.out  # a stack waits to be pruned: not "no changes"

    kept = run(without, region, "--execute", "--yes", "--no-drift")
    assert kept.code == 0 and "shop-dev-svc-web" in stack_names(region)
    assert "drift: not checked (--no-drift)" in kept.out and "DetectStackDrift" not in kept.out
    assert waiting in kept.out and "Nothing to execute" not in kept.out

    gated = run(without, region, "--prune", "--execute", "--yes", "--allow-replacement")
    assert gated.code == 3  # deleting a stack is approved by its own flag, not by --allow-replacement
    assert any(r.startswith("shop-dev-svc-web: deletes the stack") for r in gated.review["risky"])
    assert gated.review["needs"] == ["--allow-delete"] and "Re-run with --allow-delete" in gated.out
    assert "shop-dev-svc-web" in stack_names(region)
    log_group = "/ecs/shop-dev-web"
    assert any(log_group in line for line in gated.review["removals"][0]["left_behind"])
    assert f"left behind: AWS::Logs::LogGroup {log_group}" in gated.out  # said before anyone approves

    pruned = run(without, region, "--prune", "--execute", "--yes", "--allow-delete")

    assert pruned.code == 0, pruned.out
    assert pruned.review["removals"][0]["result"] == "deleted"
    assert "shop-dev-svc-web" not in stack_names(region)
    summary = pruned.out[pruned.out.rindex("Summary") :]
    assert "shop-dev-svc-web" in summary and "DELETE" in summary and "deleted" in summary
    assert f"left behind: AWS::Logs::LogGroup {log_group}" in summary  # and after the deletion
    removed = [r for r in pruned.review["routes"] if r["change"] == "removed"]
    assert [r["owner_before"] for r in removed] == ["svc-web: TargetGroup"]
    lock = lock_stack_name(
        "shop", "dev"
    )  # the deploy lock's marker stack (docs/deploy-ci.md): no stack of the manifest
    assert {f"shop-dev-{key}" for key in json.loads((without / "manifest.json").read_text())["stacks"]} == (
        stack_names(region) - {lock}
    )
    # (moto deletes no listener rule with its stack; CloudFormation does: the stack being gone is the proof)


def legacy_stacks(region: str) -> None:
    """A stack of shop/dev deployed before stack tags (found by its description) exporting a value that a
    stack outside the environment imports."""
    cfn = boto3.client("cloudformation", region_name=region)
    parameter = {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "legacy", "Type": "String", "Value": "v"}}
    exporter = {
        "Description": "fargate-stacks shop/dev: a service removed long ago",
        "Resources": {"Marker": parameter},
        "Outputs": {"Legacy": {"Value": "legacy-value", "Export": {"Name": "shop-dev-Legacy"}}},
    }
    cfn.create_stack(StackName="shop-dev-svc-legacy", TemplateBody=json.dumps(exporter))
    importer = {
        "Resources": {
            "Marker": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "team-b", "Type": "String", "Value": {"Fn::ImportValue": "shop-dev-Legacy"}},
            }
        }
    }
    cfn.create_stack(
        StackName="team-b-reports", TemplateBody=json.dumps(importer), Tags=[{"Key": "project", "Value": "reports"}]
    )


def test_a_stack_whose_export_is_in_use_outside_is_not_pruned_and_says_who_uses_it(run: Any, dev: Path) -> None:
    region = "ap-south-1"
    legacy_stacks(region)

    blocked = run(dev, region, "--prune", "--allow-replacement", "--execute", "--yes")

    assert blocked.code == 1
    (removal,) = blocked.review["removals"]
    assert (removal["stack_name"], removal["found_by"], removal["exports"]) == (
        "shop-dev-svc-legacy",
        "description",
        ["shop-dev-Legacy"],
    )
    assert removal["importers"] == {"shop-dev-Legacy": ["team-b-reports"]}
    assert removal["result"] == "listed"
    assert "export shop-dev-Legacy is still imported by team-b-reports" in removal["blockers"][0]
    assert "blocked: shop-dev-svc-legacy" in blocked.out
    assert {"shop-dev-svc-legacy", "team-b-reports"} <= stack_names(region)
    network = boto3.client("cloudformation", region_name=region).describe_stacks(StackName="shop-dev-network")
    assert network["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"  # reviewed, not executed


# --- teardown ------------------------------------------------------------------------------------


def test_teardown_explains_its_blockers_then_deletes_importers_first_and_keeps_retained_log_groups(
    run: Any, dev: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = "eu-south-1"
    auth = json.loads((dev / "svc-auth.json").read_text())
    auth["Resources"]["LogGroup"]["DeletionPolicy"] = "Retain"
    (dev / "svc-auth.json").write_text(json.dumps(auth))
    assert run(dev, region, "--execute", "--yes").code == 0
    cfn = boto3.client("cloudformation", region_name=region)
    outside = {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "b", "Type": "String",
               "Value": {"Fn::ImportValue": "shop-dev-VpcId"}}}  # fmt: skip
    cfn.create_stack(StackName="team-b-db", TemplateBody=json.dumps({"Resources": {"P": outside}}))
    elbv2 = boto3.client("elbv2", region_name=region)
    alb_arn = elbv2.describe_load_balancers()["LoadBalancers"][0]["LoadBalancerArn"]
    protection = [{"Key": "deletion_protection.enabled", "Value": "true"}]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=alb_arn, Attributes=protection)
    ours = {f"shop-dev-{key}" for key in json.loads((dev / "manifest.json").read_text())["stacks"]}

    blocked = run(dev, region, "--teardown", "--execute", "--yes")

    assert blocked.code == 1 and blocked.review["operation"] == "teardown"
    blockers = {s["stack_name"]: s["blockers"] for s in blocked.review["stacks"] if s["blockers"]}
    assert set(blockers) == {"shop-dev-network", "shop-dev-alb"}
    assert "export shop-dev-VpcId is imported by team-b-db, outside shop/dev" in blockers["shop-dev-network"][0]
    assert f"load balancer {alb_arn.split('/')[-2]} has deletion protection on" in blockers["shop-dev-alb"][0]
    assert f"--load-balancer-arn {alb_arn} --attributes Key=deletion_protection.enabled" in blockers["shop-dev-alb"][0]
    services = sorted(key.removeprefix("svc-") for key in json.loads((dev / "manifest.json").read_text())["stacks"]
                      if key.startswith("svc-"))  # fmt: skip
    kept = blocked.review["left_behind"]  # service log groups are retained by default (logs.retain)
    assert len(kept) == len(services)
    assert any("AWS::Logs::LogGroup /ecs/shop-dev-auth" in k and "aws logs delete-log-group" in k for k in kept)
    assert "Teardown blocked" in blocked.out and ours <= stack_names(region)

    cfn.delete_stack(StackName="team-b-db")
    protection[0]["Value"] = "false"
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=alb_arn, Attributes=protection)
    reviewed = run(dev, region, "--teardown")
    assert reviewed.code == 0 and "Re-run with --execute" in reviewed.out and ours <= stack_names(region)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))  # the operator answers no
    declined = run(dev, region, "--teardown", "--execute")
    assert declined.code == 1 and "nothing was deleted" in declined.out and ours <= stack_names(region)

    gone = run(dev, region, "--teardown", "--execute", "--yes")

    assert gone.code == 0, gone.out
    assert {s["result"] for s in gone.review["stacks"]} == {"deleted"} and gone.review["exit_code"] == 0
    assert not ours & stack_names(region)
    started = [line.split(":")[0].strip() for line in gone.out.splitlines() if line.strip().endswith(": deleting")]
    assert set(started) == ours
    graph = build_graph({key: json.loads((dev / f"{key}.json").read_text()) for key in json.loads(
        (dev / "manifest.json").read_text())["stacks"]})  # fmt: skip
    for key, deps in graph.depends_on.items():
        for dep in deps:  # an importer's deletion finished before its exporter's started
            assert started.index(f"shop-dev-{key}") < started.index(f"shop-dev-{dep}"), (key, dep)
    groups = boto3.client("logs", region_name=region).describe_log_groups(logGroupNamePrefix="/ecs/shop-dev-")
    assert [g["logGroupName"] for g in groups["logGroups"]] == [f"/ecs/shop-dev-{s}" for s in services]  # Retain
