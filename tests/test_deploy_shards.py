"""deploy.py's routing table over several ALBs, against the real local endpoint (moto's server on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import generate
from tests.test_deploy_e2e import aws, endpoint, run  # noqa: F401  (the e2e fixtures)

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent


def test_routing_table_shows_each_rules_alb_and_every_dns_name(run: Any, tmp_path: Path) -> None:  # noqa: F811
    """dev with room for two rules per ALB: api.example.com's two routes on alb, the catch-all on alb-2."""
    doc = yaml.safe_load((ROOT / "params" / "dev.yaml").read_text())
    doc["alb"]["rules_per_listener"] = 2
    params = tmp_path / "dev.yaml"
    params.write_text(yaml.safe_dump(doc, sort_keys=False))
    folder = tmp_path / "dev"
    assert generate.main(["--params", str(params), "--out", str(folder), "--no-validate"]) == 0
    assert (folder / "alb-2.json").exists()

    result = run(folder, "ap-southeast-2", "--execute", "--yes")
    assert result.code == 0, result.out
    elbv2 = boto3.client("elbv2", region_name="ap-southeast-2")
    names = {lb["DNSName"] for lb in elbv2.describe_load_balancers()["LoadBalancers"]}
    assert len(names) == 2 and all(name in result.out for name in names)
    rows = [line for line in result.out.splitlines() if "svc-" in line]
    assert any("alb-2" in row and "/*" in row and "svc-web" in row for row in rows), rows
    assert any("/auth" in row and "alb-2" not in row and "alb" in row for row in rows), rows


def test_a_host_moving_to_another_alb_is_flagged_risky(run: Any, tmp_path: Path) -> None:  # noqa: F811
    """Room for three rules: api.example.com grows to three routes, so it moves to alb-2; the review gates it."""
    doc = yaml.safe_load((ROOT / "params" / "dev.yaml").read_text())
    doc["alb"]["rules_per_listener"] = 3
    params = tmp_path / "dev.yaml"
    params.write_text(yaml.safe_dump(doc, sort_keys=False))
    folder = tmp_path / "dev"
    assert generate.main(["--params", str(params), "--out", str(folder), "--no-validate"]) == 0
    assert not (folder / "alb-2.json").exists()
    assert run(folder, "sa-east-1", "--execute", "--yes").code == 0

    doc["services"]["users"]["routes"].append({"host": "api.example.com", "path": "/accounts"})
    params.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert generate.main(["--params", str(params), "--out", str(folder), "--no-validate"]) == 0
    assert (folder / "alb-2.json").exists()
    result = run(folder, "sa-east-1", "--execute", "--yes")
    assert result.code == 3, result.out  # risky and no --allow-replacement: nothing executed
    assert any("moves host api.example.com from alb to alb-2" in risk for risk in result.review["risky"]), result.review
