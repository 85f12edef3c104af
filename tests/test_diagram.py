"""The environment diagram: drawn by the real D2 binary, naming every service and every listener rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from templates.diagram.d2 import quote, to_d2
from templates.diagram.mermaid import to_mermaid
from templates.diagram.model import build_picture
from templates.diagram.render import RenderError, render_svg
from templates.params.environment import Environment
from templates.pipeline import generate, load, load_environment
from templates.plan.build import build_plan
from templates.plan.model import EnvironmentPlan
from tests.conftest import IMAGE, PARAMS_DIR, make_env, web


def svg_text(svg: bytes) -> str:
    """Every text node of the SVG, one per line (what a reader of the picture sees)."""
    root = ET.fromstring(svg)  # noqa: S314 - the SVG our own run of d2 just wrote
    return "\n".join(" ".join("".join(el.itertext()).split()) for el in root.iter() if el.tag.endswith("text"))


def many_services(count: int) -> Environment:
    services: dict[str, Any] = {}
    for i in range(count):
        name = f"svc{i:02d}"
        if i % 5 == 3:
            services[name] = {
                "kind": "worker",
                "image_tag": "1",
                "containers": [{"name": "w", "image": IMAGE, "port": 9000}],
                "discovery": {"mode": "cloud-map"},
            }
        elif i % 5 == 4:
            services[name] = {
                "kind": "scheduled",
                "image_tag": "1",
                "containers": [{"name": "w", "image": IMAGE}],
                "schedule": {"expression": f"cron({i} 3 * * ? *)"},
            }
        else:
            services[name] = web(routes=[{"host": f"{name}.example.com", "path": f"/api/{name}"}])
    return make_env(services=services)


def _assert_names_everything(env: Environment, text: str, plan: EnvironmentPlan | None = None) -> None:
    for name in env.services:
        assert f"{name} (" in text, name
    plan = plan or build_plan(env)
    for rule in plan.routes + plan.test_routes:
        host = rule.hosts[0] if rule.hosts else "(any host) "
        assert f"{rule.priority} {host}{rule.paths[0] if rule.paths else '/*'}" in text, rule


@pytest.mark.parametrize("name", ["dev", "prod", "staging", "hybrid"])
def test_generate_writes_a_diagram_naming_every_service_and_rule(name: str, tmp_path: Path) -> None:
    loaded = load(PARAMS_DIR / f"{name}.yaml")
    env = loaded.env
    out = tmp_path / name
    findings = generate(loaded, out, validate=False)
    assert not [f for f in findings if f.check_id == "G001"]
    text = svg_text((out / "diagram.svg").read_bytes())
    _assert_names_everything(env, text, loaded.plan)
    cidr = env.network.existing.cidr if env.network.existing else env.network.cidr
    assert f"VPC {cidr}" in text or f"{cidr}" in text
    mermaid = (out / "diagram.mmd").read_text()
    assert mermaid.startswith("flowchart LR") and all(f"{n} (" in mermaid for n in env.services)


def test_prod_diagram_shows_blue_green_spot_and_schedules(tmp_path: Path) -> None:
    env = load_environment(PARAMS_DIR / "prod.yaml")
    text = svg_text(render_svg(to_d2(build_picture(env, build_plan(env)))))
    assert "header X-Deployment-Test: green" in text
    assert "3-12 tasks (auto scaling), 0-7 on Spot" in text  # web: base 2 on demand, then 1:3
    assert "1 task(s) at cron(0 3 * * ? *)" in text
    assert text.count("NAT gateway") == 3


def test_the_ec2_example_shows_its_capacity_groups_and_what_runs_where() -> None:
    loaded = load(PARAMS_DIR / "hybrid.yaml")
    picture = build_picture(loaded.env, loaded.plan)
    text = svg_text(render_svg(to_d2(picture)))
    assert "EC2 group gpu (x86_64, GPU)" in text and "g5.xlarge, g5.2xlarge" in text
    assert "EC2 group general (arm64)" in text
    for name, where in loaded.plan.compute.where.items():
        assert f"on {where}" in text, name
    groups = {g.name: g.services for g in picture.groups}
    assert groups == {"gpu": ("inference",), "general": ("thumbnails", "log-agent")}
    mermaid = to_mermaid(picture)
    assert mermaid.count("-.->|runs on|") == 3


def test_fifty_services_are_all_drawn() -> None:
    env = many_services(50)
    text = svg_text(render_svg(to_d2(build_picture(env, build_plan(env)))))
    _assert_names_everything(env, text)


def test_labels_cannot_break_the_d2_source() -> None:
    assert quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_d2_refusing_the_source_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="d2 exited"):
        render_svg("a -> {")


def test_mermaid_is_one_line_per_rule_edge() -> None:
    env = many_services(10)
    mermaid = to_mermaid(build_picture(env, build_plan(env)))
    assert sum(1 for line in mermaid.splitlines() if line.strip().startswith("r") and "-->" in line) == len(
        build_plan(env).routes
    )


def test_staging_diagram_shows_the_endpoints_instead_of_nat() -> None:
    env = load_environment(PARAMS_DIR / "staging.yaml")
    text = svg_text(render_svg(to_d2(build_picture(env, build_plan(env)))))
    assert "VPC endpoints" in text and "s3 (gateway, free)" in text and "sqs" in text
    assert "NAT gateway" not in text
