"""VPC endpoints by PrivateLink name: what a task role's IAM prefixes need, what `extra` may say, the free
gateways, what `interface: false` means, and how the endpoints admit the tasks."""

from __future__ import annotations

from typing import Any

import pytest

from templates.aws.privatelink import ENDPOINT_SERVICES, ENDPOINTS_BY_IAM_PREFIX
from templates.pipeline import build_all
from tests.conftest import make_env, rule_problems, web

NAT_FREE: dict[str, Any] = {"nat": "none", "endpoints": {}}


def calling(*actions: str) -> dict[str, Any]:
    """A web service whose task role calls ``actions``."""
    return web(
        task_role={"statements": [{"actions": list(actions), "resources": ["arn:aws:sqs:eu-west-1:123456789012:x"]}]}
    )


def endpoint_names(**overrides: Any) -> set[str]:
    network = build_all(make_env(**overrides))["network"].to_dict()
    return {
        r["Properties"]["ServiceName"]["Fn::Sub"].removeprefix("com.amazonaws.${AWS::Region}.")
        for r in network["Resources"].values()
        if r["Type"] == "AWS::EC2::VPCEndpoint"
    }


@pytest.mark.parametrize(
    ("action", "endpoint"),
    [
        ("cloudwatch:PutMetricData", "monitoring"),
        ("kinesis:PutRecord", "kinesis-streams"),
        ("ses:SendEmail", "email or email-smtp"),
        ("bedrock:InvokeModel", "bedrock-runtime or bedrock"),
        ("firehose:PutRecord", "kinesis-firehose"),
    ],
)
def test_a_task_role_prefix_asks_for_its_privatelink_name(action: str, endpoint: str) -> None:
    env = make_env(network=NAT_FREE, services={"api": calling(action)})
    [problem] = rule_problems(env, "P011")
    assert f"task_role calls {action.split(':')[0]}: needs the {endpoint}" in problem.message
    name = endpoint.split(" or ")[0]
    assert (
        rule_problems(
            make_env(network={**NAT_FREE, "endpoints": {"extra": [name]}}, services={"api": calling(action)}),
            "P011",
            "L027",
        )
        == []
    )


def test_authorisation_only_prefixes_need_no_endpoint() -> None:
    env = make_env(network=NAT_FREE, services={"api": calling("iam:PassRole", "rds-db:connect")})
    assert rule_problems(env, "P011") == []


@pytest.mark.parametrize(
    ("name", "words", "warning"),
    [
        (
            "cloudwatch",
            "'cloudwatch' is an IAM action prefix, not a VPC endpoint: cloudwatch: calls go to the monitoring",
            False,
        ),
        ("kinesis", "kinesis-streams", False),
        ("ses", "email or email-smtp", False),
        ("com.amazonaws.eu-west-1.sqs", "write 'sqs'", False),
        ("s3", "network.endpoints.s3_gateway: true", True),
        ("made-up", "not a PrivateLink service name this tool knows", True),
    ],
)
def test_extra_takes_privatelink_names(name: str, words: str, warning: bool) -> None:
    env = make_env(network={**NAT_FREE, "endpoints": {"extra": [name]}})
    [problem] = rule_problems(env, "L027")
    assert problem.path == "network.endpoints.extra[0]" and words in problem.message
    assert problem.is_error is not warning


def test_a_full_service_name_would_get_the_prefix_twice() -> None:
    env = make_env(network={**NAT_FREE, "endpoints": {"extra": ["com.amazonaws.eu-west-1.sqs"]}})
    [problem] = rule_problems(env, "L027")
    assert "com.amazonaws.eu-west-1.com.amazonaws.eu-west-1.sqs" in problem.message


def test_every_name_the_table_offers_is_accepted_in_extra() -> None:
    env = make_env(network={**NAT_FREE, "endpoints": {"extra": sorted(ENDPOINT_SERVICES - {"s3", "dynamodb"})[:20]}})
    assert rule_problems(env, "L027") == []
    assert all(names for names in ENDPOINTS_BY_IAM_PREFIX.values())


