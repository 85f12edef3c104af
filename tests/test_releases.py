"""Safer releases: deployment alarms, blue/green, log-group retention, awslogs mode, nonce, console polish.

Built from the shipped params and from small environments; every limit is
checked on the generated templates, not on our own helpers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from templates.errors import Problem
from templates.params.environment import Environment
from templates.pipeline import build_all, load_environment
from templates.plan.build import build_plan
from templates.plan.routes import BAND_WIDTH
from templates.writer import render
from tests.conftest import IMAGE, make_env, rule_problems, web

ROOT = Path(__file__).resolve().parent.parent
ONE_DAY = 86400


def release_problems(env: Environment) -> list[Problem]:
    return rule_problems(env, "D005", "D006")


def green_rule_problems(env: Environment) -> list[Problem]:
    return rule_problems(env, "D004")


def _built(name: str) -> dict[str, dict[str, Any]]:
    return {
        key: json.loads(t.to_json()) for key, t in build_all(load_environment(ROOT / "params" / f"{name}.yaml")).items()
    }


@pytest.fixture(scope="module", params=["dev", "prod"])
def shipped(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    return _built(request.param)


@pytest.fixture(scope="module")
def prod() -> dict[str, dict[str, Any]]:
    return _built("prod")


def _of_type(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v.get("Properties", {}) for k, v in doc["Resources"].items() if v["Type"] == kind}


def worker(**fields: Any) -> dict[str, Any]:
    svc: dict[str, Any] = {"kind": "worker", "image_tag": "1", "containers": [{"name": "w", "image": IMAGE}]}
    svc.update(fields)
    return svc


# --- deployment alarms -------------------------------------------------------------------------


def test_every_shipped_service_rolls_back_on_its_own_alarms(shipped: dict[str, dict[str, Any]]) -> None:
    services = 0
    for doc in shipped.values():
        alarms = _of_type(doc, "AWS::CloudWatch::Alarm")
        for service in _of_type(doc, "AWS::ECS::Service").values():
            services += 1
            block = service["DeploymentConfiguration"]["Alarms"]
            assert block["Enable"] is True and block["Rollback"] is True
            refs = [name["Ref"] for name in block["AlarmNames"]]
            assert len(refs) == 2 and all(ref in alarms for ref in refs)
    assert services >= 4


def test_alarm_periods_are_whole_minutes_and_at_most_a_day(shipped: dict[str, dict[str, Any]]) -> None:
    for doc in shipped.values():
        for alarm in _of_type(doc, "AWS::CloudWatch::Alarm").values():
            periods = [m["MetricStat"]["Period"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
            periods += [alarm["Period"]] if "Period" in alarm else []
            for period in periods:
                assert period >= 60 and period % 60 == 0
                assert period * alarm["EvaluationPeriods"] <= ONE_DAY


def test_web_alarms_watch_the_target_group_and_worker_alarms_the_named_service() -> None:
    env = make_env(services={"api": web(), "jobs": worker()})
    built = {k: json.loads(t.to_json()) for k, t in build_all(env).items()}
    api = _of_type(built["svc-api"], "AWS::CloudWatch::Alarm")
    assert {a["Metrics"][0]["MetricStat"]["Metric"]["MetricName"] for a in api.values()} == {
        "HTTPCode_Target_5XX_Count",
        "UnHealthyHostCount",
    }
    for alarm in api.values():
        dims = {d["Name"]: d["Value"] for d in alarm["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"]}
        assert dims["TargetGroup"] == {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]}
    jobs = built["svc-jobs"]
    [service] = _of_type(jobs, "AWS::ECS::Service").values()
    for alarm in _of_type(jobs, "AWS::CloudWatch::Alarm").values():
        assert alarm["MetricName"] in {"CPUUtilization", "MemoryUtilization"}
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        assert dims["ServiceName"] == service["ServiceName"] == {"Fn::Sub": "${ExportPrefix}-jobs"}
    assert "ServiceName" not in next(iter(_of_type(built["svc-api"], "AWS::ECS::Service").values()))


def test_alarm_settings_and_named_alarms_from_params() -> None:
    env = make_env(
        services={
            "api": web(
                deployment_alarms={
                    "target_5xx": {"threshold": 3, "period": 120, "evaluation_periods": 4},
                    "alarm_names": ["shop-latency-p99"],
                    "rollback": False,
                }
            )
        }
    )
    doc = json.loads(build_all(env)["svc-api"].to_json())
    alarm = doc["Resources"]["DeployAlarmTarget5Xx"]["Properties"]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["Metrics"][0]["MetricStat"]["Period"]) == (3, 4, 120)
    block = doc["Resources"]["Service"]["Properties"]["DeploymentConfiguration"]["Alarms"]
    assert block["AlarmNames"][-1] == "shop-latency-p99" and block["Rollback"] is False


def test_alarms_off_leaves_only_the_circuit_breaker() -> None:
    env = make_env(services={"api": web(deployment_alarms={"enabled": False})})
    doc = json.loads(build_all(env)["svc-api"].to_json())
    assert not _of_type(doc, "AWS::CloudWatch::Alarm")
    config = doc["Resources"]["Service"]["Properties"]["DeploymentConfiguration"]
    assert "Alarms" not in config and config["DeploymentCircuitBreaker"]["Rollback"] is True


# --- blue/green --------------------------------------------------------------------------------


def test_prod_pizza_is_blue_green_with_a_test_rule_before_its_route(prod: dict[str, dict[str, Any]]) -> None:
    doc = prod["svc-pizza"]
    service = doc["Resources"]["Service"]["Properties"]
    assert service["DeploymentConfiguration"]["Strategy"] == "BLUE_GREEN"
    assert service["DeploymentConfiguration"]["BakeTimeInMinutes"] == 20
    advanced = service["LoadBalancers"][0]["AdvancedConfiguration"]
    rules = _of_type(doc, "AWS::ElasticLoadBalancingV2::ListenerRule")
    production, test = rules[advanced["ProductionListenerRule"]["Ref"]], rules[advanced["TestListenerRule"]["Ref"]]
    assert advanced["AlternateTargetGroupArn"] == {"Ref": "AlternateTargetGroup"}
    assert test["Priority"] < production["Priority"]
    assert (test["Priority"] - 1) // BAND_WIDTH == (production["Priority"] - 1) // BAND_WIDTH
    header = [c for c in test["Conditions"] if c["Field"] == "http-header"]
    assert header == [
        {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Deployment-Test", "Values": ["green"]}}
    ]
    assert [c for c in test["Conditions"] if c["Field"] != "http-header"] == production["Conditions"]
    for rule in (production, test):
        weights = {g["TargetGroupArn"]["Ref"]: g["Weight"] for g in rule["Actions"][0]["ForwardConfig"]["TargetGroups"]}
        assert weights == {"TargetGroup": 100, "AlternateTargetGroup": 0}
    assert "X-Deployment-Test: green" in doc["Outputs"]["GreenTestRequest"]["Value"]


def test_blue_green_alarms_watch_both_target_groups(prod: dict[str, dict[str, Any]]) -> None:
    alarm = prod["svc-pizza"]["Resources"]["DeployAlarmTarget5Xx"]["Properties"]
    groups = [m["MetricStat"]["Metric"]["Dimensions"][1]["Value"]["Fn::GetAtt"][0] for m in alarm["Metrics"][:2]]
    assert groups == ["TargetGroup", "AlternateTargetGroup"]
    assert alarm["Metrics"][2]["Expression"] == "SUM([FILL(m0, 0), FILL(m1, 0)])"
    assert alarm["Threshold"] == 5


def test_rolling_stays_the_default(prod: dict[str, dict[str, Any]]) -> None:
    for key, doc in prod.items():
        for service in _of_type(doc, "AWS::ECS::Service").values():
            if key != "svc-pizza":
                assert "Strategy" not in service["DeploymentConfiguration"]


def test_test_rule_priorities_are_unique_and_before_their_routes_once_suggestions_are_pinned() -> None:
    """30 blue/green routes, 10 per specificity band: hashed test slots collide (D004, 3 here); pinning what
    D004 suggests leaves every priority unique and every test rule before its own route."""
    services = {
        f"s{i}": web(routes=[{"host": f"s{i}.example.com", "path": "/" + "a" * (1 + i % 3)}], blue_green={})
        for i in range(30)
    }
    assert rule_problems(make_env(services=services), "R001", "R002", "R003") == []
    problems = green_rule_problems(make_env(services=services))
    assert problems
    for problem in problems:
        name = problem.path.split(".")[1]
        services[name]["blue_green"] = {
            "test_priority": int(problem.message.rsplit("test_priority: ", 1)[1].split()[0])
        }
    env = make_env(services=services)
    assert green_rule_problems(env) == []
    production = {p.service: p.priority for p in build_plan(env).routes}
    tests = build_plan(env).test_routes
    assert len(tests) == 30
    everything = list(production.values()) + [t.priority for t in tests]
    assert len(set(everything)) == len(everything)
    assert all(t.priority < production[t.service] for t in tests)


def test_a_test_priority_taken_by_another_rule_is_refused_with_a_free_one() -> None:
    env = make_env(
        services={
            "a": web(routes=[{"host": "a.example.com", "priority": 200}], blue_green={"test_priority": 150}),
            "b": web(routes=[{"host": "b.example.com", "priority": 150}]),
        }
    )
    [problem] = green_rule_problems(env)
    assert (problem.check_id, problem.path) == ("D004", "services.a.blue_green.test_priority")
    assert "already used" in problem.message and "test_priority: 199" in problem.message


# --- logs, nonce, egress quota -----------------------------------------------------------------


def test_log_groups_are_retained_unless_params_say_delete(shipped: dict[str, dict[str, Any]]) -> None:
    for doc in shipped.values():
        for logical_id, resource in doc["Resources"].items():
            if resource["Type"] == "AWS::Logs::LogGroup":
                assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", logical_id
    env = make_env(services={"api": web(logs={"retain": False})})
    group = json.loads(build_all(env)["svc-api"].to_json())["Resources"]["LogGroup"]
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Delete"


def test_awslogs_mode_is_written_out(prod: dict[str, dict[str, Any]]) -> None:
    def options(key: str) -> list[dict[str, Any]]:
        [task] = _of_type(prod[key], "AWS::ECS::TaskDefinition").values()
        return [c["LogConfiguration"]["Options"] for c in task["ContainerDefinitions"]]

    assert all(o["mode"] == "non-blocking" and o["max-buffer-size"] == "25m" for o in options("svc-auth"))
    assert all(o["mode"] == "blocking" and "max-buffer-size" not in o for o in options("svc-users"))


def test_a_new_nonce_is_a_new_task_definition(shipped: dict[str, dict[str, Any]]) -> None:
    for doc in shipped.values():
        for task in _of_type(doc, "AWS::ECS::TaskDefinition").values():
            if not _of_type(doc, "AWS::ECS::Service"):
                continue  # scheduled tasks start fresh each run
            assert "RedeployNonce" in doc["Parameters"]
            for container in task["ContainerDefinitions"]:
                assert {"Name": "REDEPLOY_NONCE", "Value": {"Ref": "RedeployNonce"}} in container["Environment"]


def test_a_hundred_web_services_on_one_host_fit_one_alb() -> None:
    """The API-gateway shape (one host, 100 paths, one port): the ALB's outbound rules count ports, not services."""
    many = {f"s{i}": web(routes=[{"host": "api.example.com", "path": f"/s{i}"}]) for i in range(100)}
    env = make_env(services=many)
    assert release_problems(env) == []
    plan = build_plan(env)
    assert {r.alb for r in plan.routes} == {"alb"}
    alb = json.loads(render(build_all(env, plan)["alb"]))
    egress = alb["Resources"]["AlbSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [(rule["FromPort"], rule["ToPort"]) for rule in egress] == [(8080, 8080)]
    ports = {f"p{i}": web(routes=[{"host": "api.example.com", "path": f"/p{i}"}]) for i in range(61)}
    for i, svc in enumerate(ports.values()):
        svc["containers"] = [{"name": "app", "image": IMAGE, "port": 9000 + i}]
    [problem] = release_problems(make_env(services=ports))
    assert problem.check_id == "D005" and "61 distinct target ports" in problem.message


# --- console polish ----------------------------------------------------------------------------


def test_every_parameter_is_grouped_labelled_and_constrained_in_words(shipped: dict[str, dict[str, Any]]) -> None:
    for key, doc in shipped.items():
        interface = doc["Metadata"]["AWS::CloudFormation::Interface"]
        grouped = [name for group in interface["ParameterGroups"] for name in group["Parameters"]]
        assert sorted(grouped) == sorted(doc["Parameters"]), key
        assert set(interface["ParameterLabels"]) == set(doc["Parameters"]), key
        for name, parameter in doc["Parameters"].items():
            constrained = {"AllowedPattern", "AllowedValues", "MinValue", "MaxValue", "MinLength", "MaxLength"}
            if constrained & set(parameter):
                assert parameter.get("ConstraintDescription"), f"{key}.{name}"


def test_web_stacks_output_their_route_urls(prod: dict[str, dict[str, Any]]) -> None:
    assert prod["svc-auth"]["Outputs"]["RouteUrls"]["Value"] == {"Fn::Join": [" ", ["https://api.example.com/auth"]]}
    assert "RouteUrls" not in prod["svc-mailer"]["Outputs"]


def test_blue_green_rules_and_target_groups_count_against_the_alb_quotas() -> None:
    """98 routed services fit one listener; 3 of them blue/green need 101 rules and 101 target groups."""
    services = {f"s{i}": web(routes=[{"host": "api.example.com", "path": f"/s{i}"}]) for i in range(98)}
    assert release_problems(make_env(services=services)) == []  # one target port: one outbound rule
    for i in range(3):
        services[f"s{i}"]["blue_green"] = {}
    found = [p for p in release_problems(make_env(services=services)) if p.check_id == "D006"]
    assert len(found) == 2 and "101 listener rules" in found[0].message and "101 target groups" in found[1].message


def test_the_routing_table_shows_how_to_reach_green() -> None:
    """DescribeRules' shape (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html)."""
    from rich.console import Console

    from deployer.run.live_routes import headers
    from deployer.view.terminal import routes_table

    rule = {
        "Conditions": [
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["pizza-service.example.com"]}},
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Deployment-Test", "Values": ["green"]}},
        ]
    }
    assert headers(rule) == "X-Deployment-Test: green"
    assert headers({"Conditions": rule["Conditions"][:1]}) == ""
    console = Console(width=200, record=True)
    row = {
        "priority": 49141,
        "host": "pizza-service.example.com",
        "path": "",
        "header": headers(rule),
        "stack": "svc-pizza",
    }
    console.print(routes_table("alb.example", [row]))
    assert "* + header X-Deployment-Test: green" in console.export_text()
