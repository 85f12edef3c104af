"""Rules over the plan's network: egress without NAT (P011) and addresses for every task (L014)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from templates.aws.privatelink import PRIVATELINK_SERVICES_URL
from templates.params.environment import Environment
from templates.plan.endpoints import ECR_DKR, regional_ecr
from templates.plan.model import EnvironmentPlan
from templates.rules.registry import At, plan_rule

RESERVED_PER_SUBNET = 5
WARN_RATIO = 0.8


def _missing_endpoints(env: Environment, plan: EnvironmentPlan) -> list[str]:
    """What the tasks call that neither an interface endpoint nor a gateway endpoint carries."""
    network = plan.network
    created = set(network.interface_endpoints)
    interface_off = env.network.endpoints is not None and not env.network.endpoints.interface
    gaps = []
    for need in network.endpoint_needs.values():
        if created & set(need.endpoints) or need.gateway in network.gateway_endpoints:
            continue
        if interface_off:
            gaps.append(f"{need.reason}: network.endpoints.interface is false, so no {need.names} endpoint exists")
            continue
        gateway = f", or network.endpoints.{need.gateway}_gateway: true (free)" if need.gateway else ""
        gaps.append(f"{need.reason}: needs the {need.names} VPC endpoint (network.endpoints.extra{gateway}) or NAT")
    if ECR_DKR in created and not network.s3_gateway:
        gaps.append("ECR image layers are served from S3: set network.endpoints.s3_gateway: true or use NAT")
    return gaps


def egress_gaps(env: Environment, plan: EnvironmentPlan) -> list[str]:
    """What tasks need that no endpoint carries (empty: ``nat: none`` works), one line each."""
    gaps = []
    for name, svc in sorted(env.services.items()):
        for i, container in enumerate(svc.containers):
            if not regional_ecr(container.image, env.region):
                gaps.append(
                    f"services.{name}.containers[{i}].image {container.image} is outside {env.region}'s ECR: "
                    "pulling it needs NAT (copy it into ECR in this region to go NAT-free)"
                )
    return gaps + _missing_endpoints(env, plan)


@plan_rule(
    "P011",
    "nat: none while the tasks need something no VPC endpoint carries",
    docs=(
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html",
        PRIVATELINK_SERVICES_URL,
    ),
)
def private_subnets_have_egress(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """Without egress a Fargate task cannot pull its image, fetch its secrets or send logs: it never starts,
    and ECS keeps retrying.  Better refused here, naming what is missing, than found in a failing deploy."""
    if env.network.nat != "none" or not env.services:
        return
    gaps = egress_gaps(env, plan)
    if gaps:
        yield At(
            "network.nat",
            "nat: none leaves the private subnets without NAT, and VPC endpoints do not carry everything "
            f"the tasks need: {'; '.join(gaps)}. Add network.endpoints, or use single (one NAT gateway, "
            "cheapest) or per-az (one per AZ, survives an AZ outage)",
        )


def private_addresses(plan: EnvironmentPlan) -> int:
    """Addresses the private subnets offer to tasks (AWS reserves 5 in each)."""
    cidrs = plan.network.carved_private_cidrs
    return sum(ipaddress.IPv4Network(cidr).num_addresses - RESERVED_PER_SUBNET for cidr in cidrs)


@plan_rule(
    "L014",
    "more peak tasks than the private subnets have addresses (error); above 80 % of them (warning)",
    docs=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html",
    ),
    limit="one private IP per Fargate task; 5 addresses reserved per subnet",
)
def subnet_capacity(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    """Every Fargate task (awsvpc) takes one private IP address in a private subnet; when the subnets are
    full, ECS cannot place tasks and deploys stall with "no more IP addresses" events.

    Peak tasks per service are the most it may run during a rolling deploy
    (``plan.tasks``).  Above the addresses the private subnets offer this
    refuses the params; above 80 % of them it warns.
    """
    usable, private = private_addresses(plan), plan.network.carved_private_cidrs
    # Bridge-mode tasks share their instance's address; every EC2 instance takes one of its own.
    peaks = {name: tasks.peak for name, tasks in plan.tasks.items() if env.services[name].network_mode == "awsvpc"}
    if plan.compute.instances_high:
        peaks["EC2 instances"] = plan.compute.instances_high
    need = sum(peaks.values())
    if need <= usable * WARN_RATIO:
        return
    biggest = ", ".join(f"{n} {p}" for n, p in sorted(peaks.items(), key=lambda kv: -kv[1])[:5])
    detail = (
        f"at peak (scaling maxima x deployment max_percent) the services run {need} tasks ({biggest}), one private "
        f"IP each; the {len(private)} private subnets ({', '.join(private)}) offer {usable} addresses "
        f"({RESERVED_PER_SUBNET} reserved by AWS in each)"
    )
    if need > usable:
        yield At("network.cidr", f"{detail}: ECS could not place them all; use a wider cidr")
    else:
        yield At("network", f"{detail}: above {WARN_RATIO:.0%}, little room to grow", warning=True)