def test_dynamodb_is_offered_as_a_free_gateway_like_s3() -> None:
    svc = calling("dynamodb:GetItem")
    [problem] = rule_problems(make_env(network=NAT_FREE, services={"api": svc}), "P011")
    assert "network.endpoints.dynamodb_gateway: true (free)" in problem.message
    network = {**NAT_FREE, "endpoints": {"dynamodb_gateway": True}}
    assert rule_problems(make_env(network=network, services={"api": svc}), "P011") == []
    doc = build_all(make_env(network=network, services={"api": svc}))["network"].to_dict()
    gateway = doc["Resources"]["DynamodbGatewayEndpoint"]["Properties"]
    assert gateway["VpcEndpointType"] == "Gateway"
    assert gateway["RouteTableIds"] == [{"Ref": "PrivateRouteTable1"}, {"Ref": "PrivateRouteTable2"}]
    assert "dynamodb" not in endpoint_names(network={"nat": "none", "endpoints": {}}, services={"api": svc})


def test_interface_false_means_no_interface_endpoint_and_says_so() -> None:
    """One meaning: no interface endpoint at all.  extra beside it is refused; the gaps name the switch."""
    off = {"nat": "none", "endpoints": {"interface": False, "extra": ["sqs"]}}
    env = make_env(network=off, services={"api": calling("sqs:SendMessage")})
    [refused] = rule_problems(env, "P013")
    assert (
        refused.path == "network.endpoints.extra"
        and "interface: false creates no interface endpoint" in refused.message
    )
    [gaps] = rule_problems(env, "P011")
    assert "network.endpoints.interface is false, so no sqs endpoint exists" in gaps.message
    assert "needs the sqs VPC endpoint" not in gaps.message, "it must not ask for what extra already lists"
    assert endpoint_names(network=off) == {"s3"}


def test_endpoints_admit_the_tasks_by_security_group_not_by_cidr() -> None:
    """Tasks in a secondary CIDR's subnets reach the endpoints: the rule names the group every task joins."""
    stacks = {k: t.to_dict() for k, t in build_all(make_env(network=NAT_FREE)).items()}
    group = stacks["network"]["Resources"]["EndpointSecurityGroup"]["Properties"]
    assert group["SecurityGroupIngress"] == []
    ingress = stacks["cluster"]["Resources"]["EndpointIngressFromTasks"]["Properties"]
    assert ingress["SourceSecurityGroupId"] == {"Ref": "ServiceClientsSecurityGroup"}
    for key, doc in stacks.items():
        if key.startswith("svc-"):
            groups = doc["Resources"]["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            assert {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-ServiceClientsSecurityGroup"}} in groups[
                "SecurityGroups"
            ]
    upgrading = {"nat": "none", "endpoints": {"ingress_from_vpc_cidr": True}}
    group = build_all(make_env(network=upgrading))["network"].to_dict()["Resources"]["EndpointSecurityGroup"]
    assert [rule["CidrIp"] for rule in group["Properties"]["SecurityGroupIngress"]] == ["10.0.0.0/16"]


def test_no_endpoints_no_ingress_rule() -> None:
    cluster = build_all(make_env())["cluster"].to_dict()
    assert "EndpointIngressFromTasks" not in cluster["Resources"]


def test_the_dynamodb_gateway_on_an_existing_vpc_needs_its_route_tables() -> None:
    vpc = {
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "cidr": "10.20.0.0/16",
        "public_subnets": ["subnet-0a000000000000001", "subnet-0a000000000000002"],
        "private_subnets": ["subnet-0b000000000000001", "subnet-0b000000000000002"],
    }
    env = make_env(network={"existing": vpc, "endpoints": {"s3_gateway": False, "dynamodb_gateway": True}})
    [problem] = rule_problems(env, "B003")
    assert "DynamoDB gateway endpoint attaches to route tables" in problem.message
