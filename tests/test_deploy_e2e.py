"""deploy.py end to end against a real local AWS endpoint (moto's server on 127.0.0.1).

One endpoint for the session; each scenario deploys into a region of its
own, so scenarios never see each other's stacks.  Assertions read the
deployed resources back with boto3 and compare them with the generated
templates, not with values copied into the test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import deploy
from templates.contract.graph import build_graph
from tests.moto_endpoint import endpoint_process, go_offline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    with endpoint_process() as url:
        yield url


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """boto3 in this test talks to the local endpoint only."""
    go_offline(monkeypatch, endpoint)
    return endpoint


class Run:
    def __init__(self, code: int, folder: Path, out: str) -> None:
        self.code, self.out = code, out
        self.review = json.loads((folder / "review.json").read_text()) if (folder / "review.json").exists() else {}

    def result(self, key: str) -> str:
        return next(s["result"] for s in self.review["stacks"] if s["key"] == key)

    def stack(self, key: str) -> dict[str, Any]:
        return next(s for s in self.review["stacks"] if s["key"] == key)


@pytest.fixture
def run(aws: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def deploy_folder(folder: Path, region: str, *args: str) -> Run:
        (folder / "review.json").unlink(missing_ok=True)
        code = deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, *args])
        return Run(code, folder, capsys.readouterr().out)

    return deploy_folder


def template(folder: Path, key: str) -> dict[str, Any]:
    return json.loads((folder / f"{key}.json").read_text())


def resources_of(folder: Path, key: str, kind: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template(folder, key)["Resources"].items() if r["Type"] == kind}


def exports(region: str) -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=region)
    return {e["Name"]: e["Value"] for page in cfn.get_paginator("list_exports").paginate() for e in page["Exports"]}


def physical_ids(region: str, stack_name: str, kind: str) -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=region)
    summaries = cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries if r["ResourceType"] == kind}


REGION = "eu-west-1"


@pytest.fixture(scope="module")
def deployed(
    shipped_outputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, endpoint: str
) -> Iterator[Path]:
    """dev deployed once into REGION, shared by the read-only assertions below."""
    folder = tmp_path_factory.mktemp("deployed") / "dev"
    shutil.copytree(shipped_outputs["dev"], folder)
    with pytest.MonkeyPatch.context() as mp:  # module scope: the per-test fixtures do not apply yet
        go_offline(mp, endpoint)
        assert deploy.main(["--env", "dev", "--dir", str(folder), "--execute", "--yes"]) == 0
        yield folder


def test_first_deploy_creates_every_stack_in_dependency_order(deployed: Path, aws: str) -> None:
    """Each stack's create started only after every stack it imports from had finished (stack events)."""
    review = json.loads((deployed / "review.json").read_text())
    manifest = json.loads((deployed / "manifest.json").read_text())
    assert review["exit_code"] == 0
    assert {s["key"]: s["result"] for s in review["stacks"]} == {key: "executed" for key in manifest["stacks"]}
    cfn = boto3.client("cloudformation", region_name=REGION)
    started, finished = {}, {}
    for key, spec in manifest["stacks"].items():
        name = spec["stack_name"]
        assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
        own = [e for e in cfn.describe_stack_events(StackName=name)["StackEvents"] if e["LogicalResourceId"] == name]
        started[key] = min(e["Timestamp"] for e in own if e["ResourceStatus"] == "CREATE_IN_PROGRESS")
        finished[key] = max(e["Timestamp"] for e in own if e["ResourceStatus"] == "CREATE_COMPLETE")
    graph = build_graph({key: template(deployed, key) for key in manifest["stacks"]})
    pairs = [(key, dep) for key, deps in graph.depends_on.items() for dep in deps]
    assert len(pairs) > len(manifest["stacks"])  # services import from several stacks: the order matters
    early = [(key, dep) for key, dep in pairs if started[key] < finished[dep]]
    assert early == [], "started before a stack it imports from had finished"


