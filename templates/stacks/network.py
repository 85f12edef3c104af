"""Network stack: VPC, public/private subnets per AZ, internet and NAT gateways.

Optionally VPC flow logs into a log group of this stack (retention and KMS
key from params), so rejected and accepted traffic can be audited.
"""

from __future__ import annotations

import ipaddress

from troposphere import GetAtt, GetAZs, Join, Ref, Select, Sub, Template, ec2
from troposphere import logs as cwlogs

from templates.naming import ExportKey, prefixed_flow_log_group
from templates.params.environment import Environment
from templates.stacks.common import add_export, new_template, removal_policy, tags
from templates.stacks.endpoints import add_endpoints
from templates.stacks.existing_network import build_existing_network
from templates.stacks.iam import add_flow_logs_role

# Subnets are 1/8 of the VPC each: public in blocks 0-2, private in blocks 4-6.
_SUBNET_BITS = 3
_PRIVATE_OFFSET = 4


def subnet_cidrs(cidr: ipaddress.IPv4Network, az_count: int) -> tuple[list[str], list[str]]:
    blocks = list(cidr.subnets(prefixlen_diff=_SUBNET_BITS))
    public = [str(blocks[i]) for i in range(az_count)]
    private = [str(blocks[_PRIVATE_OFFSET + i]) for i in range(az_count)]
    return public, private


def build_network(env: Environment) -> Template:
    if env.network.existing is not None:
        return build_existing_network(env)
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
        public = _add_subnet(t, env, vpc, "public", i, public_cidrs[i], az)
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PublicSubnet{i + 1}RouteTableAssociation", SubnetId=Ref(public), RouteTableId=Ref(public_table)
            )
        )
        private = _add_subnet(t, env, vpc, "private", i, private_cidrs[i], az)
        public_subnets.append(public)
        private_subnets.append(private)
    _add_flow_logs(t, env, vpc)
    nats = _add_nat_gateways(t, env, public_subnets, attachment.title)
    private_tables = []
    for i, private in enumerate(private_subnets):
        table = t.add_resource(
            ec2.RouteTable(f"PrivateRouteTable{i + 1}", VpcId=Ref(vpc), Tags=tags(env, tier="private"))
        )
        private_tables.append(Ref(table))
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
    add_endpoints(t, env, Ref(vpc), str(net.cidr), [Ref(s) for s in private_subnets], private_tables)
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


def _add_subnet(t: Template, env: Environment, vpc: ec2.VPC, tier: str, i: int, cidr: str, az: object) -> ec2.Subnet:
    return t.add_resource(
        ec2.Subnet(
            f"{tier.capitalize()}Subnet{i + 1}",
            VpcId=Ref(vpc),
            CidrBlock=cidr,
            AvailabilityZone=az,
            MapPublicIpOnLaunch=False,
            Tags=tags(env, tier=tier, Name=f"{env.project}-{env.environment}-{tier}-{i + 1}"),
        )
    )


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


def _add_flow_logs(t: Template, env: Environment, vpc: ec2.VPC) -> None:
    flow = env.network.flow_logs
    if flow is None:
        return
    optional = {"KmsKeyId": flow.kms_key_arn} if flow.kms_key_arn else {}
    log_group = t.add_resource(
        cwlogs.LogGroup(
            "FlowLogGroup",
            LogGroupName=Sub(prefixed_flow_log_group()),
            RetentionInDays=flow.retention_days,
            Tags=tags(env),
            **optional,
            **removal_policy(flow.retain),
        )
    )
    role = add_flow_logs_role(t, env, log_group)
    t.add_resource(
        ec2.FlowLog(
            "VpcFlowLog",
            ResourceType="VPC",
            ResourceId=Ref(vpc),
            TrafficType=flow.traffic_type,
            LogDestinationType="cloud-watch-logs",
            LogGroupName=Ref(log_group),
            DeliverLogsPermissionArn=GetAtt(role, "Arn"),
            Tags=tags(env),
        )
    )
