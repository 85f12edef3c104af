"""Quota checks: a good and a bad fixture for each id, and the generate-time behaviour.

Params quotas (Q0xx) are params errors (exit 2); template quotas (Q1xx) are
check findings (exit 1, output unchanged) except Q104, the template-size
warning (exit 0, written, warning printed).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import generate
from templates.aws import quotas
from templates.errors import ParamsError, Problem
from templates.params.environment import Environment
from templates.plan.build import build_plan
from templates.plan.model import RulePlan
from templates.rules.rendered import template_quotas
from templates.rules.run import check_environments_together, plan_problems
from tests.conftest import make_env, minimal_params, rule_findings, rule_problems, snapshot

ROOT = Path(__file__).resolve().parent.parent


DEFAULTS = {"image_tag": "1.0.0", "containers": [{"name": "app", "image": "nginx", "port": 8080}]}
ONE_ROUTE = {"api": {"routes": [{"path": "/api"}]}}


def _doc(services: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """Params with a ``defaults`` section every service inherits its image and port from."""
    return minimal_params(defaults=DEFAULTS, services=services or ONE_ROUTE, **top)


def _env(services: dict[str, Any] | None = None, **top: Any) -> Environment:
    return make_env(defaults=DEFAULTS, services=services or ONE_ROUTE, **top)


PARAMS_QUOTAS = ("Q001", "Q002", "Q003", "Q004")


def params_quota_problems(env: Environment) -> list[Problem]:
    return rule_problems(env, *PARAMS_QUOTAS)


def _ids(env: Environment) -> list[str]:
    return [p.check_id for p in params_quota_problems(env)]


# ----------------------------------------------------------------------------- params quotas


def test_q002_condition_values_per_rule() -> None:
    """Constructed rules: params cannot produce more than 3 values today (1 host + /x, /x/*)."""
    good = RulePlan("api", 0, ("a.example.com", "b.example.com"), ("/a", "/a/*", "/b"), 10)
    bad = RulePlan("api", 1, ("a.example.com", "b.example.com"), ("/a", "/a/*", "/b", "/b/*"), 11)
    env = _env()

    def q002(*routes: RulePlan) -> list[Problem]:
        plan = dataclasses.replace(build_plan(env), routes=routes)
        return [p for p in plan_problems(env, plan) if p.check_id == "Q002"]

    assert q002(good) == []
    [problem] = q002(good, bad)
    assert (problem.check_id, problem.path) == ("Q002", "services.api.routes[1]")
    assert "6 condition values (2 host, 4 path patterns)" in problem.message and "at most 5" in problem.message


def test_q002_holds_for_the_widest_route_params_allow() -> None:
    env = _env({"api": {"routes": [{"host": "api.example.com", "path": "/a/b/c"}]}})
    assert _ids(env) == []


def test_q003_counts_only_services_with_routes() -> None:
    workers = {f"w{i}": {} for i in range(150)}
    assert _ids(_env({"api": {"routes": [{"path": "/"}]}, **workers})) == []


def test_q004_security_group_rules() -> None:
    https = {"certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}
    thirty = [f"10.{i}.0.0/16" for i in range(30)]
    assert _ids(_env(alb={**https, "ingress_cidrs": thirty})) == []
    problems = params_quota_problems(_env(alb={**https, "ingress_cidrs": [*thirty, "192.168.0.0/16"]}))
    assert [(p.check_id, p.path) for p in problems] == [("Q004", "alb.ingress_cidrs")]
    # Without HTTPS one port: 31 CIDRs are fine.
    assert _ids(_env(alb={"ingress_cidrs": [*thirty, "192.168.0.0/16"]})) == []


def test_d005_alb_egress_ports_of_one_host() -> None:
    """61 target ports behind one host (no host: one unit) need 61 outbound rules on its ALB's group."""
    services = {f"s{i}": {"routes": [{"path": f"/s{i}"}], "containers": [{"name": "a", "image": "x", "port": 9000 + i}]}
                for i in range(61)}  # fmt: skip
    problems = rule_problems(_env(services), *PARAMS_QUOTAS, "D005")
    assert [(p.check_id, p.path) for p in problems] == [("D005", "services.s0")]
    assert "61 distinct target ports" in problems[0].message and "61 rules" in problems[0].message
    assert rule_problems(_env(dict(list(services.items())[:60])), *PARAMS_QUOTAS, "D005") == []


def test_q005_two_files_for_one_environment(tmp_path: Path) -> None:
    env = _env()
    check_environments_together([(tmp_path / "a.yaml", env)])  # good: one file per environment
    with pytest.raises(ParamsError) as raised:
        check_environments_together([(tmp_path / "a.yaml", env), (tmp_path / "b.yaml", env)])
    [problem] = raised.value.problems
    assert (problem.check_id, problem.path) == ("Q005", "environment")
    assert str(tmp_path / "a.yaml") in problem.message


# ----------------------------------------------------------------------------- template quotas


def _template(resources: int = 1, parameters: int = 0, outputs: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "Parameters": {f"P{i}": {"Type": "String"} for i in range(parameters)},
        "Resources": {f"R{i}": {"Type": "AWS::SNS::Topic"} for i in range(resources)},
        "Outputs": {f"O{i}": {"Value": "x"} for i in range(outputs)},
        **extra,
    }


TEMPLATE_QUOTAS = ("Q101", "Q102", "Q103", "Q104", "Q105", "Q106", "Q107")


def _findings(template: dict[str, Any], indent: int | None = None) -> list[Any]:
    return rule_findings({"t": json.dumps(template, indent=indent)}, *TEMPLATE_QUOTAS)


def _finding_ids(template: dict[str, Any], indent: int | None = None) -> list[str]:
    return [f.check_id for f in _findings(template, indent)]


@pytest.mark.parametrize(
    ("check_id", "good", "bad"),
    [
        ("Q101", {"resources": 500}, {"resources": 501}),
        ("Q102", {"parameters": 200}, {"parameters": 201}),
        ("Q103", {"outputs": 200}, {"outputs": 201}),
    ],
)
def test_template_counts(check_id: str, good: dict[str, int], bad: dict[str, int]) -> None:
    assert _finding_ids(_template(**good)) == []
    assert _finding_ids(_template(**bad)) == [check_id]


def test_q104_size_is_a_warning_q105_an_error() -> None:
    padding = {"Metadata": {"pad": "x" * 52_000}}
    assert _finding_ids(_template(Description="small")) == []
    [warning] = _findings(_template(**padding))
    assert (warning.check_id, warning.is_error) == ("Q104", False)
    assert "51,200" in warning.message and "S3" in warning.message
    [error] = _findings(_template(Metadata={"pad": "x" * 1_000_001}))
    assert (error.check_id, error.is_error) == ("Q105", True)


def test_q106_explicit_name_length() -> None:
    def tg(name: str) -> dict[str, Any]:
        return {"Resources": {"Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Name": name}}}}

    assert _finding_ids(tg("a" * 32)) == []
    [finding] = _findings(tg("a" * 33))
    assert finding.check_id == "Q106" and "33 characters" in finding.message and "allows 32" in finding.message


def test_q107_export_name_length() -> None:
    def exporting(name: str) -> dict[str, Any]:
        return _template(Outputs={"O": {"Value": "x", "Export": {"Name": name}}})

    assert _finding_ids(exporting("x" * 255)) == []
    assert _finding_ids(exporting("x" * 256)) == ["Q107"]


def test_example_templates_have_no_quota_findings(tmp_path: Path) -> None:
    for name in ("dev", "prod"):
        out = tmp_path / name
        assert (
            generate.main(["--params", str(ROOT / "params" / f"{name}.yaml"), "--out", str(out), "--no-validate"]) == 0
        )
        assert rule_findings(out, *TEMPLATE_QUOTAS) == []


# ----------------------------------------------------------------------------- at generate time


def test_big_service_template_is_written_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = tmp_path / "big.yaml"
    # Unpinned: 95 routes in two specificity bands; colliding hashed slots take free neighbours.
    routes = [{"host": "api.example.com", "path": f"/api/v1/resource-{i}"} for i in range(95)]
    params.write_text(yaml.safe_dump(_doc({"api": {"routes": routes}})))
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
    err = capsys.readouterr().err
    assert "warning: svc-api.json:" in err and "[Q104]" in err
    assert (out / "svc-api.json").stat().st_size > quotas.INLINE_TEMPLATE_BYTES


def test_template_quota_error_leaves_output_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    params = tmp_path / "p.yaml"
    params.write_text(yaml.safe_dump(_doc()))
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 0
    before = snapshot(out)
    monkeypatch.setattr(template_quotas, "RESOURCES_PER_TEMPLATE", 5)
    assert generate.main(["--params", str(params), "--out", str(out), "--no-validate"]) == 1
    err = capsys.readouterr().err
    assert "NOT written" in err and "[Q101]" in err and "at most 5" in err
    assert snapshot(out) == before


def test_duplicate_environment_across_params_files_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    for name in ("qa.yaml", "qa-copy.yaml"):
        (params_dir / name).write_text(yaml.safe_dump(_doc()))
    monkeypatch.setattr(generate, "PARAMS_DIR", params_dir)
    monkeypatch.setattr(generate, "OUTPUT_DIR", tmp_path / "output")
    assert generate.main(["--all", "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "[Q005]" in err and "export names" in err
    assert not (tmp_path / "output").exists()
