"""Offline change prediction: one template against another, replacements from the schemas cfn-lint ships.

The rules are read from cfn-lint's package data; here they are compared with
what cfn-lint's own schema manager answers, and the scenarios use templates
generate.py writes from a params copy, the way a user changes an environment.
"""

from __future__ import annotations

import copy
import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

import generate
from templates.contract import resource_schemas
from templates.contract.folder_changes import blocked_exports, predict_folder, report_lines
from templates.contract.resource_schemas import replacement_rules
from templates.contract.template_diff import IN_PLACE, MAY_REPLACE, REPLACE, predict
from tests.conftest import PARAMS_DIR, written_templates


def generate_dev(folder: Path, edit: Any = None) -> dict[str, dict[str, Any]]:
    """dev generated from a params copy (``edit`` changes the params first): stack key -> template."""
    params = yaml.safe_load((PARAMS_DIR / "dev.yaml").read_text())
    if edit is not None:
        edit(params)
    path = folder.parent / f"{folder.name}.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    assert generate.main(["--params", str(path), "--out", str(folder), "--no-validate"]) == 0
    return {key: t for key, t in written_templates(folder).items() if key != "deploy-lock"}


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return generate_dev(tmp_path_factory.mktemp("before") / "dev")


def cidr(params: dict[str, Any]) -> None:
    params["network"]["cidr"] = "10.20.0.0/16"


def test_the_replacement_rules_are_cfn_lints_schemas_for_every_type_we_generate(
    shipped_outputs: dict[str, Path],
) -> None:
    types = {
        r["Type"] for folder in shipped_outputs.values() for t in written_templates(folder).values()
        for r in t.get("Resources", {}).values()
    }  # fmt: skip
    assert len(types) > 20
    for kind in sorted(types):
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("eu-west-1", kind).schema
        rules = replacement_rules(kind, "eu-west-1")
        assert ["/properties/" + "/".join(p) for p in rules.create_only] == schema.get("createOnlyProperties", [])
        conditional = schema.get("conditionalCreateOnlyProperties", [])
        assert ["/properties/" + "/".join(p) for p in rules.conditional] == conditional
    assert "AWS::" not in inspect.getsource(resource_schemas)  # no type is named: no hand-kept list


def test_a_cidr_change_replaces_the_vpc_and_everything_built_in_it(
    dev: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    after = generate_dev(tmp_path / "dev", cidr)

    prediction = predict(dev["network"], after["network"], region="eu-west-1").by_id()

    assert prediction["Vpc"].effect == REPLACE
    assert prediction["Vpc"].why() == ["CidrBlock (create-only): 10.10.0.0/16 -> 10.20.0.0/16"]
    assert prediction["PublicSubnet1"].effect == REPLACE
    assert "VpcId (create-only): Vpc is replaced" in prediction["PublicSubnet1"].why()
    # followed through Ref: nothing in these changed but the id of what they sit in
    assert prediction["InternetGatewayAttachment"].why() == ["VpcId (create-only): Vpc is replaced"]
    assert prediction["NatGateway1"].why() == ["SubnetId (create-only): PublicSubnet1 is replaced"]
    assert "InternetGateway" not in prediction  # not in the VPC: kept
    exports = {e.name: e for e in predict(dev["network"], after["network"]).exports}
    assert (exports["shop-dev-VpcId"].change, exports["shop-dev-VpcId"].reason) == ("changes", "Vpc is replaced")
    assert exports["shop-dev-VpcId"].replaced_types == ("AWS::EC2::VPC",)


def test_a_replaced_vpc_is_blocked_by_the_stacks_importing_its_exports(
    dev: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    after = generate_dev(tmp_path / "dev", cidr)

    refusals = {b.export: b for b in blocked_exports(predict_folder(dev, after, "eu-west-1"), dev)}

    vpc_id = refusals["shop-dev-VpcId"]
    assert vpc_id.stack == "network" and {"alb", "cluster", "svc-auth"} <= set(vpc_id.importers)
    assert "keep network.cidr" in vpc_id.advice and "--teardown" in vpc_id.advice
    assert "shop-dev-VpcCidr" not in refusals  # changes too, but nobody imports it


def test_in_place_updates_and_a_parameter_change(dev: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    def bigger_web(params: dict[str, Any]) -> None:
        params["services"]["web"].update(desired_count=3, image_tag="2.4.0")

    after = generate_dev(tmp_path / "dev", bigger_web)

    web = predict(dev["svc-web"], after["svc-web"]).by_id()
    assert web["TaskDefinition"].effect == REPLACE  # ContainerDefinitions is create-only: a new revision
    assert web["Service"].effect == IN_PLACE  # DesiredCount, and TaskDefinition pointing at the new revision
    assert "TaskDefinition: TaskDefinition is replaced" in web["Service"].why()
    # the same change as a --set on the deployed template: only parameter values differ
    template = dev["svc-web"]
    by_set = predict(template, template, {"DesiredCount": "2"}, {"DesiredCount": "5"}).by_id()
    assert list(by_set) == ["Service"]
    assert by_set["Service"].why() == ["DesiredCount: parameter DesiredCount changes"]


def test_conditional_create_only_and_hidden_values_may_replace() -> None:
    vpc = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "InstanceTenancy": "default"}}
    dedicated = copy.deepcopy(vpc)
    dedicated["Properties"]["InstanceTenancy"] = "dedicated"
    before, after = {"Resources": {"Vpc": vpc}}, {"Resources": {"Vpc": dedicated}}
    assert predict(before, after).by_id()["Vpc"].effect == MAY_REPLACE  # conditionalCreateOnlyProperties

    vpc_of_param = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}}
    with_param = {"Parameters": {"Cidr": {"Type": "String", "NoEcho": True}}, "Resources": {"Vpc": vpc_of_param}}
    masked = predict(with_param, with_param, {"Cidr": "****"}, {"Cidr": "10.1.0.0/16"}).by_id()["Vpc"]
    assert masked.effect == MAY_REPLACE  # DescribeStacks hides a NoEcho value: it may have changed


