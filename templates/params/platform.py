"""Params of the shared platform: the VPC, the load balancer and the cluster."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from templates.params.brownfield import EndpointParams, ExistingAlb, ExistingVpc
from templates.params.capacity_groups import CapacityGroup
from templates.params.formats import CERTIFICATE_ARN, LOG_RETENTION_DAYS, Cidr, KmsKeyArn
from templates.params.name_overrides import EcsName
from templates.params.strict import Name, Strict


class FlowLogParams(Strict):
    """VPC flow logs to a CloudWatch log group this stack creates."""

    traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = Field(
        "ALL", description="Traffic to record: ALL, ACCEPT or REJECT (cheapest, still shows blocked probes)."
    )
    retention_days: LOG_RETENTION_DAYS = Field(90, description="Retention of the flow-log log group.")
    kms_key_arn: KmsKeyArn | None = Field(
        None,
        description="KMS key ARN encrypting the flow-log log group (same region; its key policy must "
        "allow the logs.<region>.amazonaws.com principal).",
    )
    retain: bool = Field(
        True, description="Keep the flow-log log group when its stack deletes or replaces it; false deletes it."
    )


class NetworkParams(Strict):
    cidr: Cidr = Field(
        ipaddress.IPv4Network("10.0.0.0/16"),
        description="VPC CIDR block, /16 to /24; subnets are carved from it (1/8 each).",
    )
    az_count: int = Field(2, ge=2, le=3, description="Availability zones to span (2 or 3).")
    nat: Literal["none", "single", "per-az"] = Field(
        "single",
        description="NAT gateways for private subnets: single (cheap), per-az (survives an AZ outage), "
        "none (no egress; accepted only when network.endpoints carry everything the services need). "
        "With network.existing: what its private subnets have (none: no route out, endpoints carry it all; "
        "single/per-az: a route out, checked before deploying); no NAT gateway is created.",
    )
    flow_logs: FlowLogParams | None = Field(
        None, description="VPC flow logs (costs money per GB); omit to turn them off."
    )
    existing: ExistingVpc | None = Field(
        None,
        description="Use a VPC that already exists instead of creating one (then cidr, az_count and "
        "flow_logs are not set): the network stack creates no VPC resources and exports these ids.",
    )
    endpoints: EndpointParams | None = Field(
        None, description="VPC endpoints for the private subnets (needed for nat: none); omit for none."
    )

    @property
    def zones(self) -> int:
        """AZs the tasks span: az_count, or one per private subnet of an existing VPC."""
        return len(self.existing.private_subnets) if self.existing else self.az_count


class AlbParams(Strict):
    scheme: Literal["internet-facing", "internal"] = Field(
        "internet-facing",
        description="internet-facing (public subnets) or internal. With existing: the existing ALB's scheme "
        "(internal when its DNS name starts with internal-).",
    )
    certificate_arn: Annotated[str, StringConstraints(pattern=CERTIFICATE_ARN)] | None = Field(
        None,
        description="ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>). "
        "When set: HTTPS listener on 443, rules live there and "
        "port 80 redirects to HTTPS. When empty: rules live on the HTTP listener.",
    )
    ingress_cidrs: list[Cidr] = Field(
        default_factory=lambda: [ipaddress.IPv4Network("0.0.0.0/0")],
        min_length=1,
        max_length=50,
        description="CIDRs allowed to reach the ALB on 80/443.",
    )
    ssl_policy: str = Field(
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        pattern=r"^ELBSecurityPolicy-(TLS13-1-2|TLS13-1-3|TLS-1-2|FS-1-2)(-[A-Za-z0-9]+)*$",
        description="TLS policy of the HTTPS listener; only policies with TLS 1.2 or newer as the minimum "
        "(ELBSecurityPolicy-TLS13-1-2-*, -TLS13-1-3-*, -TLS-1-2-*, -FS-1-2-*).",
    )
    idle_timeout: int = Field(60, ge=1, le=4000, description="Idle timeout in seconds.")
    rules_per_listener: int = Field(
        100,
        ge=1,
        le=50000,
        description="Your account's quota of listener rules per ALB (AWS default 100, raisable in Service "
        "Quotas). Routes beyond it spread over more ALBs (alb-2, alb-3, ...), whole hosts at a time.",
    )
    deletion_protection: bool = Field(
        True, description="Refuse to delete the ALB (turn off before tearing the environment down)."
    )
    egress_to_vpc_cidr: bool = Field(
        False,
        description="Also let the ALB reach the target ports anywhere in the VPC CIDR (the old rule). The ALB "
        "reaches the tasks by their service-clients security group, one rule per target port; set true for one "
        "deploy when upgrading an environment deployed with the CIDR rule, so no update window leaves the ALB "
        "without egress.",
    )
    access_logs_bucket: str | None = Field(
        None,
        description="S3 bucket (name) receiving ALB access logs under <project>/<environment>/alb; "
        "its bucket policy must let the regional ELB log delivery write there. Omit to turn logs off.",
    )

    existing: ExistingAlb | None = Field(
        None,
        description="Use a load balancer that already exists instead of creating one (then no other alb key "
        "but scheme is set): services put their rules on its listener, and the deployer refuses priorities or "
        "host+path routes its foreign rules already hold.",
    )


class ClusterParams(Strict):
    container_insights: bool = Field(False, description="CloudWatch Container Insights (costs).")
    namespace: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
        description="Cloud Map private DNS namespace; default <environment>.<project>.internal.",
    )
    name: EcsName | None = Field(
        None,
        description="ECS cluster name people depend on (default: CloudFormation picks a unique one); letters, "
        "digits, - and _, 1-255. Setting or changing it replaces the cluster.",
    )
    capacity_groups: dict[Name, CapacityGroup] = Field(
        default_factory=dict,
        description="EC2 capacity beside Fargate, by group name: Auto Scaling groups of ECS container instances "
        "in the private subnets, each behind a capacity provider. Services choose them in capacity.ec2 "
        "(docs/ec2-capacity.md).",
    )
