"""Network stack: VPC, public/private subnets per AZ, internet and NAT gateways."""

from __future__ import annotations

import ipaddress

from troposphere import GetAtt, GetAZs, Join, Ref, Select, Template, ec2

from templates.common import add_export, new_template, tags
from templates.naming import ExportKey
from templates.params import Environment

# Subnets are 1/8 of the VPC each: public in blocks 0-2, private in blocks 4-6.
_SUBNET_BITS = 3
_PRIVATE_OFFSET = 4


def subnet_cidrs(cidr: ipaddress.IPv4Network, az_count: int) -> tuple[list[str], list[str]]:
    blocks = list(cidr.subnets(prefixlen_diff=_SUBNET_BITS))
    public = [str(blocks[i]) for i in range(az_count)]
    private = [str(blocks[_PRIVATE_OFFSET + i]) for i in range(az_count)]
    return public, private


def build_network(env: Environment) -> Template:
    net = env.network
    t = new_template(env, f"VPC {net.cidr} over {net.az_count} AZs, NAT {net.nat}")
    vpc = t.add_resource(
        ec2.VPC(
            "Vpc",
            CidrBlock=str(net.cidr),
            EnableDnsHostnames=True,
            EnableDnsSupport=True,
            Tags=tags(env, Name=f"{env.project}-{env.environment}"),
        )
    )
    igw = t.add_resource(ec2.InternetGateway("InternetGateway", Tags=tags(env)))
    attachment = t.add_resource(
        ec2.VPCGatewayAttachment("InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw))
    )
    public_table = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc), Tags=tags(env, tier="public")))
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn=attachment.title,
            RouteTableId=Ref(public_table),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
        )
    )
    public_cidrs, private_cidrs = subnet_cidrs(net.cidr, net.az_count)
    public_subnets, private_subnets = [], []
    for i in range(net.az_count):
        az = Select(i, GetAZs(Ref("AWS::Region")))
        public = t.add_resource(
            ec2.Subnet(
                f"PublicSubnet{i + 1}",
                VpcId=Ref(vpc),
                CidrBlock=public_cidrs[i],
                AvailabilityZone=az,
                MapPublicIpOnLaunch=False,
                Tags=tags(env, tier="public", Name=f"{env.project}-{env.environment}-public-{i + 1}"),
            )
        )
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PublicSubnet{i + 1}RouteTableAssociation", SubnetId=Ref(public), RouteTableId=Ref(public_table)
            )
        )
        private = t.add_resource(
            ec2.Subnet(
                f"PrivateSubnet{i + 1}",
                VpcId=Ref(vpc),
                CidrBlock=private_cidrs[i],
                AvailabilityZone=az,
                MapPublicIpOnLaunch=False,
                Tags=tags(env, tier="private", Name=f"{env.project}-{env.environment}-private-{i + 1}"),
            )
        )
        public_subnets.append(public)
        private_subnets.append(private)
    nats = _add_nat_gateways(t, env, public_subnets, attachment.title)
    for i, private in enumerate(private_subnets):
        table = t.add_resource(
            ec2.RouteTable(f"PrivateRouteTable{i + 1}", VpcId=Ref(vpc), Tags=tags(env, tier="private"))
        )
        if nats:
            t.add_resource(
                ec2.Route(
                    f"PrivateDefaultRoute{i + 1}",
                    RouteTableId=Ref(table),
                    DestinationCidrBlock="0.0.0.0/0",
                    NatGatewayId=Ref(nats[i % len(nats)]),
                )
            )
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PrivateSubnet{i + 1}RouteTableAssociation", SubnetId=Ref(private), RouteTableId=Ref(table)
            )
        )
    add_export(t, ExportKey.VPC_ID, Ref(vpc), "VPC id")
    add_export(t, ExportKey.VPC_CIDR, GetAtt(vpc, "CidrBlock"), "VPC CIDR block")
    add_export(
        t, ExportKey.PUBLIC_SUBNETS, Join(",", [Ref(s) for s in public_subnets]), "Public subnet ids, comma-separated"
    )
    add_export(
        t,
        ExportKey.PRIVATE_SUBNETS,
        Join(",", [Ref(s) for s in private_subnets]),
        "Private subnet ids, comma-separated",
    )
    return t


def _add_nat_gateways(
    t: Template, env: Environment, public_subnets: list[ec2.Subnet], attachment: str
) -> list[ec2.NatGateway]:
    count = {"none": 0, "single": 1, "per-az": len(public_subnets)}[env.network.nat]
    nats = []
    for i in range(count):
        eip = t.add_resource(ec2.EIP(f"NatElasticIp{i + 1}", Domain="vpc", DependsOn=attachment, Tags=tags(env)))
        nats.append(
            t.add_resource(
                ec2.NatGateway(
                    f"NatGateway{i + 1}",
                    AllocationId=GetAtt(eip, "AllocationId"),
                    SubnetId=Ref(public_subnets[i]),
                    Tags=tags(env, Name=f"{env.project}-{env.environment}-nat-{i + 1}"),
                )
            )
        )
    return nats
