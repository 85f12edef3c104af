"""AWS limits (L0xx, L1xx): the good side of each check, next to the bad cases in tests/bad_params/.

A limit check is only useful if it lets the largest legal value through: each
good fixture sits exactly at the limit (128-character host, 63-byte label,
a 1-day alarm window, subnets filled to the last address, ...).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from templates.errors import ParamsError
from templates.pipeline import build_all, load_environment
from templates.plan.build import build_plan
from templates.plan.tasks import peak_tasks
from templates.rules.params.platform import bucket_name_problem
from templates.rules.params.scaling import time_zone_problem
from templates.rules.plan import network as capacity
from templates.rules.rendered import sizes as limits
from templates.writer import render
from tests.conftest import IMAGE, minimal_params, rule_findings, rule_problems, web, write_params

ROOT = Path(__file__).resolve().parent.parent
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/dev/jwt-AbCdEf"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-def012345678"


def _load(tmp_path: Path, **top: Any):
    return load_environment(write_params(tmp_path, minimal_params(**top)))


def _service(tmp_path: Path, **fields: Any):
    return _load(tmp_path, services={"api": web(**fields)}).services["api"]


def _problems(tmp_path: Path, **top: Any) -> list[str]:
    with pytest.raises(ParamsError) as info:
        _load(tmp_path, **top)
    return [p.render() for p in info.value.problems]


# --- good fixtures at the limit ------------------------------------------------------------------


def test_host_of_128_characters_and_63_byte_labels_load(tmp_path: Path) -> None:
    host = "x" * 63 + "." + "y" * 52 + ".example.com"
    assert len(host) == 128
    assert _service(tmp_path, routes=[{"host": host}]).routes[0].host == host


def test_every_documented_path_character_loads(tmp_path: Path) -> None:
    path = "/AZaz09_-.$~\"'@:+&/x*"
    assert _service(tmp_path, routes=[{"host": "api.example.com", "path": path}]).routes[0].path == path


@pytest.mark.parametrize("name", ["abc", "a" * 63, "shop.prod.alb-logs", "192.168.5.4x", "my-xn--bucket"])
def test_valid_bucket_names(name: str) -> None:
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"])
def test_iana_time_zones(zone: str) -> None:
    assert time_zone_problem(zone) is None


@pytest.mark.parametrize(("period", "periods"), [(1800, 48), (6000, 100), (86400, 7)])
def test_alarm_windows_at_cloudwatch_maximum_load(tmp_path: Path, period: int, periods: int) -> None:
    """1800 x 48 = 1 day (periods under an hour); 86400 x 7 = 7 days (an hour or more)."""
    step = {"scale_out": {"threshold": 80, "period": period, "evaluation_periods": periods}}
    svc = _service(tmp_path, scaling={"max_count": 2, "step": step})
    assert svc.scaling is not None and svc.scaling.step is not None


def test_ten_containers_and_ten_managed_policies_load(tmp_path: Path) -> None:
    busybox = "public.ecr.aws/docker/library/busybox:1.36"
    sidecars = [{"name": f"s{i}", "image": busybox, "essential": False} for i in range(9)]
    policies = [f"arn:aws:iam::123456789012:policy/p{i}" for i in range(10)]
    containers = [{"name": "app", "image": IMAGE, "port": 8080}, *sidecars]
    svc = _service(tmp_path, containers=containers, task_role={"managed_policy_arns": policies})
    assert len(svc.containers) == 10


def test_untagged_containers_of_one_repository_share_image_tag(tmp_path: Path) -> None:
    """The app and its migration step come from one build: one ImageTag is right (design of L006)."""
    containers = [
        {"name": "migrate", "image": IMAGE, "essential": False, "command": ["migrate"]},
        {"name": "app", "image": IMAGE, "port": 8080, "depends_on": {"migrate": "SUCCESS"}},
    ]
    doc = build_all(_load(tmp_path, services={"api": web(containers=containers)}))["svc-api"].to_dict()
    images = [c["Image"] for c in doc["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"]]
    assert images == [{"Fn::Join": [":", [IMAGE, {"Ref": "ImageTag"}]]}] * 2


def test_image_of_255_characters_with_tag_loads(tmp_path: Path) -> None:
    image = "registry.example.com/" + "a" * (255 - len("registry.example.com/") - len(":1"))
    svc = _service(tmp_path, containers=[{"name": "app", "image": image, "port": 8080}])
    assert len(f"{svc.containers[0].image}:{svc.image_tag}") == 255


def test_sidecar_of_another_repository_with_its_own_tag_loads(tmp_path: Path) -> None:
    containers = [
        {"name": "app", "image": IMAGE, "port": 8080},
        {"name": "envoy", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/envoy:v1.31", "port": 9901},
    ]
    assert len(_service(tmp_path, containers=containers).containers) == 2


def test_same_port_in_one_container_only(tmp_path: Path) -> None:
    containers = [{"name": "app", "image": IMAGE, "port": 8080, "extra_ports": [9090]}]
    assert _service(tmp_path, containers=containers).containers[0].ports == [8080, 9090]


# --- subnet capacity: the threshold -------------------------------------------------------------


def _capacity_env(tmp_path: Path, desired: int):
    return _load(tmp_path, network={"cidr": "10.30.0.0/24"}, services={"api": web(desired_count=desired)})


def test_subnets_filled_to_the_last_address_load_with_a_warning(tmp_path: Path) -> None:
    env = _capacity_env(tmp_path, 27)  # 2 x (32 - 5) = 54 addresses; 27 tasks x 200 % = 54
    assert peak_tasks(env.services["api"]) == 54
    assert capacity.private_addresses(build_plan(env)) == 54
    (warning,) = rule_problems(env, "L014")
    assert warning.check_id == "L014" and not warning.is_error and "54 tasks" in warning.message


def test_subnets_below_the_threshold_do_not_warn(tmp_path: Path) -> None:
    env = _capacity_env(tmp_path, math.floor(54 * capacity.WARN_RATIO / 2))
    assert rule_problems(env, "L014") == []


def test_one_task_too_many_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, network={"cidr": "10.30.0.0/24"}, services={"api": web(desired_count=28)})
    assert problems == [next(p for p in problems if p.startswith("network.cidr:") and p.endswith("[L014]"))]
    assert "56 tasks" in problems[0] and "54 addresses" in problems[0]


def test_scheduled_scaling_maximum_counts(tmp_path: Path) -> None:
    scaling = {
        "max_count": 2,
        "schedules": [{"name": "peak", "schedule": "cron(0 8 * * ? *)", "max_count": 40}],
    }
    assert peak_tasks(_service(tmp_path, scaling=scaling)) == 80


# --- secrets and their KMS keys -----------------------------------------------------------------


def test_kms_key_grants_decrypt_on_that_key_via_secrets_manager_only(tmp_path: Path) -> None:
    containers = [{"name": "app", "image": IMAGE, "port": 8080, "secrets": {"JWT": SECRET}}]
    env = _load(tmp_path, services={"api": web(containers=containers, secrets_kms_key_arns=[KEY])})
    role = build_all(env)["svc-api"].to_dict()["Resources"]["ExecutionRole"]["Properties"]
    (statement,) = [s for s in role["Policies"][0]["PolicyDocument"]["Statement"] if s["Sid"] == "DecryptOwnSecrets"]
    assert statement["Action"] == ["kms:Decrypt"] and statement["Resource"] == [KEY]
    assert statement["Condition"] == {"StringEquals": {"kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com"]}}


def test_no_kms_statement_without_keys(tmp_path: Path) -> None:
    containers = [{"name": "app", "image": IMAGE, "port": 8080, "secrets": {"JWT": SECRET}}]
    role = build_all(_load(tmp_path, services={"api": web(containers=containers)}))["svc-api"].to_dict()
    policy = role["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    sids = [s["Sid"] for s in policy["Statement"]]
    assert "DecryptOwnSecrets" not in sids


# --- template-level limits (L1xx) on rendered templates -----------------------------------------


def _task_definition(env_value_bytes: int) -> dict[str, Any]:
    environment = [{"Name": "BIG", "Value": "x" * env_value_bytes}]
    props = {"Family": "f", "ContainerDefinitions": [{"Name": "app", "Environment": environment}]}
    return {"Resources": {"TaskDefinition": {"Type": "AWS::ECS::TaskDefinition", "Properties": props}}}


def test_task_definition_size_is_measured_as_compact_json() -> None:
    overhead = len(limits._compact(_task_definition(0)["Resources"]["TaskDefinition"]["Properties"]).encode())
    at_limit = _task_definition(limits.TASK_DEFINITION_BYTES - overhead)
    assert rule_findings({"t": at_limit}, "L101") == []
    over = _task_definition(limits.TASK_DEFINITION_BYTES - overhead + 1)
    (finding,) = rule_findings({"t": over}, "L101")
    assert finding.check_id == "L101" and "65,537 bytes" in finding.message


def _role(policy_characters: int) -> dict[str, Any]:
    base = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": ""}]}
    overhead = len(limits._compact(base))
    base["Statement"][0]["Resource"] = "r" * (policy_characters - overhead)
    props = {"Policies": [{"PolicyName": "app", "PolicyDocument": base}]}
    return {"Resources": {"TaskRole": {"Type": "AWS::IAM::Role", "Properties": props}}}


def test_role_inline_policy_size_counts_no_whitespace() -> None:
    assert rule_findings({"t": _role(limits.ROLE_INLINE_POLICY_CHARACTERS)}, "L102") == []
    (finding,) = rule_findings({"t": _role(limits.ROLE_INLINE_POLICY_CHARACTERS + 1)}, "L102")
    assert finding.check_id == "L102" and "10,241 characters" in finding.message


def test_shipped_templates_are_inside_the_size_limits() -> None:
    for params in sorted(p for p in (ROOT / "params").glob("*.yaml") if not p.name.endswith(".lock.yaml")):
        for key, template in build_all(load_environment(params)).items():
            assert rule_findings({key: render(template)}, "L101", "L102") == [], key
