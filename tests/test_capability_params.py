"""Wrong combinations of capability params: exit 2, file + key path + rule id, output untouched.

Every S rule in the registry (``templates.rules``) has at least one bad case
here; the shipped params files are the good cases (they use every capability).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from templates.errors import ParamsError
from templates.pipeline import build_all, load_environment
from templates.rules.registry import rules
from tests.conftest import IMAGE, minimal_params, web, write_params
from tests.test_params_errors import run_bad


def worker(**fields: Any) -> dict[str, Any]:
    svc: dict[str, Any] = {"kind": "worker", "image_tag": "1", "containers": [{"name": "app", "image": IMAGE}]}
    svc.update(fields)
    return svc


def scheduled(**fields: Any) -> dict[str, Any]:
    svc = worker(kind="scheduled", schedule={"expression": "rate(1 hour)"})
    svc.update(fields)
    return svc


def two_containers(first: dict[str, Any], second: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base = {"image": IMAGE}
    return web(containers=[{"name": "app", "port": 8080, **base, **first}, {"name": "db", **base, **second}], **fields)


def one(svc: dict[str, Any]) -> dict[str, Any]:
    return minimal_params(services={"api": svc})


def in_prod(**container: Any) -> dict[str, Any]:
    """A prod params file (security enforced) whose one service has one container with these keys."""
    return minimal_params(environment="prod", services={"api": web(containers=[{"name": "app", "image": IMAGE,
                                                                                   **container}])})  # fmt: skip


SCALING_CPU = {"max_count": 3, "target_tracking": {"cpu": 60}}
ZONE = "Z0123456789ABCDEFGHIJ"

# case: (params, key path, check id, text in the message)
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "spot with arm64": (
        one(web(architecture="arm64", capacity={"spot_weight": 1})),
        "services.api.capacity.spot_weight",
        "S001",
        "Fargate Spot does not run ARM64",
    ),
    "route without host or path": (
        one(web(routes=[{"priority": 5}])),
        "services.api.routes[0]",
        "S031",
        "needs host, path or both",
    ),
    "untagged image without image_tag": (
        one({"containers": [{"name": "app", "image": IMAGE, "port": 8080}], "routes": [{"host": "api.example.com"}]}),
        "services.api.image_tag",
        "S032",
        "image_tag is required",
    ),
    "unknown target container": (
        one(web(target_container="web")),
        "services.api.target_container",
        "S033",
        "'web' is not a container; allowed: app",
    ),
    "routes but no container port": (
        one(web(containers=[{"name": "app", "image": IMAGE}])),
        "services.api.containers",
        "S034",
        "routes need a container with a port",
    ),
    "explicit web without routes": (one(web(kind="web", routes=[])), "services.api.routes", "S002", "kind: worker"),
    "worker with routes": (
        one(worker(routes=[{"host": "api.example.com"}])),
        "services.api.routes",
        "S003",
        "no listener rule",
    ),
    "scheduled with routes": (
        one(scheduled(routes=[{"path": "/x"}])),
        "services.api.routes",
        "S003",
        "a scheduled has no listener rule",
    ),
    "scheduled without schedule": (one(scheduled(schedule=None)), "services.api.schedule", "S004", "needs schedule"),
    "schedule on a web service": (
        one(web(schedule={"expression": "rate(1 hour)"})),
        "services.api.schedule",
        "S004",
        "only kind: scheduled",
    ),
    "bad cron": (
        one(scheduled(schedule={"expression": "cron(0 25 * * ? *)"})),
        "services.api.schedule.expression",
        "S005",
        "hours field '25'",
    ),
    "cron with both day fields": (
        one(scheduled(schedule={"expression": "cron(0 3 * * * *)"})),
        "services.api.schedule.expression",
        "S005",
        "? in exactly one of day-of-month and day-of-week",
    ),
    "plural rate of one": (
        one(scheduled(schedule={"expression": "rate(1 hours)"})),
        "services.api.schedule.expression",
        "S005",
        "rate(1 hour)",
    ),
    "at() is not an EventBridge rule schedule": (
        one(scheduled(schedule={"expression": "at(2030-01-01T00:00:00)"})),
        "services.api.schedule.expression",
        "S005",
        "not a schedule expression",
    ),
    "bad scheduled scaling expression": (
        one(web(scaling={"max_count": 3, "schedules": [{"name": "night", "schedule": "daily", "max_count": 1}]})),
        "services.api.scaling.schedules[0].schedule",
        "S005",
        "at(yyyy-mm-ddThh:mm:ss)",
    ),
    "min above max": (
        one(web(scaling={"min_count": 4, "max_count": 3, "target_tracking": {"cpu": 50}})),
        "services.api.scaling.max_count",
        "S006",
        "min_count (4) is above max_count (3)",
    ),
    "scheduled action min above max": (
        one(
            web(
                scaling={
                    "max_count": 3,
                    "schedules": [{"name": "x", "schedule": "rate(1 day)", "min_count": 3, "max_count": 2}],
                }
            )
        ),
        "services.api.scaling.schedules[0].min_count",
        "S006",
        "min_count (3) is above max_count (2)",
    ),
    "scaling without policies": (
        one(web(scaling={"max_count": 3})),
        "services.api.scaling",
        "S007",
        "target_tracking, step or schedules",
    ),
    "target tracking without metric": (
        one(web(scaling={"max_count": 3, "target_tracking": {"scale_in_cooldown": 60}})),
        "services.api.scaling.target_tracking",
        "S007",
        "cpu, memory, requests_per_target",
    ),
    "scaling a scheduled task": (
        one(scheduled(scaling=SCALING_CPU)),
        "services.api.scaling",
        "S008",
        "schedule.task_count",
    ),
    "requests per target on a worker": (
        one(worker(scaling={"max_count": 3, "target_tracking": {"requests_per_target": 100}})),
        "services.api.scaling.target_tracking.requests_per_target",
        "S009",
        "has no target group",
    ),
    "step and target tracking on cpu": (
        one(web(scaling={"max_count": 3, "target_tracking": {"cpu": 50}, "step": {"metric": "cpu"}})),
        "services.api.scaling.step.metric",
        "S010",
        "would fight",
    ),
    "depends_on unknown container": (
        one(web(containers=[{"name": "app", "image": IMAGE, "port": 80, "depends_on": {"db": "START"}}])),
        "services.api.containers[0].depends_on.db",
        "S011",
        "'db' is not another container",
    ),
    "depends_on itself": (
        one(web(containers=[{"name": "app", "image": IMAGE, "port": 80, "depends_on": {"app": "START"}}])),
        "services.api.containers[0].depends_on.app",
        "S011",
        "(no other container)",
    ),
    "HEALTHY without health check": (
        one(two_containers({"depends_on": {"db": "HEALTHY"}}, {})),
        "services.api.containers[0].depends_on.db",
        "S012",
        "needs a health_check on container 'db'",
    ),
    "SUCCESS on an essential container": (
        one(two_containers({"depends_on": {"db": "SUCCESS"}}, {})),
        "services.api.containers[0].depends_on.db",
        "S013",
        "essential: false",
    ),
    "depends_on cycle": (
        one(two_containers({"depends_on": {"db": "START"}}, {"depends_on": {"app": "START"}})),
        "services.api.containers",
        "S014",
        "depends_on cycle",
    ),
    "no essential container": (
        one(web(containers=[{"name": "app", "image": IMAGE, "port": 80, "essential": False}])),
        "services.api.containers",
        "S015",
        "at least one essential",
    ),
    "dns without host route": (
        one(web(routes=[{"path": "/api"}], dns={"hosted_zone_id": ZONE})),
        "services.api.dns",
        "S016",
        "routes no host",
    ),
    "dns host the service does not route": (
        one(web(dns={"hosted_zone_id": ZONE, "hosts": ["other.example.com"]})),
        "services.api.dns.hosts[0]",
        "S016",
        "allowed: api.example.com",
    ),
    "dns on a worker": (one(worker(dns={"hosted_zone_id": ZONE})), "services.api.dns", "S016", "routes no host"),
    "discovery on a scheduled task": (
        one(scheduled(discovery={"mode": "cloud-map"})),
        "services.api.discovery",
        "S017",
        "cannot be discovered",
    ),
    "discovery of an unknown container": (
        one(web(discovery={"mode": "cloud-map", "container": "cache"})),
        "services.api.discovery.container",
        "S018",
        "'cache' is not a container; allowed: app",
    ),
    "service connect without a port": (
        one(worker(discovery={"mode": "service-connect"})),
        "services.api.discovery.container",
        "S018",
        "give the container a port",
    ),
    "target_port not a container port": (
        one(web(target_port=9090)),
        "services.api.target_port",
        "S019",
        "allowed: 8080",
    ),
    "deployment without room": (
        one(web(deployment={"min_healthy_percent": 100, "max_percent": 100})),
        "services.api.deployment.max_percent",
        "S020",
        "no task can be replaced",
    ),
    "exec with readonly root": (
        one(web(ecs_exec=True, readonly_root_filesystem=True)),
        "services.api.ecs_exec",
        "S021",
        "writable root filesystem",
    ),
    "exec with one readonly container": (
        one(two_containers({}, {"readonly_root_filesystem": True}, ecs_exec=True)),
        "services.api.ecs_exec",
        "S021",
        "read-only in: db",
    ),
    "step thresholds crossed": (
        one(web(scaling={"max_count": 3, "step": {"scale_out": {"threshold": 50}, "scale_in": {"threshold": 60}}})),
        "services.api.scaling.step.scale_in.threshold",
        "S022",
        "must be below scale_out threshold (50)",
    ),
    "alarm period": (
        one(web(scaling={"max_count": 3, "step": {"scale_out": {"threshold": 80, "period": 90}}})),
        "services.api.scaling.step.scale_out.period",
        "S023",
        "60 s or a multiple of 60",
    ),
    "scheduled action without bounds": (
        one(web(scaling={"max_count": 3, "schedules": [{"name": "x", "schedule": "rate(1 day)"}]})),
        "services.api.scaling.schedules[0]",
        "S024",
        "min_count, max_count or both",
    ),
    "scheduled action names repeat": (
        one(
            web(
                scaling={
                    "max_count": 3,
                    "schedules": [
                        {"name": "x", "schedule": "rate(1 day)", "max_count": 2},
                        {"name": "x", "schedule": "rate(2 days)", "max_count": 3},
                    ],
                }
            )
        ),
        "services.api.scaling.schedules[1].name",
        "S024",
        "used twice",
    ),
    "discovery name taken": (
        minimal_params(
            services={
                "a": web(routes=[{"path": "/a"}], discovery={"mode": "cloud-map", "name": "orders"}),
                "b": web(routes=[{"path": "/b"}], discovery={"mode": "service-connect", "name": "orders"}),
            }
        ),
        "services.b.discovery.name",
        "S025",
        "already published in the namespace by service a",
    ),
    "dns host aliased twice": (
        minimal_params(
            services={
                "a": web(routes=[{"host": "api.example.com", "path": "/a"}], dns={"hosted_zone_id": ZONE}),
                "b": web(routes=[{"host": "api.example.com", "path": "/b"}], dns={"hosted_zone_id": ZONE}),
            }
        ),
        "services.b.dns",
        "S026",
        "already gets its alias record from service a",
    ),
    "dns host listed twice": (
        one(
            web(
                routes=[{"host": "api.example.com", "path": "/a"}],
                dns={"hosted_zone_id": ZONE, "hosts": ["api.example.com", "api.example.com"]},
            )
        ),
        "services.api.dns.hosts[1]",
        "S026",
        "api.example.com is listed twice (also dns.hosts[0])",
    ),
    "extra ports without a port": (
        one(worker(containers=[{"name": "app", "image": IMAGE, "extra_ports": [9090]}])),
        "services.api.containers[0].extra_ports",
        "S027",
        "need a main port",
    ),
    "port listed twice": (
        one(web(containers=[{"name": "app", "image": IMAGE, "port": 80, "extra_ports": [9090, 80]}])),
        "services.api.containers[0].extra_ports[1]",
        "S027",
        "port 80 is listed twice",
    ),
    "task role allows * without a reason": (
        one(web(task_role={"statements": [{"actions": ["xray:PutTraceSegments"], "resources": ["*"]}]})),
        "services.api.task_role.statements[0].resources",
        "S029",
        "add reason:",
    ),
    "task role sid used twice": (
        one(
            web(
                task_role={
                    "statements": [
                        {"sid": "Params2", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::a/*"]},
                        {"actions": ["s3:PutObject"], "resources": ["arn:aws:s3:::a/*"]},
                    ]
                }
            )
        ),
        "services.api.task_role.statements[0].sid",
        "S030",
        "'Params2' is used twice",
    ),
    "no capacity weight": (
        one(web(capacity={"on_demand_weight": 0})),
        "services.api.capacity.spot_weight",
        "S028",
        "both 0",
    ),
    "secret named variable in prod": (
        in_prod(environment={"DB_PASSWORD": "hunter2"}),
        "services.api.containers[0].environment.DB_PASSWORD",
        "S040",
        "move it to secrets:",
    ),
    "credential-shaped value in prod": (
        in_prod(environment={"SETTINGS": "AKIAIOSFODNN7EXAMPLE"}),
        "services.api.containers[0].environment.SETTINGS",
        "S041",
        "an AWS access key id",
    ),
    "not_secrets for a variable that is not there": (
        in_prod(not_secrets={"OLD_TOKEN": "a counter, not a token"}),
        "services.api.containers[0].not_secrets.OLD_TOKEN",
        "S042",
        "not in this container's environment",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_combination_is_located_and_named(case: str, tmp_path: Path, out: Path, capsys) -> None:
    data, path, check_id, text = CASES[case]
    err = run_bad(tmp_path, out, capsys, data)
    line = next((ln for ln in err.splitlines() if ln.strip().startswith(f"{path}: ")), None)
    assert line is not None, f"no problem reported at {path}:\n{err}"
    assert line.endswith(f"[{check_id}]"), err
    assert text in line, err


def test_every_documented_rule_has_a_bad_case() -> None:
    documented = {rule.id for rule in rules() if rule.id.startswith("S")}
    covered = {check_id for _, _, check_id, _ in CASES.values()}
    assert documented and documented == covered


FIELD_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "iam action without service prefix": (
        one(web(task_role={"statements": [{"actions": ["GetObject"], "resources": ["*"]}]})),
        "services.api.task_role.statements[0].actions[0]",
        "should match pattern",
    ),
    "iam resource not an arn": (
        one(web(task_role={"statements": [{"actions": ["s3:GetObject"], "resources": ["my-bucket"]}]})),
        "services.api.task_role.statements[0].resources[0]",
        "should match pattern",
    ),
    "managed policy not a policy arn": (
        one(web(task_role={"managed_policy_arns": ["arn:aws:iam::123456789012:role/x"]})),
        "services.api.task_role.managed_policy_arns[0]",
        "should match pattern",
    ),
    "ephemeral storage below the Fargate minimum": (
        one(web(ephemeral_storage=20)),
        "services.api.ephemeral_storage",
        "greater than or equal to 21",
    ),
    "stop timeout above Fargate's 120": (
        one(web(stop_timeout=300)),
        "services.api.stop_timeout",
        "less than or equal to 120",
    ),
    "health check without CMD": (
        one(web(containers=[{"name": "app", "image": IMAGE, "port": 80, "health_check": {"command": ["curl", "x"]}}])),
        "services.api.containers[0].health_check.command",
        "CMD or CMD-SHELL",
    ),
    "unknown depends_on condition": (
        one(two_containers({"depends_on": {"db": "READY"}}, {})),
        "services.api.containers[0].depends_on.db",
        "'START', 'COMPLETE', 'SUCCESS' or 'HEALTHY'",
    ),
    "hosted zone id": (
        one(web(dns={"hosted_zone_id": "example.com"})),
        "services.api.dns.hosted_zone_id",
        "should match pattern",
    ),
    "unknown kind": (one(web(kind="cron")), "services.api.kind", "'web', 'worker' or 'scheduled'"),
    "typo in a capability block": (
        one(web(scaling={"max_count": 3, "target_tracking": {"cpu_percent": 50}})),
        "services.api.scaling.target_tracking.cpu_percent",
        "allowed keys here: cpu, memory, requests_per_target",
    ),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_bad_capability_value_is_located(case: str, tmp_path: Path, out: Path, capsys) -> None:
    data, path, text = FIELD_CASES[case]
    err = run_bad(tmp_path, out, capsys, data)
    line = next((ln for ln in err.splitlines() if ln.strip().startswith(f"{path}: ")), None)
    assert line is not None, f"no problem reported at {path}:\n{err}"
    assert text in line, err


def test_rule_broken_by_a_default_names_the_default(tmp_path: Path, out: Path, capsys) -> None:
    data = minimal_params(defaults={"capacity": {"spot_weight": 1}}, services={"api": web(architecture="arm64")})
    err = run_bad(tmp_path, out, capsys, data)
    assert "defaults.capacity.spot_weight: " in err
    assert "(set under defaults; inherited by services: api)" in err and "[S001]" in err


def test_service_without_kind_or_routes_is_a_worker(tmp_path: Path) -> None:
    svc = {"image_tag": "1", "containers": [{"name": "app", "image": IMAGE}]}
    path = write_params(tmp_path, minimal_params(services={"api": web(), "job": svc}))
    env = load_environment(path)
    assert env.services["job"].kind == "worker" and env.services["api"].kind == "web"


def test_task_role_star_with_a_reason_and_deny_on_star_load(tmp_path: Path) -> None:
    statements = [
        {"actions": ["xray:PutTraceSegments"], "resources": ["*"], "reason": "X-Ray has no resource-level ARNs"},
        {"effect": "Deny", "actions": ["s3:DeleteBucket"], "resources": ["*"]},
    ]
    env = load_environment(write_params(tmp_path, one(web(task_role={"statements": statements}))))
    role = env.services["api"].task_role
    assert role is not None and role.statement_ids == ["Params1", "Params2"]


def test_task_role_shorthand_still_means_an_empty_role(tmp_path: Path) -> None:
    env = load_environment(write_params(tmp_path, one(web(task_role=True))))
    role = env.services["api"].task_role
    assert role is not None and role.statements == [] and role.managed_policy_arns == []
    env = load_environment(write_params(tmp_path, one(web(task_role=False))))
    assert env.services["api"].task_role is None


BLOCKS: dict[str, list[Any]] = {
    "kind": ["web", "worker", "scheduled", None, 3],
    "architecture": ["x86_64", "arm64"],
    "routes": [[], [{"host": "api.example.com"}], [{"path": "/x"}], "x"],
    "capacity": [{"spot_weight": 1}, {"on_demand_weight": 0}, {"on_demand_base": 2, "spot_weight": 3}, None],
    "scaling": [
        SCALING_CPU,
        {"max_count": 3, "step": {}},
        {"max_count": 3, "target_tracking": {"requests_per_target": 10}},
        {"min_count": 5, "max_count": 1},
        {"max_count": 2, "schedules": [{"name": "a", "schedule": "cron(0 3 * * ? *)", "max_count": 1}]},
        [],
    ],
    "discovery": [{"mode": "cloud-map"}, {"mode": "service-connect", "container": "db"}, {"mode": "x"}],
    "schedule": [{"expression": "rate(1 hour)"}, {"expression": "cron(0 99 * * ? *)"}, "daily"],
    "dns": [{"hosted_zone_id": ZONE}, {"hosted_zone_id": ZONE, "hosts": ["x.example.com"]}],
    "ecs_exec": [True, False],
    "readonly_root_filesystem": [True, False],
    "task_role": [
        True,
        False,
        {"statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]},
        {
            "statements": [
                {"actions": ["xray:PutTraceSegments"], "resources": ["*"], "reason": "no resource-level ARNs"}
            ]
        },
        "yes",
    ],
    "target_port": [8080, 9090, 0],
    "deployment": [{"min_healthy_percent": 100, "max_percent": 100}, {"max_percent": 150}],
    "containers": [
        [{"name": "app", "image": IMAGE, "port": 8080}],
        [{"name": "app", "image": IMAGE, "depends_on": {"app": "START"}}],
        [
            {"name": "app", "image": IMAGE, "port": 8080, "depends_on": {"db": "HEALTHY"}},
            {"name": "db", "image": IMAGE},
        ],
        [{"name": "app", "image": IMAGE, "essential": False, "extra_ports": [1]}],
    ],
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.fixed_dictionaries({}, optional={k: st.sampled_from(v) for k, v in BLOCKS.items()}))
def test_any_mix_of_capabilities_loads_or_is_a_params_error(tmp_path: Path, blocks: dict[str, Any]) -> None:
    """Whatever the combination, the loader answers with an Environment or a ParamsError, never a crash."""
    svc = {"image_tag": "1", "containers": [{"name": "app", "image": IMAGE, "port": 8080}], **blocks}
    path = write_params(tmp_path, minimal_params(services={"api": svc, "other": web(routes=[{"path": "/other"}])}))
    try:
        env = load_environment(path)
    except ParamsError as exc:
        assert exc.problems and all(p.check_id for p in exc.problems)
    else:
        build_all(env)  # a valid mix also builds
