"""Unit tests of each build_* function on small in-memory params."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from templates.naming import listener_rule_logical_id
from templates.plan.build import build_plan
from templates.plan.network import subnet_cidrs
from templates.stacks.alb import build_alb
from templates.stacks.cluster import build_cluster
from templates.stacks.network import build_network
from templates.stacks.service.stack import build_service
from tests.conftest import make_env, written_templates

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"
API_RULE = listener_rule_logical_id(["api.example.com"], ["/api", "/api/*"])


def resources(template) -> dict:
    return json.loads(template.to_json())["Resources"]


def of_type(template, kind: str) -> dict:
    return {k: v for k, v in resources(template).items() if v["Type"] == kind}


def test_subnet_cidrs_are_disjoint_and_inside_the_vpc() -> None:
    vpc = ipaddress.IPv4Network("10.1.0.0/16")
    public, private = subnet_cidrs(vpc, 3)
    nets = [ipaddress.IPv4Network(c) for c in public + private]
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


def test_network_nat_modes() -> None:
    """Every private subnet routes to a NAT gateway (nat: none is refused while services exist, P011)."""
    for nat, expected in [("single", 1), ("per-az", 3)]:
        t = build_network(make_env(network={"az_count": 3, "nat": nat}))
        assert len(of_type(t, "AWS::EC2::NatGateway")) == expected
        assert len(of_type(t, "AWS::EC2::Subnet")) == 6
        routes = of_type(t, "AWS::EC2::Route")
        assert len([r for r in routes.values() if "NatGatewayId" in r["Properties"]]) == 3


def test_network_exports() -> None:
    outputs = json.loads(build_network(make_env()).to_json())["Outputs"]
    assert set(outputs) == {"VpcId", "VpcCidr", "PublicSubnets", "PrivateSubnets"}


def test_alb_http_only_serves_404_by_default() -> None:
    t = build_alb(make_env())
    listeners = of_type(t, "AWS::ElasticLoadBalancingV2::Listener")
    assert list(listeners) == ["HttpListener"]
    action = listeners["HttpListener"]["Properties"]["DefaultActions"][0]
    assert action["Type"] == "fixed-response" and action["FixedResponseConfig"]["StatusCode"] == "404"
    ingress = resources(t)["AlbSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {r["FromPort"] for r in ingress} == {80}


def test_alb_with_certificate_redirects_and_serves_https() -> None:
    t = build_alb(make_env(alb={"certificate_arn": CERT, "ingress_cidrs": ["10.0.0.0/8", "192.168.0.0/16"]}))
    listeners = of_type(t, "AWS::ElasticLoadBalancingV2::Listener")
    http = listeners["HttpListener"]["Properties"]["DefaultActions"][0]
    assert http["Type"] == "redirect" and http["RedirectConfig"]["Protocol"] == "HTTPS"
    https = listeners["HttpsListener"]["Properties"]
    assert https["Certificates"] == [{"CertificateArn": CERT}]
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    ingress = resources(t)["AlbSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert len(ingress) == 4  # two CIDRs x two ports
    outputs = json.loads(t.to_json())["Outputs"]
    assert outputs["HttpsListenerArn"]["Value"] == {"Ref": "HttpsListener"}
    assert outputs["HttpListenerArn"]["Value"] == {"Ref": "HttpListener"}


def _exports(template) -> dict[str, object]:
    outputs = json.loads(template.to_json()).get("Outputs", {})
    return {o["Export"]["Name"]["Fn::Sub"]: o["Value"] for o in outputs.values() if "Export" in o}


def _imports(template) -> set[str]:
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if "Fn::ImportValue" in node:
                found.add(node["Fn::ImportValue"]["Fn::Sub"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(template.to_json()))
    return found


def test_adding_a_certificate_changes_no_export_a_service_imports() -> None:
    """CloudFormation refuses to change an export in use: the HTTP->HTTPS switch must only add exports."""
    plain, secure = make_env(), make_env(alb={"certificate_arn": CERT})
    before, after = _exports(build_alb(plain)), _exports(build_alb(secure))
    assert {name: value for name, value in after.items() if name in before} == before
    assert set(after) - set(before) == {"${ExportPrefix}-HttpsListenerArn"}
    assert "${ExportPrefix}-HttpListenerArn" in _imports(_service(plain))
    assert "${ExportPrefix}-HttpsListenerArn" in _imports(_service(secure))
    rule = resources(_service(secure))[API_RULE]["Properties"]
    assert rule["ListenerArn"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-HttpsListenerArn"}}


def test_cluster_capacity_providers_and_namespace() -> None:
    t = build_cluster(make_env(cluster={"container_insights": True}))
    cluster = resources(t)["Cluster"]["Properties"]
    assert cluster["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert cluster["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    assert resources(t)["Namespace"]["Properties"]["Name"] == "test.demo.internal"


def _service(env, name="api"):
    return build_service(env, env.services[name], build_plan(env))


def test_service_image_tag_is_a_parameter_with_params_default() -> None:
    t = _service(make_env())
    params = json.loads(t.to_json())["Parameters"]
    assert params["ImageTag"]["Default"] == "1.0.0"
    image = resources(t)["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Image"]
    assert image == {"Fn::Join": [":", ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/api", {"Ref": "ImageTag"}]]}


def test_service_rule_matches_host_and_path_prefix() -> None:
    rule = resources(_service(make_env()))[API_RULE]["Properties"]
    conditions = {c["Field"]: c for c in rule["Conditions"]}
    assert conditions["host-header"]["HostHeaderConfig"]["Values"] == ["api.example.com"]
    assert conditions["path-pattern"]["PathPatternConfig"]["Values"] == ["/api", "/api/*"]
    assert 1 <= rule["Priority"] <= 50000


def _rules_by_id(routes: list[dict]) -> dict[str, int]:
    env = make_env(
        services={
            "api": {"image_tag": "1", "containers": [{"name": "app", "image": "x/y", "port": 80}], "routes": routes}
        }
    )
    rules = of_type(_service(env), "AWS::ElasticLoadBalancingV2::ListenerRule")
    return {logical_id: rule["Properties"]["Priority"] for logical_id, rule in rules.items()}


def test_listener_rule_ids_follow_the_route_not_its_position() -> None:
    """Removing or reordering a route leaves the other rules' ids and priorities as they were.

    With positional ids, dropping /a renamed /b's rule to ListenerRule1, and
    CloudFormation updated the deployed ListenerRule1 to a priority the old
    ListenerRule2 still held (ELB: PriorityInUse).
    """
    a, b = {"host": "api.example.com", "path": "/a"}, {"host": "api.example.com", "path": "/b"}
    both = _rules_by_id([a, b])
    assert len(both) == 2
    assert _rules_by_id([b, a]) == both
    only_b = _rules_by_id([b])
    assert only_b.items() <= both.items()
    assert _rules_by_id([a]).items() <= both.items()
    assert list(only_b) == [listener_rule_logical_id(["api.example.com"], ["/b", "/b/*"])]


def test_service_security_group_admits_only_the_alb() -> None:
    ingress = resources(_service(make_env()))["TaskSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert len(ingress) == 1
    assert ingress[0]["FromPort"] == ingress[0]["ToPort"] == 8080
    assert ingress[0]["SourceSecurityGroupId"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-AlbSecurityGroup"}}
    assert "CidrIp" not in ingress[0]


def test_service_runs_private_with_circuit_breaker() -> None:
    svc = resources(_service(make_env()))["Service"]
    props = svc["Properties"]
    assert props["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert props["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert "Role" not in props
    assert svc["DependsOn"] == [API_RULE]


def test_execution_role_is_scoped_to_own_log_group_repo_and_secrets() -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
    env = make_env(
        services={
            "api": {
                "image_tag": "1",
                "containers": [
                    {
                        "name": "app",
                        "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api",
                        "port": 80,
                        "secrets": {"DB": secret},
                    }
                ],
            }
        }
    )
    policy = resources(_service(env))["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["WriteOwnLogGroup"]["Resource"] == [{"Fn::GetAtt": ["LogGroup", "Arn"]}]
    assert by_sid["PullOwnImages"]["Resource"] == ["arn:aws:ecr:eu-west-1:123456789012:repository/api"]
    assert by_sid["ReadOwnSecrets"]["Resource"] == [secret]
    star = [sid for sid, s in by_sid.items() if "*" in s["Resource"]]
    assert star == ["EcrLogin"]


def test_worker_without_routes_has_no_target_group() -> None:
    env = make_env(services={"job": {"image_tag": "1", "containers": [{"name": "app", "image": "busybox"}]}})
    r = resources(_service(env, "job"))
    assert "TargetGroup" not in r and not of_type(_service(env, "job"), "AWS::ElasticLoadBalancingV2::ListenerRule")
    assert "SecurityGroupIngress" not in r["TaskSecurityGroup"]["Properties"]  # none: left out, not []
    assert "LoadBalancers" not in r["Service"]["Properties"]


def test_fixed_tag_images_need_no_image_tag_parameter() -> None:
    env = make_env(services={"cache": {"containers": [{"name": "redis", "image": "redis:7"}]}})
    t = _service(env, "cache")
    assert "ImageTag" not in json.loads(t.to_json())["Parameters"]


def test_every_taggable_resource_is_tagged(shipped_outputs: dict[str, Path]) -> None:
    """Every resource whose CloudFormation schema has Tags carries ours, in every shipped environment.

    Taggable is decided by the pinned cfn-lint's resource schemas, not by a
    list here, so a newly taggable type (or a new resource) cannot slip by.
    """
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    checked = 0
    for env, folder in sorted(shipped_outputs.items()):
        for key, template in sorted(written_templates(folder).items()):
            wanted = {"project", "environment"} | ({"service"} if key.startswith("svc-") else set())
            for logical_id, resource in template["Resources"].items():
                schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("eu-west-1", resource["Type"]).schema
                if "Tags" not in schema["properties"]:
                    continue
                keys = {tag["Key"] for tag in resource["Properties"].get("Tags", [])}
                assert wanted <= keys, f"{env}/{key}.json {logical_id} ({resource['Type']}) tags: {sorted(keys)}"
                checked += 1
    assert checked > 50  # the walk really covered the environments