def test_a_literal_and_the_import_or_sub_that_gives_it_are_one_value() -> None:
    """A resource import writes live values; the generated template imports and substitutes the same ones."""
    imported = {"Type": "AWS::ECS::Service", "Properties": {"Cluster": "shop-dev", "ServiceName": "shop-dev-web"}}
    generated = {
        "Type": "AWS::ECS::Service",
        "Properties": {
            "Cluster": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterName"}},
            "ServiceName": {"Fn::Sub": "${ExportPrefix}-web"},
        },
    }
    before = {"Resources": {"Service": imported}}
    after = {
        "Parameters": {"ExportPrefix": {"Type": "String", "Default": "shop-dev"}},
        "Resources": {"Service": generated},
    }

    assert predict(before, after, exports={"shop-dev-ClusterName": "shop-dev"}).by_id() == {}
    unknown_export = predict(before, after).by_id()["Service"]  # the export is not there yet: it may differ
    assert (unknown_export.effect, [p.name for p in unknown_export.properties]) == (REPLACE, ["Cluster"])
    other = predict(before, after, exports={"shop-dev-ClusterName": "shop-prod"}).by_id()["Service"]
    assert other.why() == [
        'Cluster (create-only): shop-dev -> {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ClusterName"}}'
    ]


def test_a_service_leaving_its_launch_type_for_a_capacity_provider_strategy_is_updated_in_place() -> None:
    """LaunchType is conditionally create-only: to a strategy in place (UpdateService), to another type replaced."""
    service = {"Type": "AWS::ECS::Service", "Properties": {"Cluster": "c", "LaunchType": "FARGATE"}}
    strategy = copy.deepcopy(service)
    del strategy["Properties"]["LaunchType"]
    strategy["Properties"]["CapacityProviderStrategy"] = [{"CapacityProvider": "FARGATE", "Weight": 1}]
    on_ec2 = copy.deepcopy(service)
    on_ec2["Properties"]["LaunchType"] = "EC2"
    before = {"Resources": {"Service": service}}

    assert predict(before, {"Resources": {"Service": strategy}}).by_id()["Service"].effect == IN_PLACE
    assert predict(before, {"Resources": {"Service": on_ec2}}).by_id()["Service"].effect == MAY_REPLACE


def test_generate_prints_the_prediction_against_the_previous_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "dev"
    generate_dev(folder)
    first = capsys.readouterr().out
    assert "compared with the previous output" not in first  # a first generation has nothing to compare

    generate_dev(folder, cidr)

    out = capsys.readouterr().out
    assert "compared with the previous output" in out
    assert "network: replace Vpc (AWS::EC2::VPC): CidrBlock (create-only): 10.10.0.0/16 -> 10.20.0.0/16" in out
    assert "network: BLOCKED: export shop-dev-VpcId changes value (Vpc is replaced) while alb, cluster" in out
    assert "network: instead: keep network.cidr" in out


def test_a_stack_no_longer_generated_is_named(dev: dict[str, dict[str, Any]]) -> None:
    fewer = {key: t for key, t in dev.items() if key != "svc-web"}
    assert "svc-web: no longer generated (deploy.py --prune --allow-delete deletes its stack)" in report_lines(
        dev, fewer
    )
