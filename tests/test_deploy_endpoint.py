"""Each patch of the local endpoint is still needed: the pinned moto, unpatched, still has the gap.

These run moto in this process (``mock_aws``), where ``tests/moto_patches.py``
is never applied.  When one fails after a moto upgrade, delete that patch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

moto = pytest.importorskip("moto")


@pytest.fixture
def cfn(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with moto.mock_aws():
        yield boto3.client("cloudformation", region_name="eu-west-1")


VPC = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}


def test_gap_1_executing_a_change_set_registers_no_exports(cfn: Any) -> None:
    template = {
        "Resources": {"Vpc": VPC},
        "Outputs": {"Id": {"Value": {"Ref": "Vpc"}, "Export": {"Name": "gap-VpcId"}}},
    }
    made = cfn.create_change_set(
        StackName="gap", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(template)
    )
    cfn.execute_change_set(ChangeSetName=made["Id"])
    assert cfn.list_exports()["Exports"] == [], "moto registers exports now: drop patch_change_set_exports"


def test_gap_2_get_azs_does_not_resolve_a_ref(cfn: Any) -> None:
    az = {"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}
    properties = {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24", "AvailabilityZone": az}
    subnet = {"Type": "AWS::EC2::Subnet", "Properties": properties}
    template = {"Resources": {"Vpc": VPC, "Subnet": subnet}}
    with pytest.raises(ClientError, match="availabilityZone"):  # if this stops raising: drop patch_get_azs_ref
        cfn.create_stack(StackName="gap", TemplateBody=json.dumps(template))


def test_gap_3_private_dns_namespace_has_no_cloudformation_model() -> None:
    from moto.cloudformation.parsing import get_model_map

    # When moto gains the model: drop patch_private_dns_namespace and tests/moto_namespace.py.
    assert "AWS::ServiceDiscovery::PrivateDnsNamespace" not in get_model_map()
