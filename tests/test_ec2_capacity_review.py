"""The review of a change to EC2 capacity: instance replacement called out as risky, instances priced.

Change sets are written as DescribeChangeSet answers them (with property
values); the review functions are pure, so no endpoint is needed: what AWS
would answer for an AMI that moved on is exactly what a test can write down.
Costs come from the template diff, as in a run: the generated cluster
template before, an edited copy after.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import generate
from deployer.review import cost_delta
from deployer.review.property_values import attach_values
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import Result, Review, StackReview
from deployer.review.template_pairs import TemplatePair
from deployer.run.inputs import load_deployment
from templates.contract.billable import list_lengths
from tests.conftest import PARAMS_DIR, written_templates


@pytest.fixture(scope="module")
def hybrid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hybrid") / "out"
    assert generate.main(["--params", str(PARAMS_DIR / "hybrid.yaml"), "--out", str(folder), "--no-validate"]) == 0
    return folder


def change(action: str, logical_id: str, kind: str, *details: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Resource",
        "ResourceChange": {
            "Action": action,
            "LogicalResourceId": logical_id,
            "ResourceType": kind,
            **({"Replacement": "False", "Scope": ["Properties"]} if action == "Modify" else {}),
            "Details": list(details),
        },
    }


def detail(name: str, before: str, after: str, source: str = "DirectModification", cause: str = "") -> dict[str, Any]:
    path = name if name.startswith("/") else f"/Properties/{name}"
    target = {"Attribute": "Properties", "Name": path.split("/")[2], "Path": path, "BeforeValue": before,
              "AfterValue": after, "AttributeChangeType": "Modify", "RequiresRecreation": "Never"}  # fmt: skip
    return {
        "Target": target,
        "ChangeSource": source,
        "Evaluation": "Static",
        **({"CausingEntity": cause} if cause else {}),
    }


def review(folder: Path, *changes: dict[str, Any]) -> Review:
    answer = {"Changes": list(changes)}
    deployment = load_deployment(folder)
    stack = StackReview("cluster", deployment.stacks["cluster"].stack_name, "UPDATE", Result.CHANGES)
    stack.resources = resource_changes(answer)
    attach_values(stack.resources, answer)
    return Review("vision", "hybrid", "eu-west-1", {"cluster": stack})


def priced(folder: Path, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """The cost delta of the cluster stack going from ``before`` to ``after`` (None: no stack)."""
    result = review(folder)
    pairs = {"cluster": TemplatePair(before, after)}
    return cost_delta.estimate(folder, result, pairs, list_lengths(written_templates(folder)))


def cluster(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "cluster.json").read_text())


def edited(template: dict[str, Any], logical_id: str, **props: Any) -> dict[str, Any]:
    """A copy of the template with one Auto Scaling group's properties set (a path of keys: a nested one)."""
    out = copy.deepcopy(template)
    target = out["Resources"][logical_id]["Properties"]
    for path, value in props.items():
        *parents, last = path.split("__")
        node = target
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value
    return out


def without(template: dict[str, Any], *logical_ids: str) -> dict[str, Any]:
    out = copy.deepcopy(template)
    for logical_id in logical_ids:
        del out["Resources"][logical_id]
    return out


def cost_line(folder: Path, key: str) -> dict[str, Any]:
    cost = json.loads((folder / "cost.json").read_text())
    return next(line for line in cost["components"] if line["key"] == key)


def test_a_new_ami_is_called_out_as_instance_replacement_and_gates_the_deploy(hybrid: Path) -> None:
    """The GPU group's AMI parameter resolved to a newer image: nothing in params changed, yet every instance goes."""
    new_ami = detail("ImageId", "ami-0aaa", "ami-0bbb", "ParameterReference", "EcsAmiGpu")
    new_ami["Target"]["Path"] = "/Properties/LaunchTemplateData/ImageId"
    result = review(hybrid, change("Modify", "GpuLaunchTemplate", "AWS::EC2::LaunchTemplate", new_ami))
    (risk,) = result.risky
    assert risk.startswith("vision-hybrid-cluster: GpuLaunchTemplate: a new ECS-optimized AMI")
    assert "instance refresh replaces every instance" in risk and "ECS drains each old one" in risk
    assert result.gated  # exit 3 without --allow-replacement


def test_other_instance_types_roll_the_group_and_their_price_difference_is_priced(hybrid: Path) -> None:
    first = detail("/Properties/MixedInstancesPolicy/LaunchTemplate/Overrides/0/InstanceType", "g5.xlarge",
                   "g5.2xlarge")  # fmt: skip
    result = review(hybrid, change("Modify", "GpuAutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup", first))
    assert any("its launch template version or instance types change: instance refresh" in r for r in result.risky)
    before = cluster(hybrid)
    after = edited(before, "GpuAutoScalingGroup", MixedInstancesPolicy__LaunchTemplate__Overrides__0=
                   {"InstanceType": "g5.2xlarge"})  # fmt: skip
    delta = priced(hybrid, before, after)
    prices = json.loads((hybrid / "cost.json").read_text())["unit_prices"]["ec2_instance"]
    instances = cost_line(hybrid, "ec2:gpu")["quantity"]
    (line,) = delta["lines"]
    assert line["monthly"] == round(instances * (prices["g5.2xlarge"] - prices["g5.xlarge"]), 2) > 0
    assert line["detail"] == f"gpu: g5.xlarge -> g5.2xlarge, {instances} On-Demand"


def test_a_larger_minimum_is_priced_per_instance_and_is_not_risky(hybrid: Path) -> None:
    result = review(hybrid, change("Modify", "GeneralAutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup",
                                   detail("MinSize", "2", "3")))  # fmt: skip
    assert result.risky == []
    before = cluster(hybrid)
    delta = priced(hybrid, before, edited(before, "GeneralAutoScalingGroup", MinSize="3"))
    general = cost_line(hybrid, "ec2:general")
    (line,) = delta["lines"]
    assert (line["unit"], line["quantity"]) == ("EC2 instance", 1)
    assert line["monthly"] == round(general["monthly"] / general["quantity"], 2)


def test_a_new_group_is_priced_at_its_instances_and_its_services_not_per_task(hybrid: Path) -> None:
    after = cluster(hybrid)
    delta = priced(hybrid, without(after, "GpuAutoScalingGroup"), after)
    gpu = cost_line(hybrid, "ec2:gpu")
    (line,) = delta["lines"]
    assert (line["unit"], line["quantity"], line["monthly"]) == ("EC2 instance", gpu["quantity"], gpu["monthly"])
    for key, on_fargate in (("svc-inference", False), ("svc-api", True)):  # inference runs on the gpu group
        service = json.loads((hybrid / f"{key}.json").read_text())
        units = {line["unit"] for line in priced(hybrid, None, service)["lines"]}
        assert ("Fargate task" in units) is on_fargate, key


def test_removing_a_group_is_risky_and_says_what_it_takes_with_it(hybrid: Path) -> None:
    result = review(hybrid, change("Remove", "GpuAutoScalingGroup", "AWS::AutoScaling::AutoScalingGroup"))
    assert result.risky == ["vision-hybrid-cluster: GpuAutoScalingGroup: removes the Auto Scaling group (and every "
                            "instance in it)"]  # fmt: skip
    before = cluster(hybrid)
    delta = priced(hybrid, before, without(before, "GpuAutoScalingGroup"))
    assert delta["lines"] == []
    assert delta["not_priced"] == [
        "vision-hybrid-cluster: remove Auto Scaling group GpuAutoScalingGroup (its instances)"
    ]
