"""Subnet capacity: do the private subnets hold an IP address for every task the environment may run?

Every Fargate task (awsvpc) takes one private IP address in a private
subnet, and AWS reserves 5 addresses of every subnet.  When the subnets are
full, ECS cannot place tasks: deploys and scale-outs stall with "no more IP
addresses" events while CloudFormation waits.

Peak tasks, per service, are the most it may run during a rolling deploy:
``ceil(count x max_percent / 100)``, where ``count`` is the scaling maximum
(including scheduled maxima) or ``desired_count``; a scheduled task counts its
``task_count`` once.  Threshold (documented in docs/limits.md): above the
addresses the private subnets offer, L014 refuses the params (exit 2); above
80 % of them, generation warns.

https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
"""

from __future__ import annotations

import ipaddress
import math

from templates.checks.findings import Finding
from templates.errors import Problem
from templates.params.environment import Environment
from templates.params.service import Service
from templates.stacks.network import subnet_cidrs

RESERVED_PER_SUBNET = 5
WARN_RATIO = 0.8


def peak_tasks(svc: Service) -> int:
    """The most tasks ``svc`` may run at once, rolling deployments included."""
    if not svc.has_service:
        return svc.schedule.task_count if svc.schedule is not None else 1
    count = svc.desired_count
    if svc.scaling is not None:
        scheduled = [s.max_count for s in svc.scaling.schedules if s.max_count is not None]
        count = max([svc.scaling.max_count, *scheduled])
    return math.ceil(count * svc.deployment.max_percent / 100)


def private_addresses(env: Environment) -> tuple[int, list[str]]:
    """Addresses the private subnets offer to tasks, and the subnets."""
    private = subnet_cidrs(env.network.cidr, env.network.az_count)[1]
    usable = sum(ipaddress.IPv4Network(cidr).num_addresses - RESERVED_PER_SUBNET for cidr in private)
    return usable, private


def _summary(env: Environment) -> tuple[int, int, str]:
    usable, private = private_addresses(env)
    peaks = {name: peak_tasks(svc) for name, svc in sorted(env.services.items())}
    need = sum(peaks.values())
    biggest = ", ".join(f"{n} {p}" for n, p in sorted(peaks.items(), key=lambda kv: -kv[1])[:5])
    detail = (
        f"at peak (scaling maxima x deployment max_percent) the services run {need} tasks ({biggest}), one private "
        f"IP each; the {len(private)} private subnets ({', '.join(private)}) offer {usable} addresses "
        f"({RESERVED_PER_SUBNET} reserved by AWS in each)"
    )
    return need, usable, detail


def subnet_problems(env: Environment) -> list[Problem]:
    """L014: more peak tasks than private IP addresses; the fix is a wider network.cidr or fewer tasks."""
    need, usable, detail = _summary(env)
    if need <= usable:
        return []
    return [Problem("network.cidr", f"{detail}: ECS could not place them all; use a wider cidr", "L014")]


def subnet_warnings(env: Environment) -> list[Finding]:
    """L014 as a warning when peak tasks take more than 80 % of the private addresses."""
    need, usable, detail = _summary(env)
    if need <= usable * WARN_RATIO or need > usable:
        return []
    return [Finding("L014", "network", f"{detail}: above {WARN_RATIO:.0%}, little room to grow", severity="warning")]
