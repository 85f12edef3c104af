"""The review's monthly cost delta: priced from the template diff with cost.json's unit prices, never silent.

End to end on the local endpoint (whose change sets carry no property values)
for resources added (dev: nat single -> per-az) and a task size change; the
first review of every shipped environment against its cost.json; desired
counts, what cannot be priced, and cost.json's own unit prices as pure
functions over generated templates.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import deploy
from deployer.review import cost_delta
from deployer.review.lifecycle import TO_DELETE, Removal
from deployer.review.stack_review import Result, Review, StackReview
from deployer.review.template_pairs import TemplatePair
from deployer.view import cost_lines
from templates.contract.billable import list_lengths
from tests.conftest import PARAMS_DIR, written_templates
from tests.moto_endpoint import go_offline


def generate_dev(
    tmp_path: Path, services: dict[str, dict[str, Any]] | None = None, out: str = "changed", **network: Any
) -> Path:
    """dev regenerated from a params copy with ``network`` and service keys changed: what a user does."""
    import generate

    params = yaml.safe_load((PARAMS_DIR / "dev.yaml").read_text())
    params["network"].update(network)
    for name, keys in (services or {}).items():
        params["services"][name].update(keys)
    path = tmp_path / "params" / f"{out}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    folder = tmp_path / out
    assert generate.main(["--params", str(path), "--out", str(folder), "--no-validate"]) == 0
    return folder


def unit_prices(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "cost.json").read_text())["unit_prices"]


def cost_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "cost.json").read_text())


@pytest.mark.e2e
def test_per_az_nat_shows_the_nat_gateways_and_addresses_it_adds_per_month(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    region = "us-west-1"
    go_offline(monkeypatch, endpoint)
    dev = generate_dev(tmp_path, out="dev")  # with its cost.json
    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--execute", "--yes"]) == 0
    first = json.loads((dev / "review.json").read_text())["cost"]
    assert first["total_monthly"] == cost_of(dev)["total_monthly"]  # a first deploy costs what cost.json says
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


@pytest.mark.e2e
def test_a_task_size_change_is_priced_on_an_endpoint_without_property_values(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The local endpoint's change set says only "Modify TaskDefinition": the templates say 512 -> 1024."""
    region = "us-east-2"
    go_offline(monkeypatch, endpoint)
    dev = generate_dev(tmp_path, out="dev")
    assert deploy.main(["--env", "dev", "--dir", str(dev), "--region", region, "--execute", "--yes"]) == 0
    changed = generate_dev(tmp_path, {"users": {"cpu": 1024, "memory": 2048}})
    capsys.readouterr()

    assert deploy.main(["--env", "dev", "--dir", str(changed), "--region", region, "--no-drift"]) == 0

    cost = json.loads((changed / "review.json").read_text())["cost"]
    users_now, users_before = fargate(cost_of(changed), "users"), fargate(cost_of(dev), "users")
    [line] = cost["lines"]
    assert line["stacks"] == ["svc-users"] and line["quantity"] == 0  # as many tasks, each bigger
    assert line["monthly"] == round(users_now["monthly"] - users_before["monthly"], 2) > 0
    assert cost["total_monthly"] == round(cost_of(changed)["total_monthly"] - cost_of(dev)["total_monthly"], 2)
    assert f"+${line['monthly']:,.2f}/month" in capsys.readouterr().out


def fargate(cost: dict[str, Any], service: str) -> dict[str, Any]:
    return next(line for line in cost["components"] if line["key"] == f"fargate:{service}")


def review_of(folder: Path, *keys: str, result: Result = Result.CHANGES, env: str = "dev") -> Review:
    stacks = {key: StackReview(key, f"shop-{env}-{key}", "UPDATE", result) for key in keys}
    return Review("shop", env, "eu-west-1", stacks)


def estimate(folder: Path, review: Review, pairs: dict[str, TemplatePair]) -> dict[str, Any]:
    return cost_delta.estimate(folder, review, pairs, list_lengths(written_templates(folder)))


