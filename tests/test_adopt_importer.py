"""adopt.py offline: a saved snapshot of a console cluster -> params, route lock, adoption file; every loss said.

The snapshot (``tests/fixtures/adopt/console-snapshot.json``) is what
``deployer.run.discover`` read from the console world of
``tests/console_world.py``; variants of it are made here by editing a copy.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import adopt
from importer.live_environment import adopt as adopt_snapshot
from importer.live_shapes import image_tags, route_of, scaling_of, task_role_of
from templates.params.route_lock import read_lock
from templates.pipeline import build_all, load

SNAPSHOT = Path(__file__).parent / "fixtures" / "adopt" / "console-snapshot.json"


@pytest.fixture
def snapshot() -> dict[str, Any]:
    return json.loads(SNAPSHOT.read_text())


def cli(tmp_path: Path, snapshot: dict[str, Any], *extra: str) -> tuple[int, Path]:
    source = tmp_path / "snapshot.json"
    source.write_text(json.dumps(snapshot))
    out = tmp_path / "params" / "prod.yaml"
    code = adopt.main(["--from-snapshot", str(source), "--project", "shop", "--environment", "prod",
                       "--out", str(out), *extra])  # fmt: skip
    return code, out


def test_the_console_cluster_becomes_params_whose_names_and_priorities_are_the_live_ones(
    tmp_path: Path, snapshot: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli(tmp_path, snapshot)

    assert code == 0, capsys.readouterr().err
    params = yaml.safe_load(out.read_text())
    assert params["cluster"] == {"name": "demo"}
    assert set(params["alb"]["existing"]) == {"https_listener_arn", "security_group", "dns_name", "hosted_zone_id"}
    assert params["network"]["nat"] == "single" and params["network"]["endpoints"] == {
        "s3_gateway": False,
        "interface": False,
    }
    users = params["services"]["users"]
    assert users["names"] == {"task_family": "users", "service": "users", "log_group": "/ecs/users",
                              "target_group": "users-tg"}  # fmt: skip
    assert users["containers"][0]["image"].endswith(".amazonaws.com/users") and users["image_tag"] == "1.4.2"
    assert (users["cpu"], users["memory"], users["desired_count"], users["log_retention_days"]) == (512, 1024, 2, 30)
    assert users["routes"] == [{"host": "api.example.com", "path": "/users*", "priority": 20}]
    lock = read_lock(out.with_name("prod.lock.yaml"))
    assert sorted((r.host, tuple(r.paths), r.priority) for r in lock.routes) == [
        ("api.example.com", ("/auth*",), 10),
        ("api.example.com", ("/users*",), 20),
    ]
    record = yaml.safe_load(out.with_name("prod.adopt.yaml").read_text())
    assert [e["type"] for e in record["stacks"]["svc-users"]["import"]] == [
        "AWS::ECS::Service", "AWS::Logs::LogGroup", "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
    ]  # fmt: skip
    assert any("security group" in line for line in record["stacks"]["svc-users"]["left_alone"])


def test_the_generated_templates_name_everything_as_it_lives(
    tmp_path: Path, snapshot: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli(tmp_path, snapshot)
    assert code == 0, capsys.readouterr().err
    loaded = load(out)
    templates = {key: t.to_dict() for key, t in build_all(loaded.env, loaded.plan).items()}
    auth = templates["svc-auth"]["Resources"]
    assert auth["Service"]["Properties"]["ServiceName"] == "auth"
    assert auth["TargetGroup"]["Properties"]["Name"] == "auth-tg"
    assert auth["LogGroup"]["Properties"]["LogGroupName"] == "/ecs/auth"
    assert auth["TaskDefinition"]["Properties"]["Family"] == "auth"
    (rule,) = [r for r in auth.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"]
    assert rule["Properties"]["Priority"] == 10
    assert templates["cluster"]["Resources"]["Cluster"]["Properties"]["ClusterName"] == "demo"


def _lossy(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot with what the params cannot say: two hosts on a rule, public IPs, logs kept forever."""
    lossy = copy.deepcopy(snapshot)
    auth = lossy["services"][0]
    auth["rules"][0]["Conditions"][0]["HostHeaderConfig"]["Values"].append("api.example.org")
    auth["service"]["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] = "ENABLED"
    auth["log_groups"][0].pop("retentionInDays")
    alb_group = lossy["load_balancers"][0]["SecurityGroups"][0]
    auth["security_groups"][0]["IpPermissions"] = [
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": alb_group}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
    ]
    return lossy


def test_what_cannot_be_expressed_is_listed_and_nothing_is_written_unless_accepted(
    tmp_path: Path, snapshot: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli(tmp_path, _lossy(snapshot))

    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "service auth: rule arn:" in err and "host values ['api.example.com', 'api.example.org']" in err
    assert "service auth: assignPublicIp ENABLED" in err
    assert "service auth: log group /ecs/auth retention never expire (log_retention_days: 3653" in err
    assert "service auth: no rule could become a route, so it is adopted as a worker" in err
    assert "admits 10.0.0.0/8 on tcp 22-22 (the stack's task security group admits the load balancer only)" in err
    assert "on tcp 8080" not in err  # the load balancer's own ingress is what the stack's group admits too
    assert "5 setting(s) would be lost; re-run with --accept-loss" in err

    code, out = cli(tmp_path, _lossy(snapshot), "--accept-loss")

    assert code == 0 and out.exists()
    assert yaml.safe_load(out.read_text())["services"]["auth"]["kind"] == "worker"  # the rule stays outside
    record = yaml.safe_load(out.with_name("prod.adopt.yaml").read_text())
    assert [e["type"] for e in record["stacks"]["svc-auth"]["import"]] == ["AWS::ECS::Service", "AWS::Logs::LogGroup"]


def test_an_existing_params_file_is_not_overwritten(tmp_path: Path, snapshot: dict[str, Any]) -> None:
    out = tmp_path / "params" / "prod.yaml"
    out.parent.mkdir()
    out.write_text("keep: me\n")
    code, _ = cli(tmp_path, snapshot)
    assert code == 2 and out.read_text() == "keep: me\n"


@pytest.mark.parametrize(
    ("patterns", "path"),
    [(["/auth*"], "/auth*"), (["/auth", "/auth/*"], "/auth"), (["/*"], "/*"), (["/auth"], None)],
)
def test_a_rule_path_becomes_a_route_only_when_it_means_the_same(patterns: list[str], path: str | None) -> None:
    rule = {"Priority": "7", "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": patterns}}]}
    route, losses = route_of(rule)
    assert (route or {}).get("path") == path
    assert bool(losses) == (path is None)  # an exact-match path would become a prefix: refused, said