def test_vpc_and_subnets_exist_as_generated(deployed: Path, aws: str) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = exports(REGION)["shop-dev-VpcId"]
    (vpc,) = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    (generated,) = resources_of(deployed, "network", "AWS::EC2::VPC").values()
    assert vpc["CidrBlock"] == generated["Properties"]["CidrBlock"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    wanted = sorted(
        s["Properties"]["CidrBlock"] for s in resources_of(deployed, "network", "AWS::EC2::Subnet").values()
    )
    assert sorted(s["CidrBlock"] for s in subnets) == wanted


def _condition_values(condition: dict[str, Any]) -> list[str]:
    config = condition.get("HostHeaderConfig") or condition.get("PathPatternConfig") or condition
    return sorted(config.get("Values", []))


def test_listener_rules_exist_as_generated(deployed: Path, aws: str) -> None:
    """Every generated rule is on the listener its template imports: same priority, conditions, own target group."""
    elbv2 = boto3.client("elbv2", region_name=REGION)
    listener_exports = {
        rule["Properties"]["ListenerArn"]["Fn::ImportValue"]["Fn::Sub"].replace("${ExportPrefix}", "shop-dev")
        for key in json.loads((deployed / "manifest.json").read_text())["stacks"]
        for rule in resources_of(deployed, key, "AWS::ElasticLoadBalancingV2::ListenerRule").values()
    }
    assert listener_exports == {"shop-dev-HttpListenerArn"}  # dev has no certificate
    (listener_export,) = listener_exports
    rules = elbv2.describe_rules(ListenerArn=exports(REGION)[listener_export])["Rules"]
    live = {
        int(rule["Priority"]): (
            {c["Field"]: _condition_values(c) for c in rule["Conditions"]},
            rule["Actions"][0]["TargetGroupArn"],
        )
        for rule in rules
        if rule["Priority"] != "default"
    }
    manifest = json.loads((deployed / "manifest.json").read_text())
    expected = {}
    for key, spec in manifest["stacks"].items():
        generated_rules = resources_of(deployed, key, "AWS::ElasticLoadBalancingV2::ListenerRule")
        if not generated_rules:
            continue  # workers and scheduled tasks are not behind the ALB
        (target_group,) = physical_ids(REGION, spec["stack_name"], "AWS::ElasticLoadBalancingV2::TargetGroup").values()
        for rule in generated_rules.values():
            props = rule["Properties"]
            conditions = {c["Field"]: _condition_values(c) for c in props["Conditions"]}
            expected[props["Priority"]] = (conditions, target_group)
    assert live == expected
    assert expected, "dev routes nothing through the ALB: this test would prove nothing"


def test_cluster_and_services_exist_as_generated(deployed: Path, aws: str) -> None:
    ecs = boto3.client("ecs", region_name=REGION)
    cluster = exports(REGION)["shop-dev-ClusterName"]
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "ACTIVE"
    manifest = json.loads((deployed / "manifest.json").read_text())
    with_service = [k for k in manifest["stacks"] if resources_of(deployed, k, "AWS::ECS::Service")]
    assert len(with_service) >= 3
    for key in with_service:
        (arn,) = physical_ids(REGION, manifest["stacks"][key]["stack_name"], "AWS::ECS::Service").values()
        (service,) = ecs.describe_services(cluster=cluster, services=[arn])["services"]
        params = template(deployed, key)["Parameters"]
        if "DesiredCount" in params:  # services that scale have none: the scaler owns the count
            assert service["desiredCount"] == params["DesiredCount"]["Default"]
        task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        assert task["containerDefinitions"][0]["image"].endswith(":" + params["ImageTag"]["Default"])


def test_the_routing_table_and_alb_dns_name_are_printed(run: Any, dev: Path) -> None:
    result = run(dev, "us-east-2", "--execute", "--yes")
    assert result.code == 0
    dns = boto3.client("elbv2", region_name="us-east-2").describe_load_balancers()["LoadBalancers"][0]["DNSName"]
    assert f"ALB DNS name: {dns}" in result.out
    assert "api.example.com" in result.out and "/auth, /auth/*" in result.out and "svc-auth" in result.out


def test_second_deploy_reports_no_changes_and_leaves_no_change_set(run: Any, dev: Path) -> None:
    assert run(dev, "eu-central-1", "--execute", "--yes").code == 0
    again = run(dev, "eu-central-1", "--execute", "--yes")
    assert again.code == 0
    assert {s["result"] for s in again.review["stacks"]} == {"no changes"}
    assert "Nothing to execute" in again.out
    cfn = boto3.client("cloudformation", region_name="eu-central-1")
    left = [s for s in cfn.list_change_sets(StackName="shop-dev-network")["Summaries"] if s["Status"] == "FAILED"]
    assert left == []


def test_image_tag_change_is_parameter_only_and_touches_only_that_service(run: Any, dev: Path) -> None:
    """CI ships an image with --set; whatever else changed in the working copy's template stays out."""
    region = "us-west-2"
    assert run(dev, region, "--execute", "--yes").code == 0
    revisions = {
        name: physical_ids(region, name, "AWS::ECS::TaskDefinition")
        for name in ("shop-dev-svc-auth", "shop-dev-svc-users")
    }
    cfn = boto3.client("cloudformation", region_name=region)
    deployed_body = cfn.get_template(StackName="shop-dev-svc-auth", TemplateStage="Original")["TemplateBody"]
    edited = template(dev, "svc-auth")  # an unreviewed template change in the working copy
    edited["Description"] = "edited after the last deploy"
    (dev / "svc-auth.json").write_text(json.dumps(edited, indent=2))

    shipped = run(dev, region, "--set", "auth.ImageTag=1.2.3", "--execute", "--yes")

    assert shipped.code == 0
    changed = {s["key"]: s["result"] for s in shipped.review["stacks"] if s["result"] != "no changes"}
    assert changed == {"svc-auth": "executed"}
    auth = shipped.stack("svc-auth")
    assert auth["template_changed"] is False  # a parameter-only change set
    assert [(p["name"], p["deployed"], p["new"], p["source"]) for p in auth["parameters"]] == [
        ("ImageTag", "1.0.0", "1.2.3", "--set")
    ]
    assert any("template changes are NOT in this change set" in note for note in auth["notes"])
    assert cfn.get_template(StackName="shop-dev-svc-auth", TemplateStage="Original")["TemplateBody"] == deployed_body
    assert deployed_parameter(region, "shop-dev-svc-auth", "ImageTag") == "1.2.3"
    # A new task definition revision for auth only.  (moto's TaskDefinition update drops the container
    # properties, so the image itself cannot be read back; CloudFormation's parameter above is the proof.)
    assert physical_ids(region, "shop-dev-svc-auth", "AWS::ECS::TaskDefinition") != revisions["shop-dev-svc-auth"]
    assert physical_ids(region, "shop-dev-svc-users", "AWS::ECS::TaskDefinition") == revisions["shop-dev-svc-users"]

    edited["Parameters"]["LogLevel"] = {"Type": "String", "Default": "info"}  # new in the working copy only
    (dev / "svc-auth.json").write_text(json.dumps(edited, indent=2))
    refused = run(dev, region, "--stacks", "svc-auth", "--set", "auth.LogLevel=debug", "--execute", "--yes")
    assert refused.code == 1 and refused.result("svc-auth") == "blocked"
    assert "the deployed template has no parameter LogLevel" in refused.stack("svc-auth")["message"]


def test_a_routine_deploy_keeps_the_image_ci_shipped_until_the_params_default_changes(run: Any, dev: Path) -> None:
    region = "sa-east-1"
    assert run(dev, region, "--execute", "--yes").code == 0
    assert run(dev, region, "--set", "auth.ImageTag=1.2.3", "--execute", "--yes").code == 0

    routine = run(dev, region, "--execute", "--yes")

    assert routine.code == 0
    auth = routine.stack("svc-auth")
    # Real CloudFormation answers "no changes" here; moto makes an empty change set after a change-set update.
    assert (auth["parameters"], auth["resources"]) == ([], [])
    assert any("ImageTag stays at its deployed value 1.2.3" in note for note in auth["notes"])
    assert deployed_parameter(region, "shop-dev-svc-auth", "ImageTag") == "1.2.3"

    path = dev / "svc-auth.json"  # the params file's image_tag is edited and the templates regenerated
    edited = json.loads(path.read_text())
    edited["Parameters"]["ImageTag"]["Default"] = "2.0.0"
    path.write_text(json.dumps(edited, indent=2))

    bumped = run(dev, region, "--execute", "--yes")

    assert bumped.code == 0 and bumped.result("svc-auth") == "executed"
    assert [(p["name"], p["deployed"], p["new"]) for p in bumped.stack("svc-auth")["parameters"]] == [
        ("ImageTag", "1.2.3", "2.0.0")
    ]
    assert deployed_parameter(region, "shop-dev-svc-auth", "ImageTag") == "2.0.0"


def deployed_parameter(region: str, stack_name: str, name: str) -> str:
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}[name]


