"""Params AWS refuses or that cannot work, each class with cases of its own: an existing ALB elsewhere, KMS
references that are no key ARN, ECS service names taken twice, secrets named like an ARN's suffix, and a
route lock naming ALBs the params no longer create."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import generate
from templates.params.route_lock import RouteLock
from templates.plan.build import build_plan
from tests.conftest import make_env, minimal_params, rule_findings, rule_problems, web, write_params
from tests.test_shards import docs, spread

LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0a1b2c3d4e5f6071/0a1b2c3d4e5f6072"
EXISTING: dict[str, Any] = {
    "https_listener_arn": LISTENER,
    "security_group": "sg-0a1b2c3d4e5f60718",
    "dns_name": "shared-1234567890.eu-west-1.elb.amazonaws.com",
    "hosted_zone_id": "Z32O12XQLNTSW2",
}
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-def012345678"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/jwt-AbCdEf"


def with_alb(**existing: Any) -> Any:
    return make_env(alb={"existing": {**EXISTING, **existing}})


# --- an existing ALB in another region or partition (B006) ---------------------------------------------------


def test_the_shipped_existing_alb_is_where_it_says() -> None:
    assert rule_problems(with_alb(), "B006", "B007") == []


@pytest.mark.parametrize(
    ("existing", "where", "words"),
    [
        ({"dns_name": "shared-1.us-east-1.elb.amazonaws.com"}, "dns_name", "a load balancer in us-east-1"),
        (
            {"dns_name": "shared-1.eu-west-1.elb.amazonaws.com.cn"},
            "dns_name",
            "load balancers in eu-west-1 end in amazonaws.com",
        ),
        ({"dns_name": "shared.example.com"}, "dns_name", "is not an ALB DNS name"),
        ({"hosted_zone_id": "Z35SXDOTRQ7X7K"}, "hosted_zone_id", "the zone of ALBs in us-east-1"),
        ({"hosted_zone_id": "Z2IFOLAFXWLO4F"}, "hosted_zone_id", "must name Z32O12XQLNTSW2"),
        ({"https_listener_arn": LISTENER.replace("arn:aws:", "arn:aws-cn:")}, "https_listener_arn", "partition aws-cn"),
    ],
)
def test_an_existing_alb_elsewhere_is_refused(existing: dict[str, Any], where: str, words: str) -> None:
    [problem] = rule_problems(with_alb(**existing), "B006")
    assert problem.path == f"alb.existing.{where}" and words in problem.message


def test_an_existing_alb_in_china_needs_china_names() -> None:
    china = LISTENER.replace("arn:aws:", "arn:aws-cn:").replace("eu-west-1", "cn-north-1")
    env = make_env(
        region="cn-north-1",
        services={
            "api": web(
                containers=[
                    {"name": "app", "image": "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api", "port": 8080}
                ]
            )
        },
        alb={
            "existing": {
                **EXISTING,
                "https_listener_arn": china,
                "dns_name": "shared-1.cn-north-1.elb.amazonaws.com.cn",
                "hosted_zone_id": "Z1GDH35T77C1KE",
            }
        },
    )
    assert rule_problems(env, "B006") == []


# --- an existing internal ALB used as a public one (B007) ------------------------------------------------------

INTERNAL = "internal-shared-1234567890.eu-west-1.elb.amazonaws.com"


def test_an_internal_existing_alb_is_not_public() -> None:
    [problem] = rule_problems(with_alb(dns_name=INTERNAL), "B007")
    assert problem.path == "alb.scheme" and "Set alb.scheme: internal" in problem.message
    internal = make_env(alb={"scheme": "internal", "existing": {**EXISTING, "dns_name": INTERNAL}})
    assert rule_problems(internal, "B005", "B007") == []
    assert {a.scheme for a in build_plan(internal).albs} == {"internal"}
    public = make_env(alb={"scheme": "internal", "existing": EXISTING})
    assert "set alb.scheme: internet-facing" in rule_problems(public, "B007")[0].message


def test_aliases_to_an_internal_alb_are_a_warning() -> None:
    aliased = web(dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"})
    env = make_env(
        alb={"scheme": "internal", "existing": {**EXISTING, "dns_name": INTERNAL}}, services={"api": aliased}
    )
    [problem] = rule_problems(env, "B007")
    assert not problem.is_error and "private hosted zone" in problem.message


# --- KMS references that are no key ARN (L029) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("alias/shop-logs", "is an alias; a key ARN is required"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/shop-logs", "aws kms describe-key --key-id alias/shop-logs"),
        ("1f2e3d4c-5b6a-4789-8abc-def012345678", "is a key id; write the key's full ARN"),
        ("arn:aws:kms:eu-west-1:123456789012:key/shop-logs", "key/shop-logs names no key id"),
        (KEY.replace("arn:aws:", "arn:aws-us-gov:"), "partition aws-us-gov, but eu-west-1 is in aws"),
    ],
)
def test_kms_references_must_be_key_arns(value: str, words: str) -> None:
    env = make_env(services={"api": web(log_kms_key_arn=value)})
    [problem] = rule_problems(env, "L029")
    assert problem.path == "services.api.log_kms_key_arn" and words in problem.message
    assert rule_problems(env, "P010", "L016") == [], "not reported twice as a region problem"


def test_kms_key_arns_and_multi_region_keys_pass() -> None:
    mrk = "arn:aws:kms:eu-west-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
    svc = web(log_kms_key_arn=KEY, secrets_kms_key_arns=[mrk])
    svc["containers"][0]["secrets"] = {"JWT": SECRET}
    env = make_env(services={"api": svc}, network={"flow_logs": {"kms_key_arn": KEY}})
    assert rule_problems(env, "L029", "P010", "L016") == []
    bad = make_env(network={"flow_logs": {"kms_key_arn": "alias/flow"}})
    assert [p.path for p in rule_problems(bad, "L029")] == ["network.flow_logs.kms_key_arn"]


# --- one ECS service name twice (N001) -------------------------------------------------------------------------


def worker(**fields: Any) -> dict[str, Any]:
    return {"kind": "worker", "image_tag": "1", "containers": [{"name": "w", "image": "repo"}], **fields}


def test_an_override_taking_a_workers_generated_service_name_is_refused() -> None:
    env = make_env(services={"api": web(names={"service": "demo-test-mailer"}), "mailer": worker()})
    [problem] = rule_problems(env, "N001")
    assert problem.path == "services.api.names.service" and "services.mailer (its default)" in problem.message
    quiet = worker(deployment_alarms={"enabled": False})  # no fixed name: CloudFormation generates a unique one
    assert (
        rule_problems(make_env(services={"api": web(names={"service": "demo-test-mailer"}), "mailer": quiet}), "N001")
        == []
    )


def test_two_overrides_with_one_service_name_are_refused() -> None:
    env = make_env(services={"a": web(names={"service": "shop"}), "b": worker(names={"service": "shop"})})
    assert [p.path for p in rule_problems(env, "N001")] == ["services.b.names.service"]


# --- a secret named like the suffix of an ARN (L030) -----------------------------------------------------------


def test_a_secret_whose_name_ends_like_the_random_suffix_is_a_warning() -> None:
    looks = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:users-db-secret"
    svc = web()
    svc["containers"][0]["secrets"] = {"DB": looks}
    [problem] = rule_problems(make_env(services={"api": svc}), "L030", "L015")
    assert problem.check_id == "L030" and not problem.is_error
    assert "'-secret'" in problem.message and f"{looks}-??????" in problem.message
    svc["containers"][0]["secrets"] = {"DB": SECRET}
    assert rule_problems(make_env(services={"api": svc}), "L030") == []


# --- a route lock naming ALBs the params no longer create (R008) ------------------------------------------------


def test_a_lock_placing_hosts_beside_an_existing_alb_names_the_lock_not_exports(tmp_path: Path, capsys: Any) -> None:
    sharded = make_env(services=spread(6, 3, per_service=25))
    lock = build_plan(sharded).lock
    on_second = RouteLock(routes=[r.model_copy(update={"alb": "alb-2"}) for r in lock.routes])
    env = make_env(services=spread(6, 3, per_service=10), alb={"existing": EXISTING})
    problems = rule_problems(env, "R008", lock=on_second)
    assert len(problems) == 3, "one line per host, not per route"
    assert all(
        "the route lock" in p.message and "delete the lock's lines with alb: alb-2" in p.message for p in problems
    )
    built = docs(env, on_second)
    assert [k for k in built if k.startswith("alb")] == ["alb"], "no ALB is created beside the existing one"
    assert rule_findings(built, "C001") == []


def test_generate_refuses_a_stale_lock_with_exit_2(tmp_path: Path, capsys: Any) -> None:
    params = write_params(tmp_path, minimal_params(alb={"existing": EXISTING}))
    (tmp_path / "test.lock.yaml").write_text(
        "version: 1\nroutes:\n- {alb: alb-2, priority: 100, host: api.example.com, paths: [/api, /api/*]}\n"
    )
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out"), "--no-validate"]) == 2
    err = capsys.readouterr().err
    assert "services.api.routes[0]" in err and "the route lock" in err and "[R008]" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_a_scheme_switch_leaves_the_other_family_stale() -> None:
    lock = RouteLock(routes=build_plan(make_env()).lock.routes)
    public = RouteLock(routes=[r.model_copy(update={"alb": "alb-public"}) for r in lock.routes])
    assert rule_problems(make_env(alb={"scheme": "internal"}), "R008", lock=public) == []
    [problem] = rule_problems(make_env(), "R008", lock=public)
    assert "alb-public" in problem.message and "alb-internal" in problem.message
