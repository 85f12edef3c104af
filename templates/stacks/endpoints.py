"""VPC endpoints: the private subnets' way to AWS APIs without a NAT gateway.

The S3 gateway endpoint is free and carries ECR image layers (and any other
S3 traffic), which is where most NAT bytes of a Fargate fleet go (image
pulls).  Interface endpoints cost per hour per AZ; only those the services
need are made (the plan's ``network.interface_endpoints``).  Their security group
admits HTTPS from the VPC and nothing else.
"""

from __future__ import annotations

from troposphere import Ref, Sub, Template, ec2

from templates.naming import logical_id
from templates.params.environment import Environment
from templates.plan.model import NetworkPlan
from templates.stacks.common import tags

HTTPS = 443


def _service_name(name: str) -> Sub:
    return Sub(f"com.amazonaws.${{AWS::Region}}.{name}")


def add_endpoints(
    t: Template,
    env: Environment,
    network: NetworkPlan,
    vpc_id: object,
    vpc_cidr: object,
    subnets: list[object],
    route_tables: list[object],
) -> None:
    """The endpoints the plan lists, in the given VPC, subnets and route tables."""
    if network.s3_gateway:
        t.add_resource(
            ec2.VPCEndpoint(
                "S3GatewayEndpoint",
                VpcId=vpc_id,
                ServiceName=_service_name("s3"),
                VpcEndpointType="Gateway",
                RouteTableIds=route_tables,
                Tags=tags(env, Name=f"{env.project}-{env.environment}-s3"),
            )
        )
    names = network.interface_endpoints
    if not names:
        return
    security_group = t.add_resource(
        ec2.SecurityGroup(
            "EndpointSecurityGroup",
            GroupDescription=f"{env.project}-{env.environment} VPC endpoints: HTTPS from the VPC only",
            VpcId=vpc_id,
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp", FromPort=HTTPS, ToPort=HTTPS, CidrIp=vpc_cidr, Description="HTTPS from the VPC"
                )
            ],
            # Endpoints only answer; an explicit rule keeps AWS's default allow-all egress off.
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="icmp",
                    FromPort=-1,
                    ToPort=-1,
                    CidrIp="127.0.0.1/32",
                    Description="endpoints open no connections: placeholder so no allow-all egress is added",
                )
            ],
            Tags=tags(env),
        )
    )
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