def test_a_new_run_keeps_an_earlier_review_and_names_someone_elses_change_set_as_a_risk(run: Any, dev: Path) -> None:
    """An earlier review may be applied (--apply-plan) by whoever approved it: a later run does not delete it.

    Executing a change set makes CloudFormation delete every other change set of the stack: the one
    made by someone else is a risk in the review, our own earlier one a note.  (Change sets of this
    tool older than a day are deleted: see test_deploy_failures, CreationTime cannot be set here.)
    """
    region = "us-west-1"
    assert run(dev, region, "--execute", "--yes").code == 0
    for key in ("network", "alb"):  # a change each, so a review leaves a change set on each
        edited = template(dev, key)
        edited["Description"] = "edited"
        (dev / f"{key}.json").write_text(json.dumps(edited, indent=2))
    cfn = boto3.client("cloudformation", region_name=region)
    cfn.create_change_set(
        StackName="shop-dev-network",
        ChangeSetName="someone-elses",
        ChangeSetType="UPDATE",
        TemplateBody=(dev / "network.json").read_text(),
        Parameters=[{"ParameterKey": "ExportPrefix", "ParameterValue": "shop-dev"}],
    )

    def change_sets(stack_name: str) -> set[str]:
        """Not executed ones (moto keeps executed change sets listed; CloudFormation deletes them all)."""
        summaries = cfn.list_change_sets(StackName=stack_name)["Summaries"]
        return {s["ChangeSetName"] for s in summaries if s["ExecutionStatus"] != "EXECUTE_COMPLETE"}

    first = run(dev, region)  # review only: its change sets stay, AVAILABLE
    ours = {key: first.stack(key)["change_set_name"] for key in ("network", "alb")}
    assert change_sets("shop-dev-network") == {"someone-elses", ours["network"]}

    second = run(dev, region, "--stacks", "network")

    network = second.stack("network")
    assert change_sets("shop-dev-network") == {"someone-elses", ours["network"], network["change_set_name"]}
    assert change_sets("shop-dev-alb") == {ours["alb"]}
    assert second.code == 3  # risky: someone's pending change set would be discarded
    [risk] = network["risks"]
    assert risk.startswith("pending change set someone-elses") and "made by someone else" in risk
    assert any(note.startswith(f"supersedes change set {ours['network']}") for note in network["notes"])


