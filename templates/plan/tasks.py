"""How many tasks each service runs, and how many of them on Fargate Spot.

The subnet-capacity rule (L014) needs the peak, the cost model the counts at
rest and at the scaling maximum with their Spot share, the diagram the same:
one computation for all of them.
"""

from __future__ import annotations

import math

from templates.params.environment import Environment
from templates.params.service import Service
from templates.plan.model import TaskPlan


def spot_tasks(svc: Service, count: int) -> int:
    """How many of ``count`` tasks ECS places on Fargate Spot under this service's strategy.

    ECS runs the on-demand base first, then splits the rest by weight
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html);
    rounding down here means the diagram and the cost estimate never promise
    more Spot savings than the split gives.
    """
    cap = svc.capacity
    if not cap.spot_weight:
        return 0
    rest = max(0, count - cap.on_demand_base)
    return rest * cap.spot_weight // (cap.on_demand_weight + cap.spot_weight)


def peak_tasks(svc: Service) -> int:
    """The most tasks ``svc`` may run at once, rolling deployments included.

    ``ceil(count x max_percent / 100)``, where ``count`` is the scaling maximum
    (including scheduled maxima) or ``desired_count``; a scheduled task counts
    its ``task_count`` once.  A blue/green deployment starts a full green set
    beside blue and keeps blue for the bake time: twice the count
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-implementation.html).
    """
    if not svc.has_service:
        return svc.schedule.task_count if svc.schedule is not None else 1
    count = svc.desired_count
    if svc.scaling is not None:
        scheduled = [s.max_count for s in svc.scaling.schedules if s.max_count is not None]
        count = max([svc.scaling.max_count, *scheduled])
    rolling = math.ceil(count * svc.deployment.max_percent / 100)
    return max(rolling, 2 * count) if svc.blue_green is not None else rolling


def daemon_plan(env: Environment, svc: Service) -> TaskPlan:
    """A daemon runs one task per instance of its groups: as many as the groups have instances.

    Its deployments stop a task before starting its replacement (maximum 100 %), so the peak is the
    groups' maximum size.  Groups the params do not define count nothing (a rule reports them).
    """
    groups = [env.cluster.capacity_groups[g] for g in svc.capacity.groups if g in env.cluster.capacity_groups]
    low = sum(g.desired_size if g.desired_size is not None else g.min_size for g in groups)
    high = sum(g.max_size for g in groups)
    return TaskPlan(svc.name, low, high, high, 0, 0)


def task_plan(svc: Service) -> TaskPlan:
    low = svc.scaling.min_count if svc.scaling else svc.desired_count
    high = svc.scaling.max_count if svc.scaling else svc.desired_count
    return TaskPlan(svc.name, low, high, peak_tasks(svc), spot_tasks(svc, low), spot_tasks(svc, high))


def task_plans(env: Environment) -> dict[str, TaskPlan]:
    return {
        name: daemon_plan(env, svc) if svc.capacity.daemon else task_plan(svc)
        for name, svc in sorted(env.services.items())
    }
