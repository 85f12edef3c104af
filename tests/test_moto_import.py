"""``tests/moto_import.py``: each gap is still moto's (canaries, unpatched moto in this process), and the
patched endpoint answers IMPORT change sets the way CloudFormation documents them.

When a canary fails after a moto upgrade, drop that patch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.moto_endpoint import go_offline

moto = pytest.importorskip("moto")
LOG_GROUP = "/ecs/console-app"


@pytest.fixture
def unpatched() -> Iterator[str]:
    """moto in this process, where tests/moto_import.py is never applied."""
    with moto.mock_aws():
        yield "eu-west-1"


def _log_group_template(policy: bool = True, outputs: bool = False, extra: bool = False) -> str:
    group: dict[str, Any] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": LOG_GROUP}}
    if policy:
        group["DeletionPolicy"] = "Retain"
    template: dict[str, Any] = {"Resources": {"LogGroup": group}}
    if extra:
        template["Resources"]["Other"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/new"}}
    if outputs:
        template["Outputs"] = {"Name": {"Value": {"Ref": "LogGroup"}}}
    return json.dumps(template)


def _import(cfn: Any, stack: str, body: str, name: str = LOG_GROUP) -> dict[str, str]:
    return cfn.create_change_set(
        StackName=stack,
        ChangeSetName="import",
        ChangeSetType="IMPORT",
        TemplateBody=body,
        ResourcesToImport=[
            {"ResourceType": "AWS::Logs::LogGroup", "LogicalResourceId": "LogGroup",
             "ResourceIdentifier": {"LogGroupName": name}}
        ],
    )  # fmt: skip


def test_gap_i1_moto_executes_an_import_by_creating(unpatched: str) -> None:
    """Unpatched, an IMPORT change set of a group that does not exist creates one: CloudFormation would refuse."""
    cfn = boto3.client("cloudformation", region_name=unpatched)
    made = _import(cfn, "canary", _log_group_template())
    cfn.execute_change_set(ChangeSetName=made["Id"])
    groups = boto3.client("logs", region_name=unpatched).describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == [LOG_GROUP], "moto imports now: drop patch_import_change_sets"


def test_gap_i2_moto_needs_a_stack_name(unpatched: str) -> None:
    cfn = boto3.client("cloudformation", region_name=unpatched)
    with pytest.raises(ClientError):  # If this stops raising: drop patch_describe_stack_resources_by_physical_id.
        cfn.describe_stack_resources(PhysicalResourceId=LOG_GROUP)


def test_gap_i3_moto_drops_an_updated_log_group_from_its_stack(unpatched: str) -> None:
    cfn = boto3.client("cloudformation", region_name=unpatched)
    body = {"Resources": {"LogGroup": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/g"}}}}
    cfn.create_stack(StackName="canary", TemplateBody=json.dumps(body))
    body["Resources"]["LogGroup"]["Properties"]["RetentionInDays"] = 7
    cfn.update_stack(StackName="canary", TemplateBody=json.dumps(body))
    groups = boto3.client("logs", region_name=unpatched).describe_log_groups()["logGroups"]
    assert "retentionInDays" not in groups[0], "moto updates log groups in place now: drop patch_in_place_updates"


def test_gap_i3_moto_has_no_model_for_scalable_targets(unpatched: str) -> None:
    """An imported scalable target would drop out of its stack on the first update (no model to update it)."""
    cfn = boto3.client("cloudformation", region_name=unpatched)
    target = {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
        "ServiceNamespace": "ecs", "ScalableDimension": "ecs:service:DesiredCount", "ResourceId": "service/c/s",
        "MinCapacity": 1, "MaxCapacity": 2}}  # fmt: skip
    with pytest.warns(UserWarning, match="not supported by moto's CloudFormation"):  # moto says so itself
        cfn.create_stack(StackName="canary", TemplateBody=json.dumps({"Resources": {"Target": target}}))
        listed = cfn.list_stack_resources(StackName="canary")["StackResourceSummaries"]
    assert not [r for r in listed if r["LogicalResourceId"]], "moto models scalable targets: check gap I3's keeper"


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


@pytest.mark.e2e
def test_the_endpoint_imports_a_live_log_group_untouched(aws: str) -> None:
    region = "eu-north-1"
    logs = boto3.client("logs", region_name=region)
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=14)
    cfn = boto3.client("cloudformation", region_name=region)
    made = _import(cfn, "imported", _log_group_template())
    cfn.get_waiter("change_set_create_complete").wait(ChangeSetName=made["Id"])
    changes = cfn.describe_change_set(ChangeSetName=made["Id"])["Changes"]
    assert [(c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"]) for c in changes] == [
        ("Import", "LogGroup")
    ]
    cfn.execute_change_set(ChangeSetName=made["Id"])
    assert cfn.describe_stacks(StackName="imported")["Stacks"][0]["StackStatus"] == "IMPORT_COMPLETE"
    (resource,) = cfn.list_stack_resources(StackName="imported")["StackResourceSummaries"]
    assert (resource["LogicalResourceId"], resource["PhysicalResourceId"]) == ("LogGroup", LOG_GROUP)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 14  # untouched by the import
    (owner,) = cfn.describe_stack_resources(PhysicalResourceId=LOG_GROUP)["StackResources"]
    assert owner["StackName"] == "imported"


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("template", "words"),
    [
        (_log_group_template(policy=False), "must have DeletionPolicy"),
        (_log_group_template(extra=True), "not being imported"),
        (_log_group_template(outputs=True), "cannot modify or add [Outputs]"),
    ],
    ids=["no DeletionPolicy", "a resource created beside", "outputs added"],
)
def test_the_endpoint_refuses_an_import_that_does_more(aws: str, template: str, words: str) -> None:
    region = "eu-south-1"
    boto3.client("logs", region_name=region).create_log_group(logGroupName=LOG_GROUP)
    cfn = boto3.client("cloudformation", region_name=region)
    with pytest.raises(ClientError) as refused:
        _import(cfn, f"refused-{abs(hash(words))}", template)
    assert words in str(refused.value)
    boto3.client("logs", region_name=region).delete_log_group(logGroupName=LOG_GROUP)


@pytest.mark.e2e
def test_the_endpoint_fails_an_import_of_a_missing_or_taken_resource(aws: str) -> None:
    region = "eu-central-2"
    cfn = boto3.client("cloudformation", region_name=region)
    missing = _import(cfn, "missing", _log_group_template())
    answer = cfn.describe_change_set(ChangeSetName=missing["Id"])
    assert answer["Status"] == "FAILED" and "was not found" in answer["StatusReason"]
    boto3.client("logs", region_name=region).create_log_group(logGroupName=LOG_GROUP)
    first = _import(cfn, "first", _log_group_template())
    cfn.execute_change_set(ChangeSetName=first["Id"])
    second = _import(cfn, "second", _log_group_template())
    answer = cfn.describe_change_set(ChangeSetName=second["Id"])
    assert answer["Status"] == "FAILED" and "already exists in stack" in answer["StatusReason"]
    with pytest.raises(ClientError, match="cannot be executed"):
        cfn.execute_change_set(ChangeSetName=second["Id"])
