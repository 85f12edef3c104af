"""Params for what already exists in the account: a VPC with its subnets, and VPC endpoints.

Brownfield adopters (SCENARIOS S6) bring a VPC made by another team.  These
models hold only what the templates need to wire our stacks into it; whether
the ids really exist, belong together and have a way out is the deployer's
pre-check (``deployer/run/account_precheck.py``), because only the account can say.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from templates.params.formats import Cidr
from templates.params.strict import Strict

# EC2 ids: a prefix and 8 (older resources) or 17 lowercase hex digits.
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html
_HEX_ID = r"([0-9a-f]{8}|[0-9a-f]{17})"
VpcId = Annotated[str, StringConstraints(pattern=rf"^vpc-{_HEX_ID}$")]
SubnetId = Annotated[str, StringConstraints(pattern=rf"^subnet-{_HEX_ID}$")]
RouteTableId = Annotated[str, StringConstraints(pattern=rf"^rtb-{_HEX_ID}$")]
SecurityGroupId = Annotated[str, StringConstraints(pattern=rf"^sg-{_HEX_ID}$")]


class ExistingVpc(Strict):
    """A VPC this tool does not manage: the network stack then only re-exports these ids."""

    vpc_id: VpcId = Field(description="The VPC's id (vpc- and 8 or 17 hex digits).")
    cidr: Cidr = Field(description="The VPC's primary IPv4 CIDR (the ALB's egress and endpoint ingress use it).")
    public_subnets: list[SubnetId] = Field(
        min_length=2, max_length=3, description="Public subnet ids, one per AZ (2 or 3): where an ALB we create sits."
    )
    private_subnets: list[SubnetId] = Field(
        min_length=2, max_length=3, description="Private subnet ids, one per AZ (2 or 3): where the tasks run."
    )
    private_route_tables: list[RouteTableId] = Field(
        default_factory=list,
        max_length=3,
        description="Route tables of the private subnets; needed for the S3 gateway endpoint "
        "(network.endpoints.s3_gateway), which is attached to route tables.",
    )


class EndpointParams(Strict):
    """VPC endpoints so tasks in private subnets reach AWS without NAT.

    Interface endpoints are made only for what the services use: ecr.api and
    ecr.dkr when an image is in this region's ECR, logs always (every task
    writes to CloudWatch Logs), secretsmanager / ssm for secrets, ssmmessages
    for ECS Exec, plus ``extra``.  ``interface: false`` turns every interface
    endpoint off, ``extra`` included.
    """

    s3_gateway: bool = Field(
        True, description="S3 gateway endpoint on the private route tables (free; ECR image layers come from S3)."
    )
    dynamodb_gateway: bool = Field(
        False,
        description="DynamoDB gateway endpoint on the private route tables (free): how tasks calling dynamodb: "
        "reach it without NAT.",
    )
    interface: bool = Field(
        True,
        description="Interface endpoints (billed per hour per AZ) for ECR, CloudWatch Logs and, when a service "
        "needs them, Secrets Manager, SSM and ssmmessages (ECS Exec), plus extra; one security group admits "
        "443 from the tasks' service-clients security group. false: no interface endpoint at all (extra "
        "must then be empty).",
    )
    extra: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([.-][a-z0-9]+)*$")]] = Field(
        default_factory=list,
        max_length=20,
        description="More interface endpoints by PrivateLink service name, without com.amazonaws.<region>. "
        "(sqs, sts, kms, monitoring for cloudwatch:, kinesis-streams for kinesis:, email for ses:, "
        "bedrock-runtime for bedrock:, ...) for what the tasks' own code calls; a task_role action whose "
        "service has no endpoint is refused under nat: none.",
    )
    ingress_from_vpc_cidr: bool = Field(
        False,
        description="Also admit 443 from the VPC's CIDR to the interface endpoints (the old rule). The endpoints "
        "admit the tasks by their service-clients security group; set true for one deploy when upgrading an "
        "environment deployed with the CIDR rule, so no update window leaves tasks without endpoints.",
    )


# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html (listener ARN:
# arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb name>/<lb id>/<listener id>).
LISTENER_ARN = (
    r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+$"
)
ListenerArn = Annotated[str, StringConstraints(pattern=LISTENER_ARN)]


def load_balancer_full_name(listener_arn: str) -> str:
    """``app/<name>/<id>`` of a listener's load balancer: the CloudWatch ``LoadBalancer`` dimension."""
    return "/".join(listener_arn.split(":listener/", 1)[1].split("/")[:3])


class ExistingAlb(Strict):
    """A load balancer this tool does not manage: service rules go on its listener, tasks admit its group."""

    https_listener_arn: ListenerArn | None = Field(
        None, description="HTTPS listener ARN; when given, the services' rules go there."
    )
    http_listener_arn: ListenerArn | None = Field(
        None, description="HTTP listener ARN; carries the rules when there is no HTTPS listener."
    )
    security_group: SecurityGroupId = Field(
        description="The ALB's security group; task security groups admit it on their target port."
    )
    dns_name: str = Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        max_length=253,
        description="The ALB's DNS name (Route 53 aliases point at it).",
    )
    hosted_zone_id: str = Field(
        pattern=r"^Z[A-Z0-9]{1,31}$", description="The ALB's canonical hosted zone id (for alias records)."
    )

    @property
    def rules_listener_arn(self) -> str:
        """The listener that carries the services' rules: HTTPS when given, else HTTP."""
        return self.https_listener_arn or self.http_listener_arn or ""
