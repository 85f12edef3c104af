"""On-demand list prices per region, in USD, for the resources this project creates.

Dated and sourced: each table says when it was compiled and from which
public AWS pricing pages.  Prices change; re-check the pages (or the AWS
Price List API) before budgeting on these numbers, and update ``AS_OF``.
Only fixed, hourly charges are priced; everything billed per GB, per
request or per LCU is listed as usage-based by the cost model.

Sources:
https://aws.amazon.com/fargate/pricing/  (vCPU, GB, Spot, ephemeral storage above 20 GiB)
https://aws.amazon.com/vpc/pricing/  (NAT gateways, public IPv4 addresses)
https://aws.amazon.com/elasticloadbalancing/pricing/
https://aws.amazon.com/privatelink/pricing/  (interface endpoints)
https://aws.amazon.com/cloudwatch/pricing/  (alarms)
"""

from __future__ import annotations

from dataclasses import dataclass

AS_OF = "2025-07"
SOURCE = "AWS public pricing pages (Fargate, VPC, Elastic Load Balancing, PrivateLink, CloudWatch), Linux, on-demand"
HOURS_PER_MONTH = 730  # AWS's own convention on its pricing pages


@dataclass(frozen=True)
class RegionPrices:
    region: str
    fargate_vcpu_hour: dict[str, float]  # by architecture
    fargate_gb_hour: dict[str, float]
    # Fargate Spot trades at a discount that moves with capacity; AWS advertises "up to 70%". The table uses
    # that maximum, and cost.json says so (``assumptions``): a real month may save less.
    spot_discount: float
    # Ephemeral storage above the 20 GiB every Fargate task gets, per GB-hour (not discounted on Spot here).
    ephemeral_gb_hour: float
    nat_gateway_hour: float
    alb_hour: float
    interface_endpoint_az_hour: float
    public_ipv4_hour: float
    alarm_metric_month: float


_X86_ARM_VCPU = {"x86_64": 0.04048, "arm64": 0.03238}
_X86_ARM_GB = {"x86_64": 0.004445, "arm64": 0.00356}

PRICES: dict[str, RegionPrices] = {
    "us-east-1": RegionPrices(
        region="us-east-1",
        fargate_vcpu_hour=_X86_ARM_VCPU,
        fargate_gb_hour=_X86_ARM_GB,
        spot_discount=0.70,
        ephemeral_gb_hour=0.000111,
        nat_gateway_hour=0.045,
        alb_hour=0.0225,
        interface_endpoint_az_hour=0.01,
        public_ipv4_hour=0.005,
        alarm_metric_month=0.10,
    ),
    "eu-west-1": RegionPrices(
        region="eu-west-1",
        fargate_vcpu_hour=_X86_ARM_VCPU,
        fargate_gb_hour=_X86_ARM_GB,
        spot_discount=0.70,
        ephemeral_gb_hour=0.000111,
        nat_gateway_hour=0.048,
        alb_hour=0.0252,
        interface_endpoint_az_hour=0.011,
        public_ipv4_hour=0.005,
        alarm_metric_month=0.10,
    ),
}


def prices_for(region: str) -> tuple[RegionPrices, str | None]:
    """The region's table, or us-east-1's with a note saying so (a rough figure beats none)."""
    if region in PRICES:
        return PRICES[region], None
    return PRICES["us-east-1"], f"no price table for {region}: us-east-1 prices used, expect differences"
