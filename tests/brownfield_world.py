"""The "existing" account of a brownfield adopter, made with boto3 on the local endpoint.

Another team's VPC (public and private subnets in two AZs, their route
tables, optionally a NAT gateway) and, for the shared-listener tests, their
ALB with an HTTPS-less listener and a rule of theirs.  Tests build this first,
put the ids into params, then deploy our stacks on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from templates.aws.elb import ALB_HOSTED_ZONES

CIDR = "10.20.0.0/16"


@dataclass
class World:
    region: str
    vpc_id: str
    public_subnets: list[str]
    private_subnets: list[str]
    private_route_tables: list[str]
    alb: dict[str, str] = field(default_factory=dict)

    def existing_vpc(self) -> dict[str, Any]:
        """``network.existing`` params for this VPC."""
        return {
            "vpc_id": self.vpc_id,
            "cidr": CIDR,
            "public_subnets": self.public_subnets,
            "private_subnets": self.private_subnets,
            "private_route_tables": self.private_route_tables,
        }


def make_vpc(region: str, nat: bool = False, dns_hostnames: bool = True) -> World:
    """A VPC as another team would have built it: IGW for the public tier, one route table per private subnet."""
    ec2 = boto3.client("ec2", region_name=region)
    vpc_id = ec2.create_vpc(CidrBlock=CIDR)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": dns_hostnames})
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    public_table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    public, private, tables = [], [], []
    for i, zone in enumerate(zones):
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=zone)["Subnet"]
        ec2.associate_route_table(RouteTableId=public_table, SubnetId=subnet["SubnetId"])
        public.append(subnet["SubnetId"])
    nat_id = None
    if nat:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat_id = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    for i, zone in enumerate(zones):
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.20.{10 + i}.0/24", AvailabilityZone=zone)["Subnet"]
        table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet["SubnetId"])
        if nat_id:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
        private.append(subnet["SubnetId"])
        tables.append(table)
    return World(region, vpc_id, public, private, tables)


def make_alb(world: World) -> dict[str, str]:
    """Their internet-facing ALB in the public subnets: HTTPS listener (404 by default) and HTTP beside it.

    Returns ``alb.existing`` params for it.
    """
    ec2 = boto3.client("ec2", region_name=world.region)
    elbv2 = boto3.client("elbv2", region_name=world.region)
    group = ec2.create_security_group(GroupName="platform-alb", Description="shared ALB", VpcId=world.vpc_id)
    (lb,) = elbv2.create_load_balancer(
        Name="platform-shared", Subnets=world.public_subnets, SecurityGroups=[group["GroupId"]], Type="application"
    )["LoadBalancers"]
    certificate = boto3.client("acm", region_name=world.region).request_certificate(DomainName="*.example.com")
    not_found = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}]
    https = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": certificate["CertificateArn"]}],
        DefaultActions=not_found,
    )["Listeners"][0]
    http = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=not_found
    )["Listeners"][0]
    world.alb = {
        "https_listener_arn": https["ListenerArn"],
        "http_listener_arn": http["ListenerArn"],
        "security_group": group["GroupId"],
        "dns_name": lb["DNSName"],
        # moto answers a placeholder zone (Z2P70J7EXAMPLE); AWS answers the one it documents for ALBs in the
        # region, which rule B006 checks the params against.
        "hosted_zone_id": ALB_HOSTED_ZONES[world.region],
    }
    return world.alb


def add_foreign_rule(world: World, priority: int, host: str, paths: list[str]) -> str:
    """Another team's rule on the shared HTTPS listener, forwarding to their own target group."""
    elbv2 = boto3.client("elbv2", region_name=world.region)
    group = elbv2.create_target_group(
        Name=f"theirs-{priority}", Protocol="HTTP", Port=80, VpcId=world.vpc_id, TargetType="ip"
    )["TargetGroups"][0]
    conditions = [{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}]
    if paths:
        conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": paths}})
    (rule,) = elbv2.create_rule(
        ListenerArn=world.alb["https_listener_arn"],
        Priority=priority,
        Conditions=conditions,
        Actions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )["Rules"]
    return rule["RuleArn"]
