"""Capacity provider strategy: how tasks split between FARGATE and FARGATE_SPOT.

The cluster offers both providers; each service (and each scheduled run)
states its own split.  Providers with neither weight nor base are left out,
so an on-demand-only service reads exactly as before Spot existed.
"""

from __future__ import annotations

from typing import NamedTuple

from troposphere import ecs, events

from templates.params import Service

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


def ecs_strategy(svc: Service) -> list[ecs.CapacityProviderStrategyItem]:
    """Strategy for the ECS service."""
    return [
        ecs.CapacityProviderStrategyItem(
            CapacityProvider=s.provider, Weight=s.weight, **({"Base": s.base} if s.base else {})
        )
        for s in shares(svc)
    ]


def events_strategy(svc: Service) -> list[events.CapacityProviderStrategyItem]:
    """The same strategy for tasks that EventBridge starts."""
    return [
        events.CapacityProviderStrategyItem(
            CapacityProvider=s.provider, Weight=s.weight, **({"Base": s.base} if s.base else {})
        )
        for s in shares(svc)
    ]
