"""Capacity provider strategy: how tasks split between FARGATE and FARGATE_SPOT.

The cluster offers both providers; each service (and each scheduled run)
states its own split.  Providers with neither weight nor base are left out,
so an on-demand-only service reads exactly as before Spot existed.
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

from troposphere import ecs, events

from templates.params.service import Service

ON_DEMAND = "FARGATE"
SPOT = "FARGATE_SPOT"


class Share(NamedTuple):
    provider: str
    weight: int
    base: int


def shares(svc: Service) -> list[Share]:
    cap = svc.capacity
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
