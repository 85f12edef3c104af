"""Capacity provider strategy: where a service's tasks run, FARGATE and FARGATE_SPOT or EC2 capacity groups.

The cluster offers FARGATE, FARGATE_SPOT and each capacity group's provider;
each service (and each scheduled run) states its own split.  Fargate
providers with neither weight nor base are left out, so an on-demand-only
service reads exactly as before Spot existed.  An EC2 service names its
groups' providers (imported from the cluster stack) and gets placement
strategies; a daemon takes the EC2 launch type instead, since ECS accepts no
capacity provider strategy for the DAEMON scheduling strategy, and is held to
its groups by a placement constraint on the instances' group attribute.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

from troposphere import ecs, events

from templates import naming
from templates.params.service import Service

ON_DEMAND = "FARGATE"
SPOT = "FARGATE_SPOT"
_SPREAD_FIELDS = {"zone": "attribute:ecs.availability-zone", "instance": "instanceId"}
DEFAULT_SPREAD = ("zone",)
DEFAULT_BINPACK = "memory"


class Share(NamedTuple):
    provider: object  # FARGATE / FARGATE_SPOT, or the import of a group's provider name
    weight: int
    base: int


def shares(svc: Service) -> list[Share]:
    cap = svc.capacity
    if cap.on_ec2:
        return [Share(naming.capacity_provider_import(s.group), s.weight, s.base) for s in cap.ec2]
    out = []
    if cap.on_demand_weight or cap.on_demand_base:
        out.append(Share(ON_DEMAND, cap.on_demand_weight, cap.on_demand_base))
    if cap.spot_weight:
        out.append(Share(SPOT, cap.spot_weight, 0))
    return out


StrategyItem = TypeVar("StrategyItem", ecs.CapacityProviderStrategyItem, events.CapacityProviderStrategyItem)


def strategy(svc: Service, item: type[StrategyItem]) -> list[StrategyItem]:
    """The service's strategy as ``item`` objects.

    ECS services (``ecs.CapacityProviderStrategyItem``) and the tasks EventBridge
    starts (``events.CapacityProviderStrategyItem``) take the same three fields
    in different troposphere classes; one function keeps the two identical.
    """
    return [
        item(CapacityProvider=s.provider, Weight=s.weight, **({"Base": s.base} if s.base else {})) for s in shares(svc)
    ]


def placement_strategies(svc: Service) -> list[ecs.PlacementStrategy]:
    """Spread (across zones by default), then bin-pack (memory by default): ECS applies them in order."""
    placement = svc.capacity.placement
    spread = placement.spread if placement is not None else list(DEFAULT_SPREAD)
    binpack = placement.binpack if placement is not None else DEFAULT_BINPACK
    found = [ecs.PlacementStrategy(Type="spread", Field=_SPREAD_FIELDS[key]) for key in spread]
    if binpack is not None:
        found.append(ecs.PlacementStrategy(Type="binpack", Field=binpack))
    return found


def daemon_constraint(svc: Service) -> ecs.PlacementConstraint:
    """A daemon runs only on the instances of its groups (their user data sets the group attribute)."""
    groups = ", ".join(svc.capacity.groups)
    return ecs.PlacementConstraint(
        Type="memberOf", Expression=f"attribute:{naming.CAPACITY_GROUP_ATTRIBUTE} in [{groups}]"
    )


def service_placement(svc: Service) -> dict[str, object]:
    """The ECS service's capacity keys: strategy (and platform version on Fargate), or a daemon's launch type."""
    if svc.capacity.daemon:
        return {
            "LaunchType": "EC2",
            "SchedulingStrategy": "DAEMON",
            "PlacementConstraints": [daemon_constraint(svc)],
        }
    settings: dict[str, object] = {"CapacityProviderStrategy": strategy(svc, ecs.CapacityProviderStrategyItem)}
    if svc.on_ec2:
        settings["PlacementStrategies"] = placement_strategies(svc)
    else:
        settings["PlatformVersion"] = "LATEST"
    return settings
