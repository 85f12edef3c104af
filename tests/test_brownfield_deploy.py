"""Deploying over an existing VPC on the local endpoint: the account pre-check refuses before any change.

Each test builds the "existing" VPC with boto3 in a region of its own, puts
its ids into params, generates, and runs deploy.py against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

import deploy
from deployer.run.shared_listener import LISTENER_RULE
from templates.pipeline import build_all, load_environment
from templates.writer import write_folder
from tests.brownfield_world import World, add_foreign_rule, make_alb, make_vpc
from tests.conftest import make_env
from tests.moto_endpoint import go_offline

pytestmark = pytest.mark.e2e


@pytest.fixture
def aws(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    go_offline(monkeypatch, endpoint)
    return endpoint


def generate(tmp_path: Path, network: dict[str, Any], **params: Any) -> Path:
    env = make_env(network=network, **params)
    folder = tmp_path / env.environment
    write_folder(folder, env, build_all(env))
    return folder


def deploy_folder(folder: Path, region: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = deploy.main(["--env", "test", "--dir", str(folder), "--region", region, "--execute", "--yes"])
    return code, capsys.readouterr().out


def stacks(region: str) -> list[str]:
    cfn = boto3.client("cloudformation", region_name=region)
    return [s["StackName"] for page in cfn.get_paginator("list_stacks").paginate() for s in page["StackSummaries"]]


def test_existing_vpc_with_nat_deploys_into_its_subnets(aws: str, tmp_path: Path, capsys) -> None:
    world = make_vpc("ap-southeast-1", nat=True)
    code, out = deploy_folder(generate(tmp_path, {"existing": world.existing_vpc()}), world.region, capsys)
    assert code == 0, out
    elbv2 = boto3.client("elbv2", region_name=world.region)
    (alb,) = elbv2.describe_load_balancers()["LoadBalancers"]
    assert alb["VpcId"] == world.vpc_id
    assert sorted(z["SubnetId"] for z in alb["AvailabilityZones"]) == sorted(world.public_subnets)
    ec2 = boto3.client("ec2", region_name=world.region)
    assert len(ec2.describe_vpcs()["Vpcs"]) == 2  # the default VPC and theirs: we made none


@pytest.mark.parametrize(
    ("region", "break_it", "words"),
    [
        ("ap-south-1", lambda w: None, "private subnet {private0} (route table {table0}) has no route to 0.0.0.0/0"),
        (
            "ap-northeast-2",
            lambda w: w.private_subnets.__setitem__(0, _foreign_subnet(w.region)),
            "private_subnets[0]: subnet {private0} belongs to vpc-",
        ),
        (
            "ca-central-1",
            lambda w: w.public_subnets.__setitem__(1, _second_subnet_beside(w, w.public_subnets[0])),
            "public subnets {public0} and {public1} both sit in",
        ),
        (
            "sa-east-1",
            lambda w: w.private_subnets.__setitem__(1, "subnet-0123456789abcdef0"),
            "private_subnets[1]: subnet subnet-0123456789abcdef0 does not exist in sa-east-1",
        ),
        (
            "us-west-1",
            lambda w: w.public_subnets.__setitem__(0, _subnet_without_internet(w)),
            "public subnet {public0} (route table rtb-",
        ),
    ],
    ids=["no way out", "subnet of another vpc", "two subnets in one az", "missing subnet", "public not public"],
)
def test_a_wrong_existing_vpc_is_refused_before_any_change(
    aws: str, tmp_path: Path, capsys, region: str, break_it: Any, words: str
) -> None:
    world = make_vpc(region, nat=False)
    if "no route to 0.0.0.0/0" not in words:  # every other case breaks something else
        _add_nat(world)
    break_it(world)
    folder = generate(tmp_path, {"existing": {**world.existing_vpc(), "private_route_tables": []}})
    code, out = deploy_folder(folder, region, capsys)
    expected = words.format(
        private0=world.private_subnets[0],
        public0=world.public_subnets[0],
        public1=world.public_subnets[1],
        table0=world.private_route_tables[0],
    )
    assert code == 1
    assert expected in " ".join(out.split()), out
    assert "nothing was planned or changed" in out
    assert stacks(region) == []


def test_a_vpc_without_dns_hostnames_is_refused(aws: str, tmp_path: Path, capsys) -> None:
    world = make_vpc("us-east-2", nat=True, dns_hostnames=False)
    code, out = deploy_folder(generate(tmp_path, {"existing": world.existing_vpc()}), world.region, capsys)
    assert code == 1
    assert f"VPC {world.vpc_id} has enableDnsHostnames off" in " ".join(out.split()), out
    assert "enableDnsSupport" not in out
    assert stacks(world.region) == []


def _foreign_subnet(region: str) -> str:
    ec2 = boto3.client("ec2", region_name=region)
    other = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=other, CidrBlock="10.99.1.0/24")["Subnet"]["SubnetId"]


def _second_subnet_beside(world: World, subnet_id: str) -> str:
    ec2 = boto3.client("ec2", region_name=world.region)
    (subnet,) = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    zone = subnet["AvailabilityZone"]
    return ec2.create_subnet(VpcId=world.vpc_id, CidrBlock="10.20.99.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]


def _subnet_without_internet(world: World) -> str:
    """A subnet on the VPC's main route table, which routes nowhere outside the VPC."""
    ec2 = boto3.client("ec2", region_name=world.region)
    (first,) = ec2.describe_subnets(SubnetIds=[world.public_subnets[0]])["Subnets"]
    zone = first["AvailabilityZone"]
    return ec2.create_subnet(VpcId=world.vpc_id, CidrBlock="10.20.98.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]


def _add_nat(world: World) -> None:
    ec2 = boto3.client("ec2", region_name=world.region)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=world.public_subnets[0], AllocationId=allocation)["NatGateway"]
    for table in world.private_route_tables:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat["NatGatewayId"])


