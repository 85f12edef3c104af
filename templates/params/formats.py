"""Formats of single values in params: ARNs, CIDRs, image references, names, ALB matchers.

Each is a pattern or a small function that says in words what is wrong, so
every model that takes such a value reports it the same way.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from templates.naming import NAME_PATTERN

ShortName = Annotated[str, StringConstraints(pattern=NAME_PATTERN, min_length=1, max_length=16)]

CERTIFICATE_ARN = r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$"
VALUE_FROM_ARN = (
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/.+)$"
)
# Anything that looks like a KMS key reference (key or alias, ARN or not): rule L029 says exactly what
# each field needs (a key ARN in the environment's partition) and why, instead of a bare pattern mismatch.
KMS_KEY_REFERENCE = (
    r"^(arn:[a-z0-9-]+:kms:[a-z0-9-]*:[0-9]*:(key|alias)/[A-Za-z0-9/_+=.@-]+|alias/[A-Za-z0-9/_-]+|[A-Za-z0-9-]+)$"
)
# Docker image references: [registry[:port]/]repository[:tag][@sha256:digest].  The
# registry and repository are lowercase (Docker and ECR refuse uppercase); a tag may
# mix case (1-128 of letters, digits, _ . -, not starting with . or -).
IMAGE_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_IMAGE_REGISTRY = r"[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?"
_IMAGE_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REPOSITORY = rf"(?:{_IMAGE_REGISTRY}/)?{_IMAGE_COMPONENT}(?:/{_IMAGE_COMPONENT})*"
IMAGE_DIGEST = r"sha256:[a-f0-9]{64}"
IMAGE_PATTERN = re.compile(rf"^{IMAGE_REPOSITORY}(?::{IMAGE_TAG})?(?:@{IMAGE_DIGEST})?$")
# An Amazon ECR image: <12-digit account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@digest].
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repo>[^:@]+)"
)
REGION_PATTERN = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
# ALB limits: characters in one path-pattern value; HTTP codes a target-group health check may expect.
PATH_PATTERN_LENGTH = 128
MATCHER_LOW, MATCHER_HIGH = 200, 499
LOG_RETENTION_DAYS = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
]  # fmt: skip


def _parse_cidr(value: Any) -> ipaddress.IPv4Network:
    """Accept only text like ``10.0.0.0/16``, with a message that says what is wrong.

    pydantic's own IPv4Network type takes integers (``5`` -> 0.0.0.5/32) and
    says only "not a valid IPv4 network" for a CIDR with host bits set.
    """
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an IPv4 CIDR as text like 10.0.0.0/16, got {type(value).__name__} {value!r}")
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length; write a CIDR like 10.0.0.0/16 (a single address: /32)")
    try:
        return ipaddress.IPv4Network(value)
    except ValueError as exc:
        try:
            loose = ipaddress.IPv4Network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 CIDR like 10.0.0.0/16 ({exc})") from None
        raise ValueError(f"{value!r} has host bits set; did you mean {loose}?") from None


Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_parse_cidr)]
KmsKeyArn = Annotated[str, StringConstraints(pattern=KMS_KEY_REFERENCE)]


def arn_region(arn: str) -> str:
    """The region field of an ARN (``arn:partition:service:REGION:account:...``)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
# A partial Secrets Manager ARN is marked by this suffix on the name (IAM's wildcard for the random suffix).
PARTIAL_SECRET_MARKER = "-??????"  # noqa: S105 (a name pattern, not a password)


def secret_value_from(value: str) -> str:
    """What ECS gets as ``valueFrom``: the value without the partial-ARN marker (ECS resolves a partial ARN)."""
    parts = value.split(":")
    if ":secretsmanager:" in value and len(parts) > 6 and parts[6].endswith(PARTIAL_SECRET_MARKER):
        parts[6] = parts[6].removesuffix(PARTIAL_SECRET_MARKER)
    return ":".join(parts)


PORT = Annotated[int, Field(ge=1, le=65535)]
DEPENDS_ON_CONDITION = Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]
