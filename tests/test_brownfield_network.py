"""An existing VPC and VPC endpoints: params rules, the network stack's shape, the other stacks untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import generate
from templates.naming import EXISTING_VPC_METADATA
from templates.pipeline import build_all
from tests.conftest import IMAGE, make_env, minimal_params, web, write_params
from tests.test_params_errors import run_bad

EXISTING: dict[str, Any] = {
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "cidr": "10.20.0.0/16",
    "public_subnets": ["subnet-0a000000000000001", "subnet-0a000000000000002"],
    "private_subnets": ["subnet-0b000000000000001", "subnet-0b000000000000002"],
    "private_route_tables": ["rtb-0c000000000000001", "rtb-0c000000000000002"],
}
QUEUE = "arn:aws:sqs:eu-west-1:123456789012:jobs"
NAT_FREE = {"existing": EXISTING, "nat": "none", "endpoints": {}}


def rendered(**overrides: Any) -> dict[str, dict[str, Any]]:
    return {key: t.to_dict() for key, t in build_all(make_env(**overrides)).items()}


def types(template: dict[str, Any]) -> set[str]:
    return {r["Type"] for r in template["Resources"].values()}


def test_existing_vpc_creates_no_vpc_resources_and_exports_the_same_names() -> None:
    new = rendered()["network"]
    existing = rendered(network={"existing": EXISTING})["network"]
    assert types(existing) == {"AWS::CloudFormation::WaitConditionHandle"}
    assert {k: o["Export"] for k, o in existing["Outputs"].items()} == {
        k: new["Outputs"][k]["Export"] for k in new["Outputs"]
    }
    values = {k: o["Value"] for k, o in existing["Outputs"].items()}
    assert values == {
        "VpcId": EXISTING["vpc_id"],
        "VpcCidr": EXISTING["cidr"],
        "PublicSubnets": ",".join(EXISTING["public_subnets"]),
        "PrivateSubnets": ",".join(EXISTING["private_subnets"]),
    }
    assert existing["Metadata"][EXISTING_VPC_METADATA]["Egress"] == "nat"


def test_the_other_stacks_do_not_change_with_an_existing_vpc() -> None:
    new, existing = rendered(), rendered(network={"existing": EXISTING})
    assert set(new) == set(existing)
    assert [k for k in new if k != "network" and new[k] != existing[k]] == []


def test_nat_free_existing_vpc_gets_endpoints_for_what_the_services_use() -> None:
    secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
    svc = web(containers=[{"name": "app", "image": IMAGE, "port": 8080, "secrets": {"DB": secret}}], ecs_exec=True)
    stacks = rendered(network=NAT_FREE, services={"api": svc})
    network = stacks["network"]
    endpoints = {
        r["Properties"]["ServiceName"]["Fn::Sub"].removeprefix("com.amazonaws.${AWS::Region}."): r["Properties"]
        for r in network["Resources"].values()
        if r["Type"] == "AWS::EC2::VPCEndpoint"
    }
    assert sorted(endpoints) == ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager", "ssmmessages"]
    assert endpoints["s3"]["RouteTableIds"] == EXISTING["private_route_tables"]
    assert endpoints["logs"]["SubnetIds"] == EXISTING["private_subnets"]
    (sg,) = [r for r in network["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroup"]
    assert sg["Properties"]["SecurityGroupIngress"] == [], "no CIDR: the tasks are admitted by security group"
    ingress = stacks["cluster"]["Resources"]["EndpointIngressFromTasks"]["Properties"]
    assert ingress["SourceSecurityGroupId"] == {"Ref": "ServiceClientsSecurityGroup"}
    assert ingress["GroupId"] == {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-EndpointSecurityGroup"}}
    assert (ingress["FromPort"], ingress["ToPort"]) == (443, 443)


def test_endpoints_on_a_new_vpc_use_its_private_route_tables(tmp_path: Path) -> None:
    """Generated through every check (cfn-lint, guardrails), not only built."""
    params = write_params(tmp_path, minimal_params(network={"nat": "none", "endpoints": {}}))
    assert generate.main(["--params", str(params), "--out", str(tmp_path / "out")]) == 0
    network = rendered(network={"nat": "none", "endpoints": {}})["network"]
    s3 = network["Resources"]["S3GatewayEndpoint"]["Properties"]
    assert s3["RouteTableIds"] == [{"Ref": "PrivateRouteTable1"}, {"Ref": "PrivateRouteTable2"}]
    assert "AWS::EC2::NatGateway" not in types(network)


@pytest.mark.parametrize(
    ("network", "services", "where", "words"),
    [
        ({"nat": "none"}, None, "network.nat", "needs the ecr.api VPC endpoint"),
        (
            {"nat": "none", "endpoints": {}},
            {"api": web(containers=[{"name": "app", "image": "public.ecr.aws/nginx/nginx:1", "port": 80}])},
            "network.nat",
            "public.ecr.aws/nginx/nginx:1 is outside eu-west-1's ECR: pulling it needs NAT",
        ),
        ({"nat": "none", "endpoints": {"s3_gateway": False}}, None, "network.nat", "image layers are served from S3"),
        (
            {"nat": "none", "endpoints": {}},
            {"api": web(task_role={"statements": [{"actions": ["sqs:SendMessage"], "resources": [QUEUE]}]})},
            "network.nat",
            "task_role calls sqs: needs the sqs VPC endpoint",
        ),
        ({"existing": {**EXISTING, "vpc_id": "vpc-123"}}, None, "network.existing.vpc_id", "vpc-"),
        ({"existing": {**EXISTING, "public_subnets": EXISTING["public_subnets"][:1]}}, None, "public_subnets", "2"),
        (
            {"existing": {**EXISTING, "private_subnets": [*EXISTING["private_subnets"], "subnet-0b000000000000003"]}},
            None,
            "network.existing.private_subnets",
            "one of each per AZ",
        ),
        (
            {
                "existing": {
                    **EXISTING,
                    "private_subnets": [EXISTING["public_subnets"][0], EXISTING["private_subnets"][0]],
                }
            },
            None,
            "network.existing.private_subnets[0]",
            "listed twice",
        ),
        ({"existing": EXISTING, "cidr": "10.0.0.0/16"}, None, "network.cidr", "leave it out"),
        (
            {"existing": {**EXISTING, "private_route_tables": []}, "endpoints": {}},
            None,
            "network.existing.private_route_tables",
            "S3 gateway endpoint attaches to route tables",
        ),
    ],
    ids=[
        "nat none without endpoints",
        "image outside ECR",
        "no s3 gateway",
        "task role service",
        "vpc id format",
        "too few subnets",
        "uneven tiers",
        "subnet twice",
        "cidr with existing",
        "no route tables",
    ],
)
def test_bad_brownfield_network_is_located(
    network: dict[str, Any], services: dict[str, Any] | None, where: str, words: str, tmp_path: Path, out: Path, capsys
) -> None:
    data = minimal_params(network=network, **({"services": services} if services else {}))
    err = run_bad(tmp_path, out, capsys, data)
    assert where in err and words in err, err


def test_endpoint_extra_satisfies_a_task_role_service() -> None:
    svc = web(task_role={"statements": [{"actions": ["sqs:SendMessage"], "resources": [QUEUE]}]})
    network = rendered(network={**NAT_FREE, "endpoints": {"extra": ["sqs"]}}, services={"api": svc})["network"]
    assert "SqsEndpoint" in network["Resources"]


LISTENER = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/0a1b2c3d4e5f6071/0a1b2c3d4e5f607"
EXISTING_ALB: dict[str, Any] = {
    "https_listener_arn": LISTENER + "2",
    "http_listener_arn": LISTENER + "3",
    "security_group": "sg-0a1b2c3d4e5f60718",
    "dns_name": "shared-1234567890.eu-west-1.elb.amazonaws.com",
    "hosted_zone_id": "Z32O12XQLNTSW2",
}
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123"


def test_existing_alb_exports_the_same_names_and_service_stacks_do_not_change() -> None:
    """Service stacks of an HTTPS ALB we create and of an existing one with an HTTPS listener are identical:
    the ALB's egress lives in the ALB stack we own (never on theirs)."""
    new = rendered(alb={"certificate_arn": CERTIFICATE})
    existing = rendered(alb={"existing": EXISTING_ALB})
    assert [k for k in new if k.startswith("svc-") and new[k] != existing[k]] == []
    alb = existing["alb"]
    assert types(alb) == {"AWS::CloudFormation::WaitConditionHandle"}
    assert {k: o["Export"] for k, o in alb["Outputs"].items()} == {
        k: new["alb"]["Outputs"][k]["Export"] for k in new["alb"]["Outputs"]
    }
    values = {k: o["Value"] for k, o in alb["Outputs"].items()}
    assert values["HttpsListenerArn"] == EXISTING_ALB["https_listener_arn"]
    assert values["AlbSecurityGroup"] == EXISTING_ALB["security_group"]
    assert values["AlbFullName"] == "app/shared/0a1b2c3d4e5f6071"