STAGING = Path(__file__).resolve().parent.parent / "params" / "staging.yaml"


def staging_over(world: World, tmp_path: Path) -> Path:
    """params/staging.yaml in the world's region with the ids built on the endpoint, generated into a folder."""
    data = yaml.safe_load(STAGING.read_text().replace("eu-west-1", world.region))
    data["network"]["existing"] = world.existing_vpc()
    data["alb"]["existing"] = dict(world.alb)
    params = tmp_path / "staging.yaml"
    params.write_text(yaml.safe_dump(data, sort_keys=False))
    env = load_environment(params)
    folder = tmp_path / "staging"
    write_folder(folder, env, build_all(env))
    return folder


def deploy_staging(folder: Path, region: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = deploy.main(["--env", "staging", "--dir", str(folder), "--region", region, "--execute", "--yes"])
    return code, capsys.readouterr().out


def planned_rules(folder: Path, key: str) -> list[dict[str, Any]]:
    template = json.loads((folder / f"{key}.json").read_text())
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == LISTENER_RULE]


def test_staging_deploys_on_the_existing_vpc_and_shared_listener(aws: str, tmp_path: Path, capsys) -> None:
    world = make_vpc("eu-west-1")
    make_alb(world)
    foreign = add_foreign_rule(world, 10, "legacy.example.com", ["/old/*"])
    folder = staging_over(world, tmp_path)

    code, out = deploy_staging(folder, world.region, capsys)

    assert code == 0, out
    elbv2 = boto3.client("elbv2", region_name=world.region)
    assert len(elbv2.describe_load_balancers()["LoadBalancers"]) == 1  # theirs; we made none
    live = {r["RuleArn"]: r for r in elbv2.describe_rules(ListenerArn=world.alb["https_listener_arn"])["Rules"]}
    assert foreign in live  # their rule is untouched
    ours = sorted(
        int(p["Priority"]) for key in ("svc-auth", "svc-users", "svc-web") for p in planned_rules(folder, key)
    )
    assert sorted(int(r["Priority"]) for r in live.values() if r["RuleArn"] != foreign and not r["IsDefault"]) == ours
    ec2 = boto3.client("ec2", region_name=world.region)
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [world.vpc_id]}])["VpcEndpoints"]
    assert {e["ServiceName"].split(".", 3)[3] for e in endpoints} == {
        "s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sqs"
    }  # fmt: skip
    (task_group,) = ec2.describe_security_groups(
        Filters=[{"Name": "tag:service", "Values": ["auth"]}, {"Name": "vpc-id", "Values": [world.vpc_id]}]
    )["SecurityGroups"]
    assert [p["UserIdGroupPairs"][0]["GroupId"] for p in task_group["IpPermissions"]] == [world.alb["security_group"]]

    names = yaml.safe_load(STAGING.read_text())["services"]["auth"]["names"]
    ecs = boto3.client("ecs", region_name=world.region)
    (service,) = ecs.describe_services(cluster="shop-staging", services=[names["service"]])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["family"] == names["task_family"]
    logs = boto3.client("logs", region_name=world.region)
    assert (
        logs.describe_log_groups(logGroupNamePrefix=names["log_group"])["logGroups"][0]["logGroupName"]
        == (names["log_group"])
    )

    again, out = deploy_staging(folder, world.region, capsys)
    assert again == 0, out  # our own rules, now on the listener, are not foreign


@pytest.mark.parametrize(
    ("region", "clash"),
    [("eu-north-1", "priority"), ("eu-west-3", "route")],
)
def test_a_foreign_rule_in_the_way_is_refused_before_any_change(
    aws: str, tmp_path: Path, capsys, region: str, clash: str
) -> None:
    world = make_vpc(region)
    make_alb(world)
    folder = staging_over(world, tmp_path)
    (auth,) = planned_rules(folder, "svc-auth")
    if clash == "priority":
        foreign = add_foreign_rule(world, int(auth["Priority"]), "other.example.com", [])
        expected = f"services.auth route host api.staging.example.com path /auth,/auth/* (priority {auth['Priority']})"
        words = "that priority is taken on the shared listener by rule " + foreign
    else:
        foreign = add_foreign_rule(world, 5, "api.staging.example.com", ["/auth", "/auth/*"])
        expected = "services.auth route host api.staging.example.com path /auth,/auth/*"
        words = f"a request for api.staging.example.com/auth would go to rule {foreign} (not ours: priority 5"
    code, out = deploy_staging(folder, region, capsys)
    text = " ".join(out.split())
    assert code == 1
    assert expected in text and words in text, out
    assert stacks(region) == []
