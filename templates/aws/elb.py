"""Application Load Balancer facts an existing ALB's params are checked against.

DNS names: ``[internal-]<name>-<id>.<region>.elb.amazonaws.com`` (``.com.cn`` in China); an internal
load balancer's name starts with ``internal-`` and resolves to private addresses only:
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
Route 53 hosted zone ids of ALBs (what alias records must name), per region, from the
Elastic Load Balancing endpoints table: https://docs.aws.amazon.com/general/latest/gr/elb.html#elb_region
"""

from __future__ import annotations

import re

ELB_ENDPOINTS_URL = "https://docs.aws.amazon.com/general/latest/gr/elb.html#elb_region"
SCHEME_URL = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"
    "#load-balancer-scheme"
)
INTERNAL_PREFIX = "internal-"
DNS_NAME = re.compile(
    r"^(?:dualstack\.)?(?P<internal>internal-)?.+\.(?P<region>[a-z0-9-]+)\.elb\.(?P<domain>amazonaws\.com(?:\.cn)?)$"
)

# Region -> the canonical hosted zone id of Application (and Classic) Load Balancers there.
ALB_HOSTED_ZONES: dict[str, str] = {
    "af-south-1": "Z268VQBMOI5EKX",
    "ap-east-1": "Z3DQVH9N71FHZ0",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-northeast-3": "Z5LXEXXYW11ES",
    "ap-south-1": "ZP97RAFLXTNZK",
    "ap-south-2": "Z0173938T07WNTVAEPZN",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ap-southeast-3": "Z08888821HLRG5A9ZRTER",
    "ap-southeast-4": "Z09517862IB2WZLPXG76F",
    "ap-southeast-5": "Z06010284QMVVW7WO5J",
    "ap-southeast-7": "Z0390008CMBRTHFGWBCB",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "ca-west-1": "Z06473681N0SF6OS049SD",
    "cn-north-1": "Z1GDH35T77C1KE",
    "cn-northwest-1": "ZM7IZAIOVVDZF",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-central-2": "Z06391101F2ZOEP8P5EB3",
    "eu-north-1": "Z23TAZ6LKFMNIO",
    "eu-south-1": "Z3ULH7SSC9OV64",
    "eu-south-2": "Z0956581394HF5D5LXGAP",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "il-central-1": "Z09170902867EHPV2DABU",
    "me-central-1": "Z08230872XQRWHG2XF6I",
    "me-south-1": "ZS929ML54UICD",
    "mx-central-1": "Z023552324OKD1BB28BH5",
    "sa-east-1": "Z2P70J7HTTTPLU",
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-gov-east-1": "Z166TLBEWOO7G0",
    "us-gov-west-1": "Z33AYJ8TM3BH4J",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
}


def is_internal(dns_name: str) -> bool:
    """An internal ALB's DNS name starts with ``internal-`` (after an optional ``dualstack.``)."""
    return dns_name.removeprefix("dualstack.").startswith(INTERNAL_PREFIX)


def zone_region(hosted_zone_id: str) -> str | None:
    """The region whose ALBs use this hosted zone, if the table knows it."""
    return next((region for region, zone in ALB_HOSTED_ZONES.items() if zone == hosted_zone_id), None)
