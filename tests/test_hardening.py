"""Hardening: what the prod templates enforce, and the guardrail checks (H0xx) with fixtures.

checkov has no CloudFormation rule for several of these (public task IPs,
flow logs, egress), so they are asserted here on the built templates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from templates.pipeline import build_all, load_environment
from templates.stacks.metadata import checkov_skip, statement_reasons
from tests.conftest import GUARDRAILS, rule_findings

ROOT = Path(__file__).resolve().parent.parent


def _built(name: str) -> dict[str, dict[str, Any]]:
    env = load_environment(ROOT / "params" / f"{name}.yaml")
    return {key: json.loads(t.to_json()) for key, t in build_all(env).items()}


@pytest.fixture(scope="module")
def prod() -> dict[str, dict[str, Any]]:
    return _built("prod")


@pytest.fixture(scope="module")
def dev() -> dict[str, dict[str, Any]]:
    return _built("dev")


def _resources(templates: dict[str, dict[str, Any]], kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (key, logical_id, r.get("Properties", {}))
        for key, t in templates.items()
        for logical_id, r in t["Resources"].items()
        if r["Type"] == kind
    ]


def _alb_attributes(templates: dict[str, dict[str, Any]]) -> dict[str, str]:
    [(_, _, props)] = _resources(templates, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    return {a["Key"]: a["Value"] for a in props["LoadBalancerAttributes"]}


def test_prod_alb_is_https_only_with_modern_tls(prod: dict[str, dict[str, Any]]) -> None:
    listeners = {lid: p for _, lid, p in _resources(prod, "AWS::ElasticLoadBalancingV2::Listener")}
    assert listeners["HttpListener"]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    assert listeners["HttpsListener"]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13-")


def test_prod_alb_attributes(prod: dict[str, dict[str, Any]]) -> None:
    attributes = _alb_attributes(prod)
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == "shop-prod-alb-access-logs"
    assert attributes["access_logs.s3.prefix"] == "shop/prod/alb"


def test_dev_alb_has_no_access_logs(dev: dict[str, dict[str, Any]]) -> None:
    attributes = _alb_attributes(dev)
    assert attributes["access_logs.s3.enabled"] == "false"
    assert "access_logs.s3.bucket" not in attributes


def test_alb_egress_only_on_the_target_ports_to_the_tasks(prod: dict[str, dict[str, Any]]) -> None:
    """One outbound rule per distinct target port, to the group every task joins; no service stack adds any."""
    [(_, _, sg)] = [r for r in _resources(prod, "AWS::EC2::SecurityGroup") if r[1] == "AlbSecurityGroup"]
    env = load_environment(ROOT / "params" / "prod.yaml")
    ports = sorted({svc.traffic_port for svc in env.services.values() if svc.kind == "web"})
    assert [(rule["FromPort"], rule["ToPort"]) for rule in sg["SecurityGroupEgress"]] == [(p, p) for p in ports]
    clients = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ServiceClientsSecurityGroup"}}
    assert all(rule["DestinationSecurityGroupId"] == clients for rule in sg["SecurityGroupEgress"])
    assert list(_resources(prod, "AWS::EC2::SecurityGroupEgress")) == []


def test_alb_keeps_the_cidr_egress_while_upgrading() -> None:
    """alb.egress_to_vpc_cidr brings the old rule back for the one deploy that moves to per-port egress."""
    from templates.params.environment import Environment
    from templates.stacks.alb import build_alb

    env = load_environment(ROOT / "params" / "prod.yaml")
    upgrading = Environment.model_validate(
        {**env.model_dump(), "alb": {**env.alb.model_dump(), "egress_to_vpc_cidr": True}}
    )
    sg = json.loads(build_alb(upgrading).to_json())["Resources"]["AlbSecurityGroup"]["Properties"]
    ports = sorted({svc.traffic_port for svc in env.services.values() if svc.kind == "web"})
    cidr = [r for r in sg["SecurityGroupEgress"] if "CidrIp" in r]
    assert sorted(r["FromPort"] for r in cidr) == ports
    assert all("Fn::ImportValue" in r["CidrIp"] for r in cidr)
    assert len(sg["SecurityGroupEgress"]) == 2 * len(ports), "beside the per-port rules to the tasks' group"


def test_alb_without_targets_still_has_no_default_egress() -> None:
    from templates.params.environment import Environment
    from templates.stacks.alb import build_alb

    env = Environment.model_validate(
        {
            "project": "shop",
            "environment": "qa",
            "region": "eu-west-1",
            "services": {"worker": {"name": "worker", "image_tag": "1", "containers": [{"name": "w", "image": "x"}]}},
        }
    )
    sg = json.loads(build_alb(env).to_json())["Resources"]["AlbSecurityGroup"]["Properties"]
    assert [r["CidrIp"] for r in sg["SecurityGroupEgress"]] == ["127.0.0.1/32"]


def test_tasks_private_and_reachable_only_from_the_alb(prod: dict[str, dict[str, Any]]) -> None:
    for _, _, service in _resources(prod, "AWS::ECS::Service"):
        assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    for key, logical_id, sg in _resources(prod, "AWS::EC2::SecurityGroup"):
        if logical_id == "TaskSecurityGroup":
            for rule in sg.get("SecurityGroupIngress", []):
                assert set(rule) >= {"SourceSecurityGroupId"} and "CidrIp" not in rule, key


def test_prod_log_groups_have_retention_and_kms(prod: dict[str, dict[str, Any]]) -> None:
    groups = _resources(prod, "AWS::Logs::LogGroup")
    services = load_environment(ROOT / "params" / "prod.yaml").services
    assert len(groups) == len(services) + 1  # one per service + flow logs
    for _, _, group in groups:
        assert group["RetentionInDays"] >= 90
        assert group["KmsKeyId"].startswith("arn:aws:kms:eu-west-1:")


def test_prod_vpc_flow_logs(prod: dict[str, dict[str, Any]], dev: dict[str, dict[str, Any]]) -> None:
    [(_, _, flow)] = _resources(prod, "AWS::EC2::FlowLog")
    assert flow["ResourceType"] == "VPC" and flow["TrafficType"] == "ALL"
    role = prod["network"]["Resources"]["FlowLogsRole"]["Properties"]
    [statement] = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["FlowLogGroup", "Arn"]}]
    assert _resources(dev, "AWS::EC2::FlowLog") == []


def test_examples_pass_the_guardrails(prod: dict[str, dict[str, Any]], dev: dict[str, dict[str, Any]]) -> None:
    assert rule_findings(prod, *GUARDRAILS) == []
    assert rule_findings(dev, *GUARDRAILS) == []


# ----------------------------------------------------------------------------- H0xx fixtures


def h_findings(rule_id: str, templates: dict[str, dict[str, Any]]) -> list[Any]:
    return rule_findings(templates, rule_id)


def _role(statement: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    policy = {"PolicyName": "p", "PolicyDocument": {"Statement": [statement]}}
    role: dict[str, Any] = {"Type": "AWS::IAM::Role", "Properties": {"Policies": [policy]}}
    if metadata is not None:
        role["Metadata"] = metadata
    return {"svc": {"Resources": {"Role": role}}}


def test_h001_star_resource_only_for_unscopable_actions() -> None:
    good = _role({"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]})
    assert h_findings("H001", good) == []
    bad = _role({"Sid": "Loose", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})
    [finding] = h_findings("H001", bad)
    assert finding.check_id == "H001" and "s3:GetObject" in finding.message and "Loose" in finding.message
    deny = _role({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert h_findings("H001", deny) == []


def test_h001_accepts_a_star_statement_params_explained() -> None:
    """A user's task-role statement on '*' with a reason (recorded in Metadata) is theirs to make."""
    traces = {"Sid": "Traces", "Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": ["*"]}
    explained = statement_reasons("p", {"Traces": "X-Ray has no resource-level permissions"})
    assert h_findings("H001", _role(traces, explained)) == []
    [finding] = h_findings("H001", _role(traces))  # no reason recorded: policed
    assert finding.check_id == "H001" and "Traces" in finding.message
    other_policy = statement_reasons("other", {"Traces": "X-Ray has no resource-level permissions"})
    assert [f.check_id for f in h_findings("H001", _role(traces, other_policy))] == ["H001"]
    other_sid = statement_reasons("p", {"Logs": "X-Ray has no resource-level permissions"})
    assert [f.check_id for f in h_findings("H001", _role(traces, other_sid))] == ["H001"]
    blank = statement_reasons("p", {"Traces": "  "})
    assert [f.check_id for f in h_findings("H001", _role(traces, blank))] == ["H001"]


