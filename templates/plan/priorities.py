"""The priority allocator: a slot in the route's specificity band, kept for as long as the route lives.

Pure and generic (no params, no files), so its promise can be tested on any
sequence of additions and removals:

* a **pinned** route gets its pin (the params file wins);
* a **locked** route keeps the priority the lock records, as long as that is
  on the same ALB, inside the route's band, and no pin took it;
* a **new** route takes its preferred slot (the hashed one ``routing``
  computes, so environments without collisions keep the numbers they had
  before the lock existed), else the free slot of its band nearest to it.
  New routes are placed in (band, key) order, never file order, so the
  result is the same on every machine.

Removing a route simply leaves its slot out of the result: it is free for the
next new route of that band.  Nothing else ever moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

RouteKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Request:
    """A route asking for a priority: its identity, band, preferred slot, pin and ALB."""

    key: RouteKey
    band: int
    preferred: int
    alb: str
    pinned: int | None = None


@dataclass(frozen=True)
class Slot:
    alb: str
    priority: int


def band_bounds(band: int, band_width: int) -> range:
    return range(band * band_width + 1, (band + 1) * band_width + 1)


def nearest_free(near: int, bounds: range, taken: set[int]) -> int | None:
    """The free priority nearest ``near`` inside ``bounds`` (upwards first on a tie), or None."""
    for distance in range(len(bounds)):
        for candidate in (near + distance, near - distance):
            if candidate in bounds and candidate not in taken:
                return candidate
    return None


def allocate_slots(
    requests: Sequence[Request], locked: Mapping[RouteKey, Slot], band_width: int
) -> tuple[dict[RouteKey, Slot], list[Request]]:
    """Every request's slot, and the requests whose band on their ALB has no free slot left."""
    result: dict[RouteKey, Slot] = {}
    full: list[Request] = []
    by_alb: dict[str, list[Request]] = {}
    for request in requests:
        by_alb.setdefault(request.alb, []).append(request)
    for alb, group in sorted(by_alb.items()):
        slots, overflow = _allocate_one_listener(group, locked, band_width)
        result.update({key: Slot(alb, priority) for key, priority in slots.items()})
        full += overflow
    return result, full


def _allocate_one_listener(
    requests: Iterable[Request], locked: Mapping[RouteKey, Slot], band_width: int
) -> tuple[dict[RouteKey, int], list[Request]]:
    chosen: dict[RouteKey, int] = {}
    taken: set[int] = set()
    pending = []
    for request in requests:
        if request.pinned is not None:
            chosen[request.key] = request.pinned
            taken.add(request.pinned)
        else:
            pending.append(request)
    fresh = []
    kept = sorted((r for r in pending if r.key in locked), key=lambda r: (locked[r.key].priority, r.key))
    for request in kept:
        slot = locked[request.key]
        in_band = slot.priority in band_bounds(request.band, band_width)
        if slot.alb == request.alb and in_band and slot.priority not in taken:
            chosen[request.key] = slot.priority
            taken.add(slot.priority)
        else:
            fresh.append(request)
    fresh += [r for r in pending if r.key not in locked]
    overflow = []
    for request in sorted(fresh, key=lambda r: (r.band, r.key)):
        priority = nearest_free(request.preferred, band_bounds(request.band, band_width), taken)
        if priority is None:
            overflow.append(request)
            continue
        chosen[request.key] = priority
        taken.add(priority)
    return chosen, overflow
