"""One test per class of bad input: exit 2, one message naming file + key path + what is allowed.

Each runs the real CLI (``generate.main``) and proves the output folder is untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import generate
from tests.conftest import minimal_params, snapshot, write_params


def run_bad(tmp_path: Path, out: Path, capsys, content: dict | str | bytes | None) -> str:
    path = tmp_path / "bad.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        write_params(tmp_path, content, "bad.yaml")
    before = snapshot(out)
    code = generate.main(["--params", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(path) in err
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert not list(out.parent.glob(".out.*")), "staging folder left behind"
    return err


CASES = {
    "missing file": (None, ["file not found"]),
    "yaml syntax": ("project: [unclosed\n", ["YAML syntax error", "line 2"]),
    "empty file": ("", ["empty"]),
    "not utf-8": (b"project: caf\xe9\n", ["not UTF-8"]),
    "top-level list": ("- a\n- b\n", ["top level must be a mapping"]),
    "duplicate key": ("project: a\nproject: b\n", ["duplicate key 'project'"]),
    "unknown top-level key": (minimal_params(regoin="x"), ["regoin", "unknown key", "allowed keys here: project"]),
    "unknown nested key": (
        minimal_params(network={"nat_mode": "single"}),
        ["network.nat_mode", "allowed keys here: cidr, az_count, nat"],
    ),
    "unknown key in defaults": (minimal_params(defaults={"cpus": 512}), ["defaults.cpus", "allowed keys: cpu"]),
    "wrong type": (minimal_params(network={"az_count": "three"}), ["network.az_count", "valid integer"]),
    "out of range": (minimal_params(network={"az_count": 5}), ["network.az_count", "less than or equal to 3"]),
    "bad enum": (minimal_params(network={"nat": "two"}), ["network.nat", "'none', 'single' or 'per-az'"]),
    "bad cidr": (minimal_params(network={"cidr": "10.0.0.0/8"}), ["network.cidr", "use /16 to /24"]),
    "bad certificate arn": (minimal_params(alb={"certificate_arn": "arn:aws:iam::1:x"}), ["alb.certificate_arn"]),
    "invalid project name": (minimal_params(project="My_Shop"), ["project", "should match pattern"]),
    "missing region": ({"project": "a", "environment": "b", "services": {}}, ["region", "required key is missing"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_exit_2_and_a_located_message(case: str, tmp_path: Path, out: Path, capsys) -> None:
    content, expected = CASES[case]
    err = run_bad(tmp_path, out, capsys, content)
    for text in expected:
        assert text in err


def service_with(**fields) -> dict:
    base = {"image_tag": "1", "containers": [{"name": "app", "image": "repo", "port": 80}]}
    base.update(fields)
    return base


def test_bad_cpu_memory_pair_names_allowed_sizes(tmp_path: Path, out: Path, capsys) -> None:
    err = run_bad(tmp_path, out, capsys, minimal_params(services={"api": service_with(cpu=256, memory=4096)}))
    assert "services.api" in err and "with cpu 256, memory (MiB) must be 512, 1024, 2048" in err


def test_inherited_bad_value_points_at_defaults(tmp_path: Path, out: Path, capsys) -> None:
    data = minimal_params(defaults={"log_retention_days": 13}, services={"api": service_with()})
    err = run_bad(tmp_path, out, capsys, data)
    assert "  defaults.log_retention_days: " in err and "inherited by services: api" in err
    assert "services.api" not in err, "a mistake under defaults is reported once, at defaults"


def test_duplicate_routes_across_services(tmp_path: Path, out: Path, capsys) -> None:
    route = {"host": "api.example.com", "path": "/x"}
    data = minimal_params(services={"a": service_with(routes=[route]), "b": service_with(routes=[route])})
    err = run_bad(tmp_path, out, capsys, data)
    assert "services.b.routes[0]" in err and "already routed by services.a.routes[0]" in err


def test_invalid_service_name(tmp_path: Path, out: Path, capsys) -> None:
    err = run_bad(tmp_path, out, capsys, minimal_params(services={"User_API": service_with()}))
    assert "services.User_API" in err


def test_image_without_tag_needs_image_tag(tmp_path: Path, out: Path, capsys) -> None:
    svc = {"containers": [{"name": "app", "image": "repo", "port": 80}]}
    err = run_bad(tmp_path, out, capsys, minimal_params(services={"api": svc}))
    assert "services.api" in err and "image_tag is required" in err


def test_unknown_target_container(tmp_path: Path, out: Path, capsys) -> None:
    err = run_bad(tmp_path, out, capsys, minimal_params(services={"api": service_with(target_container="web")}))
    assert "target_container 'web' is not a container; allowed: app" in err


def test_all_problems_are_reported_together(tmp_path: Path, out: Path, capsys) -> None:
    data = minimal_params(network={"az_count": 9, "nat": "x"})
    err = run_bad(tmp_path, out, capsys, data)
    assert "network.az_count" in err and "network.nat" in err and "2 problem(s)" in err


def test_one_bad_env_stops_all_envs(tmp_path: Path, monkeypatch, capsys) -> None:
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    write_params(params_dir, minimal_params(), "a.yaml")
    write_params(params_dir, minimal_params(network={"nat": "x"}), "b.yaml")
    monkeypatch.setattr(generate, "PARAMS_DIR", params_dir)
    monkeypatch.setattr(generate, "OUTPUT_DIR", tmp_path / "output")
    assert generate.main(["--all", "--no-validate"]) == 2
    assert not (tmp_path / "output").exists()
