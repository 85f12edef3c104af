"""Names people depend on: overrides, their validation, and defaults derived from the export prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from templates.naming import log_group_name, task_family
from templates.pipeline import build_all
from tests.conftest import make_env, minimal_params, web
from tests.test_params_errors import run_bad

NAMED = ("AWS::ECS::TaskDefinition", "Family"), ("AWS::Logs::LogGroup", "LogGroupName")


def resolve(value: Any, prefix: str) -> str:
    """A name property as CloudFormation resolves it with ``ExportPrefix`` = ``prefix``."""
    return value["Fn::Sub"].replace("${ExportPrefix}", prefix) if isinstance(value, dict) else value


def names_in(templates: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (key, lid): r["Properties"][prop]
        for key, t in templates.items()
        for lid, r in t.to_dict()["Resources"].items()
        for kind, prop in NAMED
        if r["Type"] == kind
    }


def test_default_names_read_as_before_and_follow_the_export_prefix() -> None:
    """With the default prefix the names are today's; under another prefix every one of them changes."""
    env = make_env(
        network={"flow_logs": {}}, services={"api": web(), "jobs": {**web(), "routes": [], "kind": "worker"}}
    )
    found = names_in(build_all(env))
    assert {resolve(v, "demo-test") for (key, lid), v in found.items() if lid == "TaskDefinition"} == {
        task_family("demo", "test", "api"),
        task_family("demo", "test", "jobs"),
    }
    assert {resolve(v, "demo-test") for (key, lid), v in found.items() if key.startswith("svc-")} >= {
        log_group_name("demo", "test", "api")
    }
    assert resolve(found[("network", "FlowLogGroup")], "demo-test") == "/vpc/demo-test/flow-logs"
    copy = {resolve(v, "demo-copy") for v in found.values()}
    assert copy.isdisjoint({resolve(v, "demo-test") for v in found.values()})
    assert len(copy) == len(found) == 5


def test_overrides_are_used_as_written() -> None:
    names = {"task_family": "api-ecs-task-definition", "log_group": "/ecs/api-ecs-task-definition", "service": "api"}
    env = make_env(cluster={"name": "legacy-cluster"}, services={"api": web(names=names)})
    templates = {k: t.to_dict() for k, t in build_all(env).items()}
    svc = templates["svc-api"]["Resources"]
    assert svc["TaskDefinition"]["Properties"]["Family"] == names["task_family"]
    assert svc["LogGroup"]["Properties"]["LogGroupName"] == names["log_group"]
    assert svc["Service"]["Properties"]["ServiceName"] == "api"
    assert templates["cluster"]["Resources"]["Cluster"]["Properties"]["ClusterName"] == "legacy-cluster"


def test_a_target_group_name_is_kept_on_whichever_alb_the_service_is() -> None:
    """An adopted service on the internal ALB keeps its live target group's name (TargetGroupAlbInternal)."""
    services = {"pub": web(), "api": web(load_balancer="internal", names={"target_group": "api-tg"})}
    svc = build_all(make_env(services=services))["svc-api"].to_dict()["Resources"]
    (group,) = [r for r in svc.values() if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"]
    assert group["Properties"]["Name"] == "api-tg"


@pytest.mark.parametrize(
    ("params", "where", "words"),
    [
        (minimal_params(services={"api": web(names={"task_family": "api.v2"})}), "names.task_family", "A-Za-z0-9_-"),
        (minimal_params(services={"api": web(names={"service": "s" * 256})}), "names.service", "255"),
        (minimal_params(services={"api": web(names={"log_group": "aws/ecs/api"})}), "names.log_group", "reserved"),
        (minimal_params(cluster={"name": "my cluster"}), "cluster.name", "A-Za-z0-9_-"),
        (
            minimal_params(
                services={"a": web(names={"task_family": "shared"}), "b": web(names={"task_family": "shared"})}
            ),
            "services.b.names.task_family",
            "'shared' is also the task_family of services.a",
        ),
        (
            minimal_params(services={"a": web(names={"log_group": "/ecs/demo-test-b"}), "b": {**web(), "routes": []}}),
            "services.a.names.log_group",
            "is also the log_group of services.b (its default)",
        ),
        (
            minimal_params(services={"api": web(names={"log_group": "/vpc/demo-test/flow-logs"})}),
            "services.api.names.log_group",
            "the flow logs",
        ),
    ],
    ids=[
        "family chars",
        "service length",
        "reserved log group",
        "cluster chars",
        "same family",
        "default clash",
        "flow",
    ],
)
def test_bad_names_are_located(
    params: dict[str, Any], where: str, words: str, tmp_path: Path, out: Path, capsys
) -> None:
    err = run_bad(tmp_path, out, capsys, params)
    assert where in err and words in err, err
