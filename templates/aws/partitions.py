"""ARN partitions and DNS suffixes by region: an ARN, a DNS name or a hosted zone of another partition never
resolves in this one.

ARN format and partitions (aws, aws-cn, aws-us-gov, ...):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
China regions' service domains end in amazonaws.com.cn:
https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html
"""

from __future__ import annotations

ARN_FORMAT_URL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"

# Region prefix -> partition, most specific first.
_PARTITIONS: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-isof-", "aws-iso-f"),
)


def partition(region: str) -> str:
    """The ARN partition of a region (``aws`` for the commercial regions)."""
    return next((name for prefix, name in _PARTITIONS if region.startswith(prefix)), "aws")


def dns_suffix(region: str) -> str:
    """The domain AWS service endpoints and load balancers of a region end in."""
    return "amazonaws.com.cn" if partition(region) == "aws-cn" else "amazonaws.com"


def arn_partition(arn: str) -> str:
    """The partition field of an ARN (``arn:PARTITION:service:...``); "" when ``arn`` is not one."""
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[0] == "arn" else ""
