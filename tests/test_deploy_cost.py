"""The review's monthly cost delta: priced from the change sets with cost.json's unit prices.

End to end on the local endpoint for resources added (dev: nat single -> per-az);
for property values (desired count, task size), which moto's change sets do not
carry, with change sets shaped as DescribeChangeSet answers them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import deploy
from deployer.review import change_set_cost
from deployer.review.property_values import attach_values
from deployer.review.resource_changes import resource_changes
from deployer.review.stack_review import Result, Review, StackReview
from deployer.run.inputs import load_deployment
from deployer.view import cost_lines
from tests.conftest import PARAMS_DIR
from tests.moto_endpoint import go_offline


def generate_dev(tmp_path: Path, **network: Any) -> Path:
    """dev regenerated from a params copy with ``network`` keys changed: what a user does to change it."""
    import generate

    params = yaml.safe_load((PARAMS_DIR / "dev.yaml").read_text())
    params["network"].update(network)
    path = tmp_path / "params" / "dev.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    folder = tmp_path / "changed"
    assert generate.main(["--params", str(path), "--out", str(folder), "--no-validate"]) == 0
    return folder


def unit_prices(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "cost.json").read_text())["unit_prices"]


@pytest.mark.e2e
def test_per_az_nat_shows_the_nat_gateways_and_addresses_it_adds_per_month(
    endpoint: str, dev: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "us-west-1"
    go_offline(monkeypatch, endpoint)
    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--execute", "--yes"]) == 0
    changed = generate_dev(tmp_path, nat="per-az")
    capsys.readouterr()

    assert deploy.main(["--env", "dev", "--dir", str(changed), "--region", region, "--no-drift"]) == 0

    out = capsys.readouterr().out
    cost = json.loads((changed / "review.json").read_text())["cost"]
    prices = unit_prices(changed)
    lines = {line["unit"]: line for line in cost["lines"]}
    assert lines["NAT gateway"]["quantity"] == 1 and lines["NAT gateway"]["stacks"] == ["network"]  # 2 AZs: 1 -> 2
    assert lines["NAT gateway"]["monthly"] == round(prices["nat_gateway"], 2)
    assert lines["public IPv4 address"]["quantity"] == 1  # the new NAT gateway's EIP
    assert cost["total_monthly"] == round(prices["nat_gateway"] + prices["public_ipv4_address"], 2)
    nat_line = f"+1 NAT gateway: +${prices['nat_gateway']:,.2f}/month (network)"
    assert nat_line in out and "Monthly cost delta" in out
    md = (changed / "review.md").read_text()
    assert "## Monthly cost delta" in md and f"- {nat_line}" in md
    assert cost["not_priced"] == [] and any(item.startswith("data transfer") for item in cost["not_included"])
    assert "not included: data transfer" in out


def described(logical_id: str, resource_type: str, *details: tuple[str, str, str]) -> dict[str, Any]:
    """A Modify change as DescribeChangeSet answers it with IncludePropertyValues (name, before, after)."""
    return {
        "Changes": [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": logical_id,
                    "ResourceType": resource_type,
                    "Replacement": "False",
                    "Scope": ["Properties"],
                    "Details": [
                        {
                            "Target": {"Attribute": "Properties", "Name": name, "Path": f"/Properties/{name}",
                                       "BeforeValue": before, "AfterValue": after, "AttributeChangeType": "Modify"},
                            "ChangeSource": "DirectModification",
                            "Evaluation": "Static",
                        }
                        for name, before, after in details
                    ],
                },
            }
        ]
    }  # fmt: skip


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """dev as generate.py writes it, cost.json included."""
    return generate_dev(tmp_path)


def review_with(dev: Path, key: str, answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    deployment = load_deployment(dev)
    stack = StackReview(key, deployment.stacks[key].stack_name, "UPDATE", Result.CHANGES)
    stack.resources = resource_changes(answer)
    attach_values(stack.resources, answer)
    review = Review("shop", "dev", "eu-west-1", {key: stack})
    return change_set_cost.estimate(deployment, review), json.loads((dev / "cost.json").read_text())


def fargate(cost: dict[str, Any], service: str) -> dict[str, Any]:
    return next(line for line in cost["components"] if line["key"] == f"fargate:{service}")


def test_a_desired_count_change_is_priced_per_task_from_cost_json(generated: Path) -> None:
    dev = generated
    delta, cost = review_with(dev, "svc-web", described("Service", "AWS::ECS::Service", ("DesiredCount", "2", "5")))
    web = fargate(cost, "web")
    [line] = delta["lines"]
    assert (line["unit"], line["quantity"]) == ("Fargate task", 3)
    assert line["monthly"] == round(3 * web["monthly"] / web["quantity"], 2)
    assert cost_lines.text_lines(delta)[0] == f"+3 Fargate tasks: +${line['monthly']:,.2f}/month (svc-web)"


def test_a_task_size_change_is_priced_with_the_fargate_unit_prices(generated: Path) -> None:
    dev = generated
    answer = described("TaskDefinition", "AWS::ECS::TaskDefinition", ("Cpu", "512", "1024"), ("Memory", "1024", "2048"))
    delta, cost = review_with(dev, "svc-web", answer)
    units, count = cost["unit_prices"], fargate(cost, "web")["quantity"]
    [line] = delta["lines"]
    assert line["monthly"] == round(count * (0.5 * units["fargate_vcpu"]["x86_64"] + units["fargate_gb"]["x86_64"]), 2)


def test_what_cannot_be_priced_is_said(generated: Path) -> None:
    dev = generated
    no_values = described("Service", "AWS::ECS::Service", ("DesiredCount", "2", "5"))
    target = no_values["Changes"][0]["ResourceChange"]["Details"][0]["Target"]
    del target["BeforeValue"], target["AfterValue"]  # an endpoint without IncludePropertyValues
    delta, _cost = review_with(dev, "svc-web", no_values)
    assert delta["lines"] == []
    assert "shop-dev-svc-web: desired count of Service changes (no values to price it)" in delta["not_priced"]
    (dev / "cost.json").unlink()
    deployment = load_deployment(dev)
    missing = change_set_cost.estimate(deployment, Review("shop", "dev", "eu-west-1", {}))
    assert missing["not_priced"] == [
        "no cost delta: cost.json is missing from the folder (python generate.py writes it)"
    ]


def test_the_unit_prices_agree_with_the_components_they_price(generated: Path) -> None:
    cost = json.loads((generated / "cost.json").read_text())
    lines = {line["key"]: line for line in cost["components"]}
    units = cost["unit_prices"]
    assert lines["nat"]["monthly"] == round(lines["nat"]["quantity"] * units["nat_gateway"], 2)
    assert lines["alb"]["monthly"] == round(lines["alb"]["quantity"] * units["load_balancer"], 2)
    assert lines["public-ipv4"]["monthly"] == round(lines["public-ipv4"]["quantity"] * units["public_ipv4_address"], 2)
