"""The shared platform: VPC and ALB (new or existing), names people depend on, and regions of ARNs."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from templates.naming import flow_log_group_name, log_group_name, task_family
from templates.params.brownfield import load_balancer_full_name
from templates.params.environment import Environment
from templates.params.formats import arn_region
from templates.params.name_overrides import ServiceNames
from templates.rules.registry import At, environment_rule, environments_rule

BUCKET_NAMING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
SECURITY_GROUP_RULES = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
CREATE_LOG_GROUP = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


@environment_rule("P012", "network.cidr outside /16 to /24 (each subnet is 1/8 of it)")
def vpc_prefix(env: Environment) -> Iterator[At]:
    cidr = env.network.cidr
    if not 16 <= cidr.prefixlen <= 24:
        yield At("network.cidr", f"prefix /{cidr.prefixlen} not allowed: use /16 to /24")


@environment_rule("P010", "an ARN in another region than the environment's (certificates, listeners, KMS keys)")
def arns_in_region(env: Environment) -> Iterator[At]:
    """ACM certificates and the KMS keys of log groups only work in the region that uses them;
    CloudFormation would fail late, mid-deploy."""
    arns = [("alb.certificate_arn", env.alb.certificate_arn)]
    if env.alb.existing is not None:
        arns += [
            (f"alb.existing.{key}", getattr(env.alb.existing, key))
            for key in ("https_listener_arn", "http_listener_arn")
        ]
    if env.network.flow_logs is not None:
        arns.append(("network.flow_logs.kms_key_arn", env.network.flow_logs.kms_key_arn))
    arns += [(f"services.{name}.log_kms_key_arn", svc.log_kms_key_arn) for name, svc in sorted(env.services.items())]
    for where, arn in arns:
        if arn is not None and arn.startswith("arn:") and arn_region(arn) != env.region:
            yield At(where, f"ARN is in region {arn_region(arn)}, but this environment's region is {env.region}; "
                     "they must match")  # fmt: skip


@environment_rule("B001", "an existing VPC's subnets: not one public and one private per AZ, or an id listed twice")
def existing_subnets(env: Environment) -> Iterator[At]:
    vpc = env.network.existing
    if vpc is None:
        return
    where = "network.existing"
    if len(vpc.public_subnets) != len(vpc.private_subnets):
        yield At(
            f"{where}.private_subnets",
            f"{len(vpc.public_subnets)} public and {len(vpc.private_subnets)} private subnets: give one of "
            "each per AZ (2 or 3 AZs), so both tiers span the same AZs",
        )
    seen: dict[str, str] = {}
    for kind in ("public_subnets", "private_subnets", "private_route_tables"):
        for i, value in enumerate(getattr(vpc, kind)):
            if value in seen:
                yield At(f"{where}.{kind}[{i}]", f"{value} is listed twice (also at {seen[value]})")
            seen.setdefault(value, f"{kind}[{i}]")


@environment_rule("B002", "keys describing a VPC this tool creates, beside network.existing")
def existing_vpc_alone(env: Environment) -> Iterator[At]:
    """An existing VPC has its own CIDR, AZs and flow logs; keys for a new VPC would be ignored."""
    if env.network.existing is None:
        return
    for key in ("cidr", "az_count", "flow_logs"):
        if key in env.network.model_fields_set:
            yield At(f"network.{key}", f"{key} describes a VPC this tool creates; with existing set, leave it out")


@environment_rule("B003", "a gateway endpoint (S3, DynamoDB) on an existing VPC without its private route tables")
def gateway_needs_route_tables(env: Environment) -> Iterator[At]:
    vpc, endpoints = env.network.existing, env.network.endpoints
    if vpc is None or endpoints is None or vpc.private_route_tables:
        return
    for name, wanted in (("S3", endpoints.s3_gateway), ("DynamoDB", endpoints.dynamodb_gateway)):
        if wanted:
            yield At(
                "network.existing.private_route_tables",
                f"the {name} gateway endpoint attaches to route tables: list the private subnets' route tables in "
                f"existing.private_route_tables, or set endpoints.{name.lower()}_gateway: false",
            )
            return


@environment_rule("B004", "an existing ALB without a listener, or with listeners of two load balancers")
def existing_alb_listeners(env: Environment) -> Iterator[At]:
    alb = env.alb.existing
    if alb is None:
        return
    arns = [arn for arn in (alb.https_listener_arn, alb.http_listener_arn) if arn is not None]
    if not arns:
        yield At("alb.existing.https_listener_arn", "give https_listener_arn, http_listener_arn or both")
    elif len({load_balancer_full_name(arn) for arn in arns}) > 1:
        yield At(
            "alb.existing.http_listener_arn",
            "the two listeners belong to different load balancers; both must be on the one ALB "
            "whose security group and DNS name are given",
        )


@environment_rule("B005", "keys describing an ALB this tool creates, beside alb.existing")
def existing_alb_alone(env: Environment) -> Iterator[At]:
    """``scheme`` describes the existing ALB too (B007 checks it against its DNS name)."""
    if env.alb.existing is None:
        return
    for key in sorted(env.alb.model_fields_set - {"existing", "scheme"}):
        yield At(f"alb.{key}", f"{key} describes an ALB this tool creates; with existing, leave it out")


@environment_rule(
    "L024",
    "alb.ingress_cidrs where one CIDR lies inside another (AWS refuses duplicate security-group rules)",
    SECURITY_GROUP_RULES,
)
def ingress_cidrs_disjoint(env: Environment) -> Iterator[At]:
    cidrs = env.alb.ingress_cidrs
    for i, cidr in enumerate(cidrs):
        for j, other in enumerate(cidrs[:i]):
            if cidr.subnet_of(other) or other.subnet_of(cidr):
                yield At(
                    f"alb.ingress_cidrs[{i}]",
                    f"ingress_cidrs[{i}] {cidr} overlaps ingress_cidrs[{j}] {other}; keep only the wider one",
                )
                break


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def bucket_name_problem(name: str) -> str | None:
    """Every general-purpose bucket naming rule of S3, in words; None when ``name`` keeps them all."""
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


@environment_rule(
    "L013",
    "alb.access_logs_bucket breaking an S3 bucket naming rule",
    BUCKET_NAMING,
    limit="3-63 characters; lowercase letters, digits, dots, hyphens; begins and ends with a letter or digit; "
    f"no `..`; not an IP address; not starting with {', '.join(BUCKET_RESERVED_PREFIXES)}; not ending with "
    f"{', '.join(BUCKET_RESERVED_SUFFIXES)}",
)
def access_logs_bucket(env: Environment) -> Iterator[At]:
    bucket = env.alb.access_logs_bucket
    if bucket is not None and (problem := bucket_name_problem(bucket)):
        yield At("alb.access_logs_bucket", problem)


@environment_rule("L025", "a log group override starting with aws/ (reserved for AWS services)", CREATE_LOG_GROUP)
def log_group_not_reserved(env: Environment) -> Iterator[At]:
    for name, svc in sorted(env.services.items()):
        value = svc.names.log_group if svc.names else None
        if value is not None and value.startswith("aws/"):
            yield At(
                f"services.{name}.names.log_group",
                f"{value!r}: log group names starting with aws/ are reserved for AWS services",
            )


@environment_rule(
    "N001",
    "two services with one task family, log group, ECS service name (overrides, or a worker's generated name) "
    "or target group name",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html",
)
def names_unique(env: Environment) -> Iterator[At]:
    """Two services in one family would overwrite each other's revisions; a log group or service name can
    exist once (service names per cluster), so the second stack would fail.  Defaults cannot clash with each
    other (service names are unique), so the problem always points at an override; a worker with deployment
    alarms gets the generated ECS service name <project>-<environment>-<name>, which an override can take."""
    project, environment = env.project, env.environment
    seen: dict[tuple[str, str], str] = {("log_group", flow_log_group_name(project, environment)): "the flow logs"}
    for name, svc in sorted(env.services.items()):
        seen[("task_family", task_family(project, environment, name))] = f"services.{name} (its default)"
        seen[("log_group", log_group_name(project, environment, name))] = f"services.{name} (its default)"
        if svc.generator_names_service and (svc.names is None or svc.names.service is None):
            seen[("service", task_family(project, environment, name))] = f"services.{name} (its default)"
    for name, svc in sorted(env.services.items()):
        names = svc.names or ServiceNames()
        chosen = {"task_family": names.task_family, "log_group": names.log_group, "service": names.service,
                  "target_group": names.target_group}  # fmt: skip
        for kind, value in chosen.items():
            owner = seen.get((kind, value or ""))
            if value is None or owner == f"services.{name} (its default)":
                continue
            if owner is not None:
                yield At(
                    f"services.{name}.names.{kind}",
                    f"{kind} {value!r} is also the {kind} of {owner}; each must be unique in the environment",
                )
            else:
                seen[(kind, value)] = f"services.{name}"


@environments_rule("Q005", "two params files for one project, environment and region (their exports would collide)")
def environments_distinct(environments: Sequence[tuple[Path, Environment]]) -> Iterator[tuple[Path, At]]:
    """Export names (``<project>-<environment>-...``) are unique per account and region."""
    seen: dict[tuple[str, str, str], Path] = {}
    for file, env in environments:
        key = (env.project, env.environment, env.region)
        if key in seen:
            yield (
                file,
                At(
                    "environment",
                    f"project {env.project} / environment {env.environment} in {env.region} is also "
                    f"generated from {seen[key]}; export names ({env.project}-{env.environment}-...) must be "
                    "unique per account and region: rename the environment",
                ),
            )
        else:
            seen[key] = file
