"""Monthly unit prices in cost.json, so a reader without this package can price a change.

The deployer may not import the generator (tests/test_layout.py): it reads
cost.json as data and prices what a change set adds or removes ("+2 NAT
gateways") with these numbers.  Each is the price table's hourly price x
``HOURS_PER_MONTH``, unrounded except for display, so a delta priced here
agrees with the components' own monthly figures.
"""

from __future__ import annotations

from typing import Any

from templates.cost.prices import HOURS_PER_MONTH, RegionPrices


def unit_prices(p: RegionPrices) -> dict[str, Any]:
    """USD per month of one unit of each fixed-price resource (Fargate: per vCPU and per GB of a task)."""
    return {
        "nat_gateway": round(p.nat_gateway_hour * HOURS_PER_MONTH, 4),
        "load_balancer": round(p.alb_hour * HOURS_PER_MONTH, 4),
        "interface_endpoint_az": round(p.interface_endpoint_az_hour * HOURS_PER_MONTH, 4),
        "public_ipv4_address": round(p.public_ipv4_hour * HOURS_PER_MONTH, 4),
        "alarm_metric": p.alarm_metric_month,
        "fargate_vcpu": {arch: round(v * HOURS_PER_MONTH, 4) for arch, v in p.fargate_vcpu_hour.items()},
        "fargate_gb": {arch: round(v * HOURS_PER_MONTH, 4) for arch, v in p.fargate_gb_hour.items()},
        "fargate_spot_discount": p.spot_discount,
        "fargate_ephemeral_gb": round(p.ephemeral_gb_hour * HOURS_PER_MONTH, 4),
    }
