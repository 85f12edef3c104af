"""Where each service runs: Fargate, or which EC2 capacity groups; and what each group holds.

The cluster stack builds one Auto Scaling group per capacity group and opens
its instances to the ALBs that reach bridge-mode services on it; the rules
count ENIs and task sizes per group; the cost model prices the instances;
the diagram draws the groups with their services.  All of them read this.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from templates.aws.instances import instance_type
from templates.params.capacity_groups import CapacityGroup
from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import ComputePlan, GroupPlan, RulePlan, TaskPlan

FARGATE = "Fargate"


def spot_instances(group: CapacityGroup, count: int) -> int:
    """Instances of ``count`` on Spot: On-Demand first up to ``on_demand_base``, then ``spot_percentage`` of the rest.

    Rounded down, so the cost estimate never promises more Spot than the group runs
    (https://docs.aws.amazon.com/autoscaling/ec2/userguide/allocation-strategies.html).
    """
    rest = max(0, count - group.on_demand_base)
    return rest * group.spot_percentage // 100


def where(svc: Service) -> str:
    """Where a service's tasks run, as the diagram and the cost notes say it."""
    if not svc.on_ec2:
        spot = " + Fargate Spot" if svc.capacity.uses_spot else ""
        return FARGATE + spot
    groups = ", ".join(svc.capacity.groups)
    mode = "daemon on every instance of" if svc.capacity.daemon else f"{svc.network_mode} on"
    return f"EC2 ({mode} {groups})"


def share_of(svc: Service, group: str, count: int) -> int:
    """Tasks of ``count`` ECS places in ``group``: the base first, then the rest by weight (rounded up)."""
    shares = svc.capacity.ec2
    base = next((s.base for s in shares if s.group == group and s.base), 0)
    weights = sum(s.weight for s in shares)
    weight = next((s.weight for s in shares if s.group == group), 0)
    rest = max(0, count - sum(s.base for s in shares))
    return min(count, base + (math.ceil(rest * weight / weights) if weights else 0))


def _needed(env: Environment, name: str, counts: Mapping[str, int]) -> int:
    """Instances of the group's first type that hold these task counts (CPU, memory, GPUs, awsvpc ENIs each
    packed on its own, after the daemons' share of every instance): what managed scaling at 100 % launches."""
    group = env.cluster.capacity_groups[name]
    first = instance_type(group.instance_types[0])
    if first is None:
        return 0
    members = [env.services[n] for n in counts]
    daemons = [s for s in env.services.values() if s.capacity.daemon and name in s.capacity.groups]
    demands = [
        (sum(s.cpu * counts[s.name] for s in members), first.cpu_units - sum(d.cpu for d in daemons)),
        (sum(s.memory * counts[s.name] for s in members), first.task_memory_mib - sum(d.memory for d in daemons)),
        (sum(s.gpus * counts[s.name] for s in members), first.gpus),
        (
            sum(counts[s.name] for s in members if s.network_mode == "awsvpc"),
            first.awsvpc_tasks(group.trunking) - sum(1 for d in daemons if d.network_mode == "awsvpc"),
        ),
    ]
    return max((math.ceil(need / room) for need, room in demands if need and room > 0), default=0)


def _group_plan(
    env: Environment, name: str, group: CapacityGroup, routes: Sequence[RulePlan], tasks: Mapping[str, TaskPlan]
) -> GroupPlan:
    members = [svc for svc in env.services.values() if name in svc.capacity.groups]
    services = tuple(sorted(s.name for s in members if not s.capacity.daemon))
    daemons = tuple(sorted(s.name for s in members if s.capacity.daemon))
    bridged = {s.name for s in members if s.network_mode == "bridge" and s.alb_port is not None}
    albs = tuple(sorted({r.alb for r in routes if r.service in bridged}))
    floor = group.desired_size if group.desired_size is not None else group.min_size

    def instances(attr: str) -> int:
        counts = {n: share_of(env.services[n], name, getattr(tasks[n], attr)) for n in services if n in tasks}
        return min(group.max_size, max(floor, math.ceil(_needed(env, name, counts) * 100 / group.target_capacity)))

    low, high = instances("low"), instances("high")
    return GroupPlan(
        name=name,
        instance_types=tuple(group.instance_types),
        architecture=group.architecture,
        gpu=group.gpu,
        min_size=group.min_size,
        max_size=group.max_size,
        low=low,
        high=high,
        spot_low=spot_instances(group, low),
        spot_high=spot_instances(group, high),
        services=services,
        daemons=daemons,
        bridge_albs=albs,
    )


def compute_plan(env: Environment, routes: Sequence[RulePlan], tasks: Mapping[str, TaskPlan]) -> ComputePlan:
    """The groups in the order params name them, and where every service runs."""
    groups = tuple(_group_plan(env, name, group, routes, tasks) for name, group in env.cluster.capacity_groups.items())
    return ComputePlan(groups, {name: where(svc) for name, svc in sorted(env.services.items())})
