"""The shipped EC2 example (params/hybrid.yaml) deploys on the local endpoint, and again with no changes.

The example names a real ACM certificate; the endpoint issues one and the
test puts its ARN into a copy of the params (the only change).  Assertions
read the deployed cluster back with boto3 and compare it with the generated
templates: the capacity providers associated beside FARGATE and FARGATE_SPOT,
the Auto Scaling groups as generated, the services' strategies and the daemon.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import deploy
import generate
from tests.conftest import PARAMS_DIR
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e
REGION = "eu-west-1"


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


def example_with_local_certificate(tmp_path: Path) -> Path:
    """params/hybrid.yaml (and its route lock), with a certificate the local endpoint issued."""
    params = yaml.safe_load((PARAMS_DIR / "hybrid.yaml").read_text())
    certificate = boto3.client("acm", region_name=REGION).request_certificate(DomainName="vision.example.com")
    params["alb"]["certificate_arn"] = certificate["CertificateArn"]
    path = tmp_path / "hybrid.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    (tmp_path / "hybrid.lock.yaml").write_text((PARAMS_DIR / "hybrid.lock.yaml").read_text())
    return path


def deploy_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    (folder / "review.json").unlink(missing_ok=True)
    code = deploy.main(["--env", "hybrid", "--dir", str(folder), "--region", REGION, "--execute", "--yes"])
    return code, json.loads((folder / "review.json").read_text()), capsys.readouterr().out


def template(folder: Path, key: str) -> dict[str, Any]:
    return json.loads((folder / f"{key}.json").read_text())


def physical_ids(stack: str, kind: str) -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=REGION)
    summaries = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries if r["ResourceType"] == kind}


def test_the_example_deploys_with_ec2_capacity_and_redeploys_with_no_changes(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    params = example_with_local_certificate(tmp_path)
    assert generate.main(["--params", str(params), "--out", str(folder)]) == 0  # cfn-lint clean, imports resolved

    code, review, out = deploy_folder(folder, capsys)
    assert code == 0, out
    assert {s["result"] for s in review["stacks"]} == {"executed"}

    cluster_template = template(folder, "cluster")
    providers = physical_ids("vision-hybrid-cluster", "AWS::ECS::CapacityProvider")
    assert set(providers) == {
        k for k, r in cluster_template["Resources"].items() if r["Type"] == "AWS::ECS::CapacityProvider"
    }
    ecs = boto3.client("ecs", region_name=REGION)
    cluster_name = physical_ids("vision-hybrid-cluster", "AWS::ECS::Cluster")["Cluster"]
    (cluster,) = ecs.describe_clusters(clusters=[cluster_name])["clusters"]
    assert cluster["capacityProviders"][:2] == ["FARGATE", "FARGATE_SPOT"]
    assert set(cluster["capacityProviders"][2:]) == set(providers.values())
    described = ecs.describe_capacity_providers(capacityProviders=list(providers.values()))["capacityProviders"]
    asgs = physical_ids("vision-hybrid-cluster", "AWS::AutoScaling::AutoScalingGroup")
    assert {p["autoScalingGroupProvider"]["autoScalingGroupArn"] for p in described} == set(asgs.values())
    assert {p["autoScalingGroupProvider"]["managedTerminationProtection"] for p in described} == {"ENABLED"}

    autoscaling = boto3.client("autoscaling", region_name=REGION)
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=list(asgs.values()))["AutoScalingGroups"]
    for group in groups:
        logical = next(k for k, v in asgs.items() if v == group["AutoScalingGroupName"])
        props = cluster_template["Resources"][logical]["Properties"]
        assert (group["MinSize"], group["MaxSize"]) == (int(props["MinSize"]), int(props["MaxSize"]))
        assert group["NewInstancesProtectedFromScaleIn"] is True

    exports = {
        e["Name"]: e["Value"] for e in boto3.client("cloudformation", region_name=REGION).list_exports()["Exports"]
    }
    inference = template(folder, "svc-inference")["Resources"]
    (item,) = inference["Service"]["Properties"]["CapacityProviderStrategy"]
    imported = item["CapacityProvider"]["Fn::ImportValue"]["Fn::Sub"].replace("${ExportPrefix}", "vision-hybrid")
    assert exports[imported] == providers["GpuCapacityProvider"]
    daemon = template(folder, "svc-log-agent")["Resources"]["Service"]["Properties"]
    assert (daemon["SchedulingStrategy"], daemon["LaunchType"]) == ("DAEMON", "EC2")

    again, review, out = deploy_folder(folder, capsys)
    assert again == 0, out
    assert {s["result"] for s in review["stacks"]} == {"no changes"}, out
