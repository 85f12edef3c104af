"""ENI density on EC2 capacity groups: every awsvpc task takes one network interface of its instance.

An instance holds as many awsvpc tasks as it has network interfaces, less the
primary one (more with ENI trunking, on the types that support it).  Beyond
that ECS cannot place a task however much CPU and memory is free, and the
service waits for instances managed scaling may never add (the group is at
its max_size).  Counted per group at the services' peak (scaling maxima x
max_percent), split over a service's groups by weight as ECS splits them.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.instances import ENI_TRUNKING_URL, instance_type
from templates.params.environment import Environment
from templates.plan.compute import share_of
from templates.plan.model import EnvironmentPlan, GroupPlan
from templates.rules.registry import At, plan_rule

TASK_NETWORKING = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html"
WARN_RATIO = 0.8


def slots_per_instance(env: Environment, group: GroupPlan) -> int | None:
    """awsvpc tasks the group's smallest instance holds after its awsvpc daemons; None when no type is known."""
    trunking = env.cluster.capacity_groups[group.name].trunking
    known = [t for name in group.instance_types if (t := instance_type(name)) is not None]
    if not known:
        return None
    daemons = sum(1 for d in group.daemons if env.services[d].network_mode == "awsvpc")
    return min(t.awsvpc_tasks(trunking) for t in known) - daemons


@plan_rule(
    "L042",
    "more awsvpc tasks on a group at peak than its instances have network interfaces for (error), above 80 % (warning)",
    (ENI_TRUNKING_URL, TASK_NETWORKING),
    limit="one ENI per awsvpc task; the primary ENI is the instance's (ENI trunking raises the count on some types)",
)
def eni_density(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for group in plan.compute.groups:
        per_instance = slots_per_instance(env, group)
        if per_instance is None:
            continue
        awsvpc = [env.services[s] for s in group.services if env.services[s].network_mode == "awsvpc"]
        need = {s.name: share_of(s, group.name, plan.tasks[s.name].peak) for s in awsvpc}
        total, slots = sum(need.values()), max(0, per_instance) * group.max_size
        where = f"cluster.capacity_groups.{group.name}"
        if total <= slots * WARN_RATIO and per_instance > 0:
            continue
        detail = (
            f"at peak the awsvpc services place {total} tasks on group {group.name} "
            f"({', '.join(f'{n} {c}' for n, c in sorted(need.items()))}); its smallest instance type holds "
            f"{max(0, per_instance)} awsvpc task(s) after its daemons, x max_size {group.max_size} = {slots}"
        )
        if per_instance <= 0 or total > slots:
            yield At(f"{where}.max_size", f"{detail}: ECS could not place them all; raise max_size, use larger "
                     "types, ENI trunking (trunking: true on supporting types) or network_mode bridge")  # fmt: skip
        else:
            yield At(f"{where}.max_size", f"{detail}: above {WARN_RATIO:.0%}, little room", warning=True)


@plan_rule("L044", "trunking on a group whose instance types take no ENI trunk", ENI_TRUNKING_URL)
def trunking_supported(env: Environment, plan: EnvironmentPlan) -> Iterator[At]:
    for group in plan.compute.groups:
        if not env.cluster.capacity_groups[group.name].trunking:
            continue
        unsupported = [n for n in group.instance_types if (t := instance_type(n)) is not None and t.trunk_tasks is None]
        if unsupported:
            yield At(f"cluster.capacity_groups.{group.name}.trunking", f"{', '.join(unsupported)} take no ENI "
                     "trunk: their instances hold only network interfaces - 1 awsvpc tasks", warning=True)  # fmt: skip
