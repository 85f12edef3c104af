"""The network part of the plan: subnets, NAT gateways, VPC endpoints, and the ports the ALBs use.

One answer for the network stack, the ALB stacks, the subnet-capacity rule,
the diagram and the cost model alike.  Subnets are carved from
``network.cidr``: 1/8 each, public ones first, private ones from the middle of
the range, one per AZ.
"""

from __future__ import annotations

import ipaddress

from templates.params.environment import Environment
from templates.plan.endpoints import endpoint_needs, endpoints_to_create, gateways_to_create
from templates.plan.model import NetworkPlan

_SUBNET_BITS = 3  # 8 subnets of the VPC CIDR
_PRIVATE_OFFSET = 4  # private subnets start halfway


def subnet_cidrs(cidr: ipaddress.IPv4Network, az_count: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs carved from ``cidr``, one each per AZ."""
    blocks = list(cidr.subnets(prefixlen_diff=_SUBNET_BITS))
    public = [str(blocks[i]) for i in range(az_count)]
    private = [str(blocks[_PRIVATE_OFFSET + i]) for i in range(az_count)]
    return public, private


def nat_gateways(env: Environment) -> int:
    """NAT gateways this environment creates (an existing VPC brings its own egress)."""
    if env.network.existing is not None:
        return 0
    return {"none": 0, "single": 1, "per-az": env.network.az_count}[env.network.nat]


def listener_ports(env: Environment) -> tuple[int, ...]:
    """Ports an ALB listens on (and admits from ``alb.ingress_cidrs``)."""
    return (80, 443) if env.https else (80,)


def target_ports(env: Environment) -> tuple[int, ...]:
    """Ports the ALBs forward to on tasks: the traffic ports of the awsvpc services behind them.

    Bridge-mode tasks listen on dynamic host ports of their instances, which the
    ALB reaches through the instance group instead (``stacks/bridge.py``).
    """
    ports = {
        port for svc in env.services.values() if (port := svc.alb_port) is not None and svc.network_mode != "bridge"
    }
    return tuple(sorted(ports))


def network_plan(env: Environment) -> NetworkPlan:
    net = env.network
    public, private = subnet_cidrs(net.cidr, net.az_count)
    carved_private = tuple(private)
    if net.existing is not None:
        public, private = list(net.existing.public_subnets), list(net.existing.private_subnets)
    endpoints = net.endpoints
    return NetworkPlan(
        zones=net.zones,
        public_subnets=tuple(public),
        private_subnets=tuple(private),
        carved_private_cidrs=carved_private,
        nat_gateways=nat_gateways(env),
        gateway_endpoints=gateways_to_create(endpoints) if endpoints else (),
        interface_endpoints=tuple(endpoints_to_create(env.services, env.region, endpoints)) if endpoints else (),
        endpoint_needs=endpoint_needs(env.services, env.region),
        listener_ports=listener_ports(env),
        target_ports=target_ports(env),
    )
