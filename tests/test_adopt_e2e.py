"""Adopting a console-built cluster on the local endpoint: discover, import, converge, ship; nothing interrupted.

Each test builds the tutorial's world (``tests/console_world.py``: a cluster,
two services behind one ALB with host + path rules on a shared HTTPS
listener, logs in ``/ecs/<family>``) in a region of its own, runs adopt.py
against it, generates the stacks and deploys them with ``--adopt``.  The
services' ARNs and task counts and the rules' ARNs and priorities are read
before and after every step.  The bad cases stop before anything executes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import adopt
import deploy
from templates.pipeline import build_all, load
from templates.writer import write_folder
from tests import console_world
from tests.moto_endpoint import endpoint_process, go_offline

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """This module's endpoint: moto's ECS runs the tasks a service asks for (MOTO_ECS_SERVICE_RUNNING)."""
    previous = os.environ.get("MOTO_ECS_SERVICE_RUNNING")
    os.environ["MOTO_ECS_SERVICE_RUNNING"] = str(console_world.TASKS)
    try:
        with endpoint_process() as url:
            yield url
    finally:
        if previous is None:
            del os.environ["MOTO_ECS_SERVICE_RUNNING"]
        else:
            os.environ["MOTO_ECS_SERVICE_RUNNING"] = previous


@dataclass
class Adopted:
    region: str
    console: console_world.Console
    params: Path
    record: Path
    folder: Path


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


def adopt_world(tmp_path: Path, region: str, capsys: pytest.CaptureFixture[str], role: str | None = None) -> Adopted:
    """Build the console world, run adopt.py on it, generate the stacks: what an operator does first."""
    console = console_world.build(region, role)
    params = tmp_path / "params" / "prod.yaml"
    code = adopt.main(["--cluster", console_world.CLUSTER, "--project", "shop", "--environment", "prod",
                       "--out", str(params), "--region", region])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    folder = tmp_path / "output" / "prod"
    generate(params, folder)
    return Adopted(region, console, params, params.with_name("prod.adopt.yaml"), folder)


def generate(params: Path, folder: Path) -> None:
    loaded = load(params)
    write_folder(folder, loaded.env, build_all(loaded.env, loaded.plan))


def run(adopted: Adopted, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    (adopted.folder / "review.json").unlink(missing_ok=True)
    base = ["--env", "prod", "--dir", str(adopted.folder), "--region", adopted.region, "--no-drift"]
    code = deploy.main([*base, *args])
    out = capsys.readouterr().out
    review = adopted.folder / "review.json"
    return code, json.loads(review.read_text()) if review.exists() else {}, out


def stack(review: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in review["stacks"] if s["key"] == key)


def task_definition(cfn: Any) -> str:
    resources = cfn.list_stack_resources(StackName="shop-prod-svc-auth")["StackResourceSummaries"]
    return next(r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::ECS::TaskDefinition")


def deployed_stacks(region: str) -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=region)
    return {s["StackName"]: s["StackStatus"] for page in cfn.get_paginator("describe_stacks").paginate()
            for s in page["Stacks"] if s["StackStatus"] != "REVIEW_IN_PROGRESS"}  # fmt: skip


def test_a_console_cluster_is_adopted_converged_and_ships_an_image_without_interruption(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "ap-northeast-3"
    adopted = adopt_world(tmp_path, region, capsys)
    before = console_world.live(region)
    entry = yaml.safe_load(adopted.params.read_text())["services"]["auth"]
    assert entry["names"] == {
        "task_family": "auth",
        "service": "auth",
        "log_group": "/ecs/auth",
        "target_group": "auth-tg",
    }
    assert entry["routes"] == [{"host": console_world.HOST, "path": "/auth*", "priority": 10}]
    users = yaml.safe_load(adopted.params.read_text())["services"]["users"]
    assert users["scaling"] == {"min_count": 2, "max_count": 4, "target_tracking": {"cpu": 60.0}}

    code, review, out = run(adopted, capsys, "--adopt", str(adopted.record))

    assert code == 0, out
    actions = {s["key"]: s["action"] for s in review["stacks"]}
    assert actions == {"network": "CREATE", "alb": "CREATE", "cluster": "IMPORT", "svc-auth": "IMPORT",
                       "svc-users": "IMPORT"}  # fmt: skip
    auth = stack(review, "svc-auth")
    imported = {i["resource_type"].rsplit("::", 1)[-1] for i in auth["imports"]["imported"]}
    assert imported == {"Service", "TargetGroup", "ListenerRule", "LogGroup"}
    service_row = next(r for r in auth["resources"] if r["action"] == "Modify" and r["logical_id"] == "Service")
    values = {v["path"]: (v["before"], v["after"]) for v in service_row["values"]}
    assert values["LaunchType"] == ("FARGATE", "(not set)")
    assert values["TaskDefinition"][0].endswith(":task-definition/auth:1")
    assert values["TaskDefinition"][1] == "(new TaskDefinition)"
    assert service_row["replacement"] == "False"
    assert "Imported as they are" in out and "left as it is: security group" in out
    assert deployed_stacks(region) == {} and console_world.live(region) == before  # a review changes nothing

    code, review, out = run(adopted, capsys, "--adopt", str(adopted.record), "--execute", "--yes")

    assert code == 0, out
    assert console_world.live(region) == before
    cfn = boto3.client("cloudformation", region_name=region)
    for name, arn in adopted.console.services.items():
        (held,) = cfn.describe_stack_resources(PhysicalResourceId=arn)["StackResources"]
        assert (held["StackName"], held["LogicalResourceId"]) == (f"shop-prod-svc-{name}", "Service")
    (held,) = cfn.describe_stack_resources(PhysicalResourceId=adopted.console.rules["auth"])["StackResources"]
    assert held["StackName"] == "shop-prod-svc-auth"
    scalable = "service/demo/users|ecs:service:DesiredCount|ecs"  # its physical id: what Ref answers
    (held,) = cfn.describe_stack_resources(PhysicalResourceId=scalable)["StackResources"]
    assert (held["StackName"], held["LogicalResourceId"]) == ("shop-prod-svc-users", "ScalableTarget")
    ecs = boto3.client("ecs", region_name=region)
    (service,) = ecs.describe_services(cluster=console_world.CLUSTER, services=["auth"])["services"]
    assert service["taskDefinition"].endswith(":task-definition/auth:2")  # the stack's revision of the family

    revision = task_definition(cfn)
    code, review, out = run(
        adopted, capsys, "--stacks", "svc-auth", "--set", "auth.ImageTag=1.5.0", "--execute", "--yes"
    )

    assert code == 0, out
    assert stack(review, "svc-auth")["template_changed"] is False  # a parameter-only change set
    assert console_world.live(region) == before
    parameters = cfn.describe_stacks(StackName="shop-prod-svc-auth")["Stacks"][0]["Parameters"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in parameters}["ImageTag"] == "1.5.0"
    # A new revision of the family.  (moto's TaskDefinition update drops the container properties, so the image
    # itself cannot be read back, as in test_deploy_e2e; CloudFormation's parameter above is the proof.)
    assert task_definition(cfn) != revision

    code, review, out = run(adopted, capsys, "--adopt", str(adopted.record))
    assert code == 0, out  # adopted already: the stacks hold what the file lists
    assert {s["result"] for s in review["stacks"]} == {"no changes"}


def test_a_service_that_would_be_replaced_stops_before_anything_runs(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "ap-southeast-3"
    role = f"arn:aws:iam::{console_world.ACCOUNT}:role/ecsServiceRole"
    adopted = adopt_world(tmp_path, region, capsys, role=role)
    before = console_world.live(region)

    code, review, out = run(adopted, capsys, "--adopt", str(adopted.record), "--execute", "--yes")

    assert code == 1
    auth = stack(review, "svc-auth")
    assert auth["result"] == "blocked"
    assert (
        f"Service (AWS::ECS::Service): Role is {role} on the live resource and (not set) in the template"
        in (auth["message"])
    )
    assert "cannot change without CloudFormation replacing the resource" in auth["message"]
    assert "nothing was executed" in out
    assert deployed_stacks(region) == {} and console_world.live(region) == before


def test_a_resource_already_in_another_stack_stops_before_anything_runs(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "me-central-1"
    adopted = adopt_world(tmp_path, region, capsys)
    cfn = boto3.client("cloudformation", region_name=region)
    group = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "Properties": {"LogGroupName": "/ecs/auth"}}
    made = cfn.create_change_set(
        StackName="team-logs", ChangeSetName="take", ChangeSetType="IMPORT",
        TemplateBody=json.dumps({"Resources": {"Logs": group}}),
        ResourcesToImport=[{"ResourceType": "AWS::Logs::LogGroup", "LogicalResourceId": "Logs",
                            "ResourceIdentifier": {"LogGroupName": "/ecs/auth"}}],
    )  # fmt: skip
    cfn.execute_change_set(ChangeSetName=made["Id"])
    before = console_world.live(region)

    code, review, _out = run(adopted, capsys, "--adopt", str(adopted.record), "--execute", "--yes")

    assert code == 1
    message = stack(review, "svc-auth")["message"]
    assert "LogGroup: /ecs/auth already belongs to stack team-logs (as Logs)" in message
    assert "CloudFormation imports a resource into one stack only" in message
    assert deployed_stacks(region) == {"team-logs": "IMPORT_COMPLETE"} and console_world.live(region) == before


def test_a_rule_deleted_since_discovery_stops_before_anything_runs(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "il-central-1"
    adopted = adopt_world(tmp_path, region, capsys)
    boto3.client("elbv2", region_name=region).delete_rule(RuleArn=adopted.console.rules["auth"])
    before = console_world.live(region)

    code, review, _out = run(adopted, capsys, "--adopt", str(adopted.record), "--execute", "--yes")

    assert code == 1
    message = stack(review, "svc-auth")["message"]
    assert (
        f"adopt.py found AWS::ElasticLoadBalancingV2::ListenerRule rule at priority 10 "
        f"(RuleArn={adopted.console.rules['auth']}), but it is no longer live" in message
    )
    assert stack(review, "svc-users")["result"] == "changes"  # reviewed, and held back with the rest
    assert deployed_stacks(region) == {} and console_world.live(region) == before
