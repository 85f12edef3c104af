"""The local endpoint behaves like AWS where deploy.py's flows reach it (tests/moto_patches.py, gaps 12-15).

Each test runs a real flow (review, --apply-plan, --execute, --teardown)
against the patched endpoint and reads the outcome back with boto3; the
canaries in tests/test_deploy_endpoint.py show each gap is still moto's.
Each test works in a region of its own.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest

import deploy
from tests.brownfield_world import add_foreign_rule, make_alb, make_vpc
from tests.moto_endpoint import go_offline
from tests.test_brownfield_deploy import deploy_staging, staging_over

pytestmark = pytest.mark.e2e


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


def run(folder: Path, region: str, *args: str) -> int:
    return deploy.main(["--env", "dev", "--dir", str(folder), "--region", region, *args])


def status(region: str, stack_name: str) -> str:
    cfn = boto3.client("cloudformation", region_name=region)
    return cfn.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]


def reviewed(folder: Path) -> dict[str, dict[str, object]]:
    return {s["key"]: s for s in json.loads((folder / "review.json").read_text())["stacks"]}


def test_a_plan_overtaken_by_an_update_stack_is_refused_as_obsolete(
    aws: str, dev: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone updates the stack outside deploy.py after the review: CloudFormation makes the change set OBSOLETE."""
    region = "eu-south-1"
    assert run(dev, region, "--execute", "--yes") == 0
    assert run(dev, region, "--stacks", "svc-auth", "--set", "auth.ImageTag=2.0.0") == 0
    plan = tmp_path / "plan.json"
    shutil.copy(dev / "review.json", plan)
    cfn = boto3.client("cloudformation", region_name=region)
    (stack,) = cfn.describe_stacks(StackName="shop-dev-svc-auth")["Stacks"]
    parameters = [
        {"ParameterKey": p["ParameterKey"], "ParameterValue": "9.9.9"}
        if p["ParameterKey"] == "ImageTag"
        else {"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
        for p in stack["Parameters"]
    ]
    cfn.update_stack(StackName="shop-dev-svc-auth", UsePreviousTemplate=True, Parameters=parameters)
    capsys.readouterr()

    code = run(dev, region, "--apply-plan", str(plan), "--yes")

    out = " ".join(capsys.readouterr().out.split())
    assert code == 1, out
    assert "shop-dev-svc-auth: plan refused: its change set" in out
    assert "is CREATE_COMPLETE/OBSOLETE, not AVAILABLE" in out
    (stack,) = cfn.describe_stacks(StackName="shop-dev-svc-auth")["Stacks"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}["ImageTag"] == "9.9.9"


def test_a_resource_failing_mid_deploy_rolls_its_new_stack_back_and_recreate_failed_recovers(
    aws: str, dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SSM parameter of that name already exists: CloudFormation rolls the new stack back (ROLLBACK_COMPLETE).

    (A log group of a taken name would not do: the run imports a retained log group instead, docs/adopting.md.)
    """
    region = "il-central-1"
    ssm = boto3.client("ssm", region_name=region)
    ssm.put_parameter(Name="/taken", Value="someone else's", Type="String")
    template = json.loads((dev / "svc-auth.json").read_text())
    template["Resources"]["TakenParameter"] = {
        "Type": "AWS::SSM::Parameter",
        "Properties": {"Name": "/taken", "Type": "String", "Value": "ours"},
    }
    (dev / "svc-auth.json").write_text(json.dumps(template))

    code = run(dev, region, "--execute", "--yes")

    out = " ".join(capsys.readouterr().out.split())
    assert code == 1, out
    assert status(region, "shop-dev-svc-auth") == "ROLLBACK_COMPLETE"
    auth = reviewed(dev)["svc-auth"]
    assert auth["result"] == "failed", auth
    assert "TakenParameter" in str(auth["message"]) and "already exists" in str(auth["message"]), auth
    assert status(region, "shop-dev-svc-users") == "CREATE_COMPLETE"  # the others went on

    ssm.delete_parameter(Name="/taken")
    # The rollback retained the stack's log group: DeletionPolicy Retain holds on rollback too, which is why AWS
    # added RetainExceptOnCreate (https://aws.amazon.com/about-aws/whats-new/2023/07/aws-cloudformation-deletion-
    # policies-dev-test-cycle/). A recreated stack does not import it yet (docs/adopting.md), so it goes first.
    boto3.client("logs", region_name=region).delete_log_group(logGroupName="/ecs/shop-dev-auth")
    assert run(dev, region, "--execute", "--yes", "--recreate-failed") == 0, capsys.readouterr().out
    assert status(region, "shop-dev-svc-auth") == "CREATE_COMPLETE"


def test_a_resource_failing_in_an_update_rolls_the_stack_back_to_its_template(
    aws: str, dev: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "ap-south-2"
    assert run(dev, region, "--execute", "--yes") == 0
    deployed = json.loads((dev / "svc-auth.json").read_text())
    edited = json.loads(json.dumps(deployed))
    edited["Resources"]["AuditLogGroup"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/taken"}}
    (dev / "svc-auth.json").write_text(json.dumps(edited))
    boto3.client("logs", region_name=region).create_log_group(logGroupName="/taken")
    capsys.readouterr()

    code = run(dev, region, "--stacks", "svc-auth", "--execute", "--yes")

    out = " ".join(capsys.readouterr().out.split())
    assert code == 1, out
    assert status(region, "shop-dev-svc-auth") == "UPDATE_ROLLBACK_COMPLETE"
    assert "AuditLogGroup" in str(reviewed(dev)["svc-auth"]["message"])
    cfn = boto3.client("cloudformation", region_name=region)
    assert "AuditLogGroup" not in cfn.get_template(StackName="shop-dev-svc-auth")["TemplateBody"]["Resources"]

    (dev / "svc-auth.json").write_text(json.dumps(deployed))
    assert run(dev, region, "--stacks", "svc-auth") == 0
    assert reviewed(dev)["svc-auth"]["result"] == "no changes"


def test_a_teardown_takes_our_rules_and_target_groups_off_the_shared_listener(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Their listener keeps only their rule; a later deploy does not meet our old rules as someone else's."""
    world = make_vpc("eu-west-1")
    make_alb(world)
    theirs = add_foreign_rule(world, 10, "legacy.example.com", ["/old/*"])
    folder = staging_over(world, tmp_path)
    assert deploy_staging(folder, world.region, capsys)[0] == 0

    code = deploy.main(["--env", "staging", "--dir", str(folder), "--region", world.region, "--teardown",
                        "--execute", "--yes"])  # fmt: skip

    assert code == 0, capsys.readouterr().out
    elbv2 = boto3.client("elbv2", region_name=world.region)
    rules = elbv2.describe_rules(ListenerArn=world.alb["https_listener_arn"])["Rules"]
    assert [r["RuleArn"] for r in rules if not r["IsDefault"]] == [theirs]
    assert [g["TargetGroupName"] for g in elbv2.describe_target_groups()["TargetGroups"]] == ["theirs-10"]
    logs = boto3.client("logs", region_name=world.region)
    for group in logs.describe_log_groups()["logGroups"]:  # retained (DeletionPolicy), as the teardown said
        logs.delete_log_group(logGroupName=group["logGroupName"])
    code, out = deploy_staging(folder, world.region, capsys)
    assert code == 0, out


def test_an_action_the_service_does_not_know_answers_400_invalid_action(aws: str) -> None:
    """Not retried as a server error: AWS's answer to an unknown action is a client error."""
    signed = "AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/cloudformation/aws4_request, Signature=x"
    request = urllib.request.Request(  # noqa: S310 - the local endpoint on loopback
        aws + "/",
        data=b"Action=NoSuchAction&Version=2010-05-15",
        headers={"Authorization": signed, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the local endpoint on loopback
    assert answered.value.code == 400
    assert b"<Code>InvalidAction</Code>" in answered.value.read()