@pytest.mark.parametrize("env", ["dev", "prod", "staging", "hybrid"])
def test_a_first_deploy_costs_what_cost_json_says(tmp_path: Path, env: str) -> None:
    """Every stack new: the delta's total is cost.json's (public IPv4 addresses of the ALB's AZs, EC2 instances)."""
    import generate

    folder = tmp_path / env
    params = tmp_path / f"{env}.yaml"  # a copy: generating must not rewrite the shipped lock beside it
    params.write_text((PARAMS_DIR / f"{env}.yaml").read_text())
    (tmp_path / f"{env}.lock.yaml").write_text((PARAMS_DIR / f"{env}.lock.yaml").read_text())
    assert generate.main(["--params", str(params), "--out", str(folder), "--no-validate"]) == 0
    templates = written_templates(folder)
    keys = [key for key in templates if key != "deploy-lock"]
    pairs = {key: TemplatePair(None, templates[key]) for key in keys}

    delta = estimate(folder, review_of(folder, *keys, result=Result.PREVIEW, env=env), pairs)

    cost = cost_of(folder)
    assert delta["total_monthly"] == cost["total_monthly"]
    ipv4 = next((line for line in delta["lines"] if line["unit"] == "public IPv4 address"), {"quantity": 0})
    assert ipv4["quantity"] == next(c["quantity"] for c in cost["components"] if c["key"] == "public-ipv4")
    scheduled = [key for key, t in templates.items() if "ScheduleRule" in t.get("Resources", {})]
    assert delta["not_priced"] == [  # billed per run: usage-based in cost.json too, and said so
        f"shop-{env}-{key}: scheduled task ScheduleRule: Fargate billed per run (usage-based, as in cost.json)"
        for key in sorted(scheduled)
    ]


def test_a_desired_count_change_is_priced_per_task(generated: Path) -> None:
    web = written_templates(generated)["svc-web"]
    pairs = {"svc-web": TemplatePair(web, web, {"DesiredCount": "2"}, {"DesiredCount": "5"})}

    delta = estimate(generated, review_of(generated, "svc-web"), pairs)

    line_web = fargate(cost_of(generated), "web")  # 2 tasks
    [line] = delta["lines"]
    assert (line["unit"], line["quantity"]) == ("Fargate task", 3)
    assert line["monthly"] == round(3 * line_web["monthly"] / line_web["quantity"], 2)
    assert cost_lines.text_lines(delta)[0].startswith("+3 Fargate tasks (svc-web: 2 x 0.5 vCPU / 1 GiB x86_64 -> 5 x")


def test_a_removed_service_and_a_pruned_stack_are_priced_from_their_deployed_templates(generated: Path) -> None:
    templates = written_templates(generated)
    auth = templates["svc-auth"]
    review = review_of(generated)
    review.lifecycle.removals = [Removal("svc-auth", "shop-dev-svc-auth", "id", "CREATE_COMPLETE", "tags", prune=True,
                                         result=TO_DELETE)]  # fmt: skip

    delta = estimate(generated, review, {"svc-auth": TemplatePair(auth, None)})

    units = {line["unit"]: line for line in delta["lines"]}
    assert units["Fargate task"]["quantity"] == -1
    assert units["Fargate task"]["monthly"] == -fargate(cost_of(generated), "auth")["monthly"]
    assert units["alarm metric"]["quantity"] == -2


def test_what_cannot_be_priced_is_said_with_the_reason(generated: Path) -> None:
    templates = written_templates(generated)
    web = templates["svc-web"]
    hidden = copy.deepcopy(web)
    hidden["Resources"]["Service"]["Properties"]["DesiredCount"] = {"Fn::ImportValue": "someone-elses-count"}
    review = review_of(generated, "svc-web", "svc-users")

    delta = estimate(generated, review, {"svc-web": TemplatePair(web, hidden)})  # svc-users: no deployed template

    assert delta["not_priced"] == [
        "shop-dev-svc-web: ECS service Service: its task count or size is not known before deploying",
        "shop-dev-svc-users: its deployed template could not be read",
    ]
    assert "- not priced: shop-dev-svc-users: its deployed template could not be read" in cost_lines.markdown(delta)
    (generated / "cost.json").unlink()
    missing = estimate(generated, review_of(generated), {})
    assert missing["not_priced"] == [
        "no cost delta: cost.json is missing from the folder (python generate.py writes it)"
    ]


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """dev as generate.py writes it, cost.json included."""
    return generate_dev(tmp_path)


def test_the_unit_prices_agree_with_the_components_they_price(generated: Path) -> None:
    cost = cost_of(generated)
    lines = {line["key"]: line for line in cost["components"]}
    units = cost["unit_prices"]
    assert lines["nat"]["monthly"] == round(lines["nat"]["quantity"] * units["nat_gateway"], 2)
    assert lines["alb"]["monthly"] == round(lines["alb"]["quantity"] * units["load_balancer"], 2)
    assert lines["public-ipv4"]["monthly"] == round(lines["public-ipv4"]["quantity"] * units["public_ipv4_address"], 2)
