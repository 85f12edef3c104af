"""Monthly fixed cost: the shipped price table, Spot and ARM64 shares, usage-based items, deltas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import generate
from templates.cost.delta import cost_delta
from templates.cost.model import cost_model
from templates.cost.prices import HOURS_PER_MONTH, PRICES
from templates.pipeline import load, load_environment
from templates.plan.build import build_plan
from tests.conftest import IMAGE, PARAMS_DIR, make_env, web

IRELAND = PRICES["eu-west-1"]


def _shipped_cost(name: str) -> dict:
    """cost.json of a shipped environment, as generate.py computes it (with its route lock)."""
    loaded = load(PARAMS_DIR / f"{name}.yaml")
    return cost_model(loaded.env, loaded.plan)


def _component(model: dict, key: str) -> dict:
    return next(line for line in model["components"] if line["key"] == key)


def test_a_small_environment_adds_up_from_the_price_table() -> None:
    env = make_env(services={"api": web(cpu=256, memory=512)})  # eu-west-1, 2 AZs, one NAT, public ALB
    model = cost_model(env, build_plan(env))
    task = 0.25 * IRELAND.fargate_vcpu_hour["x86_64"] + 0.5 * IRELAND.fargate_gb_hour["x86_64"]
    expected = {
        "nat": IRELAND.nat_gateway_hour * HOURS_PER_MONTH,
        "alb": IRELAND.alb_hour * HOURS_PER_MONTH,
        "public-ipv4": 3 * IRELAND.public_ipv4_hour * HOURS_PER_MONTH,  # the NAT's EIP + one per ALB AZ
        "fargate:api": task * HOURS_PER_MONTH,
        "alarms": 2 * IRELAND.alarm_metric_month,  # target 5xx + unhealthy hosts
        "endpoints": 0.0,
    }
    assert {line["key"]: line["monthly"] for line in model["components"]} == pytest.approx(expected, abs=0.01)
    assert model["total_monthly"] == pytest.approx(sum(expected.values()), abs=0.05)
    assert model["price_table"]["as_of"] and "pricing" in model["price_table"]["source"]


def test_spot_share_and_scaling_maxima() -> None:
    env = make_env(
        services={
            "api": web(
                cpu=512,
                memory=1024,
                capacity={"on_demand_base": 1, "on_demand_weight": 1, "spot_weight": 1},
                scaling={"min_count": 3, "max_count": 9, "target_tracking": {"cpu": 50}},
            )
        }
    )
    line = _component(cost_model(env, build_plan(env)), "fargate:api")
    hourly = 0.5 * IRELAND.fargate_vcpu_hour["x86_64"] + 1 * IRELAND.fargate_gb_hour["x86_64"]
    spot = hourly * (1 - IRELAND.spot_discount)
    # 3 tasks: 1 base on demand, 2 split 1:1; 9 tasks: 1 base, 8 split 4:4.
    assert line["monthly"] == pytest.approx((2 * hourly + 1 * spot) * HOURS_PER_MONTH, abs=0.01)
    assert line["monthly_at_max"] == pytest.approx((5 * hourly + 4 * spot) * HOURS_PER_MONTH, abs=0.01)
    assert (line["quantity"], line["quantity_at_max"]) == (3, 9)


def test_arm64_uses_arm64_prices() -> None:
    env = make_env(services={"api": web(architecture="arm64", cpu=512, memory=1024)})
    hourly = 0.5 * IRELAND.fargate_vcpu_hour["arm64"] + 1 * IRELAND.fargate_gb_hour["arm64"]
    assert _component(cost_model(env, build_plan(env)), "fargate:api")["monthly"] == pytest.approx(
        hourly * HOURS_PER_MONTH, abs=0.01
    )


def test_usage_based_items_are_named_not_priced() -> None:
    prod = _shipped_cost("prod")
    dev = _shipped_cost("dev")
    assert any("Container Insights" in item for item in prod["usage_based"])
    assert any("flow logs" in item for item in prod["usage_based"])
    assert not any("Container Insights" in item or "flow logs" in item for item in dev["usage_based"])
    assert any("nightly-report" in item for item in prod["usage_based"])
    assert "fargate:nightly-report" not in {line["key"] for line in prod["components"]}
    assert any("data transfer" in item for item in prod["not_included"])


def test_delta_names_what_changed() -> None:
    dev = _shipped_cost("dev")
    prod = _shipped_cost("prod")
    lines = cost_delta(dev, prod)
    nat = 2 * IRELAND.nat_gateway_hour * HOURS_PER_MONTH
    assert f"NAT gateways: +2 NAT gateways: +${nat:,.2f}/month" in lines
    assert lines[-1] == f"total fixed cost: +${prod['total_monthly'] - dev['total_monthly']:,.2f}/month"
    assert cost_delta(prod, prod) == []
    assert cost_delta(prod, dev)[-1].startswith("total fixed cost: -$")


def test_a_region_without_a_table_says_so() -> None:
    env = make_env(
        region="ap-southeast-2",
        services={"w": {"kind": "worker", "image_tag": "1", "containers": [{"name": "w", "image": IMAGE}]}},
    )
    model = cost_model(env, build_plan(env))
    assert "us-east-1 prices used" in model["price_table"]["note"]


def test_generate_writes_cost_json_and_prints_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "prod"
    assert generate.main(["--params", str(PARAMS_DIR / "prod.yaml"), "--out", str(out), "--no-validate"]) == 0
    model = json.loads((out / "cost.json").read_text())
    assert model == _shipped_cost("prod")
    printed = capsys.readouterr().out
    assert f"fixed cost ~${model['total_monthly']:,.2f}/month" in printed and "traffic not included" in printed
    assert generate.main(["--params", str(PARAMS_DIR / "dev.yaml"), "--out", str(out), "--no-validate"]) == 0
    assert "NAT gateways: -2 NAT gateways" in capsys.readouterr().out


def test_endpoints_are_priced_per_az_and_an_existing_alb_is_not_ours() -> None:
    from templates.plan.endpoints import endpoints_to_create

    env = load_environment(PARAMS_DIR / "staging.yaml")
    model = cost_model(env, build_plan(env))
    assert env.network.endpoints is not None
    count = len(endpoints_to_create(env.services, env.region, env.network.endpoints)) * env.network.zones
    assert count > 0
    line = _component(model, "endpoints")
    assert line["quantity"] == count
    assert line["monthly"] == pytest.approx(count * IRELAND.interface_endpoint_az_hour * HOURS_PER_MONTH, abs=0.01)
    assert _component(model, "alb")["monthly"] == 0 and _component(model, "nat")["monthly"] == 0


def test_ephemeral_storage_above_twenty_gib_is_priced() -> None:
    env = make_env(services={"api": web(cpu=512, memory=1024, ephemeral_storage=100)})
    line = _component(cost_model(env, build_plan(env)), "fargate:api")
    compute = 0.5 * IRELAND.fargate_vcpu_hour["x86_64"] + 1 * IRELAND.fargate_gb_hour["x86_64"]
    assert line["monthly"] == pytest.approx((compute + 80 * IRELAND.ephemeral_gb_hour) * HOURS_PER_MONTH, abs=0.01)
    assert "80 GiB ephemeral storage above the 20 included" in line["detail"]
    plain = make_env(services={"api": web(cpu=512, memory=1024)})
    assert _component(cost_model(plain, build_plan(plain)), "fargate:api")["monthly"] < line["monthly"]


def test_spot_pricing_states_its_discount_as_an_assumption() -> None:
    spot = make_env(services={"api": web(capacity={"on_demand_weight": 0, "spot_weight": 1})})
    [note] = cost_model(spot, build_plan(spot))["assumptions"]
    assert "70% off on-demand" in note and "up to 70%" in note
    assert cost_model(make_env(), build_plan(make_env()))["assumptions"] == []


def test_a_blue_green_bake_is_priced_per_deployment_and_doubles_the_peak() -> None:
    deployment = {"max_percent": 150, "min_healthy_percent": 100}
    env = make_env(services={"api": web(blue_green={"bake_time_minutes": 30}, desired_count=3, deployment=deployment)})
    rolling = make_env(services={"api": web(desired_count=3, deployment=deployment)})
    plan = build_plan(env)
    model = cost_model(env, plan)
    [bake] = model["per_deployment"]
    hourly = 0.25 * IRELAND.fargate_vcpu_hour["x86_64"] + 0.5 * IRELAND.fargate_gb_hour["x86_64"]
    assert (bake["key"], bake["extra_tasks"], bake["hours"]) == ("blue-green:api", 3, 0.5)
    assert bake["cost"] == pytest.approx(3 * hourly * 0.5, abs=0.0001)
    assert any("per_deployment" in note for note in model["assumptions"])
    not_in_totals = cost_model(rolling, build_plan(rolling))["total_monthly"] + 2 * IRELAND.alarm_metric_month
    assert model["total_monthly"] == pytest.approx(not_in_totals, abs=0.01), "only the second group's alarms"
    assert (build_plan(rolling).tasks["api"].peak, plan.tasks["api"].peak) == (5, 6), "green beside blue"
