"""Network stack: VPC, public/private subnets per AZ, internet and NAT gateways.

Optionally VPC flow logs into a log group of this stack (retention and KMS
key from params), so rejected and accepted traffic can be audited.
"""

from __future__ import annotations

from troposphere import GetAtt, GetAZs, Join, Ref, Select, Sub, Template, ec2
from troposphere import logs as cwlogs

from templates.naming import ExportKey, prefixed_flow_log_group
from templates.params.environment import Environment
from templates.plan.build import build_plan
from templates.plan.model import EnvironmentPlan, NetworkPlan
from templates.stacks.common import add_export, new_template, removal_policy, tags
from templates.stacks.endpoints import add_endpoints
from templates.stacks.existing_network import build_existing_network
from templates.stacks.iam import add_flow_logs_role
from templates.stacks.metadata import guard_suppressions


def build_network(env: Environment, plan: EnvironmentPlan | None = None) -> Template:
    """The VPC, or only the re-exports of an existing one; subnets and endpoints as the plan has them."""
    network = (plan if plan is not None else build_plan(env)).network
    if env.network.existing is not None:
        return build_existing_network(env, network)
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
    public_subnets, private_subnets = _add_subnets(t, env, network, vpc, igw, attachment)
    _add_flow_logs(t, env, vpc)
    nats = _add_nat_gateways(t, env, public_subnets[: network.nat_gateways], attachment.title)
    private_tables = _add_private_routes(t, env, vpc, private_subnets, nats)
    add_endpoints(t, env, network, Ref(vpc), str(net.cidr), [Ref(s) for s in private_subnets], private_tables)
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


PUBLIC_ROUTE_REASON = (
    "The public subnets hold only the internet-facing ALB and the NAT gateways, which need this route to and "
    "from the internet; tasks run in private subnets whose default route goes to a NAT gateway."
)


def _add_subnets(
    t: Template,
    env: Environment,
    network: NetworkPlan,
    vpc: ec2.VPC,
    igw: ec2.InternetGateway,
    attachment: ec2.VPCGatewayAttachment,
) -> tuple[list[ec2.Subnet], list[ec2.Subnet]]:
    """A public and a private subnet per AZ; the public ones route to the internet gateway."""
    public_table = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc), Tags=tags(env, tier="public")))
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn=attachment.title,
            RouteTableId=Ref(public_table),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
            Metadata=guard_suppressions(("NO_UNRESTRICTED_ROUTE_TO_IGW", PUBLIC_ROUTE_REASON)),
        )
    )
    public_subnets, private_subnets = [], []
    for i in range(network.zones):
        az = Select(i, GetAZs(Ref("AWS::Region")))
        public = _add_subnet(t, env, vpc, "public", i, network.public_subnets[i], az)
        t.add_resource(
            ec2.SubnetRouteTableAssociation(
                f"PublicSubnet{i + 1}RouteTableAssociation", SubnetId=Ref(public), RouteTableId=Ref(public_table)
            )
        )
        private = _add_subnet(t, env, vpc, "private", i, network.private_subnets[i], az)
        public_subnets.append(public)
        private_subnets.append(private)
    return public_subnets, private_subnets


def _add_private_routes(
    t: Template, env: Environment, vpc: ec2.VPC, private_subnets: list[ec2.Subnet], nats: list[ec2.NatGateway]
) -> list[Ref]:
    """A route table per private subnet, its default route through a NAT gateway when there is one."""
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
    return private_tables


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
    """One NAT gateway (and Elastic IP) in each of ``public_subnets``: as many as the plan counts."""
    nats = []
    for i in range(len(public_subnets)):
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