def test_an_image_tag_becomes_the_image_tag_parameter_and_untagged_images_keep_latest() -> None:
    containers = [{"image": "repo/app:2.1"}, {"image": "public.ecr.aws/x/sidecar"}, {"image": "repo/log:9"}]
    tag, _ = image_tags(containers)
    assert tag == "2.1"
    assert [c["image"] for c in containers] == ["repo/app", "public.ecr.aws/x/sidecar:latest", "repo/log:9"]


def test_scaling_is_written_as_it_is_and_the_live_policies_left_beside_are_said() -> None:
    snapshot = {
        "targets": [{"ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 2, "MaxCapacity": 6,
                     "ResourceId": "service/demo/auth"}],
        "policies": [
            {"PolicyName": "cpu", "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0, "ScaleInCooldown": 120,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}},
            {"PolicyName": "steps", "PolicyType": "StepScaling"},
        ],
    }  # fmt: skip
    scaling, losses, left = scaling_of(snapshot)
    assert scaling == {"min_count": 2, "max_count": 6, "target_tracking": {"cpu": 60.0, "scale_in_cooldown": 120}}
    assert losses == ["scaling policy steps (StepScaling: target tracking on CPU, memory or requests per target "
                      "only here)"]  # fmt: skip
    assert [line.split(":")[0] for line in left] == ["scaling policy cpu", "scaling policy steps"]
    assert all("delete-scaling-policy" in line and "--resource-id service/demo/auth" in line for line in left)


def test_a_task_role_keeps_its_statements_and_attached_policies() -> None:
    role = {
        "arn": "arn:aws:iam::123456789012:role/app",
        "inline": {"s3": {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                         {"Effect": "Allow", "Action": "sqs:*", "Resource": "*", "Condition": {}}]}},
        "managed": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    }  # fmt: skip
    task_role, losses = task_role_of(role)
    (statement,) = task_role["statements"]
    assert statement["actions"] == ["s3:GetObject"] and "adopted as it was from role app" in statement["reason"]
    assert task_role["managed_policy_arns"] == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]
    assert losses == ["task role arn:aws:iam::123456789012:role/app policy s3: a statement with Condition "
                      "(not expressible)"]  # fmt: skip


def test_a_target_group_on_another_port_keeps_it(snapshot: dict[str, Any]) -> None:
    moved = copy.deepcopy(snapshot)
    moved["services"][0]["target_groups"][0]["Port"] = 80
    adoption = adopt_snapshot(moved, "shop", "prod")
    assert adoption.params["services"]["auth"]["target_group"]["port"] == 80
