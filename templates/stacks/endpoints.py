"""VPC endpoints: the private subnets' way to AWS APIs without a NAT gateway.

The S3 gateway endpoint is free and carries ECR image layers (and any other
S3 traffic), which is where most NAT bytes of a Fargate fleet go (image
pulls); DynamoDB has a free gateway endpoint too.  Interface endpoints cost
per hour per AZ; only those the services need are made (the plan's
``network.interface_endpoints``, PrivateLink names from ``templates.aws.privatelink``).

Their security group admits HTTPS from the tasks by security group: every
task joins the cluster stack's service-clients group, and the cluster stack
adds the ingress rule (``cluster.add_endpoint_ingress``; this stack cannot
refer to that group, the cluster stack imports from this one).  A CIDR rule
would miss tasks in subnets of a VPC's secondary CIDRs, which the endpoints
would then refuse (tasks stop with ResourceInitializationError).
``network.endpoints.ingress_from_vpc_cidr`` keeps the older VPC-CIDR rule for
the one deploy that upgrades an environment.
"""

from __future__ import annotations

from troposphere import Ref, Sub, Template, ec2

from templates.aws.privatelink import SERVICE_NAME_PREFIX
from templates.naming import ExportKey, logical_id
from templates.params.environment import Environment
from templates.plan.model import NetworkPlan
from templates.stacks.common import add_export, no_egress, tags

HTTPS = 443


def _service_name(name: str) -> Sub:
    return Sub(f"{SERVICE_NAME_PREFIX}${{AWS::Region}}.{name}")


def _add_gateways(
    t: Template, env: Environment, network: NetworkPlan, vpc_id: object, route_tables: list[object]
) -> None:
    """Free gateway endpoints (S3, DynamoDB) on the private route tables, one route per service per table."""
    for name in network.gateway_endpoints:
        t.add_resource(
            ec2.VPCEndpoint(
                logical_id(name, "gateway", "endpoint"),
                VpcId=vpc_id,
                ServiceName=_service_name(name),
                VpcEndpointType="Gateway",
                RouteTableIds=route_tables,
                Tags=tags(env, Name=f"{env.project}-{env.environment}-{name}"),
            )
        )


def _security_group(t: Template, env: Environment, vpc_id: object, vpc_cidr: object) -> ec2.SecurityGroup:
    """No ingress of its own: the cluster stack admits the tasks' service-clients group (and the old CIDR rule
    stays only while ``ingress_from_vpc_cidr`` is set)."""
    ingress = []
    if env.network.endpoints is not None and env.network.endpoints.ingress_from_vpc_cidr:
        ingress.append(
            ec2.SecurityGroupRule(
                IpProtocol="tcp", FromPort=HTTPS, ToPort=HTTPS, CidrIp=vpc_cidr, Description="HTTPS from the VPC"
            )
        )
    return t.add_resource(
        ec2.SecurityGroup(
            "EndpointSecurityGroup",
            # GroupDescription is create-only: changing its words would replace the group (and its export).
            GroupDescription=f"{env.project}-{env.environment} VPC endpoints: HTTPS from the VPC only",
            VpcId=vpc_id,
            SecurityGroupIngress=ingress,
            # Endpoints only answer; an explicit rule keeps AWS's default allow-all egress off.
            SecurityGroupEgress=no_egress("endpoints open no connections: placeholder so no allow-all egress is added"),
            Tags=tags(env),
        )
    )


def add_endpoints(
    t: Template,
    env: Environment,
    network: NetworkPlan,
    vpc_id: object,
    vpc_cidr: object,
    subnets: list[object],
    route_tables: list[object],
) -> None:
    """The endpoints the plan lists, in the given VPC, subnets and route tables; the endpoints' security
    group is exported for the cluster stack's ingress rule."""
    _add_gateways(t, env, network, vpc_id, route_tables)
    names = network.interface_endpoints
    if not names:
        return
    security_group = _security_group(t, env, vpc_id, vpc_cidr)
    for name in names:
        t.add_resource(
            ec2.VPCEndpoint(
                logical_id(name, "endpoint"),
                VpcId=vpc_id,
                ServiceName=_service_name(name),
                VpcEndpointType="Interface",
                PrivateDnsEnabled=True,
                SubnetIds=subnets,
                SecurityGroupIds=[Ref(security_group)],
                Tags=tags(env, Name=f"{env.project}-{env.environment}-{name}"),
            )
        )
    add_export(t, ExportKey.ENDPOINT_SECURITY_GROUP, Ref(security_group), "Security group of the interface endpoints")