def test_existing_alb_with_only_http_puts_rules_on_http() -> None:
    alb = {"existing": {**EXISTING_ALB, "https_listener_arn": None}}
    (rule,) = [r for r in rendered(alb=alb)["svc-api"]["Resources"].values() if r["Type"].endswith("ListenerRule")]
    assert rule["Properties"]["ListenerArn"]["Fn::ImportValue"] == {"Fn::Sub": "${ExportPrefix}-HttpListenerArn"}


@pytest.mark.parametrize(
    ("alb", "where", "words"),
    [
        ({"existing": EXISTING_ALB, "idle_timeout": 30}, "alb.idle_timeout", "leave it out"),
        ({"existing": {**EXISTING_ALB, "https_listener_arn": None, "http_listener_arn": None}}, "alb.existing", "give"),
        (
            {"existing": {**EXISTING_ALB, "http_listener_arn": LISTENER.replace("shared", "other") + "3"}},
            "alb.existing.http_listener_arn",
            "different load balancers",
        ),
        ({"existing": {**EXISTING_ALB, "security_group": "sg-xyz"}}, "alb.existing.security_group", "sg-"),
        (
            {"existing": {**EXISTING_ALB, "https_listener_arn": LISTENER.replace("eu-west-1", "us-east-1") + "2"}},
            "alb.existing.https_listener_arn",
            "region us-east-1",
        ),
    ],
    ids=["new-alb key", "no listener", "two albs", "sg format", "other region"],
)
def test_bad_existing_alb_is_located(
    alb: dict[str, Any], where: str, words: str, tmp_path: Path, out: Path, capsys
) -> None:
    err = run_bad(tmp_path, out, capsys, minimal_params(alb=alb))
    assert where in err and words in err, err