def test_review_without_execute_changes_nothing(run: Any, dev: Path) -> None:
    result = run(dev, "ap-southeast-2")
    assert result.code == 0
    assert result.result("network") == "changes"
    assert {result.result(k) for k in ("alb", "cluster", "svc-auth", "svc-users", "svc-web")} == {"preview"}
    assert "Re-run with --execute" in result.out
    (generated,) = resources_of(dev, "network", "AWS::EC2::VPC").values()
    vpcs = boto3.client("ec2", region_name="ap-southeast-2").describe_vpcs()["Vpcs"]
    assert generated["Properties"]["CidrBlock"] not in {v["CidrBlock"] for v in vpcs}
    review_md = (dev / "review.md").read_text()
    assert "| Add | Vpc | AWS::EC2::VPC |" in review_md


def test_removing_a_service_is_risky_and_needs_allow_replacement(run: Any, dev: Path) -> None:
    region = "ca-central-1"
    assert run(dev, region, "--execute", "--yes").code == 0
    web = template(dev, "svc-web")
    del web["Resources"]["Service"], web["Outputs"]["ServiceName"]
    (dev / "svc-web.json").write_text(json.dumps(web, indent=2))

    gated = run(dev, region, "--execute", "--yes")
    assert gated.code == 3
    assert gated.review["risky"] == ["shop-dev-svc-web: Service: removes the ECS service"]
    assert gated.stack("svc-web")["result"] == "changes"  # reviewed, not executed
    assert physical_ids(region, "shop-dev-svc-web", "AWS::ECS::Service")

    allowed = run(dev, region, "--execute", "--yes", "--allow-replacement")
    assert allowed.code == 0
    assert allowed.result("svc-web") == "executed"
    assert not physical_ids(region, "shop-dev-svc-web", "AWS::ECS::Service")


