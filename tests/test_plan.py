"""One plan per run: the rules, the templates, the diagram and the bill all read the plan built with the lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import generate
from templates.params.route_lock import render_lock
from templates.pipeline import load
from templates.plan.build import build_plan
from templates.rules.plan.albs import alb_egress_rule_count, web_services_per_alb
from tests.conftest import make_env, minimal_params, write_params


def web(host: str, path: str) -> dict[str, Any]:
    return {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}], "routes": [
        {"host": host, "path": path}
    ]}  # fmt: skip


def spread(count: int, hosts: int) -> dict[str, dict[str, Any]]:
    return {f"s{i}": web(f"h{i % hosts}.example.com", f"/s{i}") for i in range(count)}


SMALL_LISTENERS = {"rules_per_listener": 20}


def test_a_planted_lock_that_moves_hosts_is_what_quotas_templates_diagram_and_cost_all_see(tmp_path: Path) -> None:
    """The lock of a grown environment keeps two hosts on alb-2; the shrunk one would fit one ALB afresh."""
    grown = make_env(services=spread(40, 4), alb=SMALL_LISTENERS)
    lock = build_plan(grown).lock
    assert {r.alb for r in lock.routes} == {"alb", "alb-2"}
    params = write_params(tmp_path, minimal_params(services=spread(8, 4), alb=SMALL_LISTENERS))
    (tmp_path / "test.lock.yaml").write_text(render_lock(lock, params.name))

    loaded = load(params)
    fresh = build_plan(loaded.env)
    assert {a.key for a in fresh.albs} == {"alb"}, "afresh, the shrunk environment fits one ALB"
    assert {a.key for a in loaded.plan.albs} == {"alb", "alb-2"}
    on_second = set(loaded.plan.alb("alb-2").services)
    assert on_second and on_second == {r.service for r in loaded.plan.routes if r.alb == "alb-2"}

    # Quotas count per ALB of the locked plan; outbound rules count target ports, not services (all on 80).
    per_alb = web_services_per_alb(loaded.env, loaded.plan)
    assert set(per_alb) == {"alb", "alb-2"} and {s.name for s in per_alb["alb-2"]} == on_second
    assert alb_egress_rule_count(loaded.env, loaded.plan) == alb_egress_rule_count(loaded.env, fresh) == 1

    # generate.py builds, draws and bills that same plan.
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
    assert (out / "alb-2.json").exists()
    assert set(json.loads((out / "manifest.json").read_text())["stacks"]) >= {"alb", "alb-2"}
    cost = json.loads((out / "cost.json").read_text())
    assert next(line["quantity"] for line in cost["components"] if line["key"] == "alb") == 2
    mermaid = (out / "diagram.mmd").read_text()
    assert "2 ALBs: alb, alb-2" in mermaid
    assert "[alb-2] h" in mermaid
    for name in on_second:
        rule = json.loads((out / f"svc-{name}.json").read_text())["Resources"]
        listener = next(r for r in rule.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule")
        assert "Alb2HttpListenerArn" in json.dumps(listener["Properties"]["ListenerArn"])


def test_the_plan_is_built_once_per_load(tmp_path: Path, monkeypatch: Any) -> None:
    """Rules, builders, diagram and cost take the plan ``load`` made; none plans again (every plan allocates)."""
    import templates.plan.build as plan_build
    from templates import pipeline

    calls: list[str] = []
    real = plan_build.allocate

    def counting(env: Any, lock: Any = None) -> Any:
        calls.append(env.environment)
        return real(env, lock)

    monkeypatch.setattr(plan_build, "allocate", counting)
    params = write_params(tmp_path, minimal_params(services=spread(6, 3)))
    loaded = pipeline.load(params)
    pipeline.generate(loaded, tmp_path / "out", validate=False)
    assert calls == ["test"]