def test_prod_task_role_star_is_explained_in_metadata(prod: dict[str, dict[str, Any]]) -> None:
    role = prod["svc-pizza"]["Resources"]["TaskRole"]
    [app] = [p for p in role["Properties"]["Policies"] if p["PolicyName"] == "app"]
    [traces] = [s for s in app["PolicyDocument"]["Statement"] if s["Resource"] == ["*"]]
    reasons = role["Metadata"]["StatementReasons"]
    assert reasons["PolicyName"] == "app" and "resource-level" in reasons["Reasons"][traces["Sid"]]


def _sg(logical_id: str, rule: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sg = {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [rule]}}
    return {"t": {"Resources": {logical_id: sg}}}


def test_h002_only_the_alb_is_public() -> None:
    assert h_findings("H002", _sg("AlbSecurityGroup", {"CidrIp": "0.0.0.0/0", "FromPort": 443, "ToPort": 443})) == []
    assert h_findings("H002", _sg("TaskSecurityGroup", {"CidrIp": "10.0.0.0/8", "FromPort": 1, "ToPort": 9})) == []
    [f] = h_findings("H002", _sg("TaskSecurityGroup", {"CidrIp": "0.0.0.0/0", "FromPort": 80, "ToPort": 80}))
    assert f.check_id == "H002"
    [f] = h_findings("H002", _sg("AlbSecurityGroup", {"CidrIpv6": "::/0", "FromPort": 0, "ToPort": 65535}))
    assert f.check_id == "H002"


def test_h002_reads_an_intrinsic_cidr_as_not_public() -> None:
    """An endpoint security group admitting an imported VPC CIDR is no world ingress (and no crash)."""
    rule = {"CidrIp": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-VpcCidr"}}, "FromPort": 443, "ToPort": 443}
    assert h_findings("H002", _sg("EndpointSecurityGroup", rule)) == []


def test_h003_tasks_have_no_public_ip() -> None:
    def service(assign: str) -> dict[str, dict[str, Any]]:
        props = {"NetworkConfiguration": {"AwsvpcConfiguration": {"AssignPublicIp": assign}}}
        return {"svc": {"Resources": {"Service": {"Type": "AWS::ECS::Service", "Properties": props}}}}

    assert h_findings("H003", service("DISABLED")) == []
    [f] = h_findings("H003", service("ENABLED"))
    assert f.check_id == "H003"


def test_checkov_skip_metadata_shape() -> None:
    assert checkov_skip(("CKV_AWS_1", "because")) == {"checkov": {"skip": [{"id": "CKV_AWS_1", "comment": "because"}]}}