def test_a_deferred_stacks_predicted_risk_stops_the_run_before_anything_runs(run: Any, dev: Path) -> None:
    """svc-web imports an export network adds in this run, and removes its service: its change set can only be
    made once network ran, but the templates already say it removes the service, so nothing runs at all."""
    region = "us-east-1"
    assert run(dev, region, "--execute", "--yes").code == 0
    _add_extra_export(dev)
    web = _importing_extra(dev)
    del web["Resources"]["Service"], web["Outputs"]["ServiceName"]
    (dev / "svc-web.json").write_text(json.dumps(web, indent=2))

    result = run(dev, region, "--execute", "--yes")

    assert result.code == 3
    assert result.result("network") == "changes" and result.result("svc-web") == "deferred"  # nothing executed
    assert result.review["risky"] == ["shop-dev-svc-web: Service: removes the ECS service"]
    assert "shop-dev-Extra" not in exports(region)
    assert physical_ids(region, "shop-dev-svc-web", "AWS::ECS::Service")


def test_a_deferred_stack_with_risky_changes_is_gated_mid_run(run: Any, dev: Path) -> None:
    """A risk only its change set shows: svc-web's deployed template is YAML (another tool's deploy), so
    nothing is predicted offline; its change set, made after network ran, removes the service: gated."""
    region = "us-west-2"
    assert run(dev, region, "--execute", "--yes").code == 0
    cfn = boto3.client("cloudformation", region_name=region)
    live = cfn.describe_stacks(StackName="shop-dev-svc-web")["Stacks"][0]["Parameters"]
    cfn.update_stack(
        StackName="shop-dev-svc-web",
        TemplateBody=yaml.safe_dump(template(dev, "svc-web") | {"Description": "deployed as YAML"}),
        Parameters=[{"ParameterKey": p["ParameterKey"], "ParameterValue": p["ParameterValue"]} for p in live],
        Capabilities=["CAPABILITY_IAM"],
    )
    _add_extra_export(dev)
    web = _importing_extra(dev)
    del web["Resources"]["Service"], web["Outputs"]["ServiceName"]
    (dev / "svc-web.json").write_text(json.dumps(web, indent=2))

    result = run(dev, region, "--execute", "--yes")

    assert result.code == 3, result.out
    assert result.result("network") == "executed" and result.result("svc-web") == "gated"
    assert result.review["risky"] == ["shop-dev-svc-web: Service: removes the ECS service"]
    assert exports(region)["shop-dev-Extra"] == "extra"
    assert physical_ids(region, "shop-dev-svc-web", "AWS::ECS::Service")  # not executed


def _add_extra_export(dev: Path) -> None:
    network = template(dev, "network")
    network["Outputs"]["Extra"] = {"Value": "extra", "Export": {"Name": "shop-dev-Extra"}}
    (dev / "network.json").write_text(json.dumps(network, indent=2))


def _importing_extra(dev: Path) -> dict[str, Any]:
    web = template(dev, "svc-web")
    web["Resources"]["Marker"] = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Type": "String", "Value": {"Fn::ImportValue": "shop-dev-Extra"}},
    }
    return web


def _pad(folder: Path, key: str, size: int) -> int:
    data = template(folder, key)
    data.setdefault("Metadata", {})["Padding"] = "x" * size
    body = json.dumps(data, indent=2)
    (folder / f"{key}.json").write_text(body)
    return len(body.encode())


def test_big_template_goes_through_s3_under_a_content_hash_key(run: Any, dev: Path) -> None:
    region = "eu-west-2"
    assert _pad(dev, "network", 60_000) > 51_200
    boto3.client("s3", region_name=region).create_bucket(
        Bucket="fs-templates", CreateBucketConfiguration={"LocationConstraint": region}
    )
    result = run(dev, region, "--bucket", "fs-templates", "--execute", "--yes")
    assert result.code == 0
    keys = [o["Key"] for o in boto3.client("s3", region_name=region).list_objects_v2(Bucket="fs-templates")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("fargate-stacks/templates/") and len(keys[0].split("/")[-1]) == 69
    assert exports(region)["shop-dev-VpcId"].startswith("vpc-")


def test_big_template_without_bucket_is_refused_before_any_call(run: Any, dev: Path) -> None:
    region = "eu-north-1"
    _pad(dev, "svc-web", 60_000)
    result = run(dev, region, "--execute", "--yes")
    assert result.code == 2
    cfn = boto3.client("cloudformation", region_name=region)
    assert cfn.list_stacks()["StackSummaries"] == []
