"""AWS's rules for single names and values that CloudFormation accepts but the service refuses.

Each function returns ``(check id, message)`` for the first rule the value
breaks, or None; the models raise it at the key.  The ids are listed in
docs/limits.md.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re
import zoneinfo

# --- Elastic Load Balancing listener-rule conditions
HOST_HEADER_LENGTH = 128
PATH_PATTERN_LENGTH = 128
# What ELB documents for a path pattern, less its wildcards: ``?`` and a ``*``
# inside the path are ELB wildcards; this tool keeps only a trailing ``*``.
PATH_CHARACTERS = "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + &"
_PATH_CHAR = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+&]")
HOST_SHAPE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$")

# --- DNS (RFC 1035 as Route 53 and Cloud Map apply it)
DNS_LABEL_BYTES = 63
DNS_NAME_BYTES = 253


def path_pattern_problem(path: str) -> tuple[str, str] | None:
    """L009: a path outside ELB's documented path-pattern characters.

    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#path-conditions
    """
    body = path[:-1] if path.endswith("*") else path
    bad = sorted({ch for ch in body if not _PATH_CHAR.fullmatch(ch)})
    if not path.startswith("/") or not bad:
        return None
    shown = " ".join(repr(ch) for ch in bad)
    return (
        "L009",
        f"path {path!r} has {shown}, outside the characters an ALB path pattern allows ({PATH_CHARACTERS}; "
        "this tool adds a trailing *); ELB would refuse the listener rule",
    )


def dns_name_problem(name: str, what: str) -> tuple[str, str] | None:
    """L012: a DNS name with a label over 63 bytes or a total over 253.

    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
    """
    for label in name.split("."):
        size = len(label.encode())
        if size > DNS_LABEL_BYTES:
            return "L012", f"{what} {name!r}: label {label[:20]!r}... is {size} bytes; DNS allows {DNS_LABEL_BYTES}"
    size = len(name.encode())
    if size > DNS_NAME_BYTES:
        return "L012", f"{what} is {size} bytes; a DNS name holds at most {DNS_NAME_BYTES}"
    return None


def host_problem(host: str) -> tuple[str, str] | None:
    """L008 (ELB: a host-header value holds at most 128 characters), L012 (DNS labels), P008 (shape).

    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#host-conditions
    """
    if len(host) > HOST_HEADER_LENGTH:
        return (
            "L008",
            f"host is {len(host)} characters; an ALB host-header condition value holds at most {HOST_HEADER_LENGTH}",
        )
    problem = dns_name_problem(host, "host")
    if problem is not None:
        return problem
    if not HOST_SHAPE.match(host):
        return (
            "P008",
            f"{host!r} is not a host name: lowercase labels of letters, digits and inner hyphens, separated by "
            "dots, ending in a letters-only top-level domain; optionally starting with *.",
        )
    return None


# --- S3 bucket names
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """L013: every general-purpose bucket naming rule of S3, in words.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    """
    prefixes, suffixes = ", ".join(BUCKET_RESERVED_PREFIXES), ", ".join(BUCKET_RESERVED_SUFFIXES)
    rules = [
        (not 3 <= len(name) <= 63, f"is {len(name)} characters; S3 allows 3 to 63"),
        (re.search(r"[^a-z0-9.-]", name) is not None, "may use only lowercase letters, digits, dots and hyphens"),
        (not re.match(r"^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$", name), "must begin and end with a letter or digit"),
        (".." in name, "may not contain two adjacent dots"),
        (_is_ip_address(name), "may not be formatted as an IP address"),
        (name.startswith(BUCKET_RESERVED_PREFIXES), f"starts with a prefix S3 reserves ({prefixes})"),
        (name.endswith(BUCKET_RESERVED_SUFFIXES), f"ends with a suffix S3 reserves ({suffixes})"),
    ]  # fmt: skip
    broken = [why for failed, why in rules if failed]
    if not broken:
        return None
    hint = "; give the bucket name only, not an ARN or URL" if "/" in name or ":" in name else ""
    return f"bucket name {name!r} {'; '.join(broken)}{hint}"


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


# --- Application Auto Scaling time zones
@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_problem(name: str) -> str | None:
    """L017: Application Auto Scaling takes IANA time zone names; anything else fails the scheduled action.

    https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
    """
    if name in _time_zones():
        return None
    close = difflib.get_close_matches(name, sorted(_time_zones()), n=3)
    suggestion = f"; did you mean {', '.join(close)}?" if close else " such as Europe/Berlin or America/New_York"
    return f"{name!r} is not a time zone of the IANA database{suggestion}"
