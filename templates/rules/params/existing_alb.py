"""An existing ALB must be in the environment's region and partition, and be what the params say it is (B006, B007).

Its DNS name, canonical hosted zone and listener ARNs are copied by hand from
the console; one from another region (or from China or GovCloud) makes
aliases that never resolve and rules that fail to attach, late, mid-deploy.
An internal ALB's name resolves to private addresses only, so treating it as
internet-facing would publish hosts nobody outside the VPC can reach.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.elb import ALB_HOSTED_ZONES, DNS_NAME, ELB_ENDPOINTS_URL, SCHEME_URL, is_internal, zone_region
from templates.aws.partitions import ARN_FORMAT_URL, arn_partition, dns_suffix, partition
from templates.params.brownfield import ExistingAlb
from templates.params.environment import Environment
from templates.rules.registry import At, environment_rule

WHERE = "alb.existing"


def _dns_name_problem(alb: ExistingAlb, region: str) -> str | None:
    match = DNS_NAME.match(alb.dns_name)
    if match is None:
        return (
            f"{alb.dns_name!r} is not an ALB DNS name; copy it from the load balancer "
            f"(<name>-<id>.{region}.elb.{dns_suffix(region)}, internal ones start with internal-)"
        )
    if match["region"] != region:
        return f"{alb.dns_name} is a load balancer in {match['region']}, but this environment is in {region}"
    if match["domain"] != dns_suffix(region):
        return f"{alb.dns_name} ends in {match['domain']}, but load balancers in {region} end in {dns_suffix(region)}"
    return None


def _hosted_zone_problem(alb: ExistingAlb, region: str) -> str | None:
    expected = ALB_HOSTED_ZONES.get(region)
    if expected is None or alb.hosted_zone_id == expected:
        return None
    other = zone_region(alb.hosted_zone_id)
    found = f"the zone of ALBs in {other}" if other else "not the zone of any region's ALBs"
    return (
        f"{alb.hosted_zone_id} is {found}; alias records to an ALB in {region} must name {expected} "
        "(its CanonicalHostedZoneId)"
    )


@environment_rule(
    "B006",
    "an existing ALB's DNS name, hosted zone or listener ARN in another region or partition than the environment",
    (ELB_ENDPOINTS_URL, ARN_FORMAT_URL),
)
def existing_alb_in_region(env: Environment) -> Iterator[At]:
    alb = env.alb.existing
    if alb is None:
        return
    if (problem := _dns_name_problem(alb, env.region)) is not None:
        yield At(f"{WHERE}.dns_name", problem)
    if (problem := _hosted_zone_problem(alb, env.region)) is not None:
        yield At(f"{WHERE}.hosted_zone_id", problem)
    expected = partition(env.region)
    for key in ("https_listener_arn", "http_listener_arn"):
        arn = getattr(alb, key)
        if arn is not None and arn_partition(arn) != expected:
            yield At(
                f"{WHERE}.{key}",
                f"ARN is in partition {arn_partition(arn)}, but {env.region} is in {expected}: "
                "a load balancer of another partition cannot carry this environment's rules",
            )


@environment_rule(
    "B007",
    "an existing internal ALB (DNS name internal-...) used as internet-facing (alb.scheme), or the reverse",
    SCHEME_URL,
)
def existing_alb_scheme(env: Environment) -> Iterator[At]:
    """The DNS name says which scheme the ALB has; ``alb.scheme`` must say the same, since routes, aliases and
    the diagram treat its hosts as public or private by it.  Aliases to an internal ALB resolve to private
    addresses: fine in a private hosted zone, useless in a public one (a warning names them)."""
    alb = env.alb.existing
    if alb is None:
        return
    internal = is_internal(alb.dns_name)
    if internal and env.alb.scheme == "internet-facing":
        yield At(
            "alb.scheme",
            f"{alb.dns_name} is an internal load balancer (private addresses only), but alb.scheme is "
            "internet-facing: its hosts would be published as public, and public DNS aliases would point at "
            "addresses no client outside the VPC reaches. Set alb.scheme: internal, or use an internet-facing ALB",
        )
    elif not internal and env.alb.scheme == "internal":
        yield At("alb.scheme", f"{alb.dns_name} is an internet-facing load balancer; set alb.scheme: internet-facing")
    elif internal:
        aliased = sorted(name for name, svc in env.services.items() if svc.alias_hosts)
        if aliased:
            yield At(
                f"services.{aliased[0]}.dns",
                f"services {', '.join(aliased)} alias hosts to the internal load balancer {alb.dns_name}: the "
                "records resolve to private addresses, so keep them in a private hosted zone",
                warning=True,
            )
