"""EC2 On-Demand prices of the instance types in ``templates/aws/instances.py``, and EBS root volumes, in USD.

Dated and sourced like ``prices.py``: Linux On-Demand hourly prices per
region from AWS's public pricing page, compiled at ``AS_OF``.  Spot prices
move by type, zone and hour (AWS advertises "up to 90 %" off); the cost model
prices a group's Spot share at ``SPOT_DISCOUNT`` off On-Demand, a deliberately
cautious figure, so an estimate never promises more than Spot usually gives.
A type missing from a region's table is priced at us-east-1's price, and the
cost model says so.

Sources:
https://aws.amazon.com/ec2/pricing/on-demand/  (Linux, per hour)
https://aws.amazon.com/ec2/spot/pricing/  (Spot: "up to 90%" off On-Demand)
https://aws.amazon.com/ebs/pricing/  (gp3 and gp2, per GB-month)
"""

from __future__ import annotations

from templates.cost.prices import HOURS_PER_MONTH

AS_OF = "2025-07"
SPOT_DISCOUNT = 0.60

_US_EAST_1 = {
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
    "m5.2xlarge": 0.384,
    "m6i.large": 0.096,
    "m6i.xlarge": 0.192,
    "m6i.2xlarge": 0.384,
    "m6i.4xlarge": 0.768,
    "m6a.large": 0.0864,
    "m6a.xlarge": 0.1728,
    "m6a.2xlarge": 0.3456,
    "m6g.large": 0.077,
    "m6g.xlarge": 0.154,
    "m6g.2xlarge": 0.308,
    "m7g.large": 0.0816,
    "m7g.xlarge": 0.1632,
    "m7g.2xlarge": 0.3264,
    "c5.large": 0.085,
    "c5.xlarge": 0.17,
    "c6i.large": 0.085,
    "c6i.xlarge": 0.17,
    "c6i.2xlarge": 0.34,
    "c6i.4xlarge": 0.68,
    "c6g.large": 0.068,
    "c6g.xlarge": 0.136,
    "c7g.large": 0.0725,
    "c7g.xlarge": 0.145,
    "r6i.large": 0.126,
    "r6i.xlarge": 0.252,
    "r6i.2xlarge": 0.504,
    "r6g.large": 0.1008,
    "r6g.xlarge": 0.2016,
    "g4dn.xlarge": 0.526,
    "g4dn.2xlarge": 0.752,
    "g4dn.4xlarge": 1.204,
    "g4dn.12xlarge": 3.912,
    "g5.xlarge": 1.006,
    "g5.2xlarge": 1.212,
    "g5.4xlarge": 1.624,
    "g5.12xlarge": 5.672,
}

_EU_WEST_1 = {
    "t3.medium": 0.0456,
    "t3.large": 0.0912,
    "m5.large": 0.107,
    "m5.xlarge": 0.214,
    "m5.2xlarge": 0.428,
    "m6i.large": 0.107,
    "m6i.xlarge": 0.214,
    "m6i.2xlarge": 0.428,
    "m6i.4xlarge": 0.856,
    "m6a.large": 0.0963,
    "m6a.xlarge": 0.1926,
    "m6a.2xlarge": 0.3852,
    "m6g.large": 0.086,
    "m6g.xlarge": 0.172,
    "m6g.2xlarge": 0.344,
    "m7g.large": 0.0914,
    "m7g.xlarge": 0.1827,
    "m7g.2xlarge": 0.3654,
    "c5.large": 0.096,
    "c5.xlarge": 0.192,
    "c6i.large": 0.096,
    "c6i.xlarge": 0.192,
    "c6i.2xlarge": 0.384,
    "c6i.4xlarge": 0.768,
    "c6g.large": 0.0768,
    "c6g.xlarge": 0.1536,
    "c7g.large": 0.0821,
    "c7g.xlarge": 0.1642,
    "r6i.large": 0.141,
    "r6i.xlarge": 0.282,
    "r6i.2xlarge": 0.564,
    "r6g.large": 0.1128,
    "r6g.xlarge": 0.2256,
    "g4dn.xlarge": 0.587,
    "g4dn.2xlarge": 0.838,
    "g4dn.4xlarge": 1.342,
    "g4dn.12xlarge": 4.36,
    "g5.xlarge": 1.123,
    "g5.2xlarge": 1.353,
    "g5.4xlarge": 1.813,
    "g5.12xlarge": 6.33,
}

INSTANCE_HOUR: dict[str, dict[str, float]] = {"us-east-1": _US_EAST_1, "eu-west-1": _EU_WEST_1}
EBS_GB_MONTH: dict[str, dict[str, float]] = {
    "us-east-1": {"gp3": 0.08, "gp2": 0.10},
    "eu-west-1": {"gp3": 0.088, "gp2": 0.11},
}
FALLBACK_REGION = "us-east-1"


def instance_hour(region: str, instance_type: str) -> tuple[float, bool]:
    """The On-Demand hourly price of ``instance_type`` in ``region``, and whether it was found there."""
    table = INSTANCE_HOUR.get(region, {})
    if instance_type in table:
        return table[instance_type], True
    return INSTANCE_HOUR[FALLBACK_REGION].get(instance_type, 0.0), False


def ebs_gb_month(region: str, volume_type: str) -> float:
    return EBS_GB_MONTH.get(region, EBS_GB_MONTH[FALLBACK_REGION])[volume_type]


def unit_prices(region: str) -> dict[str, object]:
    """USD per month of one instance of each type (at this region's prices), of a GB of root volume, and the
    Spot discount: what the deployer prices a group's instance changes with."""
    prices = {**INSTANCE_HOUR[FALLBACK_REGION], **INSTANCE_HOUR.get(region, {})}
    volumes = EBS_GB_MONTH.get(region, EBS_GB_MONTH[FALLBACK_REGION])
    return {
        "ec2_instance": {name: round(price * HOURS_PER_MONTH, 4) for name, price in sorted(prices.items())},
        "ebs_gb": dict(volumes),
        "ec2_spot_discount": SPOT_DISCOUNT,
        "ec2_prices_as_of": AS_OF,
    }
