"""Every URL this deploy adds, removes or hands to another owner, before anyone confirms.

A change set says ``Add ListenerRule3f9a2c1e``; a reviewer needs ``HTTPS
api.example.com /auth`` on ``alb``, priority 45381, answered by ``svc-auth``.
The deployed templates' listener rules are compared with the ones each stack
is left with (``TemplatePair``), across all stacks of the run: a URL removed
from one service and added to another is one row, "changes owner".  Stacks
``--prune`` deletes contribute their routes as removed; blue/green test routes
are routes like any other (with the header that reaches them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deployer.review.template_pairs import TemplatePair
from templates.contract.routes import Route, routes_of

ADDED, REMOVED, NEW_OWNER, NEW_PRIORITY = "added", "removed", "changes owner", "changes priority"
ROUTE_COLUMNS = ("Change", "URL", "ALB", "Priority", "Owner (stack: target groups)")


@dataclass
class RouteChange:
    """One URL whose routing this deploy changes, with its owner before and after."""

    change: str  # added | removed | changes owner | changes priority
    url: str  # "HTTPS api.example.com /auth, /auth/*" (+ header for a blue/green test route)
    alb_before: str = ""
    alb_after: str = ""
    priority_before: int | None = None
    priority_after: int | None = None
    owner_before: str = ""  # "svc-auth: TargetGroup"
    owner_after: str = ""
    blue_green: str = ""  # production | test | ""

    def cells(self) -> list[str]:
        """The row under ``ROUTE_COLUMNS``: each column "before -> after" when it changes."""
        return [
            self.change + (f" (blue/green {self.blue_green})" if self.blue_green else ""),
            self.url,
            _moved(self.alb_before, self.alb_after),
            _moved(_text(self.priority_before), _text(self.priority_after)),
            _moved(self.owner_before, self.owner_after),
        ]


def _text(priority: int | None) -> str:
    return "" if priority is None else str(priority)


def _moved(before: str, after: str) -> str:
    if not before or not after or before == after:
        return after or before
    return f"{before} -> {after}"


def _owner(route: Route) -> str:
    return f"{route.stack}: {', '.join(route.target_groups) or '-'}"


def _change(before: Route | None, after: Route | None) -> RouteChange | None:
    ref = after or before
    assert ref is not None
    if before is None or after is None:
        change = ADDED if before is None else REMOVED
    elif before.owner != after.owner:
        change = NEW_OWNER
    elif before.priority != after.priority:
        change = NEW_PRIORITY
    else:
        return None
    return RouteChange(
        change,
        ref.url,
        before.alb if before else "",
        after.alb if after else "",
        before.priority if before else None,
        after.priority if after else None,
        _owner(before) if before else "",
        _owner(after) if after else "",
        ref.blue_green,
    )


def route_changes(pairs: Mapping[str, TemplatePair]) -> list[RouteChange]:
    """The URLs whose routing changes between every stack's deployed and new template; removals first."""
    before: dict[tuple, Route] = {}
    after: dict[tuple, Route] = {}
    for key, pair in pairs.items():
        for route in routes_of(key, pair.before, pair.before_params):
            before[route.key] = route
        for route in routes_of(key, pair.after, pair.after_params):
            after[route.key] = route
    found = [c for k in before.keys() | after.keys() if (c := _change(before.get(k), after.get(k))) is not None]
    order = {REMOVED: 0, NEW_OWNER: 1, NEW_PRIORITY: 2, ADDED: 3}
    return sorted(found, key=lambda c: (order[c.change], c.url))
