"""import_task.py on task definitions shaped like AWS's documented examples, and the seed from the issue.

Each good shape must come out as a params entry that generates and passes
cfn-lint; each unrepresentable field must be one line on stderr with exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import generate
import import_task
from tests.conftest import minimal_params, write_params

SHAPES = Path(__file__).resolve().parent / "fixtures" / "task_definitions"


def run(capsys: pytest.CaptureFixture[str], name: str, *flags: str) -> tuple[int, str, str]:
    code = import_task.main([str(SHAPES / name), *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def generates_clean(tmp_path: Path, printed: str, region: str) -> dict[str, Any]:
    """The printed entry, pasted into a params file, generates and lints clean; returns its service templates."""
    services = yaml.safe_load(printed)["services"]
    params = write_params(tmp_path, minimal_params(region=region, services=services))
    out = tmp_path / "out"
    assert generate.main(["--params", str(params), "--out", str(out)]) == 0
    return {p.stem: json.loads(p.read_text()) for p in out.glob("svc-*.json")}


def task_definition(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["TaskDefinition"]["Properties"]


def test_the_issue_seed_converts_generates_and_lints_clean(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "seed-bitbucket.json")
    assert code == 0, err
    assert err == ""
    assert "$BITBUCKET_COMMIT is the ImageTag parameter" in out
    (template,) = generates_clean(tmp_path, out, "us-east-2").values()
    (container,) = task_definition(template)["ContainerDefinitions"]
    assert container["Image"] == {
        "Fn::Join": [":", ["123456789008.dkr.ecr.us-east-2.amazonaws.com/api", {"Ref": "ImageTag"}]]
    }
    assert {e["Name"]: e["Value"] for e in container["Environment"]} == {
        "NODE_ENV": "developement",
        "PORT": "8080",
        "REDEPLOY_NONCE": {"Ref": "RedeployNonce"},  # every ECS service: roll tasks by parameter
    }
    assert container["PortMappings"][0]["ContainerPort"] == 8080
    assert (task_definition(template)["Cpu"], task_definition(template)["Memory"]) == ("512", "1024")
    assert task_definition(template)["Family"] == "api-ecs-task-definition"  # the family CI already names


def test_a_route_flag_puts_the_import_behind_the_alb(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "seed-bitbucket.json", "--name", "api", "--host", "api.example.com", "--path", "/api")
    assert code == 0, err
    template = generates_clean(tmp_path, out, "us-east-2")["svc-api"]
    assert any(r["Type"].endswith("ListenerRule") for r in template["Resources"].values())


def test_documented_fargate_webserver_keeps_image_entrypoint_and_command(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "fargate-webserver.json")
    assert code == 0, err
    (template,) = generates_clean(tmp_path, out, "us-east-1").values()
    (container,) = task_definition(template)["ContainerDefinitions"]
    source = json.loads((SHAPES / "fargate-webserver.json").read_text())["containerDefinitions"][0]
    assert container["Image"] == source["image"]
    assert (container["EntryPoint"], container["Command"]) == (source["entryPoint"], source["command"])


def test_describe_output_lists_the_task_role_and_converts_with_accept_loss(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "describe-output.json")
    assert (code, out) == (2, "")
    lost = [line for line in err.splitlines() if "not carried over" in line]
    assert len(lost) == 1 and "taskRoleArn" in lost[0]
    code, out, err = run(capsys, "describe-output.json", "--accept-loss")
    assert code == 0
    (template,) = generates_clean(tmp_path, out, "us-west-2").values()
    task = task_definition(template)
    assert (task["Cpu"], task["Memory"], task["RuntimePlatform"]["CpuArchitecture"]) == ("1024", "2048", "ARM64")
    (container,) = task["ContainerDefinitions"]
    assert [s["Name"] for s in container["Secrets"]] == ["WORDPRESS_DB_PASSWORD"]


def test_sidecars_keep_dependencies_health_checks_and_one_image_tag(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "sidecar-dependencies.json")
    assert code == 0, err
    (template,) = generates_clean(tmp_path, out, "eu-west-1").values()
    task = task_definition(template)
    containers = {c["Name"]: c for c in task["ContainerDefinitions"]}
    assert {d["ContainerName"]: d["Condition"] for d in containers["orders"]["DependsOn"]} == {
        "cache": "HEALTHY",
        "migrate": "SUCCESS",
    }
    assert containers["cache"]["HealthCheck"]["Command"] == ["CMD", "redis-cli", "ping"]
    assert containers["migrate"]["Essential"] is False
    assert containers["orders"]["ReadonlyRootFilesystem"] is True
    assert [p["ContainerPort"] for p in containers["orders"]["PortMappings"]] == [8080, 9090]
    assert task["EphemeralStorage"] == {"SizeInGiB": 30}
    assert "Parameters" in template and template["Parameters"]["ImageTag"]["Default"] == "latest"


@pytest.mark.parametrize(
    ("shape", "lines"),
    [
        (
            "ec2-bridge.json",
            [
                "networkMode: bridge",
                "requiresCompatibilities: ['EC2']",
                "volumes:",
                "placementConstraints:",
                "containerDefinitions[0].cpu: 128",
                "containerDefinitions[0].memory: 256",
                "containerDefinitions[0].links:",
                "containerDefinitions[0].mountPoints:",
                "containerDefinitions[0].portMappings[0]: hostPort 0",
                "containerDefinitions[1].memoryReservation: 512",
                "containerDefinitions[1].privileged: True",
            ],
        ),
        (
            "firelens-windows.json",
            [
                "runtimePlatform.operatingSystemFamily: WINDOWS_SERVER_2022_CORE",
                "containerDefinitions[0].logConfiguration: log driver awsfirelens",
                "containerDefinitions[0].environmentFiles:",
                "containerDefinitions[0].secrets[0]: TOKEN reads 'app-token'",
            ],
        ),
    ],
)
def test_unrepresentable_fields_are_listed_one_line_each(shape: str, lines: list[str], capsys) -> None:
    code, out, err = run(capsys, shape)
    assert (code, out) == (2, "")
    lost = [line.split("not carried over: ", 1)[1] for line in err.splitlines() if "not carried over: " in line]
    assert len(lost) == len(lines), err
    for expected in lines:
        assert sum(line.startswith(expected) for line in lost) == 1, (expected, err)


def test_a_size_fargate_cannot_run_is_refused_with_the_table(capsys) -> None:
    code, out, err = run(capsys, "not-fargate-size.json", "--accept-loss")
    assert (code, out) == (2, "")
    assert "cpu 256 / memory 4096 is not a Fargate size" in err
    assert "with cpu 256, memory (MiB) must be 512, 1024, 2048" in err and "with cpu 16384" in err


def test_not_a_task_definition_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"services": []}))
    assert import_task.main([str(path)]) == 2
    assert "not an ECS task definition" in capsys.readouterr().err


def _task(*containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "family": "api",
        "cpu": "256",
        "memory": "512",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "containerDefinitions": list(containers),
    }


APP = {"name": "app", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1"}


@pytest.mark.parametrize(
    ("containers", "line"),
    [
        ([{"image": APP["image"]}], "containerDefinitions[0].name is missing (image '123456789012.dkr.ecr"),
        (
            [{**APP, "environment": [{"value": "x"}]}],
            "containerDefinitions[0].environment[0].name is missing (found {'value': 'x'})",
        ),
        (
            [{**APP, "secrets": [{"valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/x"}]}],
            "containerDefinitions[0].secrets[0].name is missing",
        ),
        (
            [{**APP, "dependsOn": [{"containerName": "ghost", "condition": "START"}]}],
            "containerDefinitions[0].dependsOn[0].containerName 'ghost' names no container of this task definition",
        ),
        (
            [{**APP, "dependsOn": [{"containerName": "app"}]}],
            "containerDefinitions[0].dependsOn[0].condition is missing",
        ),
    ],
)
def test_a_task_definition_ecs_would_refuse_is_named_field_by_field(
    containers: list[dict[str, Any]], line: str, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "td.json"
    path.write_text(json.dumps(_task(*containers)))
    assert import_task.main([str(path), "--accept-loss"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert line in captured.err, captured.err


def test_awslogs_mode_and_buffer_size_carry_over(tmp_path: Path, capsys) -> None:
    logs = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api", "awslogs-region": "eu-west-1",
                                                "awslogs-stream-prefix": "api", "mode": "non-blocking",
                                                "max-buffer-size": "4m"}}  # fmt: skip
    path = tmp_path / "td.json"
    path.write_text(json.dumps(_task({**APP, "logConfiguration": logs})))
    assert import_task.main([str(path)]) == 0
    captured = capsys.readouterr()
    assert "not carried over" not in captured.err
    assert yaml.safe_load(captured.out)["services"]["api"]["logs"] == {"mode": "non-blocking", "max_buffer_size": "4m"}
    logs["options"]["max-buffer-size"] = "4 MB"
    path.write_text(json.dumps(_task({**APP, "logConfiguration": logs})))
    assert import_task.main([str(path)]) == 2
    assert "containerDefinitions[0].logConfiguration.options.max-buffer-size: '4 MB'" in capsys.readouterr().err


def test_a_partial_secret_arn_is_marked_and_said_not_printed_clean(tmp_path: Path, capsys) -> None:
    partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:users-db"
    path = tmp_path / "td.json"
    path.write_text(json.dumps(_task({**APP, "secrets": [{"name": "DB", "valueFrom": partial}]})))
    assert import_task.main([str(path)]) == 0
    out = capsys.readouterr().out
    assert f"containerDefinitions[0].secrets[0].valueFrom {partial!r} is a partial secret ARN" in out
    services = yaml.safe_load(out)["services"]
    assert services["api"]["containers"][0]["secrets"] == {"DB": partial + "-??????"}
    params = write_params(tmp_path, minimal_params(services=services))
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out"), "--no-validate"]) == 0


def test_a_secret_named_like_a_suffix_is_printed_with_a_warning(tmp_path: Path, capsys) -> None:
    looks = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:users-db-secret"
    path = tmp_path / "td.json"
    path.write_text(json.dumps(_task({**APP, "secrets": [{"name": "DB", "valueFrom": looks}]})))
    assert import_task.main([str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "containers[0].secrets.DB (from containerDefinitions[0])" in err and "[L030]" in err
